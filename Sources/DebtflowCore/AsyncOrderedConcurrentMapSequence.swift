import Synchronization

extension AsyncSequence where Element: Sendable {
    /// Transforms up to `width` elements at once, each in a task of its own, and yields the
    /// results in input order: the CPU-heavy middle of a pipeline on every core.
    ///
    /// Buffering: at most `width` elements are being transformed (or wait, transformed, for their
    /// turn); the base is only asked for the next element when one of them has been handed on,
    /// so back-pressure reaches the base. Throwing: rethrows the base's errors and the first
    /// transform error (in input order); the other transforms in flight are then cancelled.
    /// - Parameters:
    ///   - width: how many elements are transformed at once; at least 1.
    ///   - transform: the step, run off the consumer's task. It owns the element it is given: no
    ///     reference to it is left here, so a chunk nobody else holds can be changed in place
    ///     without being copied.
    ///   - handOnEarlyWhen: asked before waiting for the base with elements in flight; when it
    ///     says `true` the oldest is handed on first (for a producer that stops sending under a
    ///     budget of its own, such as ``InFlightByteBudget``, which would otherwise never fill the width).
    ///   - handsOnBeforeNext: asked of each element taken from the base; when it says `true`, that
    ///     element and those before it are all handed on before the base is asked for the next one
    ///     (an element that ends something, such as an input, whose consumer must not wait on
    ///     whatever the base does next: the next input's opening may block on a FIFO).
    public func orderedConcurrentMap<Output: Sendable>(
        width: Int, handOnEarlyWhen handOnEarly: @escaping @Sendable () -> Bool = { false },
        handsOnBeforeNext: @escaping @Sendable (borrowing Element) -> Bool = { _ in false },
        _ transform: @escaping @Sendable (consuming Element) throws -> Output
    ) -> AsyncOrderedConcurrentMapSequence<Self, Output> {
        AsyncOrderedConcurrentMapSequence(base: self, width: width, handOnEarly: handOnEarly,
                                          handsOnBeforeNext: handsOnBeforeNext, transform: transform)
    }

    /// Runs `stage` on up to `width` chunks at once, results in input order
    /// (``orderedConcurrentMap(width:_:)`` with the stage as the transform).
    public func then<Stage: ChunkStage>(_ stage: Stage, width: Int) -> AsyncOrderedConcurrentMapSequence<Self, Chunk<Stage.Output>>
    where Element == Chunk<Stage.Input> {
        orderedConcurrentMap(width: width) { chunk in try stage.process(chunk) }
    }
}

/// The results of a transform run on up to `width` elements at once, in input order; see
/// ``AsyncSequence/orderedConcurrentMap(width:_:)``.
public struct AsyncOrderedConcurrentMapSequence<Base: AsyncSequence, Output: Sendable>: AsyncSequence
where Base.Element: Sendable {
    public typealias Element = Output

    let base: Base
    let width: Int
    let handOnEarly: @Sendable () -> Bool
    let handsOnBeforeNext: @Sendable (borrowing Base.Element) -> Bool
    let transform: @Sendable (consuming Base.Element) throws -> Output

    init(base: Base, width: Int, handOnEarly: @escaping @Sendable () -> Bool,
         handsOnBeforeNext: @escaping @Sendable (borrowing Base.Element) -> Bool,
         transform: @escaping @Sendable (consuming Base.Element) throws -> Output) {
        precondition(width >= 1, "a concurrent map needs a width of at least 1")
        self.base = base
        self.width = width
        self.handOnEarly = handOnEarly
        self.handsOnBeforeNext = handsOnBeforeNext
        self.transform = transform
    }

    public struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let width: Int
        let handOnEarly: @Sendable () -> Bool
        let handsOnBeforeNext: @Sendable (borrowing Base.Element) -> Bool
        let transform: @Sendable (consuming Base.Element) throws -> Output
        /// The transforms in flight, oldest first (a FIFO of at most `width` tasks).
        var inFlight: [Task<Output, any Error>] = []
        var baseFinished = false
        /// How many of the oldest in flight are handed on before the base is asked again
        /// (see `handsOnBeforeNext`).
        var handOnFirst = 0

        public mutating func next() async throws -> Output? {
            do {
                while !baseFinished && handOnFirst == 0 && inFlight.count < width && !(!inFlight.isEmpty && handOnEarly()) {
                    guard let element = try await base.next() else {
                        baseFinished = true
                        break
                    }
                    let endsSomething = handsOnBeforeNext(element)
                    let transform = self.transform
                    // The task takes the element out of a box and hands it on owned: captured
                    // directly, the task's context would keep a second reference, and a stage
                    // that changes its chunk in place would copy the whole array first.
                    let handOver = HandOver(consume element)
                    inFlight.append(Task { try transform(handOver.take()) })
                    if endsSomething { handOnFirst = inFlight.count }
                }
                guard !inFlight.isEmpty else { return nil }
                if handOnFirst > 0 { handOnFirst -= 1 }
                return try await inFlight.removeFirst().value
            } catch {
                for task in inFlight { task.cancel() }
                inFlight.removeAll()
                baseFinished = true
                throw error
            }
        }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), width: width, handOnEarly: handOnEarly, handsOnBeforeNext: handsOnBeforeNext,
                 transform: transform)
    }
}

extension AsyncOrderedConcurrentMapSequence: Sendable where Base: Sendable {}

/// A value handed from one task to another exactly once: ``take()`` moves it out, so the taker
/// holds the only reference (a value captured by a task's closure stays referenced by the
/// closure's context for as long as the task runs).
final class HandOver<Value: Sendable>: Sendable {
    private let value: Mutex<Value?>

    init(_ value: consuming Value) { self.value = Mutex(value) }

    /// The value, moved out; taking it twice is a programming error.
    func take() -> Value {
        value.withLock { held in
            guard let taken = held.take() else { preconditionFailure("a handed-over value is taken once") }
            return taken
        }
    }
}
