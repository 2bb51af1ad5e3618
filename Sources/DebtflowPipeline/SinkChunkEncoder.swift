import DebtflowCore
import Synchronization

/// One chunk's outcomes as the sinks take them: what crosses from the transform tasks to the
/// drain, instead of the outcome structs.
struct SinkChunk: Sendable {
    /// What one sink gets of the chunk.
    enum Delivery: Sendable {
        /// The NDJSON lines of the outcomes an ``NDJSONLineSink`` accepts.
        case lines(NDJSONLines)
        /// The outcomes any other sink (the http sink, which needs the debts) accepts.
        case outcomes([Outcome])
    }

    /// The chunk's counts for the run's summary (and, in a many-input run, its input's figures:
    /// a chunk never mixes inputs).
    var counts = OutcomeCounts()
    /// The input the chunk belongs to, in a many-input run (see ``InputMark``).
    var input: InputMark?
    /// The text bytes of the chunk's records, which the drain releases from the run's
    /// ``InFlightByteBudget``.
    var textByteCount = 0
    /// One delivery per sink, in the runner's sink order.
    var deliveries: [Delivery] = []
    /// The operator-log lines of the chunk's malformed conversion rows, at most
    /// ``SinkChunkEncoder/maxMalformedMessages`` of them (the rest are only counted).
    var malformedRows: [String] = []
}

/// Turns a chunk of outcomes (or, for a conversion pipeline, of records: ``encodeConversion(_:)``)
/// into a ``SinkChunk``, in the transform's child task: counts them for the summary and writes the
/// NDJSON lines of each line sink there, where the work runs on every core, so the drain only hands
/// bytes to files.
///
/// An outcome goes to every sink that accepts its status, except a failed conversion outcome (a
/// malformed row of a pipeline without `map`), which no sink gets: it is counted and named in the
/// operator log. An outcome two line sinks accept is written once and its line copied (when both
/// write the same envelope: with or without `"source"`). The chunk's ``InputMark`` and text byte
/// count are carried over.
struct SinkChunkEncoder: Sendable {
    /// Which statuses a sink accepts, without hashing per outcome.
    struct StatusFilter: Sendable {
        var valid: Bool
        var failed: Bool
        var skipped: Bool

        init(_ accepts: Set<OutcomeStatus>) {
            valid = accepts.contains(.valid)
            failed = accepts.contains(.failed)
            skipped = accepts.contains(.skipped)
        }

        func accepts(_ status: OutcomeStatus) -> Bool {
            switch status {
            case .valid: valid
            case .failed: failed
            case .skipped: skipped
            }
        }
    }

    /// How one sink takes its outcomes.
    struct Route: Sendable {
        var filter: StatusFilter
        /// Whether the sink takes NDJSON lines (else outcome structs).
        var takesLines: Bool
        /// Whether its envelopes name their input in `"source"`.
        var includesSource: Bool
    }

    let routes: [Route]
    /// How many malformed-row messages one chunk carries at most.
    let maxMalformedMessages: Int
    /// Each line route's buffer size of the last chunk, to reserve the next one's in one step.
    private let capacityHints: CapacityHints

    init(sinks: [any OutcomeSink], maxMalformedMessages: Int) {
        routes = sinks.map { sink in
            let lineSink = sink as? any NDJSONLineSink
            return Route(filter: StatusFilter(sink.accepts), takesLines: lineSink != nil, includesSource: lineSink?.includesSource ?? false)
        }
        self.maxMalformedMessages = maxMalformedMessages
        capacityHints = CapacityHints(count: routes.count)
    }

    /// The chunk as the sinks take it.
    func encode(_ chunk: consuming Chunk<Outcome>) -> SinkChunk {
        var chunk = chunk
        var encoding = Encoding(self, input: chunk.input, textByteCount: chunk.textByteCount)
        // Each outcome is moved out of the chunk (the chunk is ours) and read as a local value:
        // read in place from the array's buffer, it would be copied before every call (a wide
        // value, a retain per reference it holds). Reversed first so they pop off in order.
        var outcomes = chunk.elements
        chunk.elements = []
        outcomes.reverseByMoving()
        while var outcome = outcomes.popLast() { encoding.add(&outcome) }
        return encoding.finish()
    }

    /// The outcomes `stage` makes of a chunk of records, as the sinks take them: each outcome is
    /// written as soon as the stage hands it on (``DebtflowCore/ChunkStage/forEachOutput(of:_:)``),
    /// so no chunk of outcomes is gathered. The same ``SinkChunk`` as ``encode(_:)`` of
    /// `stage.process(chunk)`.
    func encode<Stage: ChunkStage>(_ chunk: consuming Chunk<Record>, through stage: Stage) throws -> SinkChunk
    where Stage.Input == Record, Stage.Output == Outcome {
        var encoding = Encoding(self, input: chunk.input, textByteCount: chunk.textByteCount)
        try stage.forEachOutput(of: chunk) { outcome in encoding.add(&outcome) }
        return encoding.finish()
    }

    /// One chunk's sink deliveries, written outcome by outcome.
    private struct Encoding {
        let encoder: SinkChunkEncoder
        var buffers: Buffers
        var result: SinkChunk
        var tally = OutcomeTally()

        init(_ encoder: SinkChunkEncoder, input: InputMark?, textByteCount: Int) {
            self.encoder = encoder
            buffers = Buffers(routes: encoder.routes, hints: encoder.capacityHints.values)
            result = SinkChunk(input: input, textByteCount: textByteCount)
        }

        /// Counts `outcome` and writes it to each sink that accepts it (read in place: `inout`
        /// only so that the wide value is not copied to be read).
        mutating func add(_ outcome: inout Outcome) {
            tally.count(inPlace: &outcome)
            let status = outcome.status
            if outcome.isConversion && status == .failed {
                if result.malformedRows.count < encoder.maxMalformedMessages {
                    result.malformedRows.append(SinkChunkEncoder.malformedMessage(outcome))
                }
                return
            }
            // The line already written for this outcome, without and with "source".
            var written: (writer: Int, start: Int)?
            var writtenWithSource: (writer: Int, start: Int)?
            for (routeIndex, route) in encoder.routes.enumerated() where route.filter.accepts(status) {
                guard route.takesLines else {
                    buffers.lists[routeIndex].append(outcome)
                    continue
                }
                let writer = buffers.writerOfRoute[routeIndex]
                buffers.lineCounts[routeIndex] += 1
                if let earlier = route.includesSource ? writtenWithSource : written {
                    buffers.copyLine(from: earlier, to: writer)
                } else {
                    let start = (writer, buffers.writers[writer].bytes.count)
                    if route.includesSource { writtenWithSource = start } else { written = start }
                    buffers.writers[writer].outcome(inPlace: &outcome, includeSource: route.includesSource)
                    buffers.writers[writer].newline()
                }
            }
        }

        /// The chunk's deliveries and counts.
        consuming func finish() -> SinkChunk {
            result.counts = tally.counts
            encoder.finish(&result, with: buffers)
            return result
        }
    }

    /// A conversion pipeline's chunk (no `map`: every record passes through as it was read) as
    /// the sinks take it: what ``encode(_:)`` makes of ``ConversionStage``'s outcomes, written
    /// straight from the records, without making an outcome for a line sink. A record the reader
    /// could not read is counted as failed and named in ``SinkChunk/malformedRows``; no sink gets it.
    ///
    /// A chunk its reader handed on as one table (``DebtflowCore/RecordRows``) is read from the
    /// table, one view moved from row to row: no `Record` is made for it.
    func encodeConversion(_ chunk: consuming Chunk<Record>) -> SinkChunk {
        var chunk = chunk
        var buffers = Buffers(routes: routes, hints: capacityHints.values)
        var result = SinkChunk(input: chunk.input, textByteCount: chunk.textByteCount)
        var tally = OutcomeTally()
        if let rows = chunk.takeRecordRows() {
            var view = RecordView(tape: rows.tape, index: 0)
            var nextProblem = 0
            for (position, row) in rows.rows.enumerated() {
                view.index = row.root
                if nextProblem < rows.problems.count && rows.problems[nextProblem].row == position {
                    convert(view, problem: rows.problems[nextProblem].problem, provenance: { rows.provenance(at: position) },
                            into: &buffers, &result, &tally)
                    nextProblem += 1
                } else {
                    convert(view, problem: nil, provenance: { rows.provenance(at: position) }, into: &buffers, &result, &tally)
                }
            }
        } else {
            chunk.elements.withUnsafeBufferPointer { records in
                for index in records.indices {
                    convert(records[index].view, problem: records[index].problem, provenance: { records[index].provenance },
                            into: &buffers, &result, &tally)
                }
            }
        }
        result.counts = tally.counts
        finish(&result, with: buffers)
        return result
    }

    /// One record of ``encodeConversion(_:)``: counted, and written to each line route (once, then
    /// copied) or handed to each other route as an outcome; a record with a problem is counted as
    /// failed and named in ``SinkChunk/malformedRows``. Its provenance is made only when needed.
    private func convert(_ view: RecordView, problem: RecordError?, provenance: () -> Provenance,
                         into buffers: inout Buffers, _ result: inout SinkChunk, _ tally: inout OutcomeTally) {
        if let problem {
            tally.countConversion(problem: problem)
            if result.malformedRows.count < maxMalformedMessages {
                result.malformedRows.append(Self.malformedMessage(provenance: provenance(), problem: problem))
            }
            return
        }
        tally.countConversion(problem: nil)
        // A conversion line is the record as read, with or without "source".
        var written: (writer: Int, start: Int)?
        for (routeIndex, route) in routes.enumerated() where route.filter.valid {
            guard route.takesLines else {
                buffers.lists[routeIndex].append(Outcome.converted(provenance: provenance(), view: view, problem: nil))
                continue
            }
            let writer = buffers.writerOfRoute[routeIndex]
            buffers.lineCounts[routeIndex] += 1
            if let earlier = written {
                buffers.copyLine(from: earlier, to: writer)
            } else {
                written = (writer, buffers.writers[writer].bytes.count)
                buffers.writers[writer].value(view)
                buffers.writers[writer].newline()
            }
        }
    }

    /// One chunk's line writers (one per line route) and outcome lists (one per other route).
    private struct Buffers {
        var writers: [JSONByteWriter] = []
        /// For each route, the index of its writer (`-1` for a route that takes outcomes).
        var writerOfRoute: [Int] = []
        var lists: [[Outcome]]
        var lineCounts: [Int]
        /// The capacity hints the writers were reserved from (updated by ``finish(_:with:)``).
        let hints: [Int]

        init(routes: [Route], hints: [Int]) {
            self.hints = hints
            lists = Array(repeating: [], count: routes.count)
            lineCounts = Array(repeating: 0, count: routes.count)
            for (index, route) in routes.enumerated() {
                writerOfRoute.append(route.takesLines ? writers.count : -1)
                if route.takesLines { writers.append(JSONByteWriter(capacity: max(4096, hints[index] + hints[index] / 8))) }
            }
        }

        /// Appends to `writer` a copy of the line written from `earlier.start` of another writer.
        mutating func copyLine(from earlier: (writer: Int, start: Int), to writer: Int) {
            let line = writers[earlier.writer].bytes[earlier.start...]
            writers[writer].rawJSON(line)
        }
    }

    /// Hands each route its lines or outcomes, and keeps each line route's size as the next
    /// chunk's capacity hint.
    private func finish(_ result: inout SinkChunk, with buffers: Buffers) {
        var sizes = buffers.hints
        result.deliveries.reserveCapacity(routes.count)
        for (index, route) in routes.enumerated() {
            if route.takesLines {
                let bytes = buffers.writers[buffers.writerOfRoute[index]].bytes
                sizes[index] = bytes.count
                result.deliveries.append(.lines(NDJSONLines(bytes: bytes, count: buffers.lineCounts[index])))
            } else {
                result.deliveries.append(.outcomes(buffers.lists[index]))
            }
        }
        capacityHints.values = sizes
    }

    /// `<source> record N (line L): malformed_row: expected 12 fields, found 11`.
    static func malformedMessage(_ outcome: Outcome) -> String {
        malformedMessage(provenance: outcome.provenance, problem: outcome.errors.first)
    }

    /// ``malformedMessage(_:)`` from the record's provenance and its first problem.
    static func malformedMessage(provenance: Provenance, problem: RecordError?) -> String {
        "\(provenance.description): \(problem?.code.rawValue ?? "failed"): \(problem?.message ?? "")"
    }
}

/// The last chunk's buffer size per route, shared by the transform tasks (a hint: a race only
/// costs a buffer growth).
private final class CapacityHints: Sendable {
    private let sizes: Mutex<[Int]>

    init(count: Int) { sizes = Mutex(Array(repeating: 0, count: count)) }

    var values: [Int] {
        get { sizes.withLock { $0 } }
        set { sizes.withLock { $0 = newValue } }
    }
}
