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

/// Runs a pipeline: a reader task, a transform task and the sinks, connected by bounded channels
/// (DESIGN.md §2), so a slow sink slows the reader and memory stays flat.
///
/// Buffering: at most `channelCapacity` chunks wait between the reader and the transform, and as
/// many between the transform and the sinks. Every record ends in exactly one outcome; each
/// outcome goes to every sink that accepts its status. On success every sink is finished
/// (published); on any error or interruption every sink is aborted (nothing half-written).
public final class PipelineRunner {
    public let name: String
    private let makeSource: @Sendable () throws -> any RecordSource
    private let transform: RecordTransform
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

    public init(name: String, makeSource: @escaping @Sendable () throws -> any RecordSource, transform: RecordTransform,
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
        let outcomes = BoundedChannel<Chunk<Outcome>>(capacity: channelCapacity)
        // Chunks are bounded in count by the channels and in input bytes by this (records of
        // many MiB are then read one at a time).
        let budget = InFlightByteBudget(limit: inFlightByteLimit)
        let progress = self.progress
        if options.showProgress { progress.startDrawing(to: log) }
        defer { if options.showProgress { progress.stopDrawing(log: log) } }

        let readerTask = Task { [makeSource, options, interruption, log] in
            do {
                let source = try makeSource()
                if let total = source.totalBytes { progress.totalBytes.store(total, ordering: .relaxed) }
                var remaining = options.limit ?? Int.max
                while remaining > 0 {
                    try await budget.admit()
                    guard var chunk = try await source.nextChunk() else { break }
                    if interruption.isSet { throw DebtflowError.interrupted }
                    if chunk.count > remaining { chunk.elements.removeLast(chunk.count - remaining) }
                    remaining -= chunk.count
                    progress.recordsRead.add(chunk.count, ordering: .relaxed)
                    if let consumed = chunk.inputBytesConsumed { progress.bytesConsumed.store(consumed, ordering: .relaxed) }
                    if !chunk.isEmpty {
                        budget.add(chunk.textByteCount)
                        try await records.send(chunk)
                    }
                }
                if progress.recordsRead.load(ordering: .relaxed) == 0 {
                    log.warning(PipelineRunner.noRecordsWarning(inputName: source.name))
                }
                records.finish()
            } catch {
                records.finish(throwing: error)
            }
        }
        // The transform is the heaviest stage: chunks are transformed by up to `transformWidth`
        // child tasks at once, and handed on in input order (a FIFO of in-flight tasks), so both
        // cores work on it while memory stays bounded.
        let transformTask = Task { [transform, transformWidth] in
            var inFlight: [Task<Chunk<Outcome>, any Error>] = []
            do {
                while true {
                    // A reader held by the byte budget sends nothing more until the sinks release
                    // bytes: hand on what is transformed instead of waiting for a next chunk.
                    if !inFlight.isEmpty && budget.isExhausted {
                        try await outcomes.send(try await inFlight.removeFirst().value)
                        continue
                    }
                    guard let chunk = try await records.next() else { break }
                    inFlight.append(Task {
                        var outcomes = try transform(chunk)
                        outcomes.textByteCount = chunk.textByteCount
                        return outcomes
                    })
                    if inFlight.count >= transformWidth {
                        try await outcomes.send(try await inFlight.removeFirst().value)
                    }
                }
                for task in inFlight { try await outcomes.send(try await task.value) }
                inFlight.removeAll()
                outcomes.finish()
            } catch {
                for task in inFlight { task.cancel() }
                records.cancel()
                outcomes.finish(throwing: error)
            }
        }

        // A signal wakes the sink loop: an http sink's batches in flight are cancelled (each is
        // recorded `unknown`, or `not_sent` when nothing of it had left), the sink write returns,
        // and the loop stops at the next chunk.
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
        var reportedProblems = 0
        do {
            while let chunk = try await outcomes.next() {
                if interruption.isSet || Task.isCancelled { throw DebtflowError.interrupted }
                summary.count(chunk.elements)
                for sink in sinks {
                    let accepted = chunk.elements.filter { sink.accepts.contains($0.status) && !($0.isConversion && $0.status == .failed) }
                    if !accepted.isEmpty { try await sink.write(accepted) }
                }
                for outcome in chunk.elements where outcome.isConversion && outcome.status == .failed {
                    reportedProblems += 1
                    if reportedProblems <= maxReportedProblems {
                        let problem = outcome.errors.first
                        log.warning("\(outcome.provenance.description): \(problem?.code.rawValue ?? "failed"): \(problem?.message ?? "")")
                    } else if reportedProblems == maxReportedProblems + 1 {
                        log.warning("more malformed records follow; they are counted in the summary")
                    }
                }
                budget.release(chunk.textByteCount)
            }
            summary.sourceRecords = progress.recordsRead.load(ordering: .relaxed)
            summary.seconds = seconds(since: start)
            if interruption.isSet { throw DebtflowError.interrupted }
            for sink in sinks { try await sink.finish() }
            for sink in sinks { sink.contribute(to: &summary) }
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
            summary.peakMemoryBytes = Self.peakMemoryBytes()
            partialSummary = summary
            throw final
        }
        _ = await readerTask.result
        _ = await transformTask.result
        summary.peakMemoryBytes = Self.peakMemoryBytes()
        return summary
    }

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

    /// The summary as far as the run got, after ``run()`` threw.
    public private(set) var partialSummary: RunSummary?

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
