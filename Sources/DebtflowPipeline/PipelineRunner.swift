import DebtflowCore
import DebtflowSink
import Foundation
import Synchronization

/// How a run is to be carried out (the `debtflow run` flags).
public struct RunOptions: Sendable {
    /// Stop after this many source records (`--limit N`).
    public var limit: Int?
    public var dryRun = false
    public var resume = false
    public var retryUnknown = false
    public var showProgress = false
    /// `--shard I/N`: read only the inputs of this shard.
    public var shard: InputShard?
    /// Outputs named on the command line (`--summary`, `--metrics`), checked with the config's
    /// own outputs before anything is read: none may be an input, the config or another output.
    public var additionalOutputs: [OutputPathClaims.Claim] = []

    public init(limit: Int? = nil, dryRun: Bool = false, resume: Bool = false, retryUnknown: Bool = false, showProgress: Bool = false,
                shard: InputShard? = nil) {
        self.shard = shard
        self.limit = limit
        self.dryRun = dryRun
        self.resume = resume
        self.retryUnknown = retryUnknown
        self.showProgress = showProgress
    }
}

/// Set by SIGINT, SIGTERM or SIGHUP: the run stops at the next chunk boundary and publishes nothing.
///
/// Handlers registered with ``onSet(_:)`` run once, on the thread that sets the flag.
public final class InterruptionFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    /// Handlers to run when the flag is set; guarded by the `Mutex`.
    private let handlers = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    public var isSet: Bool { flag.load(ordering: .relaxed) }

    public func set() {
        guard !flag.exchange(true, ordering: .relaxed) else { return }
        for handler in handlers.withLock({ $0 }) { handler() }
    }

    /// Runs `handler` when the flag is set (at once if it already is).
    public func onSet(_ handler: @escaping @Sendable () -> Void) {
        handlers.withLock { $0.append(handler) }
        if isSet { handler() }
    }
}

/// Runs a pipeline as three roles connected by bounded channels (DESIGN.md §2), so a slow sink
/// slows the reader and memory stays flat:
///
/// ```
/// pump:      source ──chunks of records──▶ records channel
/// transform: records channel ─▶ stage, counts and NDJSON lines on up to `transformWidth` chunks at once, in order ─▶ sink-chunks channel
/// drain:     sink-chunks channel ─▶ summary, and each sink its NDJSON lines (or outcomes)
/// ```
///
/// The runner is generic over the composed stage (`map.then(normalize).then(validate)`, or the
/// chain a config built), which turns a chunk of records into a chunk of outcomes.
///
/// Buffering: at most `channelCapacity` chunks wait between the reader and the transform, and as
/// many between the transform and the sinks, plus `transformWidth` being transformed. Every record
/// ends in exactly one outcome; each outcome goes to every sink that accepts its status. On
/// success every sink is finished (published); on any error or interruption every sink is aborted
/// (nothing half-written).
public final class PipelineRunner<Transform: ChunkStage> where Transform.Input == Record, Transform.Output == Outcome {
    public let name: String
    private let makeSource: @Sendable () throws -> any RecordSource
    private let transform: Transform
    private let sinks: [any OutcomeSink]
    private let options: RunOptions
    private let log: OperatorLog
    private let interruption: InterruptionFlag
    public let progress = RunProgress()
    public var channelCapacity = 4
    /// How many bytes of input text may be in flight between the reader and the sinks before the
    /// reader waits (``InFlightByteBudget``): 6 MiB, as many full 1 MiB chunks as the channel and
    /// the transform hold (4 + 2), so ordinary runs never wait on it, while records of 6 MiB and
    /// more are read one at a time.
    public var inFlightByteLimit = 6 << 20
    /// How many chunks are transformed at once (one per core by default).
    public var transformWidth = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    /// How many malformed conversion rows are named on stderr before the rest are only counted.
    public var maxReportedProblems = 100
    /// A many-input run (`read.path` a glob or an array): the summary gets `inputs`, and the sinks
    /// hear of each input's start and end (see ``InputMark``).
    public var tracksInputs = false
    /// Patterns that matched nothing under `on_input_error: continue`: listed first in the
    /// summary's `inputs`, with their error.
    public var unmatchedInputs: [RunSummary.InputTotals] = []
    /// `read.on_input_error: continue`: a failed input is reported and the run goes on.
    public var continuesAfterInputError = false

    public init(name: String, makeSource: @escaping @Sendable () throws -> any RecordSource, transform: Transform,
                sinks: [any OutcomeSink], options: RunOptions, log: OperatorLog, interruption: InterruptionFlag) {
        self.name = name
        self.makeSource = makeSource
        self.transform = transform
        self.sinks = sinks
        self.options = options
        self.log = log
        self.interruption = interruption
    }

    /// Runs to the end of the input.
    /// - Returns: the summary of a finished run (exit 0 or 1 follows from it).
    /// - Throws: ``DebtflowError`` (input, sink, interrupted); the partial summary is in `partialSummary`.
    public func run() async throws -> RunSummary {
        var summary = RunSummary(pipeline: name)
        defer { partialSummary = summary }
        let records = BoundedChannel<Chunk<Record>>(capacity: channelCapacity)
        let outcomes = BoundedChannel<SinkChunk>(capacity: channelCapacity)
        let encoder = SinkChunkEncoder(sinks: sinks, maxMalformedMessages: maxReportedProblems + 1)
        // Chunks are bounded in count by the channels and in input bytes by this (records of
        // many MiB are then read one at a time).
        let budget = InFlightByteBudget(limit: inFlightByteLimit)
        let progress = self.progress
        if options.showProgress { progress.startDrawing(to: log) }
        defer { if options.showProgress { progress.stopDrawing(log: log) } }

        let readerTask = Task { [makeSource, options, interruption, log] in
            await PipelineRoles.pump(makeSource, into: records, limit: options.limit, budget: budget, progress: progress,
                                     interruption: interruption, log: log)
        }
        let transformTask = Task { [transform, transformWidth] in
            await PipelineRoles.transform(records, through: transform, encodedBy: encoder, width: transformWidth, budget: budget,
                                          into: outcomes)
        }
        // A signal wakes the drain: an http sink's batches in flight are cancelled (each is
        // recorded `unknown`, or `not_sent` when nothing of it had left), the sink write returns,
        // and the drain stops at the next chunk.
        let sinkInterrupts = sinks.compactMap(\.interruptHandler)
        interruption.onSet {
            budget.cancel()
            for interrupt in sinkInterrupts { interrupt() }
            readerTask.cancel()
            transformTask.cancel()
            outcomes.cancel()
            records.cancel()
        }
        let start = ContinuousClock.now
        var inputs = InputTally(unmatched: unmatchedInputs)
        do {
            try await drain(outcomes, into: &summary, inputs: &inputs, releasing: budget)
            summary.sourceRecords = progress.recordsRead.load(ordering: .relaxed)
            summary.seconds = seconds(since: start)
            if tracksInputs { summary.inputs = inputs.totals }
            if interruption.isSet { throw DebtflowError.interrupted }
            // Under `continue`, a run whose every input failed has nothing to publish: the outputs
            // of the last run that read one stay as they were (empty ones would say "no debts").
            if tracksInputs, !inputs.totals.isEmpty, inputs.totals.allSatisfy({ $0.error != nil }) {
                throw DebtflowError.input("every input failed (\(inputs.totals.count) of \(inputs.totals.count)): nothing is published, "
                                          + "and the outputs of the last run are left as they were")
            }
            // The sinks that send (an http sink, the one kind with something to cancel) finish
            // first, and the files are published after them: a push cut short by a signal or
            // refused by the server (exit 130, 4) leaves no file published, whatever the order
            // the config lists the sinks in. The last look for a signal is before the first file:
            // from there the files are published, all of them, and the run ends as finished
            // (exit 0 or 1). A signal between two renames must not leave one of tonight's files
            // beside last night's; nor must a disk that fills at the end: every file's last
            // bytes are written and flushed to disk before the first is renamed into place.
            for sink in sinks where sink.sends { try await sink.finish() }
            for sink in sinks where !sink.sends { try await sink.prepareToPublish() }
            if interruption.isSet { throw DebtflowError.interrupted }
            // Only renames from here: a second signal waits for them (``AtomicFile/publishingAll(_:)``).
            try await AtomicFile.publishingAll {
                for sink in sinks where !sink.sends { try await sink.finish() }
            }
            for sink in sinks { sink.contribute(to: &summary) }
            // The whole run: the last batches' answers and the publish included (it was taken
            // before them, so a push waiting on the server said "in 0.00 s").
            summary.seconds = seconds(since: start)
        } catch {
            budget.cancel()
            outcomes.cancel()
            records.cancel()
            readerTask.cancel()
            transformTask.cancel()
            _ = await readerTask.result
            _ = await transformTask.result
            for sink in sinks { await sink.abort() }
            for sink in sinks { sink.contribute(to: &summary) }
            summary.sourceRecords = progress.recordsRead.load(ordering: .relaxed)
            summary.seconds = seconds(since: start)
            let final: any Error = interruption.isSet ? DebtflowError.interrupted : (error is CancellationError ? DebtflowError.interrupted : error)
            summary.stoppedBy = (final as? DebtflowError)?.kind.rawValue ?? "error"
            if tracksInputs { summary.inputs = inputs.totals }
            summary.peakMemoryBytes = PipelineRoles.peakMemoryBytes()
            partialSummary = summary
            throw final
        }
        _ = await readerTask.result
        _ = await transformTask.result
        summary.peakMemoryBytes = PipelineRoles.peakMemoryBytes()
        return summary
    }

    /// The sinks' role: adds each chunk's counts to the summary, hands each sink its lines (or
    /// the outcomes it accepts), and names the first malformed rows of a conversion on stderr.
    /// The lines were written, and the outcomes counted, by the transform tasks
    /// (``SinkChunkEncoder``). In a many-input run it also tells the sinks where each input starts
    /// and ends (or fails), and adds each chunk's counts to its input's figures.
    private func drain(_ outcomes: BoundedChannel<SinkChunk>, into summary: inout RunSummary,
                       inputs: inout InputTally, releasing budget: InFlightByteBudget) async throws {
        var reportedProblems = 0
        let lineSinks = sinks.map { $0 as? any NDJSONLineSink }
        for try await chunk in outcomes {
            if interruption.isSet || Task.isCancelled { throw DebtflowError.interrupted }
            if let mark = chunk.input, inputs.start(mark) {
                for sink in sinks { try await sink.inputStarted(mark) }
            }
            summary.add(chunk.counts)
            if chunk.input != nil { inputs.count(chunk.counts) }
            for (index, delivery) in chunk.deliveries.enumerated() {
                switch delivery {
                case .lines(let lines):
                    if lines.count > 0, let sink = lineSinks[index] { try await sink.write(lines: lines) }
                case .outcomes(let accepted):
                    if !accepted.isEmpty { try await sinks[index].write(accepted) }
                }
            }
            if let mark = chunk.input, mark.isLast { try await end(mark, inputs: &inputs) }
            for message in chunk.malformedRows {
                reportedProblems += 1
                if reportedProblems <= maxReportedProblems {
                    log.warning(message)
                } else if reportedProblems == maxReportedProblems + 1 {
                    log.warning("more malformed records follow; they are counted in the summary")
                }
            }
            budget.release(chunk.textByteCount)
        }
    }

    /// The end of one input of a many-input run: its outputs are published (or, when it failed,
    /// dropped); under `stop` a failed input ends the run with its error.
    private func end(_ mark: InputMark, inputs: inout InputTally) async throws {
        inputs.end(mark)
        guard let failure = mark.failure else {
            // The input's outputs are flushed first, then renamed together (written down before
            // the first rename, so a kill between two is finished by the next run).
            for sink in sinks { try await sink.prepareInputToPublish(mark) }
            try await AtomicFile.publishingTogether {
                for sink in sinks { try await sink.inputFinished(mark) }
            }
            return
        }
        for sink in sinks { try await sink.inputFailed(mark) }
        // Under `stop` the error ends the run here (and is printed once, by the command).
        guard continuesAfterInputError else { throw failure }
        log.error("\(failure.description)",
                  hint: "\(mark.path): its outputs are not published; reading the next input (on_input_error: continue)")
    }

    /// The summary as far as the run got, after ``run()`` threw.
    public private(set) var partialSummary: RunSummary?

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

/// The runner's first two roles, pump and transform, each run in a task of its own.
enum PipelineRoles {
    /// The reader's role: opens the source and sends its chunks into `records` (cut at `--limit`),
    /// then finishes the channel, with the input's error if it failed.
    static func pump(_ makeSource: @Sendable () throws -> any RecordSource, into records: BoundedChannel<Chunk<Record>>,
                     limit: Int?, budget: InFlightByteBudget, progress: RunProgress, interruption: InterruptionFlag,
                     log: OperatorLog) async {
        do {
            let source = try makeSource()
            try await pump(source, into: records, limit: limit, budget: budget, progress: progress, interruption: interruption)
            // A many-input source names its own empty inputs.
            if progress.recordsRead.load(ordering: .relaxed) == 0, !(source is InputSequenceSource) {
                // Exit 0 with an empty output is right for an empty export, but it is also what a
                // truncated download or a wrong `records`/`record` setting looks like.
                log.warning(PipelineRoles.noRecordsWarning(inputName: source.name))
            }
            if let hint = (source as? any RecordSourceReadingHint)?.readingHint { log.warning(hint) }
            records.finish()
        } catch {
            records.finish(throwing: error)
        }
    }

    /// Each chunk is admitted by `budget` before it is read (so records of many MiB are read one
    /// at a time) and its text bytes added to it; the drain releases them.
    private static func pump<Source: RecordSource>(_ source: Source, into records: BoundedChannel<Chunk<Record>>, limit: Int?,
                                                   budget: InFlightByteBudget, progress: RunProgress,
                                                   interruption: InterruptionFlag) async throws {
        if let total = source.totalBytes { progress.totalBytes.store(total, ordering: .relaxed) }
        var remaining = limit ?? Int.max
        var chunks = source.chunks.makeAsyncIterator()
        while remaining > 0 {
            try await budget.admit()
            guard var chunk = try await chunks.next() else { break }
            if interruption.isSet { throw DebtflowError.interrupted }
            if chunk.count > remaining { chunk.elements.removeLast(chunk.count - remaining) }
            remaining -= chunk.count
            // `--limit` reached: the input being read ends here (its outputs are published).
            if remaining == 0, chunk.input != nil { chunk.input?.isLast = true }
            progress.recordsRead.add(chunk.count, ordering: .relaxed)
            if let consumed = chunk.inputBytesConsumed { progress.bytesConsumed.store(consumed, ordering: .relaxed) }
            if !chunk.isEmpty || chunk.input?.isLast == true {
                budget.add(chunk.textByteCount)
                try await records.send(chunk)
            }
        }
    }

    /// The transform's role, the heaviest: the stage runs on up to `width` chunks at once (one
    /// task each), which also count the outcomes and write the sinks' NDJSON lines (`encoder`),
    /// and the results are handed on in input order, so every core works on it while memory stays
    /// bounded.
    ///
    /// A reader held by `budget` sends nothing more until the drain releases bytes, so while the
    /// budget is exhausted the chunks already transformed are handed on instead of waiting for
    /// more to fill the width. Each chunk handed on carries its records' text bytes (and its
    /// input mark), which the drain releases. A conversion pipeline (``RecordTransform/conversion``)
    /// makes no outcomes: its lines are written from the records.
    static func transform<Stage: ChunkStage>(_ records: BoundedChannel<Chunk<Record>>, through stage: Stage,
                                             encodedBy encoder: SinkChunkEncoder, width: Int, budget: InFlightByteBudget,
                                             into outcomes: BoundedChannel<SinkChunk>) async
    where Stage.Input == Record, Stage.Output == Outcome {
        let stage = InputMarkKeeping(stage)
        // A conversion pipeline's lines are written straight from the records.
        let isConversion = (stage.base as? RecordTransform)?.isConversion ?? false
        // An input's last chunk is handed on before the next input is opened (its outputs are
        // published then, even while the next input's opening waits, on a FIFO's writer).
        let transformed = records.orderedConcurrentMap(width: width, handOnEarlyWhen: { budget.isExhausted },
                                                       handsOnBeforeNext: { $0.input?.isLast == true }) { chunk in
            isConversion ? encoder.encodeConversion(chunk) : try encoder.encode(chunk, through: stage)
        }
        do {
            for try await chunk in transformed {
                try await outcomes.send(chunk)
            }
            outcomes.finish()
        } catch {
            records.cancel()
            outcomes.finish(throwing: error)
        }
    }
}

extension PipelineRoles {
    /// The process's peak resident set size: `VmHWM` from `/proc/self/status`, which belongs to
    /// this program image. (`getrusage`'s `ru_maxrss` is carried across `execve`, so a debtflow
    /// started by a big parent would report the parent's peak.) Falls back to `ru_maxrss`.
    static func peakMemoryBytes() -> Int? {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kilobytes = Int(line.dropFirst("VmHWM:".count).filter(\.isNumber)) {
            return kilobytes * 1024
        }
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return nil }
        return usage.ru_maxrss * 1024
    }
}
