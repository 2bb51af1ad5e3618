import DebtflowCore
import DebtflowHTTP
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
import Testing

@Suite("HTTP push sink: ambiguous failures and OAuth2")
struct HTTPAmbiguityAndAuthTests {
    @Test("on_ambiguous stop: a 500 makes the batch unknown, nothing more is sent, and the run ends with exit 4")
    func ambiguousStop() async throws {
        let server = try HTTPStubServer { _, _ in .json(500, #"{"error":true,"message":"boom"}"#) }
        defer { server.stop() }
        let dir = try TestSupport.makeTemporaryDirectory()
        let resultsURL = dir.appendingPathComponent("results.ndjson")
        let journalURL = dir.appendingPathComponent("journal.jsonl")
        var configuration = PushFixtures.configuration(server, batchSize: 2)
        configuration.resultsPath = resultsURL.path
        configuration.journalPath = journalURL.path
        let lines = DiagnosticLines()
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: lines.sink)
        try await sink.write(PushFixtures.outcomes(1...6))
        let error = await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(error?.kind == .sink)
        #expect(error?.message.contains("batch 1") == true)
        #expect(server.requestCount == 1)
        #expect(sink.totals.unknown == 2)
        let results = try PushFixtures.results(resultsURL)
        #expect(results.map { $0["status"] as? String } == ["unknown", "unknown"])
        #expect(results.map { $0["temp_id"] as? String } == ["T1", "T2"])
        #expect(lines.text.contains("T1, T2"))
        let journal = try TestSupport.readNDJSON(journalURL)
        #expect(journal.map { $0["event"] as? String } == ["target", "started", "unknown"])
        #expect(try TestSupport.permissions(of: resultsURL) == 0o600)
        #expect(try TestSupport.permissions(of: journalURL) == 0o600)
    }

    @Test("on_ambiguous stop: a dropped connection is ambiguous too")
    func droppedConnectionStop() async throws {
        let server = try HTTPStubServer { _, _ in .drop }
        defer { server.stop() }
        let sink = try HTTPPushSink(configuration: PushFixtures.configuration(server), diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...4))
        await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(server.requestCount == 1)
        #expect(sink.totals.unknown == 2)
    }

    @Test("on_ambiguous retry: resends with the same Idempotency-Key after a drop and a 500")
    func ambiguousRetry() async throws {
        let server = try HTTPStubServer { request, number in
            switch number {
            case 1: return .drop
            case 2: return .json(500, "{}")
            default: return PushFixtures.created(request)
            }
        }
        defer { server.stop() }
        var configuration = PushFixtures.configuration(server)
        configuration.onAmbiguous = .retry
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...2))
        try await sink.finish()
        let keys = server.requests.compactMap { $0.header("Idempotency-Key") }
        #expect(keys.count == 3)
        #expect(Set(keys).count == 1)
        #expect(sink.totals.created == 2)
        #expect(sink.totals.retries == 2)
    }

    @Test("OAuth2: fetches one token with the client-credentials form and reuses it while valid")
    func oauthToken() async throws {
        let server = try HTTPStubServer { request, _ in
            if request.path == "/token" {
                return .json(200, #"{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}"#)
            }
            return PushFixtures.created(request)
        }
        defer { server.stop() }
        var configuration = PushFixtures.configuration(server, batchSize: 1, concurrency: 2)
        configuration.authentication = .clientCredentials(tokenURL: server.baseURL + "/token", clientID: "client a",
                                                          clientSecret: "s3cret&x", scope: "debts:write")
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...4))
        try await sink.finish()
        let tokenRequests = server.requests.filter { $0.path == "/token" }
        #expect(tokenRequests.count == 1)
        #expect(tokenRequests.first?.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(tokenRequests.first?.bodyText
                == "grant_type=client_credentials&client_id=client%20a&client_secret=s3cret%26x&scope=debts%3Awrite")
        let pushes = server.requests.filter { $0.path != "/token" }
        #expect(pushes.count == 4)
        #expect(pushes.allSatisfy { $0.header("Authorization") == "Bearer tok-1" })
    }

    @Test("OAuth2: a 401 fetches a fresh token once and resends; a second 401 stops the run (exit 4)")
    func oauthRefreshThenStop() async throws {
        let tokens = Counter()
        let server = try HTTPStubServer { request, _ in
            if request.path == "/token" {
                tokens.enter()
                return .json(200, #"{"access_token":"tok-\#(tokens.maximum)","expires_in":3600}"#)
            }
            return .json(401, #"{"error":true,"message":"expired"}"#)
        }
        defer { server.stop() }
        var configuration = PushFixtures.configuration(server)
        configuration.authentication = .clientCredentials(tokenURL: server.baseURL + "/token", clientID: "c",
                                                          clientSecret: "secret-value", scope: nil)
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        let error = await #expect(throws: DebtflowError.self) {
            try await sink.write(PushFixtures.outcomes(1...4))
            try await sink.finish()
        }
        await sink.abort()
        #expect(error?.kind == .sink)
        #expect(error?.message.contains("401") == true)
        #expect(server.requests.filter { $0.path == "/token" }.count == 2)
        let pushes = server.requests.filter { $0.path != "/token" }
        #expect(pushes.compactMap { $0.header("Authorization") } == ["Bearer tok-1", "Bearer tok-2"])
    }

    @Test("OAuth2: a 401 followed by success with the fresh token creates the debts")
    func oauthRefreshSucceeds() async throws {
        let tokens = Counter()
        let server = try HTTPStubServer { request, _ in
            if request.path == "/token" {
                tokens.enter()
                return .json(200, #"{"access_token":"tok-\#(tokens.maximum)","expires_in":3600}"#)
            }
            return request.header("Authorization") == "Bearer tok-1" ? .json(401, "{}") : PushFixtures.created(request)
        }
        defer { server.stop() }
        var configuration = PushFixtures.configuration(server)
        configuration.authentication = .clientCredentials(tokenURL: server.baseURL + "/token", clientID: "c",
                                                          clientSecret: "secret-value", scope: "debts:write")
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...4))
        try await sink.finish()
        #expect(sink.totals.created == 4)
        #expect(server.requests.filter { $0.path == "/token" }.count == 2)
    }

    @Test("OAuth2: a token endpoint that refuses the credentials stops the run without showing the secret")
    func oauthRefused() async throws {
        let server = try HTTPStubServer { request, _ in
            .json(401, #"{"error":"invalid_client","echo":"\#(request.bodyText)"}"#)
        }
        defer { server.stop() }
        var configuration = PushFixtures.configuration(server)
        configuration.authentication = .clientCredentials(tokenURL: server.baseURL + "/token", clientID: "c",
                                                          clientSecret: "topsecretvalue", scope: nil)
        let sink = try HTTPPushSink(configuration: configuration, diagnostics: DiagnosticLines().sink)
        try await sink.write(PushFixtures.outcomes(1...1))
        let error = await #expect(throws: DebtflowError.self) { try await sink.finish() }
        #expect(error?.kind == .sink)
        #expect(!String(describing: error).contains("topsecretvalue"))
        #expect(server.requests.allSatisfy { $0.path == "/token" })
    }
}
