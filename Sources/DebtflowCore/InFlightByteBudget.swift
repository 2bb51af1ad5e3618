import Synchronization

/// Bounds how many bytes of input text are in flight between a reader and the sinks, whatever
/// the number of chunks: the bounded channels count chunks, and a chunk holds at least one
/// record, so without this a file of 16 MiB records would keep a dozen of them in memory at once.
///
/// The reader waits in ``admit()`` before reading a chunk while ``limit`` bytes or more are in
/// flight, then ``add(_:)``s the chunk's bytes; the sink side ``release(_:)``s them once the
/// chunk is written. So ordinary chunks (1 MiB at most) flow as before, and records of many MiB
/// are read one at a time.
///
/// Safe to share: every access to the state goes through the `Mutex`.
public final class InFlightByteBudget: Sendable {
    private struct State {
        var inFlight = 0
        var cancelled = false
        var waiting: CheckedContinuation<Void, any Error>?
    }

    private let state = Mutex(State())
    /// The in-flight bytes at which the reader waits.
    public let limit: Int

    /// - Parameter limit: the in-flight bytes at which ``admit()`` waits.
    public init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The bytes now in flight.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Whether ``admit()`` would wait now. A stage between the reader and the sinks that holds
    /// chunks back (to transform several at once) must hand them on while this is `true`: the
    /// reader, waiting, sends nothing more.
    public var isExhausted: Bool { state.withLock { $0.inFlight >= limit } }

    /// Returns once fewer than ``limit`` bytes are in flight (one reader calls this).
    /// - Throws: `CancellationError` after ``cancel()`` or when the task is cancelled.
    public func admit() async throws {
        while true {
            try Task.checkCancellation()
            let admitted: Bool = try state.withLock { state in
                if state.cancelled { throw CancellationError() }
                return state.inFlight < limit
            }
            if admitted { return }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    if state.cancelled {
                        continuation.resume(throwing: CancellationError())
                    } else if state.inFlight < limit {
                        continuation.resume()
                    } else {
                        state.waiting = continuation
                    }
                }
            }
        }
    }

    /// Counts a chunk's bytes as in flight.
    public func add(_ bytes: Int) {
        state.withLock { $0.inFlight += max(0, bytes) }
    }

    /// Counts a chunk's bytes as done, waking the reader when it waits.
    public func release(_ bytes: Int) {
        let waiting: CheckedContinuation<Void, any Error>? = state.withLock { state in
            state.inFlight = max(0, state.inFlight - max(0, bytes))
            guard state.inFlight < limit, let waiting = state.waiting else { return nil }
            state.waiting = nil
            return waiting
        }
        waiting?.resume()
    }

    /// Stops the budget: a waiting or later ``admit()`` throws `CancellationError`.
    public func cancel() {
        let waiting: CheckedContinuation<Void, any Error>? = state.withLock { state in
            state.cancelled = true
            let waiting = state.waiting
            state.waiting = nil
            return waiting
        }
        waiting?.resume(throwing: CancellationError())
    }
}
