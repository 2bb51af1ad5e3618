import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// The push against `debtflow sandbox` with faults injected (issue "HTTP" done-means): every valid
/// debt is created exactly once, whatever fails on the way, and nothing is ever created twice.
@Suite("Push to the sandbox", .serialized)
struct PushEndToEndTests {
    /// A folder with `in.csv` holding `rows` generated debtor rows.
    private func workspace(rows: Int, seed: Int = 5) throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-push")
        let result = try TestSupport.runDebtflow(["generate", "--rows", String(rows), "--format", "csv", "--seed", String(seed),
                                                  "--out", folder.appendingPathComponent("in.csv").path])
        #expect(result.status == 0, "\(result.stderrText)")
        return folder
    }

    private func writeConfig(_ folder: URL, url: String, token: String = "t0k3n-secret", batchSize: Int = 100,
                             sink: String = "") throws -> URL {
        let config = folder.appendingPathComponent("push.json")
        let json = #"""
        {"version":1,"name":"push","stages":[
          {"read":{"format":"csv","path":"in.csv"}},
          {"map":{}},
          {"normalize":{"currency":"EUR"}},
          {"classify":{}},
          {"validate":{}},
          {"sink":{"format":"http","url":"\#(url)","token":"\#(token)","batch_size":\#(batchSize),"timeout_s":5,"max_retries":20,
                   "results":"results.ndjson","journal":"journal.ndjson"\#(sink)}},
          {"sink":{"format":"ndjson","path":"rejects.ndjson","accept":["failed","skipped"]}}]}
        """#
        try Data(json.utf8).write(to: config)
        return config
    }

    private func summary(_ folder: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any] ?? [:]
    }

    /// Checks the contract's promise: the ledger holds each valid debt exactly once, and the results
    /// file says `created` for exactly those.
    private func expectExactlyOnce(_ sandbox: SandboxProcess, folder: URL, valid: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ledgerIDs = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(ledgerIDs.count == valid, "ledger holds \(ledgerIDs.count) debts for \(valid) valid", sourceLocation: sourceLocation)
        #expect(Set(ledgerIDs).count == ledgerIDs.count, "a debt was created twice", sourceLocation: sourceLocation)
        let results = try TestSupport.readNDJSON(folder.appendingPathComponent("results.ndjson"))
        let created = Set(results.filter { $0["status"] as? String == "created" }.compactMap { $0["temp_id"] as? String })
        #expect(created == Set(ledgerIDs), "results and ledger disagree", sourceLocation: sourceLocation)
    }

    @Test("5,000 debts through 503s and 429s: each valid debt is created exactly once, results match")
    func failAndThrottle() throws {
        let folder = try workspace(rows: 7200)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k3n-secret", "--fail-rate", "0.2", "--throttle-rate", "0.1", "--seed", "3"])
        defer { sandbox.stop() }
        let config = try writeConfig(folder, url: sandbox.batchURL)
        let run = try TestSupport.runDebtflow(["run", config.path, "--summary", folder.appendingPathComponent("summary.json").path], timeout: 300)
        #expect(run.status == 1, "some generated rows fail validation: exit 1; \(run.stderrText)")
        let summary = try summary(folder)
        let valid = try #require(summary["valid"] as? Int)
        #expect(valid >= 5000)
        let pushed = try #require(summary["pushed"] as? [String: Any])
        #expect(pushed["created"] as? Int == valid)
        #expect((pushed["retries"] as? Int ?? 0) > 0, "faults were injected, so some batches were retried")
        try expectExactlyOnce(sandbox, folder: folder, valid: valid)
    }

    @Test("dropped connections with on_ambiguous retry: resent under the same key, created exactly once")
    func dropRetry() throws {
        let folder = try workspace(rows: 2000)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--drop-rate", "0.05", "--seed", "11"])
        defer { sandbox.stop() }
        let config = try writeConfig(folder, url: sandbox.batchURL, sink: #","on_ambiguous":"retry""#)
        let run = try TestSupport.runDebtflow(["run", config.path, "--summary", folder.appendingPathComponent("summary.json").path], timeout: 300)
        #expect(run.status == 1, "\(run.stderrText)")
        let valid = try #require(try summary(folder)["valid"] as? Int)
        try expectExactlyOnce(sandbox, folder: folder, valid: valid)
    }

    @Test("dropped connections with on_ambiguous stop: exit 4, the unknown batch named, nothing duplicated")
    func dropStop() throws {
        let folder = try workspace(rows: 3000)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--drop-rate", "0.3", "--seed", "2"])
        defer { sandbox.stop() }
        let config = try writeConfig(folder, url: sandbox.batchURL)
        let run = try TestSupport.runDebtflow(["run", config.path, "--summary", folder.appendingPathComponent("summary.json").path], timeout: 300)
        #expect(run.status == 4, "\(run.stderrText)")
        #expect(run.stderrText.contains("unknown"), "\(run.stderrText)")
        let ledgerIDs = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(Set(ledgerIDs).count == ledgerIDs.count)
        let results = try TestSupport.readNDJSON(folder.appendingPathComponent("results.ndjson"))
        #expect(results.contains { $0["status"] as? String == "unknown" })
        // Nothing published half-written: the rejects file of a run that ended with exit 4 is not there.
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("rejects.ndjson").path))
        // --resume never resends the unknown batch without --retry-unknown.
        let before = ledgerIDs.count
        _ = try TestSupport.runDebtflow(["run", config.path, "--resume"], timeout: 300)
        let after = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(Set(after).count == after.count, "a resume created a debt twice")
        #expect(after.count >= before)
    }

    @Test("the summary's seconds cover the whole run: the last batch's answer and the publish (it said 0.00 s while the server took 1.5 s)")
    func secondsCoverTheLastAnswer() throws {
        let folder = try workspace(rows: 20)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--latency-ms", "1500"])
        defer { sandbox.stop() }
        let config = try writeConfig(folder, url: sandbox.batchURL)
        let result = try TestSupport.runDebtflow(["run", config.path, "--summary", folder.appendingPathComponent("summary.json").path])
        #expect(result.status <= 1, "\(result.stderrText)")
        let seconds = try #require(try summary(folder)["seconds"] as? Double)
        // A lower bound the server's delay sets, not a speed: the one batch waited 1.5 s for its answer.
        #expect(seconds >= 1.5, "seconds \(seconds)")
        #expect(result.stderrText.contains("records (20 read) in 1.") || result.stderrText.contains("records (20 read) in 2."),
                "\(result.stderrText)")
    }

    @Test("killed with SIGKILL at random points, then --resume: each debt created exactly once", arguments: [0.3, 0.7, 1.2])
    func killAndResume(killAfter: Double) throws {
        let folder = try workspace(rows: 2500, seed: 9)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--latency-ms", "60"])
        defer { sandbox.stop() }
        let config = try writeConfig(folder, url: sandbox.batchURL, sink: #","on_ambiguous":"retry","concurrency":2"#)
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["run", config.path]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: killAfter)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        var status: Int32 = -1
        for _ in 0..<3 where status != 0 && status != 1 {
            status = try TestSupport.runDebtflow(["run", config.path, "--resume", "--summary", folder.appendingPathComponent("summary.json").path], timeout: 300).status
        }
        #expect(status == 1, "the resumed run finishes (some rows fail validation)")
        // The valid count comes from a dry run over the same input (nothing sent).
        let dry = folder.appendingPathComponent("dry")
        try FileManager.default.createDirectory(at: dry, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: folder.appendingPathComponent("in.csv"), to: dry.appendingPathComponent("in.csv"))
        let dryConfig = try writeConfig(dry, url: sandbox.batchURL)
        _ = try TestSupport.runDebtflow(["run", dryConfig.path, "--dry-run", "--summary", dry.appendingPathComponent("summary.json").path])
        let valid = try #require(try summary(dry)["valid"] as? Int)
        let ledgerIDs = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(ledgerIDs.count == valid)
        #expect(Set(ledgerIDs).count == ledgerIDs.count, "a debt was created twice")
    }

    @Test("a signal while the push waits to send (a retry's backoff, the rate limit's slow-down): exit 130, nothing published, the wait said",
          arguments: [(["--fail-rate", "1.0", "--seed", "1"], 8, 100), (["--rate-limit", "3"], 60, 5)])
    func signalWhileWaitingToSend(faults: [String], rows: Int, batchSize: Int) throws {
        // Eight rows in batches of 100: the one batch is sent when the input is read through,
        // as the sink finishes. Sixty rows in batches of 5, one at a time: under --rate-limit 3,
        // the third batch waits for the window.
        let folder = try workspace(rows: rows)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k3n-secret"] + faults)
        defer { sandbox.stop() }
        let config = try writeConfig(folder, url: sandbox.batchURL, batchSize: batchSize, sink: #","concurrency":1"#)
        let summaryPath = folder.appendingPathComponent("summary.json").path
        let stderrPath = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stderrPath.path, contents: nil)
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["run", config.path, "--summary", summaryPath]
        process.standardError = try FileHandle(forWritingTo: stderrPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Until the sink says it waits: a retry or the rate limit's slow-down.
        let deadline = Date().addingTimeInterval(30)
        var said = ""
        while Date() < deadline {
            said = (try? String(contentsOf: stderrPath, encoding: .utf8)) ?? ""
            if said.contains("retry 2 of") || said.contains("waiting") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(process.processIdentifier, SIGINT)
        #expect(process.waitForExit(within: 20), "the run stops at once")
        said = (try? String(contentsOf: stderrPath, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 130, "\(said)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("rejects.ndjson").path),
                "a run cut short publishes no data output")
        #expect(try summary(folder)["stopped_by"] as? String == "interrupted")
        if faults.contains("--rate-limit") {
            #expect(said.contains("waiting") && said.contains("X-RateLimit-Remaining"), "\(said)")
        }
        let ledgerIDs = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(Set(ledgerIDs).count == ledgerIDs.count, "a debt was created twice")
        let created = try TestSupport.readNDJSON(folder.appendingPathComponent("results.ndjson"))
            .filter { $0["status"] as? String == "created" }.compactMap { $0["temp_id"] as? String }
        #expect(Set(created) == Set(ledgerIDs), "the results name every debt the server created")
    }

    @Test("a file sink listed before the http sink is not published either when a signal stops the push")
    func fileBeforePushNotPublished() throws {
        let folder = try workspace(rows: 8)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k3n-secret", "--fail-rate", "1.0", "--seed", "1"])
        defer { sandbox.stop() }
        let config = folder.appendingPathComponent("push.json")
        try Data(#"""
        {"version":1,"name":"push","stages":[
          {"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{"currency":"EUR"}},{"classify":{}},{"validate":{}},
          {"sink":{"format":"ndjson","path":"all.ndjson","accept":["valid","failed","skipped"]}},
          {"sink":{"format":"http","url":"\#(sandbox.batchURL)","token":"t0k3n-secret","batch_size":100,"timeout_s":5,"max_retries":20,
                   "results":"results.ndjson","journal":"journal.ndjson"}}]}
        """#.utf8).write(to: config)
        let stderrPath = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: stderrPath.path, contents: nil)
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["run", config.path]
        process.standardError = try FileHandle(forWritingTo: stderrPath)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? String(contentsOf: stderrPath, encoding: .utf8)) ?? "").contains("retry 2 of") {
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(process.processIdentifier, SIGINT)
        #expect(process.waitForExit(within: 20))
        #expect(process.terminationStatus == 130)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("all.ndjson").path),
                "the file sink, listed first, is not published by a run cut short")
    }

    @Test("a wrong token: exit 4 within seconds, and the token appears in no output, log or error")
    func wrongToken() throws {
        let folder = try workspace(rows: 300)
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "the-right-one"])
        defer { sandbox.stop() }
        let secret = "wr0ng-t0ken-\(UUID().uuidString)"
        let config = try writeConfig(folder, url: sandbox.batchURL, token: secret)
        let start = Date()
        let run = try TestSupport.runDebtflow(["run", config.path, "--summary", folder.appendingPathComponent("summary.json").path,
                                               "--log-format", "json"], timeout: 60)
        #expect(run.status == 4, "\(run.stderrText)")
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(!run.stderrText.contains(secret) && !run.stdoutText.contains(secret))
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file != "push.json" {
            let text = (try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) ?? ""
            #expect(!text.contains(secret), "\(file) holds the token")
        }
        #expect(try sandbox.ledgerDebts().isEmpty)
    }

    @Test("pulling a run from the sandbox gives the same outcomes as reading the same debtors from a file")
    func pullEqualsFile() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-pull")
        let debtors = TestSupport.packageRoot.appendingPathComponent("samples/sportalliance-debtors.json")
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--debtors", debtors.path, "--token", "k3y"])
        defer { sandbox.stop() }
        func config(_ read: String, out: String) -> String {
            #"{"version":1,"stages":[{"read":\#(read)},{"map":{"preset":"magicline-debtor"}},{"normalize":{}},{"classify":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"\#(out)","accept":["valid","failed","skipped"]}}]}"#
        }
        try Data(config(#"{"format":"magicline","base_url":"\#(sandbox.baseURL)","run_id":7,"api_key":"k3y","slice_size":4}"#, out: "pulled.ndjson").utf8)
            .write(to: folder.appendingPathComponent("pull.json"))
        try Data(config(#"{"format":"json","path":"\#(debtors.path)","records":"result"}"#, out: "file.ndjson").utf8)
            .write(to: folder.appendingPathComponent("file.json"))
        let pulled = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("pull.json").path])
        let file = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("file.json").path])
        #expect(pulled.status == file.status, "\(pulled.stderrText)")
        func outcomes(_ name: String) throws -> [String] {
            try TestSupport.readNDJSON(folder.appendingPathComponent(name)).map { object in
                var object = object
                object["line"] = nil // the API's pages have no lines
                (object["data"] as? [String: Any]).map { _ in object["data"] = nil }
                return "\(object["status"] ?? "")|\(object["temp_id"] ?? "")|\(object["record"] ?? "")|\(object["case"] ?? "")|\((object["debt"] as? [String: Any])?["phone"] ?? "")|\(object["reason"] ?? "")"
            }
        }
        let fromAPI = try outcomes("pulled.ndjson"), fromFile = try outcomes("file.ndjson")
        #expect(!fromAPI.isEmpty)
        #expect(fromAPI == fromFile)
    }
}
