import DebtflowCore
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
    /// Outputs named on the command line (`--summary`, `--metrics`), checked with the config's
    /// own outputs before anything is read: none may be an input, the config or another output.
    public var additionalOutputs: [OutputPathClaims.Claim] = []

    public init(limit: Int? = nil, dryRun: Bool = false, resume: Bool = false, retryUnknown: Bool = false, showProgress: Bool = false) {
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
    /// How many chunks are transformed at once (one per core by default).
    public var transformWidth = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount))
    /// How many malformed conversion rows are named on stderr before the rest are only counted.
    public var maxReportedProblems = 100

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
        let progress = self.progress
        if options.showProgress { progress.startDrawing(to: log) }
        defer { if options.showProgress { progress.stopDrawing(log: log) } }

        let readerTask = Task { [makeSource, options, interruption, log] in
            await PipelineRoles.pump(makeSource, into: records, limit: options.limit, progress: progress,
                            interruption: interruption, log: log)
        }
        let transformTask = Task { [transform, transformWidth] in
            await PipelineRoles.transform(records, through: transform, encodedBy: encoder, width: transformWidth, into: outcomes)
        }
        // A signal wakes the drain: an http sink's batches in flight are cancelled (each is
        // recorded `unknown`, or `not_sent` when nothing of it had left), the sink write returns,
        // and the drain stops at the next chunk.
        let sinkInterrupts = sinks.compactMap(\.interruptHandler)
        interruption.onSet {
            for interrupt in sinkInterrupts { interrupt() }
            readerTask.cancel()
            transformTask.cancel()
            outcomes.cancel()
            records.cancel()
        }
        let start = ContinuousClock.now
        do {
            try await drain(outcomes, into: &summary)
            summary.sourceRecords = progress.recordsRead.load(ordering: .relaxed)
            summary.seconds = seconds(since: start)
            if interruption.isSet { throw DebtflowError.interrupted }
            for sink in sinks { try await sink.finish() }
            for sink in sinks { sink.contribute(to: &summary) }
        } catch {
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
    /// The lines were written by the transform tasks (``SinkChunkEncoder``).
    private func drain(_ outcomes: BoundedChannel<SinkChunk>, into summary: inout RunSummary) async throws {
        var reportedProblems = 0
        let lineSinks = sinks.map { $0 as? any NDJSONLineSink }
        for try await chunk in outcomes {
            if interruption.isSet || Task.isCancelled { throw DebtflowError.interrupted }
            summary.add(chunk.counts)
            for (index, delivery) in chunk.deliveries.enumerated() {
                switch delivery {
                case .lines(let lines):
                    if lines.count > 0, let sink = lineSinks[index] { try await sink.write(lines: lines) }
                case .outcomes(let accepted):
                    if !accepted.isEmpty { try await sinks[index].write(accepted) }
                }
            }
            for message in chunk.malformedRows {
                reportedProblems += 1
                if reportedProblems <= maxReportedProblems {
                    log.warning(message)
                } else if reportedProblems == maxReportedProblems + 1 {
                    log.warning("more malformed records follow; they are counted in the summary")
                }
            }
        }
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
                             limit: Int?, progress: RunProgress, interruption: InterruptionFlag, log: OperatorLog) async {
        do {
            let source = try makeSource()
            try await pump(source, into: records, limit: limit, progress: progress, interruption: interruption)
            if progress.recordsRead.load(ordering: .relaxed) == 0 {
                // Exit 0 with an empty output is right for an empty export, but it is also what a
                // truncated download or a wrong `records`/`record` setting looks like.
                log.warning(PipelineRoles.noRecordsWarning(inputName: source.name))
            }
            records.finish()
        } catch {
            records.finish(throwing: error)
        }
    }

    private static func pump<Source: RecordSource>(_ source: Source, into records: BoundedChannel<Chunk<Record>>, limit: Int?,
                                                   progress: RunProgress, interruption: InterruptionFlag) async throws {
        if let total = source.totalBytes { progress.totalBytes.store(total, ordering: .relaxed) }
        var remaining = limit ?? Int.max
        guard remaining > 0 else { return }
        for try await var chunk in source.chunks {
            if interruption.isSet { throw DebtflowError.interrupted }
            if chunk.count > remaining { chunk.elements.removeLast(chunk.count - remaining) }
            remaining -= chunk.count
            progress.recordsRead.add(chunk.count, ordering: .relaxed)
            if let consumed = chunk.inputBytesConsumed { progress.bytesConsumed.store(consumed, ordering: .relaxed) }
            if !chunk.isEmpty { try await records.send(chunk) }
            if remaining == 0 { break }
        }
    }

    /// The transform's role, the heaviest: the stage runs on up to `width` chunks at once (one
    /// task each), which also count the outcomes and write the sinks' NDJSON lines (`encoder`),
    /// and the results are handed on in input order, so every core works on it while memory stays
    /// bounded.
    static func transform<Stage: ChunkStage>(_ records: BoundedChannel<Chunk<Record>>, through stage: Stage,
                                             encodedBy encoder: SinkChunkEncoder, width: Int,
                                             into outcomes: BoundedChannel<SinkChunk>) async
    where Stage.Input == Record, Stage.Output == Outcome {
        do {
            for try await chunk in records.orderedConcurrentMap(width: width, { chunk in encoder.encode(try stage.process(chunk)) }) {
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
