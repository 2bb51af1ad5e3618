import DebtflowCore
import DebtflowHTTP
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
import Testing

/// A GetBill that lies or contradicts itself (CONTRACT.md §5, "Hostile servers"): what it says is
/// never taken for more than it can mean, nothing it echoes grows without bound, and a debt that
/// may exist is never recorded `failed`.
@Suite("HTTP push sink: answers that lie")
struct LyingServerTests {
    typealias Paths = PushFixtures.Paths

    /// Pushes debts 1…`count` to `server` (batches of 2, no results file) and finishes: the sink
    /// and what it said on stderr.
    private func pushed(to server: HTTPStubServer, _ count: Int) async throws -> (sink: HTTPPushSink, lines: DiagnosticLines) {
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server), diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...count))
        try await sink.finish()
        return (sink, lines)
    }

    static let alreadyTaken = HTTPStubServer.Answer.json(
        422, #"{"error":true,"message":"The given data was invalid.","details":{"debts.0.temp_id":["has already been taken"],"debts.1.temp_id":["has already been taken"]}}"#)
    static let errorInside200 = HTTPStubServer.Answer.json(200, #"{"error":true,"message":"duplicate batch","code":"DUPLICATE"}"#)

    @Test("under on_ambiguous retry, a refusal of the resend after a 500 leaves the debts unknown, never failed, and stops",
          arguments: [alreadyTaken, errorInside200])
    func refusalAfterAmbiguousSend(refusal: HTTPStubServer.Answer) async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { _, number in number == 1 ? .json(500, "{}") : refusal }
        defer { server.stop() }
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, paths, onAmbiguous: .retry), diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...4))
        await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(server.requestCount == 2)
        #expect(sink.totals.failed == 0)
        #expect(sink.totals.unknown == 2)
        let results = try PushFixtures.results(paths.results)
        #expect(results.map { $0["status"] as? String } == ["unknown", "unknown"])
        #expect((results.first?["reason"] as? String)?.contains("an earlier send may have created its debts") == true)
        #expect(lines.text.contains("batch 1 is unknown"))
    }

    @Test("--resume --retry-unknown: a refusal of the resent batch leaves its debts unknown (exit 4), never failed")
    func refusalOfAResumedResend() async throws {
        let paths = try Paths()
        let first = try HTTPStubServer { _, _ in .json(500, "{}") }
        defer { first.stop() }
        let run1 = try HTTPPushSink(configuration: PushFixtures.configuration(first, paths), diagnostics: DiagnosticLines().sink)
        try await run1.write(PushFixtures.outcomes(1...2))
        await #expect(throws: DebtflowError.self) { try await run1.finish() }
        #expect(run1.totals.unknown == 2)

        let second = try HTTPStubServer { _, _ in Self.alreadyTaken }
        defer { second.stop() }
        let run2 = try HTTPPushSink(configuration: PushFixtures.configuration(second, paths),
                                    options: HTTPSinkRunOptions(resume: true, retryUnknown: true), diagnostics: DiagnosticLines().sink)
        try await run2.write(PushFixtures.outcomes(1...2))
        await #expect(throws: DebtflowError.self) { try await run2.finish() }
        #expect(second.requestCount == 1)
        #expect(run2.totals.failed == 0)
        #expect(run2.totals.unknown == 2)
        #expect(try PushFixtures.results(paths.results).map { $0["status"] as? String } == ["unknown", "unknown"])
    }

    @Test("a first refusal (nothing sent before) is still `failed`, with one stderr line, and debts.N details on debt N")
    func plainRefusal() async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { _, _ in
            .json(422, #"{"message":"invalid","details":{"debts.1.phone":["Invalid phone"],"batch_name":["too long"]}}"#)
        }
        defer { server.stop() }
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, paths), diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        #expect(sink.totals.failed == 2)
        let results = try PushFixtures.results(paths.results)
        let errors = results.map { ($0["errors"] as? [[String: Any]] ?? []).map { "\($0["field"] ?? "-"): \($0["message"] ?? "")" } }
        #expect(errors[0] == ["-: HTTP 422: invalid", "batch_name: too long"])
        #expect(errors[1] == ["-: HTTP 422: invalid", "phone: Invalid phone", "batch_name: too long"])
        #expect(lines.lines.contains { $0.hasPrefix("batch 1: the server refused the whole batch: HTTP 422: invalid") && $0.contains("2 debt(s) are recorded failed") })
    }

    @Test("a huge refusal is written bounded for each debt, and a token it echoes is masked before the cut")
    func hugeRefusalIsBounded() async throws {
        let paths = try Paths()
        let token = "tok-SECRET-0123456789"
        let details = (0..<300).map { #""field\#($0)":["\#(String(repeating: "y", count: 2_000))"]"# }.joined(separator: ",")
        let message = String(repeating: "x", count: 490) + token + String(repeating: "z", count: 200_000)
        let server = try HTTPStubServer { _, _ in .json(400, #"{"message":"\#(message)","details":{\#(details)}}"#) }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, paths, token: token), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        let text = try String(contentsOf: paths.results, encoding: .utf8)
        #expect(!text.contains("SECRET"))
        #expect(!text.contains("tok-SECRET"))
        #expect(text.utf8.count < 5_000)
        for result in try PushFixtures.results(paths.results) {
            let errors = result["errors"] as? [[String: Any]] ?? []
            #expect(errors.count == BatchSender.refusalMessagesWrittenPerDebt + 1)
            #expect(errors.allSatisfy { ($0["message"] as? String ?? "").count <= BatchSender.refusalCharactersWritten + 1 })
            #expect((errors.last?["message"] as? String)?.contains("more message(s) from the server not kept") == true)
        }
        let journal = try String(contentsOf: paths.journal, encoding: .utf8)
        #expect(!journal.contains("SECRET"))
        #expect(journal.utf8.count < 6_000)
    }

    @Test("a 429 that asks for no wait or less than a second (0, negative, a date already past, 0.001) is backed off from, not resent at once",
          arguments: ["0", "-5", "Mon, 01 Jan 2024 00:00:00 GMT", "0.001"])
    func rateLimitWithoutWait(retryAfter: String) async throws {
        let server = try HTTPStubServer { request, number in
            number <= 2 ? .json(429, "{}", headers: ["Retry-After": retryAfter]) : PushFixtures.created(request)
        }
        defer { server.stop() }
        let (sink, lines) = try await pushed(to: server, 2)
        #expect(sink.totals.created == 2)
        #expect(lines.lines.filter { $0.contains("; backing off instead)") }.count == 2)
    }

    @Test("debts an answer leaves out are named on stderr; valid debts the server skips are too")
    func leftOutAndSkippedAreNamed() async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { _, _ in
            .json(200, #"{"error":false,"data":{"created":[{"temp_id":"T1","debt_id":"D1"}],"skipped":[{"temp_id":"T3","reason":"instruction_row"}],"failed":[]}}"#)
        }
        defer { server.stop() }
        let lines = DiagnosticLines()
        var configuration = PushFixtures.configuration(server, paths)
        configuration.batchSize = 3
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...3))
        await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(lines.lines.contains("batch 1: the server's answer did not name 1 of its 3 debt(s): T2; they are `unknown` and never resent: check them in GetBill"))
        #expect(lines.lines.contains("batch 1: the server skipped 1 debt(s) the run found valid, so they were not imported: T3 (the results say why)"))
    }

    @Test("an answer that contradicts itself is said on stderr, naming the batch and the temp_ids")
    func contradictionsOnStderr() async throws {
        let server = try HTTPStubServer { _, _ in
            .json(200, #"{"error":false,"data":{"created":[{"temp_id":"T1","debt_id":"A"},{"temp_id":"T1","debt_id":"B"},{"temp_id":"T2","debt_id":"C"},{"temp_id":"Q9","debt_id":"E"}]}}"#)
        }
        defer { server.stop() }
        let (sink, lines) = try await pushed(to: server, 2)
        #expect(sink.totals.created == 2)
        #expect(lines.lines.contains { $0.hasPrefix("batch 1: the answer names 1 debt(s) more than once") && $0.contains("debt_ids A and B") })
        #expect(lines.lines.contains("batch 1: the answer names 1 temp_id(s) this batch did not send: Q9"))
    }

    @Test("after an ambiguous send, an answer to the resend that says failed or skipped (already taken) leaves those debts unknown")
    func perDebtRefusalAfterAmbiguousSend() async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { _, number in
            number == 1 ? .json(500, "{}")
                : .json(200, #"{"error":false,"data":{"created":[],"failed":[{"temp_id":"T1","errors":{"temp_id":["has already been taken"]}}],"skipped":[{"temp_id":"T2","reason":"duplicate"}]}}"#)
        }
        defer { server.stop() }
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, paths, onAmbiguous: .retry), diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(sink.totals.failed == 0)
        #expect(sink.totals.skipped == 0)
        #expect(sink.totals.unknown == 2)
        let results = try PushFixtures.results(paths.results)
        #expect(results.map { $0["status"] as? String } == ["unknown", "unknown"])
        #expect((results[0]["reason"] as? String)?.hasPrefix("the server answered the resend failed, but an earlier send may have created it") == true)
        #expect((results[0]["errors"] as? [[String: Any]])?.first?["message"] as? String == "has already been taken")
        #expect(lines.text.contains("the answer to the resend refuses 2 debt(s) an earlier send may have created"))
    }

    @Test("a gateway's 502 or 504, then a refusal of the resend: the debts are unknown, not failed", arguments: [502, 504])
    func refusalAfterGatewayFailure(status: Int) async throws {
        let paths = try Paths()
        let server = try HTTPStubServer { _, number in number == 1 ? .json(status, "{}") : Self.alreadyTaken }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, paths), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(sink.totals.failed == 0)
        #expect(sink.totals.unknown == 2)
        #expect(try PushFixtures.results(paths.results).allSatisfy { ($0["reason"] as? String)?.contains("HTTP \(status) from a gateway") == true })
    }

    @Test("a 2xx {error:true} refusing a reused Idempotency-Key is unknown, as the same refusal as a 422")
    func reusedKeyInside200() async throws {
        let server = try HTTPStubServer { _, _ in
            .json(200, #"{"error":true,"message":"Idempotency key reused","code":"idempotency_key_reused"}"#)
        }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(sink.totals.failed == 0)
        #expect(sink.totals.unknown == 2)
    }

    @Test("lists written as null are empty lists: an honest answer with \"failed\":null creates its debts")
    func nullLists() async throws {
        let server = try HTTPStubServer { request, _ in
            guard case .respond(_, _, let body) = PushFixtures.created(request) else { return .drop }
            let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""failed":[],"skipped":[]"#, with: #""failed":null,"skipped":null"#)
            return .json(200, text)
        }
        defer { server.stop() }
        #expect(try await pushed(to: server, 4).sink.totals.created == 4)
    }

    @Test("stderr says at most 10 remarks of a kind, then how many more there were")
    func remarksAreCapped() async throws {
        let server = try HTTPStubServer { _, _ in .json(422, #"{"message":"no"}"#) }
        defer { server.stop() }
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server, batchSize: 1), diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...15))
        try await sink.finish()
        #expect(sink.totals.failed == 15)
        #expect(lines.lines.filter { $0.contains("the server refused the whole batch") }.count == HTTPPushSink.remarksSaidPerKind)
        #expect(lines.lines.contains("5 more refused batches were not said on stderr; the results hold every debt's fate"))
    }
}
