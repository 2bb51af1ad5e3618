import DebtflowCore
import DebtflowPipeline
import Foundation

/// `debtflow run PIPELINE.json …`: decodes the config, assembles the stages, runs them, prints the
/// summary, and returns 0 (none failed) or 1 (some failed); run errors are thrown.
enum RunCommand {
    static func run(_ arguments: [String]) async throws -> Int32 {
        let scanner = try ArgumentScanner(
            arguments,
            valueOptions: ["--limit", "--progress", "--log-format", "--summary", "--shard"],
            flagOptions: ["--dry-run", "--resume", "--retry-unknown", "--help"])
        if scanner.flag("--help") {
            print(HelpText.run)
            return 0
        }
        guard scanner.positionals.count == 1, let configPath = scanner.positionals.first else {
            throw DebtflowError.usage(scanner.positionals.isEmpty ? "missing PIPELINE.json" : "expected one PIPELINE.json, got \(scanner.positionals.count) arguments")
        }
        let progressMode = try scanner.choice("--progress", ["auto", "always", "never"], default: "auto")
        let logFormat = OperatorLog.Format(rawValue: try scanner.choice("--log-format", ["text", "json"], default: "text"))!
        let options = RunOptions(
            limit: try scanner.int("--limit", minimum: 1),
            dryRun: scanner.flag("--dry-run"),
            resume: scanner.flag("--resume"),
            retryUnknown: scanner.flag("--retry-unknown"),
            showProgress: progressMode == "always" || (progressMode == "auto" && isatty(STDERR_FILENO) == 1),
            shard: try scanner.value("--shard").map(InputShard.init(parsing:)))
        if options.retryUnknown && !options.resume {
            throw DebtflowError.usage("--retry-unknown goes with --resume")
        }
        let summaryPath = scanner.value("--summary")
        let log = OperatorLog(format: logFormat)

        let configuration = try PipelineConfigurationDecoder().decode(fileAt: configPath)
        log.addSecrets(configuration.secrets)
        if let summaryPath {
            try checkWritableFolder(of: summaryPath, what: "--summary")
        }

        let interruption = InterruptionFlag()
        let runner: PipelineRunner<RecordTransform>
        do {
            runner = try await PipelineAssembler(configuration: configuration, options: options, log: log).makeRunner(interruption: interruption)
        } catch let error as DebtflowError {
            CommandDispatcher.printError(error, hint: nil, log: log)
            return ExitCode.for(error).rawValue
        }
        let signals = SignalHandling(flag: interruption)
        defer { withExtendedLifetime(signals) {} }

        do {
            let summary = try await runner.run()
            log.summary(summary)
            try writeSummary(summary, to: summaryPath)
            let failedInputs = summary.failedInputs
            if !failedInputs.isEmpty {
                // on_input_error: continue — the other inputs were published; the night still failed.
                log.error("\(failedInputs.count) input\(failedInputs.count == 1 ? "" : "s") could not be read: "
                          + failedInputs.map(\.path).joined(separator: ", "),
                          hint: "their outputs were not published; the others were (see the summary's \"inputs\")")
                return ExitCode.input.rawValue
            }
            let failed = summary.failed + (summary.pushed?.failed ?? 0)
            return ExitCode.forFinishedRun(failedRecords: failed).rawValue
        } catch {
            let runError = (error as? DebtflowError) ?? DebtflowError.input("\(error)")
            CommandDispatcher.printError(runError, hint: nil, log: log)
            if let partial = runner.partialSummary {
                log.summary(partial)
                try? writeSummary(partial, to: summaryPath)
            }
            return ExitCode.for(runError).rawValue
        }
    }

    static func writeSummary(_ summary: RunSummary, to path: String?) throws {
        guard let path else { return }
        var bytes = summary.json
        bytes.append(UInt8(ascii: "\n"))
        if path == "-" {
            try StandardStreams.writeToStandardOutput(bytes)
            return
        }
        let url = URL(fileURLWithPath: path)
        do {
            try Data(bytes).write(to: url, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            throw DebtflowError.sink("cannot write the summary", location: .init(file: path), cause: "\(error)")
        }
    }

    static func checkWritableFolder(of path: String, what: String) throws {
        if let problem = OutputLocation.problem(writingFileAt: path, folderLabel: "folder") {
            throw DebtflowError.usage("\(what): \(problem)")
        }
    }
}
