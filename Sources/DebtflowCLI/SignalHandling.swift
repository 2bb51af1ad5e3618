import DebtflowCore
import DebtflowPipeline
import DebtflowSignals
import DebtflowSink
import Foundation
import Synchronization

/// Turns SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session) into a clean stop: the
/// first sets the interruption flag and cancels the run (which then publishes nothing and exits
/// 130); a second one, a second or more after the first, removes the outputs' temporary files,
/// runs `beforeForcedExit` (the `--metrics` file) and exits at once. The signals themselves are
/// caught by ``StopSignals``.
///
/// - Signals within ``sameStopWindow`` of the first are the same stop: `timeout(1)` sends two
///   SIGTERMs (to the run, then to its process group), and a process group's members often get
///   one each; exiting at once on those lost the summary of a clean stop.
/// - While the outputs are renamed into place (``AtomicFile/isPublishing``) a signal does not
///   exit: that would leave tonight's valid file beside last night's rejects.
/// - Once they are published the run is finished: a forced exit then exits with the finished
///   run's code (``runFinished(exitCode:)``), not 130 (which says nothing was published): a run
///   stuck writing its summary or stdout after the publish can still be stopped.
final class SignalHandling: Sendable {
    private let signals: StopSignals
    /// How long after the first signal another one still counts as the same stop.
    static let sameStopWindow: Duration = .seconds(1)
    /// The exit code of the finished run (its outputs published), or -1 before.
    private static let finishedRunExitCode = Atomic<Int32>(-1)

    /// Says that the run finished with `exitCode` (its outputs are published): a forced exit
    /// from here on exits with it.
    static func runFinished(exitCode: Int32) {
        finishedRunExitCode.store(exitCode, ordering: .sequentiallyConsistent)
    }

    /// - Parameters:
    ///   - firstSignalExits: for a command that writes nothing (`check`, `check --deep`): the
    ///     first signal already runs `beforeForcedExit` and exits 130.
    ///   - beforeForcedExit: given the code the process is about to exit with (the `--metrics` file).
    init(flag: InterruptionFlag, firstSignalExits: Bool = false, beforeForcedExit: @escaping @Sendable (Int32) -> Void = { _ in }) {
        let firstSignal = Mutex<ContinuousClock.Instant?>(nil)
        signals = StopSignals(StopSignals.stopSignals) { _ in
            let now = ContinuousClock.now
            let exitsAtOnce = firstSignal.withLock { first in
                guard let first else {
                    first = now
                    return firstSignalExits
                }
                return now - first >= Self.sameStopWindow
            }
            guard exitsAtOnce, !AtomicFile.isPublishing else {
                flag.set()
                return
            }
            let code = AtomicFile.publishHasBegun ? Self.awaitFinishedRunExitCode() : ExitCode.interrupted.rawValue
            // The outputs' temporary files, or after the publish the summary's.
            AtomicFile.removePendingTemporaryFiles()
            beforeForcedExit(code)
            exit(code)
        }
    }

    /// The finished run's code, set as soon as the runner returns (a moment after the renames),
    /// waited for up to a second; 4 without one (a run that failed during its publish sets its
    /// code too).
    private static func awaitFinishedRunExitCode() -> Int32 {
        var code = finishedRunExitCode.load(ordering: .sequentiallyConsistent)
        for _ in 0..<100 where code < 0 {
            usleep(10_000)
            code = finishedRunExitCode.load(ordering: .sequentiallyConsistent)
        }
        return code >= 0 ? code : ExitCode.sink.rawValue
    }

    deinit {
        signals.cancel()
    }
}
