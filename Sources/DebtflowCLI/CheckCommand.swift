import DebtflowCore
import DebtflowPipeline
import Foundation

/// `debtflow check PIPELINE.json [--deep]`: validates the config and reaches every input; with
/// `--deep` also reads every input through (inflate and parse, no rules). Writes nothing.
enum CheckCommand {
    static func run(_ arguments: [String]) async throws -> Int32 {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["--shard"], flagOptions: ["--help", "--deep"])
        if scanner.flag("--help") {
            try StandardStreams.printLine(HelpText.check)
            return 0
        }
        guard scanner.positionals.count == 1, let configPath = scanner.positionals.first else {
            throw DebtflowError.usage("expected one PIPELINE.json")
        }
        let configuration = try PipelineConfigurationDecoder().decode(fileAt: configPath)
        let log = OperatorLog(format: .text)
        log.addSecrets(configuration.secrets)
        // A check writes nothing, so SIGINT/SIGTERM/SIGHUP stop it at once with exit 130, also
        // while `--deep` reads a big input through (never a plain "killed by signal" status).
        let signals = SignalHandling(flag: InterruptionFlag(), firstSignalExits: true, beforeForcedExit: { _ in
            log.error("interrupted; the check stopped before its end (it writes nothing)")
        })
        defer { withExtendedLifetime(signals) {} }
        let options = RunOptions(shard: try scanner.value("--shard").map(InputShard.init(parsing:)))
        do {
            let assembler = PipelineAssembler(configuration: configuration, options: options, log: log)
            let report = try await assembler.check(deep: scanner.flag("--deep"))
            for line in report { log.info(line) }
            if scanner.flag("--deep") {
                for input in try await assembler.readInputsThrough() { log.info(input.description) }
            } else {
                log.info("inputs were opened, not read through: `debtflow check --deep` inflates and parses every record "
                         + "(finds a truncated or corrupt file)")
            }
        } catch let error as DebtflowError {
            // Printed through the log that knows the config's secrets, as `run` prints its errors:
            // an input path or URL built from a variable that also holds a secret shows `***`.
            CommandDispatcher.printError(error, hint: nil, log: log)
            return ExitCode.for(error).rawValue
        }
        log.info("\(configPath): ok")
        return 0
    }
}
