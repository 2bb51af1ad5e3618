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
/// - Once the outputs are being renamed into place (``AtomicFile/publishHasBegun``) the run is
///   finished: a later signal no longer exits at once (it would leave tonight's valid file beside
///   last night's rejects, and exit 130 with files published).
final class SignalHandling: Sendable {
    private let signals: StopSignals
    /// How long after the first signal another one still counts as the same stop.
    static let sameStopWindow: Duration = .seconds(1)

    /// - Parameter firstSignalExits: for a command that writes nothing (`check`, `check --deep`):
    ///   the first signal already runs `beforeForcedExit` and exits 130.
    init(flag: InterruptionFlag, firstSignalExits: Bool = false, beforeForcedExit: @escaping @Sendable () -> Void = {}) {
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
            guard exitsAtOnce, !AtomicFile.publishHasBegun else {
                flag.set()
                return
            }
            AtomicFile.removePendingTemporaryFiles()
            beforeForcedExit()
            exit(130)
        }
    }

    deinit {
        signals.cancel()
    }
}
