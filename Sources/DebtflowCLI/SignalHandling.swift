import DebtflowPipeline
import DebtflowSink
import Dispatch
import Foundation

/// Turns SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session) into a clean stop: the
/// first sets the interruption flag and cancels the run (which then publishes nothing and exits
/// 130); a second one removes the outputs' temporary files, runs `beforeForcedExit` (the
/// `--metrics` file) and exits at once.
final class SignalHandling: @unchecked Sendable {
    // @unchecked Sendable: `sources` is written once in `init` and only read after.
    private var sources: [any DispatchSourceSignal] = []

    /// - Parameter firstSignalExits: for a command that writes nothing (`check`, `check --deep`):
    ///   the first signal already runs `beforeForcedExit` and exits 130.
    init(flag: InterruptionFlag, firstSignalExits: Bool = false, beforeForcedExit: @escaping @Sendable () -> Void = {}) {
        for signalNumber in [SIGINT, SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                if flag.isSet || firstSignalExits {
                    AtomicFile.removePendingTemporaryFiles()
                    beforeForcedExit()
                    exit(130)
                }
                flag.set()
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }
}
