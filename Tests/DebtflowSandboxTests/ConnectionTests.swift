import DebtflowSandbox
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite("HTTP/1.1 serving")
struct ConnectionTests {
    @Test("listens on 127.0.0.1 at a free port when asked for port 0")
    func listening() throws {
        try withSandbox { port, server in
            #expect(port > 0)
            #expect(server.port == port)
            let response = try RawHTTPClient(port: port).request("GET", "/nowhere")
            #expect(response.status == 404)
        }
    }

    @Test("answers two requests on one kept-alive connection")
    func keepAlive() throws {
        try withSandbox { port, _ in
            let client = try RawHTTPClient(port: port)
            let first = try client.postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("A")]))
            let second = try client.request("GET", "/v1/debt-collection/1/debtors")
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(first.headers["connection"] == "keep-alive")
            let last = try client.request("GET", "/v1/debt-collection/1/debtors", keepAlive: false)
            #expect(last.headers["connection"] == "close")
            #expect(client.isClosedByPeer())
        }
    }

    @Test("answers pipelined requests in order")
    func pipelining() throws {
        try withSandbox { port, _ in
            let client = try RawHTTPClient(port: port)
            let one = "GET /v1/debt-collection/1/debtors HTTP/1.1\r\nHost: x\r\n\r\n"
            let two = "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
            try client.sendRaw(Array((one + two).utf8))
            #expect(try client.readResponse().status == 200)
            #expect(try client.readResponse().status == 404)
        }
    }

    @Test("serves concurrent connections, creating every debt exactly once")
    func concurrentConnections() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger; $0.latencyMilliseconds = 300 }) { port, _ in
            let started = Date()
            // Blocking clients on threads of their own (the cooperative pool has only as many
            // threads as cores).
            let statuses = runOnThreads(count: 8) { index in
                let body = Fixtures.batch([Fixtures.debt("C\(index)-a"), Fixtures.debt("C\(index)-b")])
                return (try? RawHTTPClient(port: port).postJSON(Fixtures.batchPath, body).status) ?? -1
            }
            #expect(statuses == Array(repeating: 200, count: 8))
            // Eight 300 ms answers in parallel take far less than 8 × 300 ms.
            #expect(Date().timeIntervalSince(started) < 1.5)
            let lines = Fixtures.ledgerLines(ledger)
            #expect(lines.count == 16)
            #expect(Set(lines.compactMap { $0["debt_id"] as? String }).count == 16)
            #expect(Set(lines.compactMap { $0["temp_id"] as? String }).count == 16)
        }
    }

    @Test("refuses a body over the limit with 413 and closes")
    func bodyLimit() throws {
        try withSandbox({ $0.maxBodyBytes = 1024 }) { port, _ in
            let client = try RawHTTPClient(port: port)
            let response = try client.request("POST", Fixtures.batchPath, body: [UInt8](repeating: 0x20, count: 2048))
            #expect(response.status == 413)
            #expect(response.headers["connection"] == "close")
        }
    }

    @Test("refuses a head over the limit with 431")
    func headerLimit() throws {
        try withSandbox({ $0.maxHeaderBytes = 1024 }) { port, _ in
            let client = try RawHTTPClient(port: port)
            let response = try client.request("GET", "/v1/debt-collection/1/debtors",
                                              headers: ["X-Padding": String(repeating: "p", count: 4096)])
            #expect(response.status == 431)
        }
    }

    @Test("refuses chunked request bodies with 411")
    func chunked() throws {
        try withSandbox { port, _ in
            let client = try RawHTTPClient(port: port)
            try client.sendRaw(Array("POST \(Fixtures.batchPath) HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".utf8))
            #expect(try client.readResponse().status == 411)
        }
    }

    @Test("answers 100 Continue before reading a body the client holds back")
    func expectContinue() throws {
        try withSandbox { port, _ in
            let client = try RawHTTPClient(port: port)
            let body = Array(Fixtures.batch([Fixtures.debt("E")]).utf8)
            try client.sendRaw(Array("POST \(Fixtures.batchPath) HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(body.count)\r\n\r\n".utf8))
            let interim = try client.readInterim()
            #expect(interim == 100)
            try client.sendRaw(body)
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test("refuses a wrong method on a known path with 405 and Allow")
    func wrongMethod() throws {
        try withSandbox { port, _ in
            let response = try RawHTTPClient(port: port).request("GET", Fixtures.batchPath)
            #expect(response.status == 405)
            #expect(response.headers["allow"] == "POST")
        }
    }

    @Test("stop() closes the listener and open connections, and waitUntilStopped returns")
    func cleanStop() throws {
        var configuration = SandboxConfiguration()
        configuration.latencyMilliseconds = 0
        let server = SandboxServer(configuration: configuration)
        let port = try server.start()
        let idle = try RawHTTPClient(port: port)
        #expect(try idle.request("GET", "/v1/debt-collection/1/debtors").status == 200)
        let stopped = Date()
        server.stop()
        server.waitUntilStopped()
        #expect(Date().timeIntervalSince(stopped) < 2)
        #expect(idle.isClosedByPeer())
        #expect(throws: (any Error).self) { _ = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/1/debtors") }
        server.stop()
    }

    @Test("stop() wakes a request waiting out its latency")
    func stopDuringLatency() throws {
        var configuration = SandboxConfiguration()
        configuration.latencyMilliseconds = 30_000
        let server = SandboxServer(configuration: configuration)
        let port = try server.start()
        let client = try RawHTTPClient(port: port)
        try client.sendRaw(Array("GET /v1/debt-collection/1/debtors HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        usleep(200_000)
        let stopped = Date()
        server.stop()
        server.waitUntilStopped()
        #expect(Date().timeIntervalSince(stopped) < 2)
    }
}

/// Runs `work` once per index, each on a thread of its own, and returns the results in index order.
func runOnThreads(count: Int, _ work: @escaping @Sendable (Int) -> Int) -> [Int] {
    let results = ThreadResults()
    let group = DispatchGroup()
    for index in 0..<count {
        group.enter()
        Thread {
            let value = work(index)
            results.lock.lock()
            results.values[index] = value
            results.lock.unlock()
            group.leave()
        }.start()
    }
    group.wait()
    return (0..<count).map { results.values[$0]! }
}

/// Results gathered from threads. `@unchecked Sendable`: `lock` guards `values`.
final class ThreadResults: @unchecked Sendable {
    let lock = NSLock()
    var values: [Int: Int] = [:]
}
