import DebtflowCore
import DebtflowHTTP
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import Testing

@Suite("HTTP push sink: journal and --resume")
struct JournalResumeTests {
    typealias Paths = PushFixtures.Paths

    func configuration(_ server: HTTPStubServer, _ paths: Paths, onAmbiguous: HTTPSinkConfiguration.AmbiguousPolicy = .stop,
                       token: String = "test-token-123") -> HTTPSinkConfiguration {
        PushFixtures.configuration(server, paths, onAmbiguous: onAmbiguous, token: token)
    }

    /// Waits until `condition` holds (a batch task abandoned by a "crashed" run finishing).
    func eventually(_ condition: () throws -> Bool) async throws {
        for _ in 0..<200 {
            if try condition() { return }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    @Test("a resumed run sends only the batches never acknowledged, and writes every debt's result")
    func resumeAfterCrash() async throws {
        let paths = try Paths()
        let first = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { first.stop() }
        // Run 1 "crashes": batches 1 and 2 are sent, debt 5 never is, and finish() is never called.
        var crashed: HTTPPushSink? = try HTTPPushSink(configuration: configuration(first, paths), diagnostics: DiagnosticLines().sink)
        try await crashed!.write(PushFixtures.outcomes(1...5))
        try await eventually { try TestSupport.readNDJSON(paths.journal).filter { $0["event"] as? String == "done" }.count == 2 }
        crashed = nil
        #expect(first.requestCount == 2)

        let second = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { second.stop() }
        let resumed = try HTTPPushSink(configuration: configuration(second, paths), options: HTTPSinkRunOptions(resume: true),
                                       diagnostics: DiagnosticLines().sink)
        try await resumed.write(PushFixtures.outcomes(1...5))
        try await resumed.finish()
        #expect(second.requests.map(PushFixtures.tempIDs) == [["T5"]])
        let results = try PushFixtures.results(paths.results)
        #expect(results.map { $0["temp_id"] as? String } == ["T1", "T2", "T3", "T4", "T5"])
        #expect(results.allSatisfy { $0["status"] as? String == "created" })
        #expect(results.first?["debt_id"] as? String == "D-T1")
        #expect(resumed.totals.created == 5)

        // A third resume has nothing left to send.
        let third = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { third.stop() }
        let again = try HTTPPushSink(configuration: configuration(third, paths), options: HTTPSinkRunOptions(resume: true),
                                     diagnostics: DiagnosticLines().sink)
        try await again.write(PushFixtures.outcomes(1...5))
        try await again.finish()
        #expect(third.requestCount == 0)
        #expect(try PushFixtures.results(paths.results).count == 5)
    }

    @Test("without --resume the journal is started afresh and everything is sent")
    func noResumeSendsAll() async throws {
        let paths = try Paths()
        for expected in [3, 3] {
            let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
            let sink = try HTTPPushSink(configuration: configuration(server, paths), diagnostics: DiagnosticLines().sink)
            try await sink.write(PushFixtures.outcomes(1...5))
            try await sink.finish()
            #expect(server.requestCount == expected)
            server.stop()
        }
        #expect(try TestSupport.readNDJSON(paths.journal).count == 7)   // target, then 3 × (started, done)
    }

    @Test("--resume with no journal yet is an ordinary run")
    func resumeWithoutJournal() async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: configuration(server, paths), options: HTTPSinkRunOptions(resume: true),
                                    diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...3))
        try await sink.finish()
        #expect(server.requestCount == 2)
    }

    /// Run 1 sends batch 1 (answered) and batch 2, whose answer never comes before the "crash".
    /// Returns a copy of the journal as the crash left it.
    func crashWhileBatchTwoInFlight(_ paths: Paths) async throws -> HTTPStubServer {
        let server = try HTTPStubServer { request, number in number == 1 ? PushFixtures.created(request) : .hang(seconds: 3) }
        let crashed = try HTTPPushSink(configuration: configuration(server, paths), diagnostics: DiagnosticLines().sink)
        try await crashed.write(PushFixtures.outcomes(1...4))
        try await eventually { server.requestCount == 2 }
        // Freeze the journal as the dying process left it: batch 2 started, never done.
        let frozen = paths.directory.appendingPathComponent("frozen.jsonl")
        try FileManager.default.copyItem(at: paths.journal, to: frozen)
        try FileManager.default.removeItem(at: paths.journal)
        try FileManager.default.moveItem(at: frozen, to: paths.journal)
        let events = try TestSupport.readNDJSON(paths.journal).compactMap { $0["event"] as? String }
        #expect(events == ["target", "started", "done", "started"])
        return server
    }

    @Test("a batch sent but never answered before a crash is reported unknown under on_ambiguous stop, and not resent")
    func startedOnlyUnderStop() async throws {
        let paths = try Paths()
        let crashedServer = try await crashWhileBatchTwoInFlight(paths)
        defer { crashedServer.stop() }
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: configuration(server, paths), options: HTTPSinkRunOptions(resume: true),
                                    diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...6))
        let error = await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(error?.kind == .sink)
        #expect(server.requestCount == 0, "batch 2 must not be resent and nothing is sent after it")
        let results = try PushFixtures.results(paths.results)
        #expect(results.map { $0["status"] as? String } == ["created", "created", "unknown", "unknown"])
        #expect(lines.text.contains("T3, T4"))

        // A later resume still does not resend the unknown batch, but sends the rest.
        let later = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { later.stop() }
        let next = try HTTPPushSink(configuration: configuration(later, paths), options: HTTPSinkRunOptions(resume: true),
                                    diagnostics: DiagnosticLines().sink)
        try await next.write(PushFixtures.outcomes(1...6))
        await #expect(throws: DebtflowError.self) { try await next.finish() }
        #expect(later.requests.map(PushFixtures.tempIDs) == [["T5", "T6"]])

        // --retry-unknown resends it with its original key.
        let retried = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { retried.stop() }
        let last = try HTTPPushSink(configuration: configuration(retried, paths),
                                    options: HTTPSinkRunOptions(resume: true, retryUnknown: true), diagnostics: DiagnosticLines().sink)
        try await last.write(PushFixtures.outcomes(1...6))
        try await last.finish()
        #expect(retried.requests.map(PushFixtures.tempIDs) == [["T3", "T4"]])
        #expect(retried.requests.first?.header("Idempotency-Key") == crashedServer.requests.last?.header("Idempotency-Key"))
        #expect(try PushFixtures.results(paths.results).allSatisfy { $0["status"] as? String == "created" })
    }

    @Test("a batch sent but never answered before a crash is resent with its original key under on_ambiguous retry")
    func startedOnlyUnderRetry() async throws {
        let paths = try Paths()
        let crashedServer = try await crashWhileBatchTwoInFlight(paths)
        defer { crashedServer.stop() }
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: configuration(server, paths, onAmbiguous: .retry),
                                    options: HTTPSinkRunOptions(resume: true), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...4))
        try await sink.finish()
        #expect(server.requests.map(PushFixtures.tempIDs) == [["T3", "T4"]])
        #expect(server.requests.first?.header("Idempotency-Key") == crashedServer.requests.last?.header("Idempotency-Key"))
    }

    @Test("abort() ends a long rate-limit wait at once and journals the batch as not sent")
    func abortDuringRateLimitWait() async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { _, _ in .json(429, "{}", headers: ["Retry-After": "30"]) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: configuration(server, paths), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await eventually { server.requestCount == 1 }
        let started = Date()
        await sink.abort()
        // Well under the 30 s wait (loose: on a loaded machine the test itself may resume late).
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(server.requestCount == 1)
        let events = try TestSupport.readNDJSON(paths.journal).compactMap { $0["event"] as? String }
        #expect(events == ["target", "started", "not_sent"])
    }

    @Test("a journal written before `started` lines carried ids is still read: acknowledged debts are not resent, a batch left in flight is unknown")
    func legacyJournal() async throws {
        let paths = try Paths()
        let inFlight = PushBatch(index: 1, debts: [PushFixtures.debt(3), PushFixtures.debt(4)], batchName: nil,
                                 acceptExpensiveDestination: nil)
        let legacy = """
        {"event":"started","batch":0,"key":"k0","count":2,"temp_ids":"x"}
        {"event":"done","batch":0,"key":"k0","count":2,"created":2,"failed":0,"skipped":0,"unknown":0,"results":[{"temp_id":"T1","status":"created","debt_id":"D-T1"},{"temp_id":"T2","status":"created","debt_id":"D-T2"}]}
        {"event":"started","batch":1,"key":"\(inFlight.idempotencyKey)","count":2,"temp_ids":"y"}

        """
        try Data(legacy.utf8).write(to: paths.journal)
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: configuration(server, paths), options: HTTPSinkRunOptions(resume: true),
                                    diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...6))
        await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(server.requestCount == 0)
        let results = try PushFixtures.results(paths.results)
        #expect(results.map { $0["status"] as? String } == ["created", "created", "unknown", "unknown"])
        #expect(results.first?["debt_id"] as? String == "D-T1")
    }

    @Test("an unknown batch is resent with --retry-unknown only whole, under its key; when this run lacks some of its debts they stay unknown")
    func unknownBatchNeedsAllItsDebts() async throws {
        let paths = try Paths()
        let crashedServer = try await crashWhileBatchTwoInFlight(paths)
        defer { crashedServer.stop() }
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        // This run holds T1–T3 only (a --limit): batch 2 (T3, T4) cannot be formed again.
        let partial = try HTTPPushSink(configuration: configuration(server, paths),
                                       options: HTTPSinkRunOptions(resume: true, retryUnknown: true), diagnostics: DiagnosticLines().sink)
        try await partial.write(PushFixtures.outcomes(1...3))
        await #expect(throws: DebtflowError.self) { try await partial.finish() }
        #expect(server.requestCount == 0)
        let results = try PushFixtures.results(paths.results)
        #expect(results.map { $0["status"] as? String } == ["created", "created", "unknown"])
        #expect((results.last?["reason"] as? String)?.contains("not in this run's input") == true)
    }

    /// A run of `first` whose server answers every batch with `answer` (a 2xx that leaves debts
    /// out), then a `--resume --retry-unknown` of `then` against a server that creates whatever it
    /// is sent (returned, to look at what reached it; the caller stops it).
    private func leftOutThenResumed(answer: String, first: ClosedRange<Int>, then: ClosedRange<Int>, paths: Paths) async throws
        -> (firstError: DebtflowError?, resumedError: DebtflowError?, second: HTTPStubServer, resumed: HTTPPushSink) {
        let firstServer = try HTTPStubServer { _, _ in .json(200, answer) }
        defer { firstServer.stop() }
        let run = try HTTPPushSink(configuration: configuration(firstServer, paths), diagnostics: DiagnosticLines().sink)
        try await run.write(PushFixtures.outcomes(first))
        let firstError = await #expect(throws: DebtflowError.self) { try await run.finish() }

        let second = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        let resumed = try HTTPPushSink(configuration: configuration(second, paths),
                                       options: HTTPSinkRunOptions(resume: true, retryUnknown: true), diagnostics: DiagnosticLines().sink)
        try await resumed.write(PushFixtures.outcomes(then))
        let resumedError = await #expect(throws: DebtflowError.self) { try await resumed.finish() }
        return (firstError, resumedError, second, resumed)
    }

    @Test("a debt an answer did not name stays unknown on --resume --retry-unknown: its batch is not resent")
    func unnamedDebtIsNotResent() async throws {
        let paths = try Paths()
        let (firstError, error, second, resumed) = try await leftOutThenResumed(
            answer: #"{"error":false,"data":{"created":[{"index":0,"temp_id":"T1","debt_id":"D-T1"}],"failed":[],"skipped":[]}}"#,
            first: 1...2, then: 1...3, paths: paths)
        defer { second.stop() }
        // The advice is not --retry-unknown, which could not resend it.
        #expect(firstError?.message.contains("never resent, with or without --retry-unknown") == true, "\(String(describing: firstError))")
        #expect(firstError?.message.contains("add --retry-unknown") == false)
        #expect(error?.message.contains("never resent, with or without --retry-unknown") == true, "\(String(describing: error))")
        #expect(error?.message.contains("add --retry-unknown") == false)
        #expect(second.requests.map(PushFixtures.tempIDs) == [["T3"]])
        // Batch 1 (T1 replayed, T2 left out) and batch 2 (T3): two batches, the first counted once.
        var summary = RunSummary(pipeline: "t")
        resumed.contribute(to: &summary)
        #expect(summary.pushed?.batches == 2)
        #expect(summary.pushed?.unknown == 1 && summary.pushed?.created == 2)
        let results = try PushFixtures.results(paths.results)
        #expect(results.compactMap { $0["status"] as? String }.sorted() == ["created", "created", "unknown"])
        #expect(results.contains { ($0["reason"] as? String)?.contains("did not name") == true })
    }

    @Test("a batch whose answer named none of its debts is not resent on --resume --retry-unknown either")
    func wholeBatchLeftOutIsNotResent() async throws {
        let (_, error, second, _) = try await leftOutThenResumed(
            answer: #"{"error":false,"data":{"created":[],"failed":[],"skipped":[]}}"#, first: 1...2, then: 1...2, paths: try Paths())
        defer { second.stop() }
        #expect(second.requestCount == 0, "the answered batch was sent again: \(second.requests.map(PushFixtures.tempIDs))")
        #expect(error?.message.contains("never resent") == true, "\(String(describing: error))")
    }

    @Test("a torn last journal line is ignored; a damaged line before it is a sink error")
    func tornJournal() throws {
        let paths = try Paths()
        try Data(#"{"event":"started","batch":0,"key":"k","count":1,"temp_ids":"x"}\#n{"event":"do"#.utf8).write(to: paths.journal)
        #expect(try JournalState.load(path: paths.journal.path)?.fate(of: "k") == .startedOnly)
        try Data("garbage\n{\"event\":\"started\",\"key\":\"k\"}\n".utf8).write(to: paths.journal)
        #expect(throws: DebtflowError.self) { try JournalState.load(path: paths.journal.path) }
        // A whole `done` line that lost only its line break was never made durable: it is not
        // read (and a resume cuts it), so the batch reads as sent and never answered.
        try Data((#"{"event":"started","batch":0,"key":"k","count":1,"temp_ids":"x"}"# + "\n"
                  + #"{"event":"done","batch":0,"key":"k","count":1,"results":[]}"#).utf8).write(to: paths.journal)
        #expect(try JournalState.load(path: paths.journal.path)?.fate(of: "k") == .startedOnly)
    }

    @Test("a journal reopened to resume cuts a torn last line, so the next line starts on its own and the journal reads whole")
    func tornLineCutOnReopen() throws {
        let paths = try Paths()
        let started = #"{"event":"started","batch":0,"key":"k","count":1,"temp_ids":"x"}"#
        try Data((started + "\n" + #"{"event":"do"#).utf8).write(to: paths.journal)
        let journal = try JournalFile(path: paths.journal.path, truncate: false)
        try journal.append(Array(#"{"event":"not_sent","batch":0,"key":"k","count":1,"reason":"stopped"}"#.utf8))
        journal.close()
        let text = try String(contentsOf: paths.journal, encoding: .utf8)
        #expect(text == started + "\n" + #"{"event":"not_sent","batch":0,"key":"k","count":1,"reason":"stopped"}"# + "\n")
        #expect(try JournalState.load(path: paths.journal.path)?.fate(of: "k") == .notSent)
    }

    @Test("a journal path that names a file of something else is refused (exit 2), resuming or not, and the file is left as it was; a torn first line is a journal")
    func somethingElseIsNotAJournal() throws {
        let paths = try Paths()
        for text in ["meeting notes: call Dupont on Monday\n", "a,b,c\n1,2,3\n", "\nnotes after a blank line\n",
                     "notes without a line break"] {
            try Data(text.utf8).write(to: paths.journal)
            for truncate in [true, false] {
                let error = try #require(throws: DebtflowError.self) { try JournalFile(path: paths.journal.path, truncate: truncate) }
                #expect(error.kind == .usage && error.message.contains("something other than a debtflow journal"), "\(error)")
                #expect(try String(contentsOf: paths.journal, encoding: .utf8) == text)
            }
        }
        // A first line torn by a crash (no line break yet) is a journal's: started afresh, or cut.
        try Data(#"{"event":"sta"#.utf8).write(to: paths.journal)
        try JournalFile(path: paths.journal.path, truncate: false).close()
        #expect(try Data(contentsOf: paths.journal).isEmpty)
    }

    @Test("when the journal cannot be written (a full disk), the run stops, sends nothing more, and the answered batch's results are still written")
    func journalFailureKeepsResults() async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: configuration(server, paths), diagnostics: DiagnosticLines().sink)
        // The first batch's `started` line is written; its `done` line fails half-way, as on a
        // full disk: half of it reaches the file, then ENOSPC.
        let writes = Mutex(0)
        sink.journal?.write = { descriptor, bytes, count in
            let number = writes.withLock { count in
                count += 1
                return count
            }
            guard number > 1 else { return Glibc.write(descriptor, bytes, count) }
            _ = Glibc.write(descriptor, bytes, count / 2)
            errno = ENOSPC
            return -1
        }
        let error = await #expect(throws: DebtflowError.self) {
            try await sink.write(PushFixtures.outcomes(1...6))
            try await sink.finish()
        }
        #expect(error?.kind == .sink && error?.message.contains("journal") == true, "\(String(describing: error))")
        #expect(server.requestCount == 1, "nothing is sent after the journal failed")
        let results = try TestSupport.readNDJSON(paths.results)
        #expect(results.map { $0["status"] as? String } == ["created", "created"], "the server created them: the results say so")
        // No torn line is left: the journal reads, and the batch is one sent and never answered.
        let state = try #require(try JournalState.load(path: paths.journal.path))
        #expect(try TestSupport.readNDJSON(paths.journal).map { $0["event"] as? String } == ["target", "started"])
        #expect(state.nextBatchIndex == 1)
    }

    /// A `--dry-run` sink writing its batches to `dry.ndjson` in `paths`' folder, and the server it
    /// would send to (the caller stops it).
    private func dryRunSink(_ paths: Paths) throws -> (sink: HTTPPushSink, server: HTTPStubServer, output: URL) {
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        let output = paths.directory.appendingPathComponent("dry.ndjson")
        let sink = try HTTPPushSink(configuration: configuration(server, paths),
                                    options: HTTPSinkRunOptions(dryRun: true, dryRunOutputPath: output.path),
                                    diagnostics: DiagnosticLines().sink)
        return (sink, server, output)
    }

    @Test("--dry-run sends nothing, writes no journal or results, and shows each batch it would send")
    func dryRun() async throws {
        let paths = try Paths()
        let (sink, server, output) = try dryRunSink(paths)
        defer { server.stop() }
        try await sink.write(PushFixtures.outcomes(1...3))
        try await sink.finish()
        #expect(server.requestCount == 0)
        #expect(!FileManager.default.fileExists(atPath: paths.journal.path))
        #expect(!FileManager.default.fileExists(atPath: paths.results.path))
        let lines = try TestSupport.readNDJSON(output)
        #expect(lines.map { $0["count"] as? Int } == [2, 1])
        let body = try #require(lines.first?["body"] as? [String: Any])
        #expect((body["debts"] as? [[String: Any]])?.count == 2)
        #expect(sink.totals.batches == 2)
        #expect(sink.totals.created == 0)
        #expect(try FileManager.default.attributesOfItem(atPath: output.path)[.posixPermissions] as? Int == 0o600)
    }

    @Test("--dry-run's batch file is published only when the run finishes: an aborted run leaves last night's as it was, and no temporary file")
    func dryRunAborted() async throws {
        let paths = try Paths()
        try Data("last night\n".utf8).write(to: paths.directory.appendingPathComponent("dry.ndjson"))
        let (sink, server, output) = try dryRunSink(paths)
        defer { server.stop() }
        #expect(!sink.sends, "a dry run sends nothing: it is published with the file sinks")
        try await sink.write(PushFixtures.outcomes(1...3))
        await sink.abort()
        #expect(try String(contentsOf: output, encoding: .utf8) == "last night\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: paths.directory.path).allSatisfy { !$0.contains(".tmp") })
    }
}

@Suite("The temp_ids a push has taken")
struct TempIDRegistryTests {
    @Test("an id is taken once: the second time it is refused; other ids, even near ones, are not")
    func takenOnce() {
        var registry = TempIDRegistry()
        let answers = ["A1", "A1", "A2", "a1", "A1 ", "", ""].map { registry.take($0) }
        #expect(answers == [true, false, true, true, true, true, false])
        // A thousand distinct ids are all taken, then all refused.
        var taken = 0
        for number in 0..<1000 where registry.take("debtors.csv#\(number)") { taken += 1 }
        #expect(taken == 1000)
        for number in 0..<1000 where registry.take("debtors.csv#\(number)") { taken += 1 }
        #expect(taken == 1000)
    }
}
