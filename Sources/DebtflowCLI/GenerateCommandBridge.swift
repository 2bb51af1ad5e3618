import DebtflowGenerate
import DebtflowSignals
#if canImport(Glibc)
import Glibc
#endif

/// `debtflow generate …`: realistic dirty debtor data for trials and benchmarks (DebtflowGenerate).
/// SIGINT, SIGTERM or SIGHUP stop it at once: the unfinished output's temporary file is removed
/// (nothing is published) and it exits 130.
enum GenerateCommandBridge {
    static func run(_ arguments: [String]) throws -> Int32 {
        if try StandardStreams.printHelpIfAsked(arguments, GenerateCommand.help) { return 0 }
        let signals = StopSignals { _ in
            GenerateCommand.removeUnfinishedOutputs()
            exit(130)
        }
        defer { signals.cancel() }
        return try GenerateCommand.run(arguments: arguments)
    }
}
