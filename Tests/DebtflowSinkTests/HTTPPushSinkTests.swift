import DebtflowCore
import DebtflowHTTP
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
import Testing

@Suite("HTTP push sink")
struct HTTPPushSinkTests {
    @Test("cuts debts into batches in input order, with the contract's body and headers")
    func batchesAndBody() async throws {
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        var configuration = PushFixtures.configuration(server, batchSize: 2)
        configuration.batchName = "nightly"
        configuration.acceptExpensiveDestination = true
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...3))
        try await sink.write(PushFixtures.outcomes(4...5))
        try await sink.finish()

        let requests = server.requests
        #expect(requests.count == 3)
        #expect(requests.map(PushFixtures.tempIDs) == [["T1", "T2"], ["T3", "T4"], ["T5"]])
        for request in requests {
            #expect(request.method == "POST")
            #expect(request.path == "/external-api/v1/debts/batch")
            #expect(request.header("Authorization") == "Bearer test-token-123")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("Idempotency-Key") == SHA256.hex(request.body))
        }
        let first = try #require(try JSONSerialization.jsonObject(with: Data(requests[0].body)) as? [String: Any])
        #expect(first["batch_name"] as? String == "nightly")
        #expect(first["accept_expensive_destination"] as? Bool == true)
        #expect(requests[0].bodyText.hasPrefix(#"{"batch_name":"nightly","accept_expensive_destination":true,"debts":[{"firstname":"Jean1","#))
        #expect(requests[0].bodyText.contains(#""amount":10.01,"currency":"EUR""#))
        #expect(sink.totals.batches == 3)
        #expect(sink.totals.created == 5)
        #expect(sink.rejectedCount == 0)
    }

    @Test("leaves batch_name and accept_expensive_destination out of the body when not set")
    func optionalBatchKeys() async throws {
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...1))
        try await sink.finish()
        #expect(server.requests.first?.bodyText.hasPrefix(#"{"debts":[{"#) == true)
    }

    @Test("gives the same batches the same Idempotency-Key on every run, and other batches other keys")
    func stableKeys() async throws {
        var runs: [[String]] = []
        for _ in 0..<2 {
            let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
            let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, batchSize: 3, concurrency: 2),
                                        diagnostics: DiagnosticLines().sink)
            try await sink.write(PushFixtures.outcomes(1...7))
            try await sink.finish()
            runs.append(server.requests.compactMap { $0.header("Idempotency-Key") }.sorted())
            server.stop()
        }
        #expect(runs[0].count == 3)
        #expect(runs[0] == runs[1])
        #expect(Set(runs[0]).count == 3)
    }

    @Test("keeps at most `concurrency` batches in flight")
    func concurrencyLimit() async throws {
        let inFlight = Counter()
        let server = try HTTPStubServer { request, _ in
            inFlight.enter()
            Thread.sleep(forTimeInterval: 0.15)
            inFlight.leave()
            return PushFixtures.created(request)
        }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, batchSize: 1, concurrency: 2),
                                    diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...6))
        try await sink.finish()
        #expect(server.requestCount == 6)
        #expect(inFlight.maximum == 2)
    }

    @Test("waits as long as a 429's Retry-After says, then sends again")
    func rateLimited() async throws {
        let server = try HTTPStubServer { request, number in
            number == 1 ? .json(429, #"{"error":true,"message":"slow down"}"#, headers: ["Retry-After": "1"])
                        : PushFixtures.created(request)
        }
        defer { server.stop() }
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server), diagnostics: lines.sink)
        let started = Date()
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        #expect(Date().timeIntervalSince(started) >= 0.95)
        #expect(server.requestCount == 2)
        #expect(sink.totals.created == 2)
        #expect(sink.totals.unknown == 0)
        #expect(sink.totals.retries == 1)
        #expect(lines.text.contains("429"))
    }

    @Test("slows down when X-RateLimit-Remaining runs out, until X-RateLimit-Reset")
    func slowsDownBeforeTheLimit() async throws {
        let server = try HTTPStubServer { request, number in
            guard case .respond(let status, var headers, let body) = PushFixtures.created(request) else { return .drop }
            if number == 1 {
                headers["X-RateLimit-Remaining"] = "0"
                headers["X-RateLimit-Reset"] = "1"
            }
            return .respond(status: status, headers: headers, body: body)
        }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, batchSize: 1),
                                    diagnostics: DiagnosticLines().sink)
        let started = Date()
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        #expect(Date().timeIntervalSince(started) >= 0.9)
        #expect(server.requestCount == 2, "requests: \(server.requests.map { "\($0.method) \($0.target) \($0.header("Idempotency-Key") ?? "no key")" })")
        #expect(sink.totals.retries == 0)
    }

    @Test("adds its figures to the run summary's `pushed`")
    func summary() async throws {
        let server = try HTTPStubServer { request, number in
            number == 1 ? .json(503, "{}")
                        : number == 2 ? PushFixtures.created(request) : .json(422, #"{"error":true,"message":"no"}"#)
        }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, batchSize: 2),
                                    diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...3))
        try await sink.finish()
        var summary = RunSummary(pipeline: "p")
        sink.contribute(to: &summary)
        let pushed = try #require(summary.pushed)
        let figures: [Int] = [pushed.batches, pushed.created, pushed.failed, pushed.skipped, pushed.unknown, pushed.retries]
        #expect(figures == [2, 2, 1, 0, 0, 1])
        #expect(sink.rejectedCount == 1)
        #expect(String(decoding: summary.json, as: UTF8.self)
            .contains(#""pushed":{"batches":2,"created":2,"failed":1,"skipped":0,"unknown":0,"retries":1}"#))
    }

    @Test("reads the wait of a 429 from details.retry_after when there is no Retry-After")
    func rateLimitFromBody() {
        let response = HTTPResponse(status: 429, body: Array(#"{"error":true,"details":{"retry_after":[7]}}"#.utf8))
        #expect(HTTPRateLimitGate.waitAfterTooManyRequests(response) == 7)
        let reset = HTTPResponse(status: 429, headers: ["X-RateLimit-Reset": "12"])
        #expect((HTTPRateLimitGate.waitAfterTooManyRequests(reset) ?? 0) > 11)
    }

    @Test("a server's wait is read whatever it sends (1e19, inf, nan, milliseconds): never a trap, at most an hour")
    func hostileWaits() {
        #expect(ServerRequestedWait.askedSeconds("1e19") == 1e19)
        #expect(ServerRequestedWait.askedSeconds("inf") == .infinity)
        #expect(ServerRequestedWait.askedSeconds("nan") == nil)
        #expect(ServerRequestedWait.askedSeconds("-5") == 0)
        #expect(ServerRequestedWait.askedSeconds("soon") == nil)
        for asked in [1e19, .infinity, 99_999_999, 3601] { #expect(ServerRequestedWait.clamped(asked) == 3600) }
        #expect(ServerRequestedWait.clamped(7) == 7)
        for value in [1e19, .infinity, 18446744073709551615, 1e300] { #expect(!ServerRequestedWait.describe(value).isEmpty) }
        #expect(ServerRequestedWait.describe(1e19) == "1e+19 s")
        // X-RateLimit-Reset: seconds from now, epoch seconds, epoch milliseconds.
        let now = 1_800_000_000.0
        #expect(ServerRequestedWait.secondsUntilReset("12", now: now) == 12)
        #expect(ServerRequestedWait.secondsUntilReset("1800000060", now: now) == 60)
        #expect(ServerRequestedWait.secondsUntilReset("1800000060000", now: now) == 60)
        for text in ["1e300", "inf", "18446744073709551615"] {
            let reset = HTTPResponse(status: 200, headers: ["X-RateLimit-Reset": text])
            let until = HTTPRateLimitGate.resetDate(reset.header("X-RateLimit-Reset"))
            #expect(until.map { $0.timeIntervalSinceNow <= 3600 } == true, "\(text)")
        }
        let body = HTTPResponse(status: 429, body: Array(#"{"details":{"retry_after":1e30}}"#.utf8))
        #expect(HTTPRateLimitGate.waitAfterTooManyRequests(body) == 1e30)
    }

    @Test("a 200 reporting no request left until a reset in 1e300 s waits at most an hour, said on stderr")
    func slowDownIsBounded() async {
        let gate = HTTPRateLimitGate(concurrency: 1)
        await gate.observe(HTTPResponse(status: 200, headers: ["X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1e300"]))
        let wait = await gate.nextWait()
        #expect(wait.seconds <= 3600 && wait.seconds > 3500)
        #expect(wait.reason != nil)
    }

    @Test("retries 502, 503 and 504 with backoff", arguments: [502, 503, 504])
    func transientRetried(status: Int) async throws {
        let server = try HTTPStubServer { request, number in
            number <= 2 ? .json(status, "{}") : PushFixtures.created(request)
        }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        #expect(server.requestCount == 3)
        #expect(sink.totals.created == 2)
        #expect(sink.totals.retries == 2)
        #expect(Set(server.requests.compactMap { $0.header("Idempotency-Key") }).count == 1)
    }

    @Test("stops with a sink error (exit 4) when the server stays unavailable past max_retries")
    func transientExhausted() async throws {
        let server = try HTTPStubServer { _, _ in .json(503, "{}") }
        defer { server.stop() }
        let dir = try TestSupport.makeTemporaryDirectory()
        var configuration = PushFixtures.configuration(server)
        configuration.maxRetries = 2
        configuration.resultsPath = dir.appendingPathComponent("results.ndjson").path
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...1))
        let error = await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(error?.kind == .sink)
        #expect(ExitCode.for(error!) == .sink)
        #expect(server.requestCount == 3)
        #expect(FileManager.default.fileExists(atPath: configuration.resultsPath!))
    }

    @Test("records every debt of a 400 or 422 batch as failed with the server's message", arguments: [400, 422])
    func rejectedBatch(status: Int) async throws {
        let server = try HTTPStubServer { _, _ in
            .json(status, #"{"error":true,"message":"Validation failed","code":"VALIDATION","details":{"debts":["too many"]}}"#)
        }
        defer { server.stop() }
        let dir = try TestSupport.makeTemporaryDirectory()
        let resultsURL = dir.appendingPathComponent("results.ndjson")
        var configuration = PushFixtures.configuration(server)
        configuration.resultsPath = resultsURL.path
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        #expect(sink.rejectedCount == 2)
        #expect(server.requestCount == 1)
        let lines = try PushFixtures.results(resultsURL)
        #expect(lines.map { $0["status"] as? String } == ["failed", "failed"])
        #expect(lines.map { $0["temp_id"] as? String } == ["T1", "T2"])
        let errors = try #require(lines[0]["errors"] as? [[String: Any]])
        #expect((errors.first?["message"] as? String)?.contains("Validation failed") == true)
        #expect(errors.contains { $0["field"] as? String == "debts" && $0["message"] as? String == "too many" })
    }

    @Test("a refusal of the batch's Idempotency-Key as used before (a resend whose body changed) leaves its debts unknown, never failed",
          arguments: [(422, "idempotency_key_reused"), (409, "idempotency_key_in_use")])
    func reusedIdempotencyKey(status: Int, code: String) async throws {
        let server = try HTTPStubServer { _, _ in
            .json(status, #"{"error":true,"message":"This Idempotency-Key was used with a different request body","code":"\#(code)"}"#)
        }
        defer { server.stop() }
        let dir = try TestSupport.makeTemporaryDirectory()
        let resultsURL = dir.appendingPathComponent("results.ndjson")
        var configuration = PushFixtures.configuration(server)
        configuration.resultsPath = resultsURL.path
        let said = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: said.sink)
        // Two batches of two, one at a time: the first is refused, the second is not sent.
        try await sink.write(PushFixtures.outcomes(1...4))
        let error = await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(error?.kind == .sink, "on_ambiguous: stop ends the run with exit 4")
        #expect(server.requestCount == 1, "not resent, and nothing more sent after it")
        #expect(sink.rejectedCount == 0)
        let lines = try PushFixtures.results(resultsURL)
        #expect(lines.map { $0["status"] as? String } == ["unknown", "unknown"])
        #expect((lines[0]["reason"] as? String)?.contains("refused the batch's Idempotency-Key as used before") == true, "\(lines[0])")
    }

    /// Pushes `debts`, one per batch, to a server that always answers `answer`: the error the
    /// run stops with (one is expected), and how many requests reached the server.
    private func refusedPush(_ answer: HTTPStubServer.Answer, debts: ClosedRange<Int>) async throws
        -> (error: DebtflowError?, requests: Int) {
        let server = try HTTPStubServer { _, _ in answer }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, batchSize: 1),
                                    diagnostics: DiagnosticLines().sink)
        let error = await #expect(throws: DebtflowError.self) {
            try await sink.write(PushFixtures.outcomes(debts))
            try await sink.finish()
        }
        await sink.abort()
        return (error, server.requestCount)
    }

    @Test("stops at once on a 403, sending nothing more")
    func forbidden() async throws {
        let (error, requests) = try await refusedPush(.json(403, #"{"error":true,"message":"forbidden"}"#), debts: 1...4)
        #expect(error?.kind == .sink)
        #expect(error?.message.contains("403") == true)
        #expect(requests == 1)
    }

    @Test("on_input_error continue: a failed input's debts not yet sent are left out of every later batch")
    func failedInputDebtsNotSent() async throws {
        let server = try HTTPStubServer { request, _ in PushFixtures.created(request) }
        defer { server.stop() }
        let said = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, batchSize: 3), diagnostics: said.sink)
        try await sink.inputStarted(InputMark(index: 0, path: "a.csv"))
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.inputFinished(InputMark(index: 0, path: "a.csv", isLast: true))
        try await sink.inputStarted(InputMark(index: 1, path: "b.csv"))
        try await sink.write(PushFixtures.outcomes(3...4))   // T3 leaves with a batch; T4 waits
        try await sink.inputFailed(InputMark(index: 1, path: "b.csv", isLast: true))
        try await sink.inputStarted(InputMark(index: 2, path: "c.csv"))
        try await sink.write(PushFixtures.outcomes(5...5))
        try await sink.inputFinished(InputMark(index: 2, path: "c.csv", isLast: true))
        try await sink.finish()
        #expect(server.requests.map(PushFixtures.tempIDs) == [["T1", "T2", "T3"], ["T5"]])
        #expect(said.text.contains("b.csv: its input failed; its 1 debt(s) not yet sent are left out of the push"), "\(said.text)")
    }

    @Test("a refusal's message reaches stderr on one line of at most 300 characters, control characters escaped")
    func hostileRefusalMessage() async throws {
        let message = #"\u001b[31mforged\nerror: all good "# + String(repeating: "x", count: 5_000)
        let (error, _) = try await refusedPush(.json(403, #"{"error":true,"message":"\#(message)"}"#), debts: 1...1)
        let cause = error?.cause ?? ""
        #expect(cause.contains(#"\u{1b}[31mforged\u{a}error: all good xxx"#) && cause.hasSuffix("…"), "\(cause)")
        #expect(!cause.contains("\n") && !cause.contains("\u{1B}") && cause.count < 340, "\(cause.count) characters")
    }

    @Test("a static token refused with 401 stops the run without a retry")
    func unauthorizedStatic() async throws {
        let server = try HTTPStubServer { _, _ in .json(401, #"{"error":true,"message":"bad token"}"#) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...1))
        let error = await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(error?.kind == .sink)
        #expect(server.requestCount == 1)
    }

    @Test("never shows the token in errors or diagnostics, even when the server echoes it")
    func tokenNeverShown() async throws {
        let token = "sekret-bearer-XYZ"
        let server = try HTTPStubServer { request, number in
            let echo = request.header("Authorization") ?? ""
            return number == 1 ? .json(503, #"{"message":"\#(echo)"}"#) : .json(403, #"{"error":true,"message":"\#(echo) is forbidden"}"#)
        }
        defer { server.stop() }
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, token: token), diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...1))
        let error = await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(server.requestCount == 2)
        #expect(!String(describing: error).contains(token))
        #expect(error?.description.contains("***") == true)
        #expect(!lines.text.contains(token))
    }

    @Test("a refusal that echoes a debtor's phone number and email shows neither in full, on stderr or in results and journal")
    func personalDataNeverShown() async throws {
        let server = try HTTPStubServer { _, _ in
            .json(422, #"{"error":true,"message":"bad contact +33612345678 jean.dupont@example.fr","code":"x","details":{"debts.0.email":["jean.dupont@example.fr is taken"]}}"#)
        }
        defer { server.stop() }
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-echo")
        var configuration = PushFixtures.configuration(server)
        configuration.resultsPath = folder.appendingPathComponent("results.ndjson").path
        configuration.journalPath = folder.appendingPathComponent("journal.jsonl").path
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        #expect(sink.totals.failed == 2)
        #expect(lines.text.contains("bad contact +336******78 j***@example.fr"), "\(lines.text)")
        for (name, text) in try [("stderr", lines.text),
                                 ("results", String(contentsOf: folder.appendingPathComponent("results.ndjson"), encoding: .utf8)),
                                 ("journal", String(contentsOf: folder.appendingPathComponent("journal.jsonl"), encoding: .utf8))] {
            #expect(!text.contains("33612345678"), "\(name): \(text)")
            #expect(!text.contains("jean.dupont"), "\(name): \(text)")
        }
    }

    @Test("a secret that a quoted answer would cut in half is masked before the cut, in results and journal",
          arguments: [280, 295, 299])
    func secretAtTheCut(padding: Int) async throws {
        let token = "sekret-bearer-0123456789"
        let server = try HTTPStubServer { _, _ in
            .respond(status: 400, headers: ["Content-Type": "text/plain"],
                     body: Array((String(repeating: "x", count: padding) + token + " rest").utf8))
        }
        defer { server.stop() }
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-cut")
        var configuration = PushFixtures.configuration(server, token: token)
        configuration.resultsPath = folder.appendingPathComponent("results.ndjson").path
        configuration.journalPath = folder.appendingPathComponent("journal.jsonl").path
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        for name in ["results.ndjson", "journal.jsonl"] {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains("sekret-b"), "\(name): \(text)")
        }
    }
}

/// Counts concurrent entries. `@unchecked Sendable`: fields guarded by `lock`.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var current = 0
    private var peak = 0
    func enter() { lock.withLock { current += 1; peak = max(peak, current) } }
    func leave() { lock.withLock { current -= 1 } }
    var maximum: Int { lock.withLock { peak } }
}
