import Synchronization

/// A single-producer, single-consumer channel that holds at most `capacity` elements: ``send(_:)``
/// suspends while it is full. This is the one connector between stages that run concurrently
/// (DESIGN.md §2): back-pressure from a slow sink reaches the reader, so memory stays flat.
///
/// Buffering: at most `capacity` elements wait in the channel, plus one in the producer's hand.
/// The channel drops its reference to an element when it hands it on.
/// Throwing: ``next()`` rethrows the error given to ``finish(throwing:)``; ``send(_:)`` throws
/// `CancellationError` once the consumer has called ``cancel()`` or the producer's task is cancelled.
public final class BoundedChannel<Element: Sendable>: Sendable {
    private struct State {
        var buffer: [Element] = []
        var head = 0
        var finished = false
        var failure: (any Error)?
        var cancelled = false
        var waitingSender: CheckedContinuation<Void, any Error>?
        var waitingReceiver: CheckedContinuation<Element?, any Error>?

        var count: Int { buffer.count - head }

        mutating func popFirst() -> Element? {
            guard head < buffer.count else { return nil }
            let element = buffer[head]
            head += 1
            if head == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 16 {
                // A receiver that never quite empties the buffer must not leave every element it
                // took still held at the front: that grew without bound (all chunks of a run).
                buffer.removeFirst(head)
                head = 0
            }
            return element
        }
    }

    /// Safe to share: every access to `state` goes through the `Mutex`.
    private let state = Mutex(State())
    public let capacity: Int

    /// - Parameter capacity: how many elements may wait; at least 1.
    public init(capacity: Int) {
        precondition(capacity >= 1, "a bounded channel needs room for one element")
        self.capacity = capacity
    }

    /// Sends one element, suspending while the channel is full.
    /// - Throws: `CancellationError` when the consumer cancelled the channel.
    public func send(_ element: Element) async throws {
        while true {
            try Task.checkCancellation()
            let delivered: Bool = try state.withLock { state in
                if state.cancelled { throw CancellationError() }
                precondition(!state.finished, "send after finish")
                if let receiver = state.waitingReceiver {
                    state.waitingReceiver = nil
                    receiver.resume(returning: element)
                    return true
                }
                if state.count < capacity {
                    state.buffer.append(element)
                    return true
                }
                return false
            }
            if delivered { return }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    if state.cancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if state.count < capacity || state.waitingReceiver != nil {
                        continuation.resume()
                    } else {
                        state.waitingSender = continuation
                    }
                }
            }
        }
    }

    /// Ends the stream: the consumer gets the remaining elements, then `nil` (or `error`).
    public func finish(throwing error: (any Error)? = nil) {
        state.withLock { state in
            guard !state.finished else { return }
            state.finished = true
            state.failure = error
            if let receiver = state.waitingReceiver {
                state.waitingReceiver = nil
                if let error { receiver.resume(throwing: error) } else { receiver.resume(returning: nil) }
            }
        }
    }

    /// Stops the channel: a waiting or later ``send(_:)`` throws `CancellationError`, and so does
    /// a waiting or later ``next()``. Elements still buffered are dropped.
    public func cancel() {
        state.withLock { state in
            state.cancelled = true
            state.buffer.removeAll()
            state.head = 0
            if let sender = state.waitingSender {
                state.waitingSender = nil
                sender.resume(throwing: CancellationError())
            }
            if let receiver = state.waitingReceiver {
                state.waitingReceiver = nil
                receiver.resume(throwing: CancellationError())
            }
        }
    }

    /// The next element, suspending while the channel is empty; `nil` once finished and drained.
    /// - Throws: the error the producer finished with.
    public func next() async throws -> Element? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
            state.withLock { state in
                if state.cancelled {
                    continuation.resume(throwing: CancellationError())
                } else if let element = state.popFirst() {
                    if let sender = state.waitingSender {
                        state.waitingSender = nil
                        sender.resume()
                    }
                    continuation.resume(returning: element)
                } else if state.finished {
                    if let failure = state.failure {
                        state.failure = nil
                        continuation.resume(throwing: failure)
                    } else {
                        continuation.resume(returning: nil)
                    }
                } else {
                    state.waitingReceiver = continuation
                    if let sender = state.waitingSender {
                        state.waitingSender = nil
                        sender.resume()
                    }
                }
            }
        }
    }
}
