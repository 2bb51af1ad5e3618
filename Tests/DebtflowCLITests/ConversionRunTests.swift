import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// End-to-end runs of conversion pipelines (read → sink) through the built binary.
@Suite("Conversion runs")
struct ConversionRunTests {
    /// A folder with a config converting `input` (relative to the folder) to `out.ndjson`.
    private func workspace(input: String, read: String = #""format":"csv""#) throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory()
        let config = #"{"version":1,"name":"conv","stages":[{"read":{\#(read),"path":"\#(input)"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        return folder
    }

    private func gzip(_ data: Data) throws -> Data {
        let folder = try TestSupport.makeTemporaryDirectory()
        let file = folder.appendingPathComponent("x")
        try data.write(to: file)
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", file.path])
        #expect(result.status == 0)
        return result.stdout
    }

    private func csv(rows: Range<Int>, header: Bool = true) -> Data {
        var text = header ? "id;name;amount\n" : ""
        for i in rows { text += "\(i);Nom \(i);\(i),50\n" }
        return Data(text.utf8)
    }

    @Test("a gzip CSV converts to NDJSON with every row, published 0600, exit 0")
    func gzipCSV() throws {
        let folder = try workspace(input: "in.csv.gz")
        try gzip(csv(rows: 1..<5001)).write(to: folder.appendingPathComponent("in.csv.gz"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--summary", folder.appendingPathComponent("s.json").path])
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson"))
        #expect(lines.count == 5000)
        #expect(lines.last?["id"] as? String == "5000")
        #expect(try TestSupport.permissions(of: folder.appendingPathComponent("out.ndjson")) == 0o600)
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("s.json"))) as? [String: Any]
        #expect(summary?["records"] as? Int == 5000)
        #expect(summary?["valid"] as? Int == 5000)
        #expect(summary?["failed"] as? Int == 0)
    }

    @Test("gzip is detected from the magic bytes, not the name; concatenated members are read through")
    func multiMember() throws {
        let folder = try workspace(input: "export.dat")
        var data = try gzip(csv(rows: 1..<101))
        data.append(try gzip(csv(rows: 101..<201, header: false)))
        try data.write(to: folder.appendingPathComponent("export.dat"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson"))
        #expect(lines.map { $0["id"] as? String } == (1..<201).map { String($0) })
    }

    @Test("a truncated gzip input exits 3, names the file, and publishes nothing")
    func truncatedGzip() throws {
        let folder = try workspace(input: "in.csv.gz")
        let whole = try gzip(csv(rows: 1..<20001))
        try whole.prefix(whole.count - 100).write(to: folder.appendingPathComponent("in.csv.gz"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("in.csv.gz"))
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(files == ["in.csv.gz", "p.json"], "no output and no temporary file is left")
    }

    @Test("a missing input exits 3 naming it")
    func missingInput() throws {
        let folder = try workspace(input: "absent.csv")
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 3)
        #expect(result.stderrText.contains("absent.csv"))
    }

    @Test("stdin `-` is read as the input, and malformed rows are named on stderr and counted, exit 1")
    func stdinAndMalformed() throws {
        let folder = try workspace(input: "-")
        let input = Data("a,b\n1,2\n3\n4,5\n".utf8)
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path], stdin: input)
        #expect(result.status == 1)
        #expect(result.stderrText.contains("line 3"), "\(result.stderrText)")
        let lines = try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson"))
        #expect(lines.count == 2)
    }

    @Test("--limit stops after N records")
    func limit() throws {
        let folder = try workspace(input: "in.csv")
        try csv(rows: 1..<1001).write(to: folder.appendingPathComponent("in.csv"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--limit", "10"])
        #expect(result.status == 0)
        #expect(try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson")).count == 10)
    }

    @Test("--limit N parses a CSV or JSON input no further than its N-th record: damage just past it does not stop the trial",
          arguments: [("in.csv", #""format":"csv""#, "a;b\n1;2\n3;4\n5;\"6\n"),
                      ("in.json", #""format":"json""#, "{\"a\":1}\n{\"a\":2}\n{bad\n"),
                      ("in.json", #""format":"json""#, "[{\"a\":1},{\"a\":2},{\"a\":]")])
    func limitStopsParsing(input: String, read: String, text: String) throws {
        let folder = try workspace(input: input, read: read)
        try Data(text.utf8).write(to: folder.appendingPathComponent(input))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--limit", "2"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson")).count == 2)
        // Without the limit, the damage is found.
        #expect(try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path]).status == 3)
    }

    @Test("--log-format json writes the summary as a JSON line on stderr")
    func jsonLog() throws {
        let folder = try workspace(input: "in.csv")
        try csv(rows: 1..<4).write(to: folder.appendingPathComponent("in.csv"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--log-format", "json"])
        #expect(result.status == 0)
        let line = try #require(result.stderrText.split(separator: "\n").last)
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect((object?["summary"] as? [String: Any])?["records"] as? Int == 3)
    }

    @Test("a JSON array and an XML export convert with their records' structure", arguments: [
        (#"[{"a":1,"b":{"c":"x"}},{"a":2.50,"b":null}]"#, #""format":"json""#, 2),
        (#"<?xml version="1.0"?><export><client id="7"><nom>Dupont</nom><tel>1</tel><tel>2</tel></client><client id="8"><nom>Roy</nom></client></export>"#, #""format":"xml","record":"client""#, 2),
    ])
    func structured(input: String, read: String, count: Int) throws {
        let folder = try workspace(input: "in.dat", read: read)
        try Data(input.utf8).write(to: folder.appendingPathComponent("in.dat"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson")).count == count)
    }

    @Test("malformed JSON exits 3 naming the line, and publishes nothing")
    func malformedJSON() throws {
        let folder = try workspace(input: "in.json", read: #""format":"json""#)
        try Data("[{\"a\":1},\n{\"a\":2,}]".utf8).write(to: folder.appendingPathComponent("in.json"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 3)
        #expect(result.stderrText.contains("in.json:2"), "\(result.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path))
    }
}
