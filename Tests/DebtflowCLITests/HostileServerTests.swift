import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// The push and the pull against misbehaving servers (issue 8, items 5–11; CONTRACT.md §5
/// "Hostile servers"), run through the release binary (`DEBTFLOW_RELEASE_BIN`, else the built one)
/// against stub servers on 127.0.0.1. Each run is bounded to a few seconds by small `timeout_s`.
@Suite("Hostile servers", .serialized)
struct HostileServerTests {
    static let token = "tok-\(UUID().uuidString.prefix(8))-s3cr3t"

    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return TestSupport.debtflowBinary
    }

    /// Runs the binary and waits for it on a thread of its own, so that waiting does not hold one
    /// of the few threads the other (async) tests run on.
    static func run(_ arguments: [String], timeout: TimeInterval = 60) async throws -> TestSupport.ProcessResult {
        let binary = binary
        return try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try TestSupport.run(binary, arguments, timeout: timeout) }) }.start()
        }
    }

    // MARK: - Workspace

    /// A folder with `in.csv` (`rows` generated debtor rows) and `p.json` pushing the valid debts
    /// to `url`, plus an NDJSON data output `valid.ndjson`.
    static func pushWorkspace(url: String, rows: Int = 20, timeout: Int = 2, token: String = token) async throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-hostile")
        let generated = try await run(["generate", "--rows", String(rows), "--format", "csv", "--seed", "5",
                                 "--out", folder.appendingPathComponent("in.csv").path])
        #expect(generated.status == 0, "\(generated.stderrText)")
        try writePushConfig(folder, url: url, timeout: timeout, token: token)
        return folder
    }

    static func writePushConfig(_ folder: URL, url: String, timeout: Int = 2, token: String = token) throws {
        let json = #"""
        {"version":1,"name":"hostile","stages":[
          {"read":{"format":"csv","path":"in.csv"}},
          {"map":{}},
          {"normalize":{"currency":"EUR"}},
          {"validate":{}},
          {"sink":{"format":"http","url":"\#(url)","token":"\#(token)","batch_size":5,"concurrency":1,
                   "timeout_s":\#(timeout),"max_retries":3,"results":"results.ndjson","journal":"journal.ndjson"}},
          {"sink":{"format":"ndjson","path":"valid.ndjson"}}]}
        """#
        try Data(json.utf8).write(to: folder.appendingPathComponent("p.json"))
    }

    /// A folder with `p.json` pulling debtors from `baseURL` into `out.ndjson`.
    static func pullWorkspace(baseURL: String, read: String = "") throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-hostile-pull")
        let json = #"""
        {"version":1,"name":"pull","stages":[
          {"read":{"format":"magicline","base_url":"\#(baseURL)","run_id":7,"api_key":"\#(token)","timeout_s":2,
                   "max_retries":1\#(read)}},
          {"sink":{"format":"ndjson","path":"out.ndjson"}}]}
        """#
        try Data(json.utf8).write(to: folder.appendingPathComponent("p.json"))
        return folder
    }

    static func config(_ folder: URL) -> String { folder.appendingPathComponent("p.json").path }

    static func lines(_ folder: URL, _ name: String) throws -> [[String: Any]] {
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try TestSupport.readNDJSON(url)
    }

    /// GetBill's success answer creating every debt of the request.
    static func created(_ request: HTTPStubServer.Request, echo: String = "") -> HTTPStubServer.Answer {
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        let debts = object?["debts"] as? [[String: Any]] ?? []
        let items = debts.enumerated().map { index, debt -> String in
            let tempID = debt["temp_id"] as? String ?? ""
            return #"{"index":\#(index),"temp_id":"\#(tempID)","debt_id":"D-\#(tempID)\#(echo)","status":"created"}"#
        }
        return .json(200, #"{"error":false,"message":"ok","data":{"created":[\#(items.joined(separator: ","))],"failed":[],"skipped":[]}}"#)
    }

    /// Every file of the folder but the config, as text.
    static func writtenFiles(_ folder: URL) throws -> [(String, String)] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "p.json" }.map { name in
            (name, (try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)) ?? "")
        }
    }

    // MARK: - 5, 9, 11: ambiguous answers are never resent; on_ambiguous stop publishes no data

    enum Hostile: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case garbage, resetAfterBody, status500, silent, trickle, oversizeDeclared, oversizeUntilClose, cutShort
        var testDescription: String { rawValue }

        var answer: HTTPStubServer.Answer {
            switch self {
            case .garbage: return .raw(Array("SSH-2.0-OpenSSH_9.6\r\nnot http at all\r\n\r\n".utf8))
            case .resetAfterBody: return .reset
            case .status500: return .json(500, #"{"error":true,"message":"internal"}"#)
            case .silent: return .hang(seconds: 8)
            case .trickle: return .trickle(status: 200, body: Array(String(repeating: " ", count: 60).utf8), interval: 0.5)
            case .oversizeDeclared: return .flood(bytes: (64 << 20) + 1, declareLength: true)
            case .oversizeUntilClose: return .flood(bytes: (64 << 20) + 4096, declareLength: false)
            case .cutShort: return .raw(Array("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{\"error\":false".utf8))
            }
        }
    }

    @Test("an answer that may follow a received batch is ambiguous: exit 4, the batch unknown, never resent, no data published",
          arguments: Hostile.allCases)
    func ambiguousAnswers(hostile: Hostile) async throws {
        let server = try HTTPStubServer { _, _ in hostile.answer }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: server.baseURL + "/external-api/v1/debts/batch")
        let started = Date()
        let result = try await Self.run(["run", Self.config(folder)], timeout: 60)
        #expect(result.status == 4, "\(hostile): \(result.stderrText)")
        #expect(Date().timeIntervalSince(started) < 20, "timeout_s 2 bounds the exchange")
        #expect(server.requestCount == 1, "\(hostile): the batch was resent \(server.requestCount - 1) time(s)")
        #expect(result.stderrText.contains("unknown"), "\(result.stderrText)")
        if hostile == .oversizeDeclared || hostile == .oversizeUntilClose {
            #expect(result.stderrText.contains("larger than 64 MiB"), "\(result.stderrText)")
        }
        let results = try Self.lines(folder, "results.ndjson")
        #expect(results.count == 5 && results.allSatisfy { $0["status"] as? String == "unknown" }, "\(results)")
        let events = try Self.lines(folder, "journal.ndjson").compactMap { $0["event"] as? String }
        #expect(events == ["target", "started", "unknown"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("valid.ndjson").path),
                "on exit 4 no data output is published")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.contains(".tmp") })
    }

    @Test("a refused connection is 'not sent': retried up to max_retries, then exit 4 with the batch not_sent, not unknown")
    func refusedIsNotSent() async throws {
        let server = try HTTPStubServer { _, _ in .json(200, "{}") }
        let port = server.port
        server.stop()
        let folder = try await Self.pushWorkspace(url: "http://127.0.0.1:\(port)/batch")
        let result = try await Self.run(["run", Self.config(folder)])
        #expect(result.status == 4, "\(result.stderrText)")
        #expect(result.stderrText.contains("connection refused"), "\(result.stderrText)")
        let events = try Self.lines(folder, "journal.ndjson").compactMap { $0["event"] as? String }
        #expect(events == ["target", "started", "not_sent"])
        #expect(try Self.lines(folder, "results.ndjson").isEmpty)
    }

    @Test("https: a server that accepts the connection but never completes the TLS handshake is 'not sent': retried, then exit 4 with the batch not_sent, not unknown")
    func tlsHandshakeStallIsNotSent() async throws {
        // The stub reads an HTTP request; a TLS ClientHello never becomes one, so it says nothing.
        let server = try HTTPStubServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: "https://127.0.0.1:\(server.port)/batch", timeout: 1)
        let result = try await Self.run(["run", Self.config(folder)], timeout: 60)
        #expect(result.status == 4, "\(result.stderrText)")
        #expect(result.stderrText.contains("could not connect and set up TLS within timeout_s"), "\(result.stderrText)")
        let events = try Self.lines(folder, "journal.ndjson").compactMap { $0["event"] as? String }
        #expect(events == ["target", "started", "not_sent"], "\(result.stderrText)")
        #expect(try Self.lines(folder, "results.ndjson").isEmpty)
        #expect(server.requestCount == 0)
    }

    @Test("https: a server that completes nothing but accepts, then a SIGTERM while connecting: exit 130 with the batch not_sent")
    func tlsStallThenSigterm() async throws {
        let server = try HTTPStubServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: "https://127.0.0.1:\(server.port)/batch", timeout: 30)
        let (process, errURL) = try Self.start(folder)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Self.sleep(1.5)
        kill(process.processIdentifier, SIGTERM)
        try await Self.waitUntil(10) { !process.isRunning }
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 130, "\(stderr)")
        let events = try Self.lines(folder, "journal.ndjson").compactMap { $0["event"] as? String }
        #expect(events == ["target", "started", "not_sent"], "\(stderr)")
    }

    @Test("a 2xx answer padded to 30 MB is read for its results only: every debt created, and memory stays near the answer's size (it took 14 times it)")
    func paddedAnswerIsReadInPart() async throws {
        let padding = "[" + String(repeating: "0,", count: 15_000_000) + "0]"
        let server = try HTTPStubServer { request, _ in
            guard case .respond(let status, let headers, let body) = Self.created(request) else { return Self.created(request) }
            // The same answer with a member of 30 MB in front of `data`.
            let text = String(decoding: body, as: UTF8.self).replacingOccurrences(of: #""data":"#, with: #""junk":\#(padding),"data":"#)
            return .respond(status: status, headers: headers, body: Array(text.utf8))
        }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: server.baseURL + "/batch", rows: 10, timeout: 30)
        let summaryPath = folder.appendingPathComponent("summary.json").path
        let result = try await Self.run(["run", Self.config(folder), "--summary", summaryPath], timeout: 120)
        #expect([0, 1].contains(result.status), "\(result.stderrText)")
        let results = try Self.lines(folder, "results.ndjson")
        #expect(!results.isEmpty && results.allSatisfy { $0["status"] as? String == "created" }, "\(results)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: summaryPath))) as? [String: Any])
        let peak = try #require(summary["peak_rss_mb"] as? Int)
        #expect(peak > 0 && peak < 250, "peak memory \(peak) MB for answers of 30 MB")
    }

    // MARK: - 7: redirects are never followed

    @Test("push: a 3xx is a sink error naming the Location's host, and the other host receives nothing", arguments: [301, 302, 307, 308])
    func pushRedirect(status: Int) async throws {
        let elsewhere = try HTTPStubServer { _, _ in .json(200, "{}") }
        defer { elsewhere.stop() }
        let server = try HTTPStubServer { _, _ in
            .respond(status: status, headers: ["Location": "http://127.0.0.1:\(elsewhere.port)/steal"], body: [])
        }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: server.baseURL + "/batch")
        let result = try await Self.run(["run", Self.config(folder)])
        #expect(result.status == 4, "\(result.stderrText)")
        #expect(result.stderrText.contains("127.0.0.1:\(elsewhere.port)"), "\(result.stderrText)")
        #expect(result.stderrText.contains("redirect"))
        try await Self.sleep(0.2)
        #expect(elsewhere.requestCount == 0, "the redirect was followed")
        #expect(server.requestCount == 1)
    }

    @Test("pull: a 3xx is an input error naming the Location's host, and the key never reaches it")
    func pullRedirect() async throws {
        let elsewhere = try HTTPStubServer { _, _ in .json(200, #"{"result":[],"hasNext":false}"#) }
        defer { elsewhere.stop() }
        let server = try HTTPStubServer { _, _ in
            .respond(status: 302, headers: ["Location": "http://localhost:\(elsewhere.port)/v1/x"], body: [])
        }
        defer { server.stop() }
        let folder = try Self.pullWorkspace(baseURL: server.baseURL + "/v1")
        let result = try await Self.run(["run", Self.config(folder)])
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("localhost:\(elsewhere.port)"), "\(result.stderrText)")
        try await Self.sleep(0.2)
        #expect(elsewhere.requestCount == 0, "the redirect was followed")
        #expect(server.requestCount == 1, "a redirect is not retried")
    }

    // MARK: - 8: secrets never land in files or messages

    @Test("a 200 whose per-debt errors quote the token, the URL password and the Authorization header: nothing written holds them")
    func tokenEcho() async throws {
        let password = "pw-\(UUID().uuidString.prefix(6))"
        let server = try HTTPStubServer { request, _ in
            let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
            let debts = object?["debts"] as? [[String: Any]] ?? []
            let auth = request.header("Authorization") ?? ""
            let items = debts.enumerated().map { index, debt -> String in
                let tempID = debt["temp_id"] as? String ?? ""
                return #"{"index":\#(index),"temp_id":"\#(tempID)","errors":{"token":["bad token \#(Self.token) in \#(auth)"],"url":["\#(password) leaked"]},"reason":"\#(Self.token)"}"#
            }
            return .json(200, #"{"error":false,"data":{"created":[],"failed":[\#(items.joined(separator: ","))],"skipped":[]}}"#)
        }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: "http://debtflow:\(password)@127.0.0.1:\(server.port)/batch")
        let result = try await Self.run(["run", Self.config(folder), "--summary", folder.appendingPathComponent("summary.json").path,
                                   "--log-format", "json"])
        #expect(result.status == 1, "server-rejected debts are failed records: \(result.stderrText)")
        #expect(server.requestCount >= 1)
        for text in [result.stdoutText, result.stderrText] {
            #expect(!text.contains(Self.token) && !text.contains(password))
        }
        for (name, text) in try Self.writtenFiles(folder) where name != "in.csv" {
            #expect(!text.contains(Self.token), "\(name) holds the token")
            #expect(!text.contains(password), "\(name) holds the URL password")
        }
        let results = try Self.lines(folder, "results.ndjson")
        #expect(!results.isEmpty && results.allSatisfy { $0["status"] as? String == "failed" })
        #expect(try String(contentsOf: folder.appendingPathComponent("results.ndjson"), encoding: .utf8).contains("***"))
    }

    @Test("a URL password never prints, also when the server cannot be reached")
    func urlPasswordInMessages() async throws {
        let server = try HTTPStubServer { _, _ in .json(200, "{}") }
        let port = server.port
        server.stop()
        let folder = try await Self.pushWorkspace(url: "http://user:hunter2-pass@127.0.0.1:\(port)/batch")
        let result = try await Self.run(["run", Self.config(folder)])
        #expect(result.status == 4)
        #expect(!result.stderrText.contains("hunter2-pass"), "\(result.stderrText)")
        let check = try await Self.run(["check", Self.config(folder)])
        #expect(!check.stderrText.contains("hunter2-pass") && !check.stdoutText.contains("hunter2-pass"))
    }

    @Test("a URL that cannot be used is a config error (exit 2) naming the file and the JSON path, password masked", arguments: [
        ("http://127.0.0.1:99999/batch", "stages[4].sink.url"),
        ("http://u:p4ss-word@127.0.0.1:0/batch", "stages[4].sink.url"),
        ("ftp://127.0.0.1/batch", "stages[4].sink.url"),
        ("http://127.0.0.1:80:80/batch", "stages[4].sink.url"),
        ("http://exa mple.com/batch", "stages[4].sink.url"),
        ("http://getbill.io/batch", "stages[4].sink.url"),
    ])
    func unusableURL(url: String, path: String) async throws {
        let folder = try await Self.pushWorkspace(url: url)
        let result = try await Self.run(["run", Self.config(folder)])
        #expect(result.status == 2, "\(url): \(result.stderrText)")
        #expect(result.stderrText.contains("p.json"), "\(result.stderrText)")
        #expect(result.stderrText.contains(path), "\(result.stderrText)")
        #expect(!result.stderrText.contains("p4ss-word"))
        #expect(try Self.writtenFiles(folder).map(\.0).sorted() == ["in.csv"], "nothing is written on exit 2")
    }

    @Test("a pull base_url with an unusable port is a config error naming the file and the JSON path")
    func unusablePullURL() async throws {
        let folder = try Self.pullWorkspace(baseURL: "http://127.0.0.1:70000/v1")
        let result = try await Self.run(["run", Self.config(folder)])
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("p.json") && result.stderrText.contains("stages[0].read.base_url"), "\(result.stderrText)")
    }

    // MARK: - 9: waiting costs no CPU; one SIGTERM stops within seconds

    /// The CPU seconds (user + system) the process `pid` has used.
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Starts `debtflow run` on `folder`'s config, stderr to a file.
    static func start(_ folder: URL, extra: [String] = []) throws -> (Process, URL) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", config(folder)] + extra
        let errURL = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errURL)
    }

    static func waitUntil(_ seconds: Double, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
    }

    static func sleep(_ seconds: Double) async throws {
        try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
    }

    @Test("waiting for a silent server costs no CPU, and one SIGTERM stops the push within seconds (exit 130, batch unknown)")
    func silentPushThenSigterm() async throws {
        let server = try HTTPStubServer { _, _ in .hang(seconds: 20) }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: server.baseURL + "/batch", timeout: 15)
        let (process, errURL) = try Self.start(folder)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Self.waitUntil(20) { server.requestCount == 1 }
        #expect(server.requestCount == 1)
        try await Self.sleep(0.3)
        let before = Self.cpuSeconds(process.processIdentifier) ?? 0
        try await Self.sleep(2)
        let after = Self.cpuSeconds(process.processIdentifier) ?? 0
        // A process that only waits uses next to no CPU; a busy loop would use about 2 s here.
        #expect(after - before < 0.4, "waiting used \(after - before) s of CPU in 2 s")

        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        try await Self.waitUntil(10) { !process.isRunning }
        #expect(!process.isRunning)
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(signalled) < 5, "one SIGTERM stops the run within seconds")
        #expect(process.terminationStatus == 130, "\((try? String(contentsOf: errURL, encoding: .utf8)) ?? "")")
        let results = try Self.lines(folder, "results.ndjson")
        #expect(results.count == 5 && results.allSatisfy { $0["status"] as? String == "unknown" }, "\(results)")
        let events = try Self.lines(folder, "journal.ndjson").compactMap { $0["event"] as? String }
        #expect(events == ["target", "started", "unknown"])
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("valid.ndjson").path))
        #expect(server.requestCount == 1)
    }

    @Test("a 429 wait that no integer holds (Retry-After 1e19 or inf, retry_after 1e30) is an hour at most, said on stderr; never a crash",
          arguments: [
              HTTPStubServer.Answer.json(429, "{}", headers: ["Retry-After": "1e19"]),
              HTTPStubServer.Answer.json(429, "{}", headers: ["Retry-After": "inf"]),
              HTTPStubServer.Answer.json(429, #"{"error":true,"details":{"retry_after":1e30}}"#),
          ])
    func hugeServerWait(answer: HTTPStubServer.Answer) async throws {
        let server = try HTTPStubServer { _, _ in answer }
        defer { server.stop() }
        let folder = try await Self.pushWorkspace(url: server.baseURL + "/batch")
        let (process, errURL) = try Self.start(folder)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func stderr() -> String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
        try await Self.waitUntil(20) { stderr().contains("waiting") || !process.isRunning }
        #expect(process.isRunning, "the run ended: \(stderr())")
        #expect(stderr().contains("waiting 3600 s before sending again") && stderr().contains("an hour is the longest wait"), "\(stderr())")
        kill(process.processIdentifier, SIGTERM)
        try await Self.waitUntil(10) { !process.isRunning }
        process.waitUntilExit()
        #expect(process.terminationStatus == 130, "\(stderr())")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).allSatisfy { !$0.contains(".tmp") })
        let events = try Self.lines(folder, "journal.ndjson").compactMap { $0["event"] as? String }
        #expect(events.last == "not_sent", "a batch answered 429 was never created: \(events)")
    }

    @Test("one SIGTERM stops a pull waiting for a page within seconds (exit 130), without a busy wait")
    func silentPullThenSigterm() async throws {
        let server = try HTTPStubServer { _, _ in .hang(seconds: 20) }
        defer { server.stop() }
        let folder = try Self.pullWorkspace(baseURL: server.baseURL + "/v1")
        let text = try String(contentsOf: folder.appendingPathComponent("p.json"), encoding: .utf8)
            .replacingOccurrences(of: #""timeout_s":2"#, with: #""timeout_s":15"#)
        try Data(text.utf8).write(to: folder.appendingPathComponent("p.json"))
        let (process, _) = try Self.start(folder)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Self.waitUntil(20) { server.requestCount == 1 }
        try await Self.sleep(0.3)
        let before = Self.cpuSeconds(process.processIdentifier) ?? 0
        try await Self.sleep(1.5)
        let after = Self.cpuSeconds(process.processIdentifier) ?? 0
        #expect(after - before < 0.3, "waiting used \(after - before) s of CPU in 1.5 s")
        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        try await Self.waitUntil(10) { !process.isRunning }
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(signalled) < 5)
        #expect(process.terminationStatus == 130)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path))
    }

    // MARK: - 10: endless pagination

    @Test("empty pages that keep saying hasNext stop after 10 with an input error naming the last offsets")
    func endlessEmptyPages() async throws {
        let server = try HTTPStubServer { request, _ in
            let offset = Int(request.query("offset") ?? "0") ?? 0
            return .json(200, #"{"result":[],"hasNext":true,"offset":"\#(offset + 1)"}"#)
        }
        defer { server.stop() }
        let folder = try Self.pullWorkspace(baseURL: server.baseURL + "/v1")
        let result = try await Self.run(["run", Self.config(folder)], timeout: 30)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("empty pages"), "\(result.stderrText)")
        #expect(result.stderrText.contains("9") && result.stderrText.contains("10"), "names the last offsets: \(result.stderrText)")
        #expect(server.requestCount == 10)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path))
    }

    @Test("an offset that comes back is an input error")
    func repeatedOffset() async throws {
        let server = try HTTPStubServer { request, _ in
            let offset = request.query("offset") ?? "0"
            let next = offset == "0" ? "a" : offset == "a" ? "b" : "a"
            return .json(200, #"{"result":[{"firstName":"A"}],"hasNext":true,"offset":"\#(next)"}"#)
        }
        defer { server.stop() }
        let folder = try Self.pullWorkspace(baseURL: server.baseURL + "/v1")
        let result = try await Self.run(["run", Self.config(folder)], timeout: 30)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("offset a"), "\(result.stderrText)")
    }

    @Test("a page body over 64 MiB is an input error, not read whole")
    func oversizePage() async throws {
        let server = try HTTPStubServer { _, _ in .flood(bytes: (64 << 20) + 10, declareLength: false) }
        defer { server.stop() }
        let folder = try Self.pullWorkspace(baseURL: server.baseURL + "/v1")
        let result = try await Self.run(["run", Self.config(folder)], timeout: 60)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("64 MiB"), "\(result.stderrText)")
        #expect(server.requestCount == 1)
    }
}
