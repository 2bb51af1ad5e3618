import DebtflowCore
import DebtflowGzip
import DebtflowHTTP
import DebtflowRead
import DebtflowSink
import Foundation

/// Builds a runnable pipeline from its configuration: the record source, the transform of the
/// debt stages, and the sinks. `check()` reaches every input and output folder without writing.
public struct PipelineAssembler {
    public let configuration: PipelineConfiguration
    public let options: RunOptions
    public let log: OperatorLog

    public init(configuration: PipelineConfiguration, options: RunOptions, log: OperatorLog) {
        self.configuration = configuration
        self.options = options
        self.log = log
    }

    /// The runner for this pipeline; sinks are opened (temporary files created) here.
    /// - Throws: `.configuration` when an output folder is missing; `.input` when the input cannot
    ///   be opened or a pattern matches nothing (unless allowed); `.usage` for a misplaced `--shard`.
    public func makeRunner(interruption: InterruptionFlag) async throws -> PipelineRunner<RecordTransform> {
        let read = configuration.read
        let plan = try InputPlan.make(read: read, baseDirectory: configuration.baseDirectory, shard: options.shard)
        let transform = try namingConfigFile {
            if let plan { try checkPerInputOutputs(plan) }
            try checkOutputs(plan: plan)
            if self.configuration.read.format == .magicline {
                try Self.magiclineConfiguration(self.configuration.read).validate(jsonPath: "stages[0].read")
            }
            return try makeTransform()
        }
        let unmatched = try plan.map(applyMissingInputPolicy) ?? []
        let sinks = try namingConfigFile { try makeSinks(plan: plan, interruption: interruption) }
        if interruption.isSet { throw DebtflowError.interrupted }
        let configuration = self.configuration
        let log = self.log
        let makeSource: @Sendable () throws -> any RecordSource
        if let plan, read.hasManyInputs || plan.inputs.isEmpty {
            makeSource = {
                InputSequenceSource(inputs: plan.inputs, continueAfterError: read.continuesAfterInputError,
                                    warn: { log.warning($0) },
                                    openInput: { try Self.makeSource(read, baseDirectory: configuration.baseDirectory, input: $0) })
            }
        } else {
            makeSource = { try Self.makeSource(read, baseDirectory: configuration.baseDirectory) }
        }
        let runner = PipelineRunner(name: configuration.name, makeSource: makeSource,
                                    transform: transform, sinks: sinks, options: options, log: log, interruption: interruption)
        runner.tracksInputs = read.hasManyInputs
        runner.unmatchedInputs = unmatched
        runner.continuesAfterInputError = read.continuesAfterInputError
        return runner
    }

    /// Validates what can be validated without writing: outputs' folders exist and are writable, the
    /// input can be opened. Returns one line per thing checked.
    public func check() async throws -> [String] {
        var report: [String] = []
        let plan = try InputPlan.make(read: configuration.read, baseDirectory: configuration.baseDirectory, shard: options.shard)
        try namingConfigFile {
            if let plan { try checkPerInputOutputs(plan) }
            try checkOutputs(plan: plan)
            _ = try makeTransform()
        }
        for sink in configuration.sinks {
            report.append("\(sink.jsonPath): \(sink.format.rawValue) → \(sink.path ?? sink.http.map { Redaction.url($0.url) } ?? "?")")
        }
        if configuration.read.format == .magicline {
            let source = try MagiclineDebtorSource(configuration: Self.magiclineConfiguration(configuration.read))
            try await source.probe()
            report.append("input \(source.name): reachable")
        } else if let plan, configuration.read.hasManyInputs || configuration.read.missingInputsAllowed || options.shard != nil {
            for pattern in plan.unmatched {
                if !configuration.read.missingInputsAllowed { throw InputPlan.unmatchedError(pattern) }
                report.append("\(pattern): no input file matches (if_missing: ok)")
            }
            report.append("read.path: \(plan.matched.count) input file\(plan.matched.count == 1 ? "" : "s") matched"
                          + (options.shard.map { ", \(plan.inputs.count) in shard \($0)" } ?? ""))
            for input in plan.inputs {
                let source = try Self.makeSource(configuration.read, baseDirectory: configuration.baseDirectory, input: input)
                report.append("input \(source.name): reachable")
            }
        } else {
            let source = try Self.makeSource(configuration.read, baseDirectory: configuration.baseDirectory)
            report.append("input \(source.name): reachable")
        }
        for sink in configuration.sinks where sink.format == .http {
            // Credentials are checked without sending any debt (a token request, or nothing for a
            // static token); nothing is written.
            var probe = Self.httpConfiguration(sink)
            probe.resultsPath = nil
            probe.journalPath = nil
            let checker = try HTTPPushSink(configuration: probe,
                                           options: HTTPSinkRunOptions(dryRun: true), diagnostics: { _ in })
            try await checker.checkCredentials()
            report.append(sink.http?.token != nil
                ? "\(sink.jsonPath): static token set (it is only checked when the first batch is sent)"
                : "\(sink.jsonPath): OAuth2 client credentials accepted (a token was issued)")
        }
        return report
    }

    /// Every output can be written where it is configured (``OutputLocation``), and none is an
    /// input, the config or another output (``OutputPathClaims``).
    /// With many inputs, every matched input is claimed, and every `{input}` output it gives.
    /// - Throws: `.configuration` (exit 2) naming the JSON path.
    private func checkOutputs(plan: InputPlan?) throws {
        let claims = configuration.pathClaims(additionalOutputs: options.additionalOutputs, dryRun: options.dryRun,
                                              matchedInputs: plan?.matched)
        for claim in claims.outputs {
            guard case .config(let jsonPath) = claim.role else { continue }
            if let problem = OutputLocation.problem(writingFileAt: claim.path) {
                throw DebtflowError.configuration(problem, path: jsonPath)
            }
        }
        try claims.verify()
    }

    /// Runs `body`, adding the config file's name to any configuration error that lacks one, so
    /// that every config message names the file and the JSON path.
    private func namingConfigFile<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch var error as DebtflowError where error.kind == .configuration && error.location?.file == nil {
            if error.location == nil { error.location = .init() }
            error.location?.file = configuration.configPath
            throw error
        }
    }

    /// Opens the `read` stage's input. Paths are named in messages as the config wrote them.
    /// - Parameter input: one matched input of a many-input read (else the read's own path).
    static func makeSource(_ read: ReadStageConfiguration, baseDirectory: String, input: MatchedInput? = nil) throws -> any RecordSource {
        switch read.format {
        case .csv:
            let options = CSVReaderOptions(delimiter: CSVDelimiter(configValue: read.delimiter) ?? .auto,
                                           encoding: TextEncodingChoice(configValue: read.encoding) ?? .auto,
                                           header: read.header, maxFieldBytes: read.maxFieldBytes)
            return CSVRecordReader(source: try openInput(read, baseDirectory: baseDirectory, input: input), options: options)
        case .json:
            return JSONRecordReader(source: try openInput(read, baseDirectory: baseDirectory, input: input),
                                    options: JSONReaderOptions(recordsPath: read.records))
        case .xml:
            return XMLRecordReader(source: try openInput(read, baseDirectory: baseDirectory, input: input),
                                   options: XMLReaderOptions(recordElement: read.recordElement ?? "record"))
        case .magicline:
            return try MagiclineDebtorSource(configuration: magiclineConfiguration(read))
        }
    }

    static func magiclineConfiguration(_ read: ReadStageConfiguration) -> MagiclineSourceConfiguration {
        var configuration = MagiclineSourceConfiguration(baseURL: read.baseURL ?? "", runID: read.runID ?? "", apiKey: read.apiKey ?? "")
        configuration.sliceSize = read.sliceSize
        configuration.rateLimitWaitSeconds = read.rateLimitWaitSeconds
        configuration.maxRetries = read.maxRetries
        configuration.timeoutSeconds = read.timeoutSeconds
        return configuration
    }

    /// The http sink's options from its config.
    static func httpConfiguration(_ sink: SinkConfiguration) -> HTTPSinkConfiguration {
        let http = sink.http!
        let authentication: HTTPSinkConfiguration.Authentication
        if let token = http.token {
            authentication = .bearer(token: token)
        } else {
            authentication = .clientCredentials(tokenURL: http.tokenURL ?? "", clientID: http.clientID ?? "",
                                                clientSecret: http.clientSecret ?? "", scope: http.scope)
        }
        var configuration = HTTPSinkConfiguration(url: http.url, authentication: authentication)
        configuration.batchSize = http.batchSize
        configuration.batchName = http.batchName
        configuration.acceptExpensiveDestination = http.acceptExpensiveDestination
        configuration.concurrency = http.concurrency
        configuration.timeoutSeconds = http.timeoutSeconds
        configuration.maxRetries = http.maxRetries
        configuration.onAmbiguous = HTTPSinkConfiguration.AmbiguousPolicy(rawValue: http.onAmbiguous) ?? .stop
        configuration.resultsPath = http.resultsPath
        configuration.journalPath = http.journalPath
        configuration.accepts = sink.accepts
        return configuration
    }

    private func makeHTTPSink(_ sink: SinkConfiguration) throws -> HTTPPushSink {
        let configuration = Self.httpConfiguration(sink)
        let dryRunOutput = options.dryRun ? Self.dryRunOutputPath(of: sink) : nil
        let log = self.log
        do {
            return try HTTPPushSink(
                configuration: configuration,
                options: HTTPSinkRunOptions(dryRun: options.dryRun, resume: options.resume, retryUnknown: options.retryUnknown,
                                            dryRunOutputPath: dryRunOutput),
                diagnostics: { line in log.warning(line) })
        } catch {
            var error = error
            if error.kind == .configuration, error.location?.jsonPath == nil || error.location?.jsonPath == "sink" {
                error.location = .init(jsonPath: sink.jsonPath)
            }
            throw error
        }
    }

    /// Where an http sink writes the debts it would send under `--dry-run`.
    static func dryRunOutputPath(of sink: SinkConfiguration) -> String? {
        (sink.http?.resultsPath ?? sink.http?.journalPath).map { $0 + ".dry-run.ndjson" }
    }

    private static func openInput(_ read: ReadStageConfiguration, baseDirectory: String, input: MatchedInput?) throws -> any ByteSource {
        try ByteSources.open(path: input?.path ?? read.displayPath ?? read.path ?? "-", relativeTo: baseDirectory)
    }

    /// The listed stages, chained: the conversion transform, or `map` → `normalize` →
    /// [`classify`] → `validate` for a debt pipeline. Stages not listed do not run.
    private func makeTransform() throws -> RecordTransform {
        try StageLink.chain(configuration.stages.map { $0.makeLink() })
    }

    private func makeSinks(plan: InputPlan?, interruption: InterruptionFlag) throws -> [any OutcomeSink] {
        let read = configuration.read
        let log = self.log
        return try configuration.sinks.map { sink in
            switch sink.format {
            case .ndjson:
                let accepts: Set<OutcomeStatus> = configuration.isConversion ? [.valid] : sink.accepts
                let file: any NDJSONLineSink
                if sink.isPerInput, let template = sink.path {
                    if !read.hasManyInputs, let only = plan?.inputs.first {
                        // A single path: one output, named after it, written as before.
                        file = try NDJSONFileSink(path: Self.perInputPath(template, input: only.path), accepts: accepts,
                                                  compressor: sink.gzip ? GzipEncoder() : nil,
                                                  isInterrupted: { interruption.isSet }, notice: { log.warning($0) })
                    } else {
                        file = PerInputNDJSONSink(pathTemplate: template, accepts: accepts, gzip: sink.gzip,
                                                  outputPath: { Self.perInputPath(template, input: $0) })
                    }
                } else {
                    file = try NDJSONFileSink(path: sink.path!, accepts: accepts, compressor: sink.gzip ? GzipEncoder() : nil,
                                              includeSource: read.hasManyInputs,
                                              isInterrupted: { interruption.isSet }, notice: { log.warning($0) })
                }
                return options.dryRun ? DryRunSink(wrapping: file) : file
            case .http:
                return try makeHTTPSink(sink)
            }
        }
    }
}

/// With `--dry-run`, an output sink does all its work but publishes nothing.
final class DryRunSink: NDJSONLineSink {
    private let wrapped: any NDJSONLineSink
    init(wrapping wrapped: any NDJSONLineSink) { self.wrapped = wrapped }
    var accepts: Set<OutcomeStatus> { wrapped.accepts }
    var includesSource: Bool { wrapped.includesSource }
    func write(_ outcomes: [Outcome]) async throws { try await wrapped.write(outcomes) }
    func write(lines: NDJSONLines) async throws { try await wrapped.write(lines: lines) }
    func finish() async throws { await wrapped.abort() }
    func abort() async { await wrapped.abort() }
    func contribute(to summary: inout RunSummary) { wrapped.contribute(to: &summary) }
    func inputStarted(_ mark: InputMark) async throws { try await wrapped.inputStarted(mark) }
    /// An input's output is not published either: it is discarded like a failed input's.
    func inputFinished(_ mark: InputMark) async throws { try await wrapped.inputFailed(mark) }
    func inputFailed(_ mark: InputMark) async throws { try await wrapped.inputFailed(mark) }
}
