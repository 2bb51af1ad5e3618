import DebtflowCore
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
            try checkBeforeReading(plan: plan)
            return try makeTransform()
        }
        let unmatched = try plan.map(applyMissingInputPolicy) ?? []
        let sinks = try namingConfigFile { try self.configuration.sinks.map { try makeSink($0, plan: plan, interruption: interruption) } }
        if interruption.isSet { throw DebtflowError.interrupted }
        let configuration = self.configuration
        let log = self.log
        let limit = self.options.limit
        // A conversion pipeline's transform is light, so its reader bounds it: the input is read
        // and inflated on a thread of its own (W1 at 1M rows: wall -24%). With `map` and the rules
        // both cores are busy already, and the extra thread only costs (W2: CPU +7%).
        let readsAhead = transform.isConversion
        let makeSource: @Sendable () throws -> any RecordSource
        if let plan, read.hasManyInputs || plan.inputs.isEmpty {
            makeSource = {
                InputSequenceSource(inputs: plan.inputs, continueAfterError: read.continuesAfterInputError,
                                    warn: { log.warning($0) }, pathsSharingFileNames: plan.pathsSharingFileNames,
                                    openInput: { try read.makeSource(baseDirectory: configuration.baseDirectory, input: $0,
                                                                     readsAhead: readsAhead, limit: limit) })
            }
        } else {
            makeSource = { try read.makeSource(baseDirectory: configuration.baseDirectory, readsAhead: readsAhead,
                                               limit: limit, notice: { log.warning($0) }) }
        }
        let runner = PipelineRunner(name: configuration.name, makeSource: makeSource,
                                    transform: transform, sinks: sinks, options: options, log: log, interruption: interruption)
        runner.tracksInputs = read.hasManyInputs
        runner.unmatchedInputs = unmatched
        runner.continuesAfterInputError = read.continuesAfterInputError
        return runner
    }

    /// What `run` and `check` both refuse before anything is read: outputs that clash or cannot
    /// be written, `--resume` without a journal, a `magicline` read without its key.
    private func checkBeforeReading(plan: InputPlan?) throws {
        if let plan { try checkPerInputOutputs(plan) }
        try checkOutputs(plan: plan)
        try checkResumable()
        if case .magicline(let pager) = configuration.read.reader {
            try pager.validate(jsonPath: "stages[0].read")
        }
    }

    /// With `--resume`, every http sink must keep a journal: it is what a resume reads to send
    /// only what was never acknowledged. Without one, a resume would send every debt again.
    private func checkResumable() throws {
        guard options.resume else { return }
        for sink in configuration.sinks {
            if case .http(let http) = sink.output, http.journalPath == nil {
                throw DebtflowError.configuration(
                    "--resume needs the sink's `journal`, which is not set: without it a resume cannot know what was "
                    + "sent, and would send every debt again. Set `journal` (a path), or run without --resume",
                    path: sink.jsonPath)
            }
        }
    }

    /// Validates what can be validated without writing: outputs' folders exist and are writable, the
    /// input can be opened. Returns one line per thing checked.
    /// - Parameter deep: `check --deep` follows (its inputs' lines say what it will read).
    public func check(deep: Bool = false) async throws -> [String] {
        var report: [String] = []
        let plan = try InputPlan.make(read: configuration.read, baseDirectory: configuration.baseDirectory, shard: options.shard)
        try namingConfigFile {
            try checkBeforeReading(plan: plan)
            _ = try makeTransform()
        }
        for sink in configuration.sinks {
            report.append("\(sink.jsonPath): \(sink.format.rawValue) → \(sink.path ?? sink.http.map { Redaction.url($0.url) } ?? "?")")
        }
        report += killedPublishes(plan: plan)
        if case .magicline(let pager) = configuration.read.reader {
            let source = try MagiclineDebtorSource(configuration: pager)
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
                report.append(try configuration.read.reach(baseDirectory: configuration.baseDirectory, input: input, deep: deep))
            }
        } else {
            report.append(try configuration.read.reach(baseDirectory: configuration.baseDirectory, deep: deep))
        }
        for sink in configuration.sinks {
            guard var probe = sink.http else { continue }
            // Credentials are checked without sending any debt (a token request, or nothing for a
            // static token); nothing is written.
            probe.resultsPath = nil
            probe.journalPath = nil
            let checker = try HTTPPushSink(configuration: probe,
                                           options: HTTPSinkRunOptions(dryRun: true), diagnostics: { _ in })
            try await checker.checkCredentials()
            let staticToken = if case .bearer = probe.authentication { true } else { false }
            report.append(staticToken
                ? "\(sink.jsonPath): static token set (it is only checked when the first batch is sent)"
                : "\(sink.jsonPath): OAuth2 client credentials accepted (a token was issued)")
        }
        return report
    }

    /// The output folders where a run killed while it renamed its outputs into place left them
    /// half published (``PublishManifest``): the next run finishes that publish first.
    private func killedPublishes(plan: InputPlan?) -> [String] {
        let claims = configuration.pathClaims(additionalOutputs: [], dryRun: false, matchedInputs: plan?.matched)
        var folders: [String] = []
        for claim in claims.outputs {
            guard case .config = claim.role else { continue }
            let folder = claim.path.lastIndex(of: "/").map { String(claim.path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
            if !folders.contains(folder) { folders.append(folder) }
        }
        return folders.flatMap { folder in
            PublishManifest.abandonedLists(in: folder).map { list in
                "warning: \(folder): a run killed while it published its outputs (process \(list.processID)) left the list of its "
                    + "renames (\(list.name)); the next run that publishes here finishes that publish first, or says why it cannot"
            }
        }
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
            if let problem = OutputLocation.problem(writingFileAt: claim.path, fileOnlyBecause: claim.fileOnlyBecause) {
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

    /// Where an http sink writes the debts it would send under `--dry-run`.
    static func dryRunOutputPath(of sink: SinkConfiguration) -> String? {
        (sink.http?.resultsPath ?? sink.http?.journalPath).map { $0 + ".dry-run.ndjson" }
    }

    /// The listed stages, chained: the conversion transform, or `map` → `normalize` →
    /// [`classify`] → `validate` for a debt pipeline. Stages not listed do not run.
    private func makeTransform() throws -> RecordTransform {
        try StageLink.chain(configuration.stages.map { $0.makeLink() })
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
    /// Nothing is published, so nothing is flushed.
    func prepareToPublish() async throws {}
    func abort() async { await wrapped.abort() }
    func contribute(to summary: inout RunSummary) { wrapped.contribute(to: &summary) }
    func inputStarted(_ mark: InputMark) async throws { try await wrapped.inputStarted(mark) }
    /// An input's output is not published either: it is discarded like a failed input's.
    func inputFinished(_ mark: InputMark) async throws { try await wrapped.inputFailed(mark) }
    func inputFailed(_ mark: InputMark) async throws { try await wrapped.inputFailed(mark) }
}
