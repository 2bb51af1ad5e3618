import Synchronization
import DebtflowCore
import DebtflowPipeline
import Foundation
import DebtflowSink
import DebtflowTestSupport
import Testing

@Suite("Pipeline runner")
struct PipelineRunnerTests {
    private func runner(_ records: [Record], sinks: [any OutcomeSink], chunkSize: Int = 100, failAfter: Int? = nil,
                        limit: Int? = nil, interruption: InterruptionFlag = InterruptionFlag()) -> PipelineRunner<RecordTransform> {
        PipelineRunner(name: "test", makeSource: { ArrayRecordSource(records, chunkSize: chunkSize, failAfter: failAfter) },
                       transform: .conversion, sinks: sinks, options: RunOptions(limit: limit),
                       log: OperatorLog(format: .text), interruption: interruption)
    }

    @Test("every record reaches the sink exactly once, in order, whatever the chunk size", arguments: [1, 7, 1024])
    func exactlyOnce(chunkSize: Int) async throws {
        let sink = RecordingSink()
        let summary = try await runner(ArrayRecordSource.numbered(2500), sinks: [sink], chunkSize: chunkSize).run()
        #expect(sink.received.map(\.provenance.record) == Array(1...2500))
        #expect(sink.finished && !sink.aborted)
        #expect(summary.records == 2500 && summary.valid == 2500 && summary.sourceRecords == 2500)
    }

    @Test("a slow sink holds back the reader: the run still delivers everything")
    func slowSink() async throws {
        let sink = RecordingSink(delay: .milliseconds(5))
        let summary = try await runner(ArrayRecordSource.numbered(3000), sinks: [sink], chunkSize: 100).run()
        #expect(summary.records == 3000)
        #expect(sink.received.count == 3000)
    }

    @Test("an input error aborts every sink: nothing is published")
    func inputErrorAborts() async throws {
        let first = RecordingSink(), second = RecordingSink(accepts: [.failed])
        let run = runner(ArrayRecordSource.numbered(1000), sinks: [first, second], failAfter: 500)
        let error = await #expect(throws: DebtflowError.self) { try await run.run() }
        #expect(error?.kind == .input)
        #expect(first.aborted && !first.finished)
        #expect(second.aborted && !second.finished)
        #expect(run.partialSummary?.stoppedBy == "input")
    }

    @Test("a sink error stops the run with a sink error")
    func sinkError() async throws {
        let sink = RecordingSink(failAfterWrites: 2)
        let error = await #expect(throws: DebtflowError.self) {
            try await runner(ArrayRecordSource.numbered(1000), sinks: [sink], chunkSize: 100).run()
        }
        #expect(error?.kind == .sink)
        #expect(sink.aborted)
    }

    @Test("--limit stops after N source records")
    func limit() async throws {
        let sink = RecordingSink()
        let summary = try await runner(ArrayRecordSource.numbered(1000), sinks: [sink], chunkSize: 64, limit: 150).run()
        #expect(summary.sourceRecords == 150)
        #expect(sink.received.count == 150)
    }

    @Test("an interruption stops the run cleanly without publishing")
    func interruption() async throws {
        let flag = InterruptionFlag()
        flag.set()
        let sink = RecordingSink()
        let error = await #expect(throws: DebtflowError.self) {
            try await runner(ArrayRecordSource.numbered(1000), sinks: [sink], interruption: flag).run()
        }
        #expect(error?.kind == .interrupted)
        #expect(sink.aborted && !sink.finished)
    }

    @Test("a signal that comes while the files are being published publishes them all: never some published and exit 130")
    func signalDuringPublish() async throws {
        let flag = InterruptionFlag()
        let first = RecordingSink(onFinish: { flag.set() }), second = RecordingSink(accepts: [.failed])
        let summary = try await runner(ArrayRecordSource.numbered(300), sinks: [first, second], interruption: flag).run()
        #expect(first.finished && second.finished, "the second file was left unpublished")
        #expect(!first.aborted && !second.aborted)
        #expect(summary.records == 300)
    }

    @Test("the files are renamed into place inside AtomicFile.publishingAll: from there a second signal no longer exits at once")
    func publishIsMarked() async throws {
        let seen = Mutex<Bool?>(nil)
        let sink = RecordingSink(onFinish: { seen.withLock { $0 = AtomicFile.publishHasBegun } })
        _ = try await runner(ArrayRecordSource.numbered(10), sinks: [sink]).run()
        #expect(seen.withLock { $0 } == true)
    }

    @Test("a file that cannot be made ready at the end (disk full) leaves every file unpublished, the ones before it too: exit 4")
    func failureBeforePublishing() async throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-runner")
        let path = folder.appendingPathComponent("valid.ndjson").path
        try Data("last night\n".utf8).write(to: URL(fileURLWithPath: path))
        let file = try NDJSONFileSink(path: path, accepts: [.valid])
        let second = RecordingSink(accepts: [.failed], failsToPrepare: true)
        let run = runner(ArrayRecordSource.numbered(300), sinks: [file, second])
        let error = await #expect(throws: DebtflowError.self) { try await run.run() }
        #expect(error?.kind == .sink)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "last night\n", "tonight's file was published beside last night's")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["valid.ndjson"], "no temporary file left")
        #expect(second.aborted && !second.finished)
    }

    @Test("malformed records of a conversion pipeline are counted failed and not written")
    func malformedNotWritten() async throws {
        var records = ArrayRecordSource.numbered(10)
        records[3].problem = RecordError(field: nil, code: .malformedRow, message: "expected 2 fields, found 3")
        let sink = RecordingSink()
        let summary = try await runner(records, sinks: [sink]).run()
        #expect(summary.failed == 1 && summary.valid == 9)
        #expect(summary.errors == ["malformed_row": 1])
        #expect(sink.received.count == 9)
        #expect(!sink.received.contains { $0.provenance.record == 4 })
    }

    @Test("each outcome goes only to the sinks that accept its status")
    func routing() async throws {
        let transform = RecordTransform { chunk in
            Chunk(chunk.elements.map { record in
                let status: OutcomeStatus = record.provenance.record % 3 == 0 ? .failed : record.provenance.record % 3 == 1 ? .valid : .skipped
                return Outcome(status: status, provenance: record.provenance)
            })
        }
        let valid = RecordingSink(accepts: [.valid]), rejects = RecordingSink(accepts: [.failed, .skipped])
        let run = PipelineRunner(name: "t", makeSource: { ArrayRecordSource(ArrayRecordSource.numbered(300)) }, transform: transform,
                                 sinks: [valid, rejects], options: RunOptions(), log: OperatorLog(format: .text),
                                 interruption: InterruptionFlag())
        let summary = try await run.run()
        #expect(valid.received.count == 100 && rejects.received.count == 200)
        #expect(summary.records == summary.valid + summary.failed + summary.skipped)
        #expect(Set(valid.received.map(\.provenance.record)).isDisjoint(with: rejects.received.map(\.provenance.record)))
    }
}
