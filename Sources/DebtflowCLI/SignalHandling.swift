import DebtflowPipeline
import DebtflowSignals
import DebtflowSink
import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session) into a clean stop: the
/// first sets the interruption flag and cancels the run (which then publishes nothing and exits
/// 130); a second one removes the outputs' temporary files, runs `beforeForcedExit` (the
/// `--metrics` file) and exits at once. The signals themselves are caught by ``StopSignals``.
final class SignalHandling: Sendable {
    private let signals: StopSignals

    /// - Parameter firstSignalExits: for a command that writes nothing (`check`, `check --deep`):
    ///   the first signal already runs `beforeForcedExit` and exits 130.
    init(flag: InterruptionFlag, firstSignalExits: Bool = false, beforeForcedExit: @escaping @Sendable () -> Void = {}) {
        signals = StopSignals(StopSignals.stopSignals) { _ in
            if flag.isSet || firstSignalExits {
                AtomicFile.removePendingTemporaryFiles()
                beforeForcedExit()
                exit(130)
            }
            flag.set()
        }
    }

    deinit {
        signals.cancel()
    }
}
