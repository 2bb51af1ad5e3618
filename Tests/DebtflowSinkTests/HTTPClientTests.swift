import DebtflowCore
import DebtflowHTTP
import DebtflowTestSupport
import Foundation
import Testing

@Suite("HTTP client")
struct HTTPClientTests {
    @Test("returns the status, headers and body of an answer, whatever the status")
    func answers() async throws {
        let server = try HTTPStubServer { request, _ in
            .json(503, #"{"echo":"\#(request.method) \#(request.path)"}"#, headers: ["Retry-After": "7"])
        }
        defer { server.stop() }
        let client = HTTPClient(timeoutSeconds: 5)
        let response = try await client.send(HTTPRequest(
            method: "POST", url: URL(string: server.baseURL + "/batch")!,
            headers: [("Content-Type", "application/json"), ("Idempotency-Key", "k1")], body: Array("{}".utf8)))
        #expect(response.status == 503)
        #expect(response.header("retry-after") == "7")
        #expect(response.bodyText() == #"{"echo":"POST /batch"}"#)
        #expect(server.requests.first?.header("Idempotency-Key") == "k1")
        #expect(server.requests.first?.bodyText == "{}")
    }

    @Test("sends a large body whole")
    func largeBody() async throws {
        let server = try HTTPStubServer { request, _ in .json(200, "{\"length\":\(request.body.count)}") }
        defer { server.stop() }
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 300_000)
        let response = try await HTTPClient(timeoutSeconds: 5).send(HTTPRequest(
            method: "POST", url: URL(string: server.baseURL + "/big")!, body: body))
        #expect(response.bodyText() == #"{"length":300000}"#)
    }

    @Test("a fresh session per request leaks no connections")
    func noLeak() async throws {
        let server = try HTTPStubServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        let client = HTTPClient(timeoutSeconds: 5)
        let request = HTTPRequest(method: "POST", url: URL(string: server.baseURL + "/x")!, body: Array("{}".utf8))
        _ = try await client.send(request)
        try await Task.sleep(nanoseconds: 100_000_000)
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        for _ in 0..<150 { _ = try await client.send(request) }
        try await Task.sleep(nanoseconds: 300_000_000)
        let after = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        #expect(server.requestCount == 151)
        #expect(after - before < 20, "descriptors grew from \(before) to \(after)")
    }

    @Test("a refused connection is 'not sent'")
    func refused() async throws {
        let server = try HTTPStubServer { _, _ in .json(200, "{}") }
        let port = server.port
        server.stop()
        await #expect(throws: HTTPClientError.self) {
            _ = try await HTTPClient(timeoutSeconds: 2).send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/x")!))
        }
        do {
            _ = try await HTTPClient(timeoutSeconds: 2).send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/x")!))
        } catch {
            #expect(error.isNotSent, "\(error)")
        }
    }

    @Test("a dropped connection and a time-out are ambiguous, and nothing is resent by the client")
    func ambiguous() async throws {
        // The stub hangs far longer than the client's 1 s time-out, so a "within timeout_s" error
        // proves the time-out fired (the message, not the test's clock: on a loaded machine the
        // test itself may resume late).
        let server = try HTTPStubServer { request, _ in request.path == "/drop" ? .drop : .hang(seconds: 60) }
        defer { server.stop() }
        for (path, expected) in [("/drop", "without an answer"), ("/hang", "within timeout_s")] {
            do {
                _ = try await HTTPClient(timeoutSeconds: 1).send(HTTPRequest(
                    method: "POST", url: URL(string: server.baseURL + path)!, body: Array("{}".utf8)))
                Issue.record("expected an error for \(path)")
            } catch {
                #expect(!error.isNotSent, "\(path): \(error)")
                #expect(error.message.contains(expected), "\(path): \(error)")
            }
        }
        try await Task.sleep(nanoseconds: 300_000_000)
        #expect(server.requestCount == 2)
    }

    @Test("plain http is refused except to loopback", arguments: [
        ("https://getbill.io/external-api/v1/debts/batch", true),
        ("http://127.0.0.1:8080/x", true),
        ("http://127.1.2.3/x", true),
        ("http://localhost:9/x", true),
        ("http://[::1]:9/x", true),
        ("http://getbill.io/x", false),
        ("http://10.0.0.1/x", false),
        ("http://127.0.0.1.evil.example/x", false),
        ("ftp://127.0.0.1/x", false),
        ("not a url", false),
    ])
    func urlPolicy(url: String, allowed: Bool) {
        do {
            _ = try HTTPURLPolicy.validate(url, jsonPath: "stages[1].sink.url")
            #expect(allowed)
        } catch {
            #expect(!allowed)
            #expect(error.kind == .configuration)
        }
    }

    @Test("SHA-256 matches the FIPS 180-4 test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func sha256(input: String, expected: String) {
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }
}
