import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// End-to-end runs over many inputs (CONTRACT.md §2 "Many inputs", §1 `--shard`), with the release
/// binary when `DEBTFLOW_RELEASE_BIN` is set (as `Scripts/test.sh` does), else the debug one.
@Suite("Many inputs")
struct ManyInputsTests {
    private static var binary: URL {
        ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"].map { URL(fileURLWithPath: $0) } ?? TestSupport.debtflowBinary
    }

    private func debtflow(_ arguments: [String], environment: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        try TestSupport.run(Self.binary, arguments, environment: environment)
    }

    /// A debt CSV of `rows` valid debts whose ids start with `prefix`.
    private func debts(_ prefix: String, rows: Int) -> Data {
        var text = "id;firstname;lastname;amount;currency;phone\n"
        for i in 1...max(rows, 1) where rows > 0 { text += "\(prefix)-\(i);Jean;Dupont;\(i),50;EUR;06 12 34 56 78\n" }
        return Data(text.utf8)
    }

    private func gzip(_ data: Data) throws -> Data {
        let folder = try TestSupport.makeTemporaryDirectory()
        let file = folder.appendingPathComponent("x")
        try data.write(to: file)
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", "-1", file.path])
        #expect(result.status == 0)
        return result.stdout
    }

    private func gunzip(_ url: URL) throws -> String {
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-dc", url.path])
        #expect(result.status == 0, "gzip -dc \(url.lastPathComponent): \(result.stderrText)")
        return result.stdoutText
    }

    private func write(_ data: Data, _ name: String, in folder: URL) throws {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    /// A debt pipeline reading `path` (a JSON value) into `out/valid.ndjson` (+ `out/valid.ndjson.gz`).
    private func debtPipeline(in folder: URL, path: String, readExtra: String = "", sinkPath: String = "out/valid.ndjson") throws -> URL {
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        let config = """
        {"version":1,"name":"many","stages":[
          {"read":{"format":"csv","path":\(path)\(readExtra)}},
          {"map":{}},{"normalize":{"region":"FR"}},{"classify":{}},{"validate":{}},
          {"sink":{"format":"ndjson","path":"\(sinkPath)","accept":["valid","failed","skipped"]}},
          {"sink":{"format":"ndjson","path":"out/valid.ndjson.gz","gzip":true}}
        ]}
        """
        let url = folder.appendingPathComponent("p.json")
        try Data(config.utf8).write(to: url)
        return url
    }

    private func summary(_ url: URL) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] ?? [:]
    }

    /// Mixed inputs: plain CSV, gzip CSV, a truncated gzip (big enough that records flow before
    /// the corruption is found), and more after it.
    private func mixedInputs() throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(debts("a", rows: 3), "in/a.csv", in: folder)
        let bad = try gzip(debts("b", rows: 20_000))
        try write(bad.prefix(bad.count * 3 / 4), "in/b.csv.gz", in: folder)
        try write(try gzip(debts("c", rows: 4)), "in/c.csv.gz", in: folder)
        try write(debts("d", rows: 2), "in/d.csv", in: folder)
        return folder
    }

    @Test("on_input_error continue: the corrupt input's records are cut out of shared outputs (plain and gzip), the others are published, exit 3")
    func continueAfterCorruptMember() throws {
        let folder = try mixedInputs()
        let config = try debtPipeline(in: folder, path: #""in/*.csv*""#, readExtra: #","on_input_error":"continue""#)
        let summaryURL = folder.appendingPathComponent("s.json")
        let result = try debtflow(["run", config.path, "--summary", summaryURL.path])
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("in/b.csv.gz"))
        let lines = try TestSupport.readNDJSON(folder.appendingPathComponent("out/valid.ndjson"))
        #expect(lines.map { $0["source"] as? String } == ["in/a.csv", "in/a.csv", "in/a.csv", "in/c.csv.gz", "in/c.csv.gz",
                                                           "in/c.csv.gz", "in/c.csv.gz", "in/d.csv", "in/d.csv"])
        #expect(lines.first.map { Array($0.keys).contains("record") } == true)
        let gzipped = try gunzip(folder.appendingPathComponent("out/valid.ndjson.gz")).split(separator: "\n")
        #expect(gzipped.count == 9)
        #expect(!gzipped.contains { $0.contains("\"b-") })
        let report = try summary(summaryURL)
        let inputs = report["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.map { $0["path"] as? String } == ["in/a.csv", "in/b.csv.gz", "in/c.csv.gz", "in/d.csv"])
        #expect(inputs.map { $0["records"] as? Int }[0] == 3)
        #expect(inputs[1]["error"] as? String != nil)
        #expect((inputs[1]["error"] as? String ?? "").contains("in/b.csv.gz"))
        #expect(inputs[0]["error"] == nil && inputs[2]["error"] == nil)
        #expect(inputs[2]["records"] as? Int == 4 && inputs[2]["valid"] as? Int == 4)
    }

    @Test("on_input_error continue with every input bad: exit 3 and last night's shared outputs stay as they were, not emptied")
    func continueWithEveryInputBad() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let bad = try gzip(debts("b", rows: 20_000))
        try write(bad.prefix(bad.count / 2), "in/b.csv.gz", in: folder)
        try write(Data([0x1F, 0x8B, 0x08, 0x00]), "in/c.csv.gz", in: folder)
        let config = try debtPipeline(in: folder, path: #"["in/b.csv.gz","in/c.csv.gz"]"#, readExtra: #","on_input_error":"continue""#)
        try write(Data("last night\n".utf8), "out/valid.ndjson", in: folder)
        let result = try debtflow(["run", config.path])
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("every input failed (2 of 2): nothing is published"), "\(result.stderrText)")
        #expect(try String(contentsOf: folder.appendingPathComponent("out/valid.ndjson"), encoding: .utf8) == "last night\n")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/valid.ndjson.gz").path))
    }

    @Test("a line break in an input's file name is shown escaped on stderr: it cannot forge a log line of its own")
    func fileNameCannotForgeLogLines() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(debts("a", rows: 2), "in/a.csv", in: folder)
        try write(Data([0x1F, 0x8B, 0x08, 0x00]), "in/b\nerror: all inputs read, exit 0.csv", in: folder)
        let config = try debtPipeline(in: folder, path: #""in/*.csv""#, readExtra: #","on_input_error":"continue""#)
        let result = try debtflow(["run", config.path])
        #expect(result.status == 3, "\(result.stderrText)")
        let lines = result.stderrText.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!lines.contains { $0.hasPrefix("error: all inputs read") }, "\(result.stderrText)")
        #expect(result.stderrText.contains(#"in/b\u{a}error: all inputs read, exit 0.csv"#), "\(result.stderrText)")
    }

    @Test("on_input_error stop (default): exit 3 at the corrupt input, names it, publishes no shared output")
    func stopAtCorruptMember() throws {
        let folder = try mixedInputs()
        let config = try debtPipeline(in: folder, path: #""in/*.csv*""#)
        let summaryURL = folder.appendingPathComponent("s.json")
        let result = try debtflow(["run", config.path, "--summary", summaryURL.path])
        #expect(result.status == 3)
        #expect(result.stderrText.contains("in/b.csv.gz"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/valid.ndjson").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/valid.ndjson.gz").path))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        let inputs = try summary(summaryURL)["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.map { $0["path"] as? String } == ["in/a.csv", "in/b.csv.gz"])
        #expect(inputs.last?["error"] as? String != nil)
    }

    @Test("{input} gives one output per input, named after it; a failed input's own output is not published")
    func perInputOutputs() throws {
        for mode in ["stop", "continue"] {
            let folder = try mixedInputs()
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
            let config = """
            {"version":1,"name":"conv","stages":[{"read":{"format":"csv","path":"in/*","on_input_error":"\(mode)"}},
             {"sink":{"format":"ndjson","path":"out/{input}.ndjson"}}]}
            """
            try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
            let result = try debtflow(["run", folder.appendingPathComponent("p.json").path])
            #expect(result.status == 3, "\(mode): \(result.stderrText)")
            let outputs = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).sorted()
            // a is read before the corrupt b: published under both modes; c and d only under continue.
            #expect(outputs == (mode == "stop" ? ["a.ndjson"] : ["a.ndjson", "c.ndjson", "d.ndjson"]), "\(mode)")
            let a = try TestSupport.readNDJSON(folder.appendingPathComponent("out/a.ndjson"))
            #expect(a.map { $0["id"] as? String } == ["a-1", "a-2", "a-3"])
            #expect(a.first?["source"] == nil, "a conversion record keeps the source's own keys")
            #expect(try TestSupport.permissions(of: folder.appendingPathComponent("out/a.ndjson")) == 0o600)
            if mode == "continue" {
                let c = try TestSupport.readNDJSON(folder.appendingPathComponent("out/c.ndjson"))
                #expect(c.count == 4)
            }
        }
    }

    @Test("--shard I/N over 0..N-1 reads every input exactly once; a shard with no input exits 0")
    func shardsCoverEveryInput() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let names = (1...12).map { String(format: "export-%02d.csv", $0) }
        for (index, name) in names.enumerated() { try write(debts("r\(index)", rows: 1), "in/\(name)", in: folder) }
        let config = try debtPipeline(in: folder, path: #""in/export-*.csv""#, sinkPath: "out/${SHARD}.ndjson")
        var seen: [String] = []
        for shard in 0..<3 {
            let result = try debtflow(["run", config.path, "--shard", "\(shard)/3"], environment: ["SHARD": "s\(shard)"])
            #expect(result.status == 0, "\(result.stderrText)")
            seen += try TestSupport.readNDJSON(folder.appendingPathComponent("out/s\(shard).ndjson")).compactMap { $0["source"] as? String }
        }
        #expect(seen.sorted() == names.map { "in/" + $0 })
        // 40 shards for 12 files: some shard is empty, and exits 0 with empty outputs.
        var emptyShardFound = false
        for shard in 0..<40 where !emptyShardFound {
            let result = try debtflow(["run", config.path, "--shard", "\(shard)/40"], environment: ["SHARD": "e"])
            #expect(result.status == 0)
            if result.stderrText.contains("falls in this shard") {
                emptyShardFound = true
                #expect(try Data(contentsOf: folder.appendingPathComponent("out/e.ndjson")).isEmpty)
            }
        }
        #expect(emptyShardFound)
    }

    @Test("--shard values that are not I/N with 0 ≤ I < N exit 2", arguments: ["3/3", "a/2", "-1/2", "1", "1/0", "2/1x"])
    func badShard(_ value: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(debts("a", rows: 1), "in/a.csv", in: folder)
        let config = try debtPipeline(in: folder, path: #""in/*.csv""#)
        let result = try debtflow(["run", config.path, "--shard", value])
        #expect(result.status == 2, "\(value): \(result.stderrText)")
        #expect(result.stderrText.contains("--shard"))
    }

    @Test("a pattern that matches nothing is exit 3 naming it; with if_missing ok a warning, exit 0, empty outputs")
    func ifMissing() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(debts("a", rows: 1), "in/a.csv", in: folder)
        let strict = try debtPipeline(in: folder, path: #"["in/*.csv", "tonight/*.csv"]"#)
        let failedSummary = folder.appendingPathComponent("failed.json")
        let failed = try debtflow(["run", strict.path, "--summary", failedSummary.path])
        #expect(failed.status == 3)
        #expect(failed.stderrText.contains("tonight/*.csv"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/valid.ndjson").path))
        // The night failed before reading: its summary still says so.
        #expect(try summary(failedSummary)["stopped_by"] as? String == "input")
        #expect(try summary(failedSummary)["records"] as? Int == 0)
        // It names the pattern that stopped it, as an input that fails while read is named.
        let listed = try #require(try summary(failedSummary)["inputs"] as? [[String: Any]])
        #expect(listed.count == 1 && listed.first?["path"] as? String == "tonight/*.csv", "\(listed)")
        #expect((listed.first?["error"] as? String)?.contains("no file matches") == true, "\(listed)")

        let lenient = try debtPipeline(in: folder, path: #""tonight/*.csv""#, readExtra: #","if_missing":"ok""#)
        let summaryURL = folder.appendingPathComponent("s.json")
        let quiet = try debtflow(["run", lenient.path, "--summary", summaryURL.path])
        #expect(quiet.status == 0, "\(quiet.stderrText)")
        #expect(quiet.stderrText.contains("warning: tonight/*.csv"))
        #expect(try Data(contentsOf: folder.appendingPathComponent("out/valid.ndjson")).isEmpty)
        #expect((try summary(summaryURL)["inputs"] as? [Any])?.isEmpty == true)
    }

    @Test("inputs are read in byte-wise sorted order, each file once, whatever patterns overlap")
    func sortedAndDeduplicated() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let names = ["a.csv", "B.csv", "_x.csv", "Z10.csv", "Z9.csv", "é.csv"]
        for name in names { try write(debts(name, rows: 1), "in/\(name)", in: folder) }
        try write(debts("hidden", rows: 1), "in/.hidden.csv", in: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("in/sub.csv"), withIntermediateDirectories: true)
        let config = try debtPipeline(in: folder, path: #"["in/*.csv", "in/a.csv", "./in/a.csv", "in/[aB].csv", "in/Z?.csv"]"#)
        let result = try debtflow(["run", config.path])
        #expect(result.status == 0, "\(result.stderrText)")
        let sources = try TestSupport.readNDJSON(folder.appendingPathComponent("out/valid.ndjson")).compactMap { $0["source"] as? String }
        #expect(sources == ["in/B.csv", "in/Z10.csv", "in/Z9.csv", "in/_x.csv", "in/a.csv", "in/é.csv"])
    }

    @Test("check lists the matched inputs")
    func checkListsInputs() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        for name in ["b.csv", "a.csv"] { try write(debts(name, rows: 1), "in/\(name)", in: folder) }
        let config = try debtPipeline(in: folder, path: #""in/*.csv""#)
        let result = try debtflow(["check", config.path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText.contains("2 input files matched"))
        let a = result.stderrText.range(of: "input in/a.csv: reachable")
        let b = result.stderrText.range(of: "input in/b.csv: reachable")
        #expect(a != nil && b != nil && a!.lowerBound < b!.lowerBound)
    }

    @Test("a single path writes as before: no \"source\" in envelopes, no \"inputs\" in the summary")
    func singlePathUnchanged() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(debts("a", rows: 2), "in/a.csv", in: folder)
        let config = try debtPipeline(in: folder, path: #""in/a.csv""#)
        let summaryURL = folder.appendingPathComponent("s.json")
        let result = try debtflow(["run", config.path, "--summary", summaryURL.path])
        #expect(result.status == 0, "\(result.stderrText)")
        let text = try String(contentsOf: folder.appendingPathComponent("out/valid.ndjson"), encoding: .utf8)
        #expect(text.hasPrefix(#"{"status":"valid","record":1,"line":2,"temp_id":"a-1""#))
        #expect(try summary(summaryURL)["inputs"] == nil)
    }

    @Test("a folder of legacy XML exports converts to one gzip NDJSON per export")
    func xmlFolderToPerInputGzip() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        for day in ["2026-11-27", "2026-11-28"] {
            let xml = "<export><debtor><id>\(day)-1</id></debtor><debtor><id>\(day)-2</id></debtor></export>"
            try write(try gzip(Data(xml.utf8)), "exports/\(day).xml.gz", in: folder)
        }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        let config = """
        {"version":1,"name":"xml","stages":[{"read":{"format":"xml","record":"debtor","path":"exports/*.xml.gz"}},
         {"sink":{"format":"ndjson","path":"out/{input}.ndjson.gz","gzip":true}}]}
        """
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let summaryURL = folder.appendingPathComponent("s.json")
        let result = try debtflow(["run", folder.appendingPathComponent("p.json").path, "--summary", summaryURL.path])
        #expect(result.status == 0, "\(result.stderrText)")
        for day in ["2026-11-27", "2026-11-28"] {
            let text = try gunzip(folder.appendingPathComponent("out/\(day).ndjson.gz"))
            #expect(text == "{\"id\":\"\(day)-1\"}\n{\"id\":\"\(day)-2\"}\n")
        }
        let inputs = try summary(summaryURL)["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.map { $0["records"] as? Int } == [2, 2])
    }

    @Test("{input} outputs that would collide, or overwrite an input, are exit 2 before anything is read")
    func perInputCollisions() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(debts("a", rows: 1), "in/x.csv", in: folder)
        try write(try gzip(debts("b", rows: 1)), "in/x.csv.gz", in: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        for (path, sinkPath, message) in [("in/*", "out/{input}.ndjson", "would both write"), ("in/*.csv", "in/{input}.csv", "is an input")] {
            let config = """
            {"version":1,"name":"c","stages":[{"read":{"format":"csv","path":"\(path)"}},{"sink":{"format":"ndjson","path":"\(sinkPath)"}}]}
            """
            try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
            let result = try debtflow(["run", folder.appendingPathComponent("p.json").path])
            #expect(result.status == 2, "\(result.stderrText)")
            #expect(result.stderrText.contains(message), "\(result.stderrText)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).isEmpty)
    }

    @Test("--dry-run publishes no {input} output; --limit counts across inputs and publishes what it read")
    func dryRunAndLimit() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        for name in ["a", "b", "c"] { try write(debts(name, rows: 3), "in/\(name).csv", in: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        let config = """
        {"version":1,"name":"c","stages":[{"read":{"format":"csv","path":"in/*.csv"}},{"sink":{"format":"ndjson","path":"out/{input}.ndjson"}}]}
        """
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let dry = try debtflow(["run", folder.appendingPathComponent("p.json").path, "--dry-run"])
        #expect(dry.status == 0, "\(dry.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).isEmpty)
        let limited = try debtflow(["run", folder.appendingPathComponent("p.json").path, "--limit", "4"])
        #expect(limited.status == 0, "\(limited.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).sorted() == ["a.ndjson", "b.ndjson"])
        #expect(try TestSupport.readNDJSON(folder.appendingPathComponent("out/b.ndjson")).count == 1)
    }

    @Test("--shard with stdin is a usage error (exit 2)")
    func shardNeedsFiles() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let config = #"{"version":1,"name":"c","stages":[{"read":{"format":"csv","path":"-"}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let result = try debtflow(["run", folder.appendingPathComponent("p.json").path, "--shard", "0/2"])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("--shard"))
    }

    @Test("http sink under continue: debts pushed before an input failed stay pushed, and results and journal record them; exit 3")
    func httpSinkContinue() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(debts("a", rows: 3), "in/a.csv", in: folder)
        let full = try gzip(debts("b", rows: 20_000))
        try write(full.prefix(full.count * 3 / 4), "in/b.csv.gz", in: folder)
        try write(debts("c", rows: 4), "in/c.csv", in: folder)
        let sandbox = try SandboxProcess(folder: folder)
        defer { sandbox.stop() }
        let config = """
        {"version":1,"name":"push","stages":[{"read":{"format":"csv","path":"in/*","on_input_error":"continue"}},
          {"map":{}},{"normalize":{}},{"classify":{}},{"validate":{}},
          {"sink":{"format":"http","url":"\(sandbox.batchURL)","token":"t","batch_size":500,"results":"results.ndjson","journal":"journal.ndjson"}}]}
        """
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let summaryURL = folder.appendingPathComponent("s.json")
        let run = try debtflow(["run", folder.appendingPathComponent("p.json").path, "--summary", summaryURL.path])
        #expect(run.status == 3, "\(run.stderrText)")
        let ledger = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(ledger.filter { $0.hasPrefix("a-") }.count == 3 && ledger.filter { $0.hasPrefix("c-") }.count == 4)
        let pushedFromBad = ledger.filter { $0.hasPrefix("b-") }.count
        #expect(pushedFromBad > 0, "the bad input's first debts were read and pushed before its corruption was found")
        #expect(Set(ledger).count == ledger.count)
        let results = try TestSupport.readNDJSON(folder.appendingPathComponent("results.ndjson"))
        #expect(Set(results.filter { $0["status"] as? String == "created" }.compactMap { $0["temp_id"] as? String }) == Set(ledger))
        let inputs = try summary(summaryURL)["inputs"] as? [[String: Any]] ?? []
        #expect(inputs.map { $0["error"] != nil } == [false, true, false])
    }

    @Test("two inputs with the same file name in different folders: records without an id are known by their paths, so temp_ids stay unique (they were x.csv#1 twice)")
    func sameFileNameIDsByPath() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try write(Data("firstname;lastname;amount;currency;phone\nJean;Dupont;1,50;EUR;0612345678\n".utf8), "in/a/x.csv", in: folder)
        try write(Data("firstname;lastname;amount;currency;phone\nMarie;Durand;2,50;EUR;0612345679\n;;;;\n".utf8), "in/b/x.csv", in: folder)
        try write(Data("firstname;lastname;amount;currency;phone\nPaul;Martin;3,50;EUR;0612345670\n".utf8), "in/c/y.csv", in: folder)
        let config = try debtPipeline(in: folder, path: #""in/*/*.csv""#)
        let result = try debtflow(["run", config.path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText.contains("inputs in/a/x.csv and in/b/x.csv have the same file name: records without an id of their own are known by their paths"))
        let outcomes = try TestSupport.readNDJSON(folder.appendingPathComponent("out/valid.ndjson"))
        // Only inputs that share a name change; another keeps its file name. The empty row
        // (skipped, known by its position) too.
        #expect(outcomes.compactMap { $0["temp_id"] as? String } == ["in/a/x.csv#1", "in/b/x.csv#1", "in/b/x.csv#2", "y.csv#1"])
        #expect(outcomes.compactMap { $0["status"] as? String } == ["valid", "valid", "skipped", "valid"])
        let valid = outcomes.compactMap { $0["temp_id"] as? String }
        // A shard that reads one of the two names its debts alike (the names are compared over
        // every matched file).
        let shard = try debtflow(["run", config.path, "--shard", "1/2"])
        #expect(shard.status <= 1, "\(shard.stderrText)")
        let shardIDs = try TestSupport.readNDJSON(folder.appendingPathComponent("out/valid.ndjson")).compactMap { $0["temp_id"] as? String }
        #expect(!shardIDs.isEmpty && Set(shardIDs).isSubset(of: Set(valid)), "\(shardIDs)")
    }

    @Test("a push of two inputs with the same file name sends every debt; --resume after a same-named input came or went is refused (exit 2), not a resend")
    func sameFileNamePushAndResume() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let header = "firstname;lastname;amount;currency;phone\n"
        try write(Data((header + "Jean;Dupont;1,50;EUR;0612345678\nLuc;Petit;4,50;EUR;0612345671\n").utf8), "in/b/x.csv", in: folder)
        let sandbox = try SandboxProcess(folder: folder)
        defer { sandbox.stop() }
        let config = """
        {"version":1,"name":"push","stages":[{"read":{"format":"csv","path":"in/*/x.csv"}},
          {"map":{}},{"normalize":{}},{"classify":{}},{"validate":{}},
          {"sink":{"format":"http","url":"\(sandbox.batchURL)","token":"t","batch_size":500,"results":"results.ndjson","journal":"journal.ndjson"}}]}
        """
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let path = folder.appendingPathComponent("p.json").path
        // Tonight b alone: its debts are x.csv#1 and x.csv#2.
        let first = try debtflow(["run", path])
        #expect(first.status == 0, "\(first.stderrText)")
        #expect(try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }.sorted() == ["x.csv#1", "x.csv#2"])
        // Then a second x.csv: a resume would know b's debts as in/b/x.csv#1, #2 and send them again.
        try write(Data((header + "Marie;Durand;2,50;EUR;0612345679\n").utf8), "in/a/x.csv", in: folder)
        let resumed = try debtflow(["run", path, "--resume"])
        #expect(resumed.status == 2, "\(resumed.stderrText)")
        #expect(resumed.stderrText.contains("--resume: the journal"))
        #expect(resumed.stderrText.contains("holds the temp_id \"x.csv#1\""), "\(resumed.stderrText)")
        #expect(try sandbox.ledgerDebts().count == 2)
        // A run of its own sends all three inputs' debts under their paths, each once.
        let fresh = try debtflow(["run", path])
        #expect(fresh.status == 0, "\(fresh.stderrText)")
        let ledger = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(ledger.sorted() == ["in/a/x.csv#1", "in/b/x.csv#1", "in/b/x.csv#2", "x.csv#1", "x.csv#2"])
        // And the other way: with a gone, a resume of that journal would know b's as x.csv#… again.
        try FileManager.default.removeItem(at: folder.appendingPathComponent("in/a/x.csv"))
        let back = try debtflow(["run", path, "--resume"])
        #expect(back.status == 2, "\(back.stderrText)")
        #expect(back.stderrText.contains("holds the temp_id \"in/b/x.csv#1\""), "\(back.stderrText)")
        // With the inputs of the run it resumes, a resume sends nothing more.
        try write(Data((header + "Marie;Durand;2,50;EUR;0612345679\n").utf8), "in/a/x.csv", in: folder)
        let same = try debtflow(["run", path, "--resume"])
        #expect(same.status == 0, "\(same.stderrText)")
        #expect(try sandbox.ledgerDebts().count == 5)
    }

    @Test("a resume over the same inputs is not refused when one same-named input is in the config's own folder (its ids are x.csv#… either way)")
    func sameFileNameResumeInConfigFolder() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let header = "firstname;lastname;amount;currency;phone\n"
        try write(Data((header + "Jean;Dupont;1,50;EUR;0612345678\n").utf8), "x.csv", in: folder)
        try write(Data((header + "Marie;Durand;2,50;EUR;0612345679\n").utf8), "in/a/x.csv", in: folder)
        let sandbox = try SandboxProcess(folder: folder)
        defer { sandbox.stop() }
        let config = """
        {"version":1,"name":"push","stages":[{"read":{"format":"csv","path":["x.csv","in/a/x.csv"]}},
          {"map":{}},{"normalize":{}},{"classify":{}},{"validate":{}},
          {"sink":{"format":"http","url":"\(sandbox.batchURL)","token":"t","results":"results.ndjson","journal":"journal.ndjson"}}]}
        """
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let path = folder.appendingPathComponent("p.json").path
        let first = try debtflow(["run", path])
        #expect(first.status == 0, "\(first.stderrText)")
        #expect(try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }.sorted() == ["in/a/x.csv#1", "x.csv#1"])
        let resumed = try debtflow(["run", path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderrText)")
        #expect(try sandbox.ledgerDebts().count == 2)
    }

    @Test("check --deep reads every matched input through and names the corrupt one (exit 3)")
    func deepCheckEveryInput() throws {
        let folder = try mixedInputs()
        let config = try debtPipeline(in: folder, path: #""in/*.csv*""#)
        let result = try debtflow(["check", config.path, "--deep"])
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("error: in/b.csv.gz byte"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("in/b.csv.gz"))
        let clean = try debtflow(["check", config.path, "--deep"])
        #expect(clean.status == 0, "\(clean.stderrText)")
        #expect(clean.stderrText.contains("input in/a.csv: read through, 3 records"))
        #expect(clean.stderrText.contains("input in/d.csv: read through, 2 records"))
    }
}
