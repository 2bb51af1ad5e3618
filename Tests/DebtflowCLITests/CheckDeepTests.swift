import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// `debtflow check --deep` (issue 11 item 4): reads every input through, so a truncated or
/// corrupt file is exit 3 before a push run, with the very message the run would print. Runs the
/// release binary when `DEBTFLOW_RELEASE_BIN` is set (Scripts/test.sh), else the debug one.
@Suite("check --deep")
struct CheckDeepTests {
    private let binary: URL = ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"].map { URL(fileURLWithPath: $0) }
        ?? TestSupport.debtflowBinary

    /// A folder with `p.json` reading `input` (written as `in.dat`) with `read`, into `out.ndjson`.
    private func workspace(_ input: Data, read: String = #""format":"csv""#) throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-deep")
        try input.write(to: folder.appendingPathComponent("in.dat"))
        let config = #"{"version":1,"name":"deep","stages":[{"read":{\#(read),"path":"in.dat"}},{"map":{}},{"normalize":{"currency":"EUR"}},{"validate":{}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        return folder
    }

    private func debtflow(_ arguments: [String], in folder: URL) throws -> TestSupport.ProcessResult {
        try TestSupport.run(binary, arguments.map { $0 == "P" ? folder.appendingPathComponent("p.json").path : $0 },
                            timeout: 60)
    }

    private func gzipped(rows: Int) throws -> Data {
        var csv = "firstname,lastname,amount,email\n"
        for i in 1...rows { csv += "Jean,Dupont \(i),\(i),jean\(i)@example.fr\n" }
        let folder = try TestSupport.makeTemporaryDirectory()
        try Data(csv.utf8).write(to: folder.appendingPathComponent("x.csv"))
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", folder.appendingPathComponent("x.csv").path])
        #expect(result.status == 0)
        return result.stdout
    }

    /// The `error: …` line of stderr.
    private func errorLine(_ stderr: String) -> String? {
        stderr.split(separator: "\n").first { $0.hasPrefix("error:") }.map(String.init)
    }

    @Test("a truncated gzip passes plain check (which says it did not read it through) and fails --deep with the run's message")
    func truncatedGzip() throws {
        let whole = try gzipped(rows: 40_000)
        let folder = try workspace(whole.prefix(whole.count / 2))

        let plain = try debtflow(["check", "P"], in: folder)
        #expect(plain.status == 0, "\(plain.stderrText)")
        #expect(plain.stderrText.contains("inputs were opened, not read through: `debtflow check --deep`"), "\(plain.stderrText)")

        let deep = try debtflow(["check", "P", "--deep"], in: folder)
        #expect(deep.status == 3, "\(deep.stderrText)")
        let run = try debtflow(["run", "P"], in: folder)
        #expect(run.status == 3, "\(run.stderrText)")
        let deepError = try #require(errorLine(deep.stderrText), "\(deep.stderrText)")
        #expect(deepError.contains("truncated"), "\(deepError)")
        #expect(deepError == errorLine(run.stderrText))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["in.dat", "p.json"], "check writes nothing")
    }

    @Test("under on_input_error continue, --deep reads every input through and names each bad one, as a run would")
    func continueNamesEveryBadInput() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-deep-many")
        let whole = try gzipped(rows: 40_000)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("in"), withIntermediateDirectories: true)
        try whole.write(to: folder.appendingPathComponent("in/a.csv.gz"))
        try whole.prefix(whole.count / 2).write(to: folder.appendingPathComponent("in/b.csv.gz"))
        try whole.prefix(whole.count / 3).write(to: folder.appendingPathComponent("in/c.csv.gz"))
        let config = #"{"version":1,"name":"deep","stages":[{"read":{"format":"csv","path":"in/*.csv.gz","on_input_error":"continue"}},{"map":{}},{"normalize":{"currency":"EUR"}},{"validate":{}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let deep = try debtflow(["check", "P", "--deep"], in: folder)
        #expect(deep.status == 3, "\(deep.stderrText)")
        #expect(deep.stderrText.contains("2 inputs could not be read through: in/b.csv.gz, in/c.csv.gz"), "\(deep.stderrText)")
        #expect(deep.stderrText.contains("input in/a.csv.gz: read through, 40000 records"), "the good input is reported: \(deep.stderrText)")
    }

    @Test("a whole gzip: --deep reports the records it read through, exit 0, nothing written")
    func wholeGzip() throws {
        let folder = try workspace(try gzipped(rows: 3_000))
        let deep = try debtflow(["check", "P", "--deep"], in: folder)
        #expect(deep.status == 0, "\(deep.stderrText)")
        #expect(deep.stderrText.contains("in.dat: read through, 3000 records"), "\(deep.stderrText)")
        #expect(!deep.stderrText.contains("not read through"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["in.dat", "p.json"])
    }

    @Test("corrupt XML and JSON past the first chunk: --deep is exit 3 with the run's message", arguments: [
        (#""format":"xml","record":"debtor""#, "<debtors>" + String(repeating: "<debtor><firstname>A</firstname></debtor>", count: 5_000) + "<debtor><firstname>B</debtor></debtors>"),
        (#""format":"json""#, "[" + String(repeating: #"{"firstname":"A"},"#, count: 5_000) + #"{"firstname":"B",}]"#),
    ])
    func corruptDocument(read: String, text: String) throws {
        let folder = try workspace(Data(text.utf8), read: read)
        let deep = try debtflow(["check", "P", "--deep"], in: folder)
        let run = try debtflow(["run", "P"], in: folder)
        #expect(deep.status == 3, "\(deep.stderrText)")
        #expect(run.status == 3, "\(run.stderrText)")
        #expect(errorLine(deep.stderrText) != nil)
        #expect(errorLine(deep.stderrText) == errorLine(run.stderrText), "\(deep.stderrText)\n\(run.stderrText)")
    }

    @Test("a CSV with malformed rows is read through (exit 0) and --deep says how many a run would fail")
    func malformedRows() throws {
        let folder = try workspace(Data("firstname,lastname\nA,B\nC\nD,E,F\n".utf8))
        let deep = try debtflow(["check", "P", "--deep"], in: folder)
        #expect(deep.status == 0, "\(deep.stderrText)")
        #expect(deep.stderrText.contains("read through, 3 records (2 malformed"), "\(deep.stderrText)")
    }

    @Test("--deep reads what is piped to stdin, and says so (its line said \"not opened\" while it read it)")
    func deepReadsStdin() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-deep")
        let config = #"{"version":1,"name":"deep","stages":[{"read":{"format":"csv","path":"-"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let path = folder.appendingPathComponent("p.json").path
        let deep = try TestSupport.runDebtflow(["check", path, "--deep"], stdin: Data("a;b\n1;2\n3;4\n".utf8))
        #expect(deep.status == 0, "\(deep.stderrText)")
        #expect(deep.stderrText.contains("input -: standard input, read through below (--deep reads what is piped to it; a run would get none of it)"))
        #expect(deep.stderrText.contains("input -: read through, 2 records"), "\(deep.stderrText)")
        #expect(!deep.stderrText.contains("not opened"), "\(deep.stderrText)")
        let plain = try TestSupport.runDebtflow(["check", path], stdin: Data("a;b\n1;2\n".utf8))
        #expect(plain.stderrText.contains("input -: standard input, not opened (reading from it would take its data from the run)"))
    }

    @Test("SIGINT, SIGTERM and SIGHUP stop a --deep check that is still reading: exit 130, a message, nothing written",
          arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalWhileReadingThrough(signal: Int32) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-deep")
        let config = #"{"version":1,"name":"deep","stages":[{"read":{"format":"csv","path":"-"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let process = Process()
        process.executableURL = binary
        process.arguments = ["check", folder.appendingPathComponent("p.json").path, "--deep"]
        let input = Pipe()
        let errors = try TestSupport.makeTemporaryDirectory().appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errors)
        process.standardInput = input
        process.standardError = errorHandle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // stdin stays open and silent: the read-through waits on it until the signal.
        input.fileHandleForWriting.write(Data("firstname,lastname\nJean,Dupont\n".utf8))
        usleep(1_000_000)
        kill(process.processIdentifier, signal)
        process.waitForExit(within: 10)
        try? input.fileHandleForWriting.close()
        try errorHandle.close()
        let stderr = try String(contentsOf: errors, encoding: .utf8)
        #expect(process.terminationReason == .exit && process.terminationStatus == 130,
                "\(process.terminationReason == .exit ? "exit" : "killed by signal") \(process.terminationStatus): \(stderr)")
        #expect(stderr.contains("interrupted"), "\(stderr)")
        #expect(!stderr.contains(": ok"), "\(stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["p.json"], "check writes nothing")
    }
}
