import DebtflowCore
import DebtflowPipeline
import DebtflowTestSupport
import Testing

/// The runner's side of many inputs: marks carried from record chunks to outcome chunks, sinks
/// told of each input's start and end in order, per-input figures, and `stop` vs `continue`.
@Suite("Pipeline runner, many inputs")
struct ManyInputsRunnerTests {
    /// Yields each input's records in chunks of `chunkSize`, then its end mark (with a failure for
    /// the inputs named in `failing`), as the many-input source does.
    final class MarkedSource: RecordSource {
        let name = "marked"
        let totalBytes: Int64? = nil
        private var queue: [Chunk<Record>] = []

        init(inputs: [(path: String, records: Int)], failing: Set<String> = [], chunkSize: Int = 3) {
            for (index, input) in inputs.enumerated() {
                let records = (0..<input.records).map { Record(provenance: Provenance(source: input.path, record: $0 + 1), fields: RecordObject()) }
                var start = 0
                while start < records.count {
                    let end = min(start + chunkSize, records.count)
                    queue.append(Chunk(Array(records[start..<end]), input: InputMark(index: index, path: input.path)))
                    start = end
                }
                let failure = failing.contains(input.path) ? DebtflowError.input("corrupt", location: .init(file: input.path)) : nil
                queue.append(Chunk([], input: InputMark(index: index, path: input.path, isLast: true, failure: failure)))
                if failure != nil && failing.contains("stop-after") { break }
            }
        }

        func nextChunk() async throws -> Chunk<Record>? { queue.isEmpty ? nil : queue.removeFirst() }
    }

    /// Records the order of writes and input events.
    final class EventSink: OutcomeSink {
        let accepts: Set<OutcomeStatus> = [.valid]
        var events: [String] = []
        func write(_ outcomes: [Outcome]) async throws { events.append("write \(outcomes.count)") }
        func finish() async throws { events.append("finish") }
        func abort() async { events.append("abort") }
        func inputStarted(_ mark: InputMark) async throws { events.append("start \(mark.path)") }
        func inputFinished(_ mark: InputMark) async throws { events.append("end \(mark.path)") }
        func inputFailed(_ mark: InputMark) async throws { events.append("failed \(mark.path)") }
    }

    private func runner(_ inputs: [(path: String, records: Int)], failing: Set<String> = [], sink: EventSink, continues: Bool,
                        limit: Int? = nil) -> PipelineRunner<RecordTransform> {
        let runner = PipelineRunner(name: "t", makeSource: { MarkedSource(inputs: inputs, failing: failing) }, transform: RecordTransform.conversion, sinks: [sink],
                                    options: RunOptions(limit: limit), log: OperatorLog(format: .text), interruption: InterruptionFlag())
        runner.tracksInputs = true
        runner.continuesAfterInputError = continues
        return runner
    }

    @Test("continue: every input starts and ends (or fails) in order, the run finishes, the summary names the bad one")
    func continueAfterFailure() async throws {
        let sink = EventSink()
        let summary = try await runner([("a", 4), ("b", 2), ("c", 0), ("d", 1)], failing: ["b"], sink: sink, continues: true).run()
        #expect(sink.events == ["start a", "write 3", "write 1", "end a", "start b", "write 2", "failed b",
                                "start c", "end c", "start d", "write 1", "end d", "finish"])
        #expect(summary.inputs?.map(\.path) == ["a", "b", "c", "d"])
        #expect(summary.inputs?.map(\.records) == [4, 2, 0, 1])
        #expect(summary.failedInputs.map(\.path) == ["b"])
        #expect(summary.records == 7)
    }

    @Test("stop: the failed input is told, then the run throws its error and aborts; the summary ends with it")
    func stopAtFailure() async throws {
        let sink = EventSink()
        let run = runner([("a", 2), ("b", 2), ("c", 2)], failing: ["b", "stop-after"], sink: sink, continues: false)
        let error = await #expect(throws: DebtflowError.self) { try await run.run() }
        #expect(error?.kind == .input && error?.location?.file == "b")
        #expect(sink.events == ["start a", "write 2", "end a", "start b", "write 2", "failed b", "abort"])
        #expect(run.partialSummary?.inputs?.map(\.path) == ["a", "b"])
        #expect(run.partialSummary?.inputs?.last?.error?.contains("corrupt") == true)
    }

    @Test("--limit ends the input it stops in (published) and reads no further input")
    func limitEndsInput() async throws {
        let sink = EventSink()
        let summary = try await runner([("a", 3), ("b", 6), ("c", 2)], sink: sink, continues: false, limit: 5).run()
        #expect(sink.events == ["start a", "write 3", "end a", "start b", "write 2", "end b", "finish"])
        #expect(summary.inputs?.map(\.records) == [3, 2])
    }
}
