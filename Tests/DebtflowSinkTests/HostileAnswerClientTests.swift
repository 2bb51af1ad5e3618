import DebtflowCore
import DebtflowGzip
@testable import DebtflowHTTP
import DebtflowTestSupport
import Foundation
import Testing

/// The HTTP client against hostile answers, through both transports: sockets (`http://`, what
/// the sandbox and tests use) and URLSession (what `https://` uses), so the https path is held to
/// the same rules (CONTRACT.md §5 "Hostile servers").
@Suite("HTTP client: hostile answers")
struct HostileAnswerClientTests {
    static let transports: [HTTPClient.Transport] = [.automatic, .urlSession]

    func post(_ server: HTTPStubServer, _ transport: HTTPClient.Transport, timeout: Double = 2,
              maxBody: Int = HTTPClient.defaultMaxBodyBytes) async throws(HTTPClientError) -> HTTPResponse {
        try await HTTPClient(timeoutSeconds: timeout, maxBodyBytes: maxBody, transport: transport).send(HTTPRequest(
            method: "POST", url: URL(string: server.baseURL + "/batch")!,
            headers: [("Authorization", "Bearer secret-token")], body: Array(#"{"debts":[]}"#.utf8)))
    }

    @Test("a redirect comes back as the answer: the other host receives nothing", arguments: transports)
    func redirect(transport: HTTPClient.Transport) async throws {
        let elsewhere = try HTTPStubServer { _, _ in .json(200, "{}") }
        defer { elsewhere.stop() }
        let server = try HTTPStubServer { _, _ in
            .respond(status: 302, headers: ["Location": "http://127.0.0.1:\(elsewhere.port)/steal"], body: [])
        }
        defer { server.stop() }
        let response = try await post(server, transport)
        #expect(response.status == 302)
        #expect(response.isRedirect)
        #expect(response.redirectHost == "127.0.0.1:\(elsewhere.port)")
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(elsewhere.requestCount == 0)
    }

    @Test("answers that may follow a received request are ambiguous, never 'not sent'", arguments: transports)
    func ambiguous(transport: HTTPClient.Transport) async throws {
        let answers: [HTTPStubServer.Answer] = [
            .raw(Array("GARBAGE\r\n\r\n".utf8)), .reset, .drop,
            .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{".utf8)),
            // Silent once the whole request was read: a time-out after the body left. (The https
            // path tells "not sent" by the body's bytes libcurl took; this holds it to that.)
            .hang(seconds: 6),
        ]
        for answer in answers {
            let server = try HTTPStubServer { _, _ in answer }
            defer { server.stop() }
            do {
                _ = try await post(server, transport)
                Issue.record("expected a failure for \(answer)")
            } catch {
                #expect(!error.isNotSent, "\(answer): \(error)")
            }
            #expect(server.requestCount == 1, "the client resent by itself")
        }
    }

    @Test("requests ask for no content coding; a compressed answer (a gzip bomb) is refused as its header arrives, ambiguous, never inflated",
          arguments: transports)
    func compressedAnswer(transport: HTTPClient.Transport) async throws {
        // 64 MiB of zeros gzipped: about 64 KiB on the wire. Inflated it would pass the body limit,
        // and libcurl would inflate far more than the limit before the count stopped it.
        let encoder = GzipEncoder(level: 9)
        let bomb = try encoder.compress([UInt8](repeating: 0x30, count: 64 << 20)) + encoder.finish()
        let server = try HTTPStubServer { _, _ in
            .respond(status: 200, headers: ["Content-Type": "application/json", "Content-Encoding": "gzip"], body: bomb)
        }
        defer { server.stop() }
        do {
            _ = try await post(server, transport, timeout: 10)
            Issue.record("a compressed answer was read")
        } catch {
            #expect(error == .ambiguous("the answer is compressed (Content-Encoding: gzip) although the request asked for none "
                                        + "(Accept-Encoding: identity); not read"), "\(error)")
        }
        #expect(server.requests.first?.header("Accept-Encoding") == "identity")
        // `identity`, said or not, is an ordinary answer.
        let plain = try HTTPStubServer { _, _ in .respond(status: 200, headers: ["Content-Encoding": "identity"], body: Array("{}".utf8)) }
        defer { plain.stop() }
        #expect(try await post(plain, transport).bodyText() == "{}")
    }

    @Test("another status with a compressed body keeps its meaning (a 503 is retried, a 3xx names its host), its body left out; a 204 is a 204",
          arguments: transports)
    func compressedErrorAnswer(transport: HTTPClient.Transport) async throws {
        let encoder = GzipEncoder(level: 9)
        let page = try encoder.compress(Array("<html>busy</html>".utf8)) + encoder.finish()
        for status in [503, 401, 302, 204] {
            let server = try HTTPStubServer { _, _ in
                .respond(status: status, headers: ["Content-Encoding": "gzip", "Location": "http://elsewhere.example/x"],
                         body: status == 204 ? [] : page)
            }
            defer { server.stop() }
            let response = try await post(server, transport)
            #expect(response.status == status)
            #expect(response.body.isEmpty, "\(status): the compressed body is left out")
            if status == 302 { #expect(response.redirectHost == "elsewhere.example") }
        }
    }

    @Test("timeout_s bounds the whole exchange, also a body that trickles", arguments: transports)
    func trickle(transport: HTTPClient.Transport) async throws {
        let server = try HTTPStubServer { _, _ in .trickle(status: 200, body: Array(String(repeating: " ", count: 40).utf8), interval: 0.3) }
        defer { server.stop() }
        // The whole body would take 12 s; the deadline cuts it (the message says so). No bound on
        // the test's own clock: on a loaded machine the test may resume late.
        do {
            _ = try await post(server, transport, timeout: 1.5)
            Issue.record("a 12 s trickle was accepted")
        } catch {
            #expect(!error.isNotSent)
            #expect(error.message.contains("within timeout_s"), "\(error)")
        }
    }

    @Test("a body past the limit is refused as too large", arguments: transports)
    func oversize(transport: HTTPClient.Transport) async throws {
        for declare in [true, false] {
            let server = try HTTPStubServer { _, _ in .flood(bytes: 300_000, declareLength: declare) }
            defer { server.stop() }
            await #expect(throws: HTTPClientError.answerTooLarge(limit: 100_000)) {
                _ = try await post(server, transport, maxBody: 100_000)
            }
        }
    }

    @Test("cancelling the task ends a wait for a silent server at once", arguments: transports)
    func cancel(transport: HTTPClient.Transport) async throws {
        let server = try HTTPStubServer { _, _ in .hang(seconds: 10) }
        defer { server.stop() }
        let task = Task { () -> HTTPClientError? in
            do {
                _ = try await post(server, transport, timeout: 8)
                return nil
            } catch {
                return error as? HTTPClientError
            }
        }
        for _ in 0..<200 where server.requestCount == 0 { try await Task.sleep(nanoseconds: 10_000_000) }
        task.cancel()
        // Cancelled, not timed out (the time-out is 8 s and the server hangs 10 s).
        let error = await task.value
        #expect(error == .cancelled(mayHaveBeenSent: true))
    }

    @Test("the response parser gives the same answer whatever the read size", arguments: [1, 7, 4096])
    func parserSplits(size: Int) throws {
        let answers: [(String, Int, String)] = [
            ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello", 201, "hello"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nT: 1\r\n\r\n", 200, "hello world"),
            ("HTTP/1.0 500 Oops\r\n\r\nrest until close", 500, "rest until close"),
            ("HTTP/1.1 204 No Content\r\n\r\n", 204, ""),
        ]
        for (text, status, body) in answers {
            var parser = HTTPResponseParser(maxBodyBytes: 1000)
            let bytes = Array(text.utf8)
            var response: HTTPResponse?
            var offset = 0
            while offset < bytes.count, response == nil {
                response = try parser.feed(bytes[offset..<min(offset + size, bytes.count)])
                offset += size
            }
            if response == nil { response = parser.finishAtEndOfStream() }
            #expect(response?.status == status)
            #expect(response.map { String(decoding: $0.body, as: UTF8.self) } == body)
        }
        var garbage = HTTPResponseParser(maxBodyBytes: 1000)
        #expect(throws: HTTPResponseParser.Failure.self) { _ = try garbage.feed(Array("SSH-2.0\r\n".utf8)[...]) }
        var tooLarge = HTTPResponseParser(maxBodyBytes: 10)
        #expect(throws: HTTPResponseParser.Failure.tooLarge) {
            _ = try tooLarge.feed(Array("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n".utf8)[...])
        }
    }

    @Test("URL passwords are masked and unusable ports refused", arguments: [
        ("https://user:pa55@getbill.io/x", "https://user:***@getbill.io/x"),
        ("https://getbill.io/x", "https://getbill.io/x"),
        ("http://a:b:c@127.0.0.1:8/x?y=@z", "http://a:***@127.0.0.1:8/x?y=@z"),
    ])
    func urlRedaction(url: String, shown: String) {
        #expect(Redaction.url(url) == shown)
        #expect(Redaction.scrub("at \(url)", secrets: Redaction.urlPasswords(url)) == "at \(shown)")
    }

    @Test("ports outside 1-65535 are configuration errors", arguments: ["http://127.0.0.1:99999/x", "http://127.0.0.1:0/x",
                                                                       "https://h.example:-1/x", "https://h.example:/x"])
    func badPorts(url: String) {
        #expect(throws: DebtflowError.self) { _ = try HTTPURLPolicy.validate(url, jsonPath: "stages[1].sink.url") }
    }
}
