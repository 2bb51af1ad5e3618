import DebtflowHTTP
import Foundation

/// A flag any batch can raise to stop the run from sending more, and the run's way to cancel
/// the batches in flight when it is interrupted.
///
/// Not a signal handler: the signals are caught once, by the CLI (`StopSignals`), which sets the
/// run's interruption flag; the runner then calls the sink's `interruptHandler`, which is
/// ``interrupt()``.
///
/// `@unchecked Sendable`: `value`, `interrupted` and `inFlight` are guarded by `lock`.
final class BatchStop: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    private var interrupted = false
    private var inFlight: [Int: Task<BatchReport, Never>] = [:]
    var isRaised: Bool { lock.withLock { value } }
    /// True once ``interrupt()`` was called.
    var isInterrupted: Bool { lock.withLock { interrupted } }
    func raise() { lock.withLock { value = true } }

    /// Raises the flag and cancels every batch in flight: a request waiting for its answer ends
    /// at once (its batch is then `unknown`, or `not_sent` when nothing of it had left).
    func interrupt() {
        let tasks = lock.withLock { () -> [Task<BatchReport, Never>] in
            value = true
            interrupted = true
            return Array(inFlight.values)
        }
        for task in tasks { task.cancel() }
    }

    /// Keeps `task` (batch number `index`) until ``forget(_:)``, to cancel it on ``interrupt()``.
    func track(_ task: Task<BatchReport, Never>, index: Int) {
        let cancelNow = lock.withLock { () -> Bool in
            inFlight[index] = task
            return interrupted
        }
        if cancelNow { task.cancel() }
    }

    func forget(_ index: Int) { lock.withLock { _ = inFlight.removeValue(forKey: index) } }

    /// Sleeps `seconds`, waking early (within 0.1 s) once the flag is raised or the task is
    /// cancelled, so a stopping run does not sit out a long rate-limit wait.
    /// At most ``ServerRequestedWait/longestSeconds``, measured on the clock (not by adding up
    /// steps, which a huge wait would never count down).
    func sleep(seconds: Double) async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Int64(ServerRequestedWait.clamped(seconds) * 1000)))
        while !isRaised && !Task.isCancelled {
            let left = clock.now.duration(to: deadline)
            guard left > .zero else { return }
            try? await Task.sleep(for: min(left, .milliseconds(100)))
        }
    }
}
