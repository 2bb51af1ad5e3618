import DebtflowCore
import DebtflowPipeline
import Foundation

/// `debtflow check PIPELINE.json`: validates the config and reaches every input; writes nothing.
enum CheckCommand {
    static func run(_ arguments: [String]) async throws -> Int32 {
        let scanner = try ArgumentScanner(arguments, valueOptions: ["--shard"], flagOptions: ["--help"])
        if scanner.flag("--help") {
            print(HelpText.check)
            return 0
        }
        guard scanner.positionals.count == 1, let configPath = scanner.positionals.first else {
            throw DebtflowError.usage("expected one PIPELINE.json")
        }
        let configuration = try PipelineConfigurationDecoder().decode(fileAt: configPath)
        let log = OperatorLog(format: .text)
        log.addSecrets(configuration.secrets)
        let report = try await PipelineAssembler(configuration: configuration, options: RunOptions(shard: try scanner.value("--shard").map(InputShard.init(parsing:))), log: log).check()
        for line in report { log.info(line) }
        log.info("\(configPath): ok")
        return 0
    }
}
