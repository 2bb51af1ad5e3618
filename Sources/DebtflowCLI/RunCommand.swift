import DebtflowCore
import DebtflowPipeline
import DebtflowSignals
import DebtflowSink
import Foundation

/// `debtflow run PIPELINE.json …`: decodes the config, assembles the stages, runs them, prints the
/// summary, and returns 0 (none failed) or 1 (some failed); run errors are thrown.
enum RunCommand {
    static func run(_ arguments: [String]) async throws -> Int32 {
        // A stop signal from the very start is a clean stop: until the run's own handling is in
        // place (``SignalHandling``, which takes the signals over) it only sets the flag, which
        // the run reads before it reads anything. Once the run's handling is gone again (the
        // summary written), a signal is swallowed here while `--metrics` is written: the process
        // ends with the run's code, never killed half-way (143) with a temporary file left.
        let interruption = InterruptionFlag()
        let watcher = StopSignals { _ in interruption.set() }
        defer { watcher.cancel() }
        let scanner: ArgumentScanner
        do {
            scanner = try ArgumentScanner(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        } catch {
            // A typo in the cron line (`--progres`, `--limit` with no value) is an exit 2 like any
            // other: when `--metrics` and the config can still be told, last night's figures are
            // replaced, so the alert rules see tonight's failure.
            recordUsageError(error, in: arguments)
            throw error
        }
        if scanner.flag("--help") {
            try StandardStreams.printLine(HelpText.run)
            return 0
        }
        guard scanner.positionals.count == 1, let configPath = scanner.positionals.first else {
            throw DebtflowError.usage(scanner.positionals.isEmpty ? "missing PIPELINE.json" : "expected one PIPELINE.json, got \(scanner.positionals.count) arguments")
        }
        let logFormat = OperatorLog.Format(rawValue: try scanner.choice("--log-format", ["text", "json"], default: "text"))!
        let log = OperatorLog(format: logFormat)
        // `--metrics` is checked first, so every later exit (2 included, once the config's name is
        // known) leaves its figures for the alert rules.
        let metrics = try scanner.value("--metrics").map { try RunMetricsRecorder(path: $0, configPath: configPath) }
        guard let metrics else {
            return try await run(scanner, configPath: configPath, log: log, metrics: nil, interruption: interruption)
        }
        let status: Int32
        do {
            status = try await run(scanner, configPath: configPath, log: log, metrics: metrics, interruption: interruption)
        } catch {
            metrics.finish(exitCode: ExitCode.for(error).rawValue, log: log)
            throw error
        }
        if !metrics.finish(exitCode: status, log: log) && (status == 0 || status == 1) {
            // The alert rules would not see this night: the exit code must tell.
            return ExitCode.sink.rawValue
        }
        return status
    }

    /// The options of `run` that take a value, and those that take none.
    private static let valueOptions: Set<String> = ["--limit", "--progress", "--log-format", "--summary", "--metrics", "--shard"]
    private static let flagOptions: Set<String> = ["--dry-run", "--resume", "--retry-unknown", "--help"]

    /// Writes `--metrics` for a command line the scanner refused, when the arguments still name
    /// a metrics path (`--metrics PATH` or `--metrics=PATH`) and a config (the first argument
    /// that is no option nor an option's value); else nothing. The file is replaced only when it
    /// is absent or a metrics file already (``RunMetricsRecorder``): its claims were not checked.
    private static func recordUsageError(_ error: any Error, in arguments: [String]) {
        let read = ArgumentScanner.lenient(arguments, valueOptions: valueOptions, flagOptions: flagOptions)
        guard let metricsPath = read.value("--metrics"), !metricsPath.isEmpty, let configPath = read.positionals.first,
              let metrics = try? RunMetricsRecorder(path: metricsPath, configPath: configPath) else { return }
        metrics.finish(exitCode: ExitCode.for(error).rawValue, log: OperatorLog(format: .text))
    }

    private static func run(_ scanner: ArgumentScanner, configPath: String, log: OperatorLog,
                            metrics: RunMetricsRecorder?, interruption: InterruptionFlag) async throws -> Int32 {
        let progressMode = try scanner.choice("--progress", ["auto", "always", "never"], default: "auto")
        var options = RunOptions(
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

        let configuration = try PipelineConfigurationDecoder().decode(fileAt: configPath)
        log.addSecrets(configuration.secrets)
        metrics?.setPipeline(configuration.name)
        if let summaryPath {
            try checkWritableFolder(of: summaryPath, what: "--summary")
            options.additionalOutputs.append(.init(role: .option("--summary"), path: summaryPath))
        }
        if let metrics {
            let claim = OutputPathClaims.Claim(role: .option("--metrics"), path: metrics.path)
            do {
                try configuration.verifyOutput(claim, besides: options.additionalOutputs, dryRun: options.dryRun)
            } catch {
                metrics.discard()   // it would overwrite an input, the config or another output
                throw error
            }
            metrics.markVerified()
            options.additionalOutputs.append(claim)
        }

        // Signals are handled from here on, so that one arriving while the outputs are opened
        // (a FIFO waiting for its reader) still stops cleanly, removing the temporary files.
        let signals = SignalHandling(flag: interruption, beforeForcedExit: { code in metrics?.finish(exitCode: code, log: log) })
        defer { withExtendedLifetime(signals) {} }
        let runner: PipelineRunner<RecordTransform>
        do {
            runner = try await PipelineAssembler(configuration: configuration, options: options, log: log).makeRunner(interruption: interruption)
        } catch let error as DebtflowError {
            CommandDispatcher.printError(error, hint: nil, log: log)
            // An input that cannot be had (a pattern that matches nothing, an unreachable API)
            // ends the run before it starts, but it is a run that failed, not a config that
            // was refused: its summary says so, as for an input that fails while read.
            if error.kind != .configuration && error.kind != .usage {
                var stopped = RunSummary(pipeline: configuration.name)
                stopped.stoppedBy = error.kind.rawValue
                // With many inputs the summary lists them; the one that stopped the run before
                // it began (a pattern that matched nothing) is named there with its error.
                if configuration.read.hasManyInputs, error.kind == .input, let input = error.location?.file {
                    stopped.inputs = [RunSummary.InputTotals(path: input, error: error.description)]
                }
                metrics?.setSummary(stopped)
                do {
                    try writeSummary(stopped, to: summaryPath, interruption: interruption, log: log)
                } catch {
                    log.warning(error.description)
                }
            }
            return ExitCode.for(error).rawValue
        }

        let summary: RunSummary
        do {
            summary = try await runner.run()
        } catch {
            let runError = (error as? DebtflowError) ?? DebtflowError.input("\(error)")
            // A run that failed during its publish (a rename refused): a forced exit from here
            // exits with this run's code, not 130 (some files may be published).
            SignalHandling.runFinished(exitCode: ExitCode.for(runError).rawValue)
            CommandDispatcher.printError(runError, hint: nil, log: log)
            if let partial = runner.partialSummary {
                metrics?.setSummary(partial)
                log.summary(partial)
                do {
                    try writeSummary(partial, to: summaryPath, interruption: interruption, log: log)
                } catch {
                    log.warning(error.description)
                }
            }
            return ExitCode.for(runError).rawValue
        }
        // Finished: the outputs are published. A forced exit from here (stderr or a --summary
        // FIFO that blocks) exits with the run's own code.
        let failedInputs = summary.failedInputs
        let finishedCode = failedInputs.isEmpty
            ? ExitCode.forFinishedRun(failedRecords: summary.failed + (summary.pushed?.failed ?? 0)).rawValue
            : ExitCode.input.rawValue
        SignalHandling.runFinished(exitCode: finishedCode)
        metrics?.setSummary(summary)
        log.summary(summary)
        do {
            try writeSummary(summary, to: summaryPath, interruption: interruption, log: log)
        } catch {
            // The outputs are published; only the summary file is missing. Said once, on one line.
            CommandDispatcher.printError(error, hint: nil, log: log)
            return ExitCode.for(error).rawValue
        }
        if !failedInputs.isEmpty {
            // on_input_error: continue — the other inputs were published; the night still failed.
            log.error("\(failedInputs.count) input\(failedInputs.count == 1 ? "" : "s") could not be read: "
                      + failedInputs.map(\.path).joined(separator: ", "),
                      hint: "their outputs were not published; the others were (see the summary's \"inputs\")")
            return ExitCode.input.rawValue
        }
        let failed = summary.failed + (summary.pushed?.failed ?? 0)
        return ExitCode.forFinishedRun(failedRecords: failed).rawValue
    }

    /// Writes the summary JSON to `path` as any output is written (``AtomicFile``: temporary file
    /// and rename, mode 0600; `-`, a device or a FIFO as a stream).
    /// - Throws: `.sink` with one line saying what failed (never a Foundation error dump).
    static func writeSummary(_ summary: RunSummary, to path: String?, interruption: InterruptionFlag,
                             log: OperatorLog) throws(DebtflowError) {
        guard let path else { return }
        var bytes = log.redacted(summary).json
        bytes.append(UInt8(ascii: "\n"))
        do {
            // A FIFO without a reader is waited for, and said, as a sink's is.
            let file = try AtomicFile(path: path, isInterrupted: { interruption.isSet },
                                      waitingForReader: { log.warning("--summary: \($0)") })
            try file.write(bytes)
            try file.publish()
        } catch {
            let failure = (error as? DebtflowError) ?? DebtflowError.sink("\(error)")
            throw DebtflowError.sink("--summary: cannot write the summary to \(MessageExcerpt.path(path)): \(failure.message)",
                                     cause: failure.cause)
        }
    }

    static func checkWritableFolder(of path: String, what: String) throws {
        if let problem = OutputLocation.problem(writingFileAt: path, folderLabel: "folder") {
            throw DebtflowError.usage("\(what): \(problem)")
        }
    }
}
