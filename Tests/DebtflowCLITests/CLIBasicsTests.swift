import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

@Suite("debtflow command line")
struct CLIBasicsTests {
    @Test("--help and --version print to stdout and exit 0", arguments: [["--help"], ["--version"], ["run", "--help"], ["check", "--help"], ["phone", "--help"], ["generate", "--help"], ["sandbox", "--help"],
                                                                         ["-h"], ["--help", "--help"], ["run", "-h"], ["check", "-h"], ["schema", "-h"], ["phone", "-h"], ["generate", "-h"], ["sandbox", "-h"]])
    func help(arguments: [String]) throws {
        let result = try TestSupport.runDebtflow(arguments)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(!result.stdoutText.isEmpty)
        #expect(result.stderrText.isEmpty)
    }

    @Test("generate stopped by a signal exits 130, publishes nothing and leaves no temporary file", arguments: [SIGINT, SIGTERM, SIGHUP])
    func generateStoppedBySignal(signal: Int32) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-generate")
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["generate", "--rows", "50000000", "--format", "csv", "--out", folder.appendingPathComponent("big.csv").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let started = Date().addingTimeInterval(20)
        while (try FileManager.default.contentsOfDirectory(atPath: folder.path)).isEmpty && Date() < started { usleep(20_000) }
        usleep(200_000)
        kill(process.processIdentifier, signal)
        let exited = process.waitForExit(within: 10)
        if !exited { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        #expect(exited && process.terminationReason == .exit && process.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [], "a temporary file or a half output was left")
    }

    @Test("usage errors exit 2 with `error:` and a hint on stderr", arguments: [
        [], ["frobnicate"], ["run"], ["run", "a.json", "b.json"], ["run", "p.json", "--limit", "zero"], ["run", "p.json", "--progress", "sometimes"],
        ["run", "p.json", "--colour"], ["phone", "--region", "XX", "0612345678"], ["phone", "--region", "France", "0612345678"],
        ["--version", "extra"], ["--help", "extra"], ["help", "bogus"],
    ])
    func usageErrors(arguments: [String]) throws {
        let result = try TestSupport.runDebtflow(arguments)
        #expect(result.status == 2)
        #expect(result.stderrText.hasPrefix("error: "), "\(result.stderrText)")
        #expect(result.stdoutText.isEmpty)
    }

    @Test("`debtflow help COMMAND` is `debtflow COMMAND --help`")
    func helpForACommand() throws {
        let viaHelp = try TestSupport.runDebtflow(["help", "run"])
        let viaOption = try TestSupport.runDebtflow(["run", "--help"])
        #expect(viaHelp.status == 0 && viaHelp.stdoutText == viaOption.stdoutText && viaHelp.stdoutText.hasPrefix("USAGE: debtflow run"))
    }

    @Test("help that cannot be written (stdout on a full disk) is exit 4, not 0", arguments: [["--help"], ["--version"], ["run", "--help"], ["schema", "--help"], ["sandbox", "--help"], ["generate", "-h"]])
    func helpOnAFullDisk(arguments: [String]) throws {
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
        process.standardError = FileHandle.nullDevice
        try process.run()
        let exited = process.waitForExit(within: 20)
        if !exited { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        #expect(exited && process.terminationStatus == 4)
    }

    @Test("a configuration error exits 2 naming the JSON path, and writes nothing")
    func configError() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let config = folder.appendingPathComponent("p.json")
        try Data(#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"out.ndjson","batch":3}}]}"#.utf8).write(to: config)
        let result = try TestSupport.runDebtflow(["run", config.path])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("stages[1].sink.batch"), "\(result.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["p.json"])
    }

    @Test("run and check name the config file and the JSON path of a magicline read without its api_key", arguments: ["run", "check"])
    func magiclineWithoutKey(command: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let config = folder.appendingPathComponent("ml.json")
        try Data(#"{"version":1,"stages":[{"read":{"format":"magicline","base_url":"http://127.0.0.1:9/v1","run_id":1}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#.utf8)
            .write(to: config)
        let result = try TestSupport.runDebtflow([command, config.path])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("ml.json: stages[0].read.api_key"), "\(result.stderrText)")
    }

    @Test("--log-format json: a config error, a usage error and the progress are JSON lines on stderr, with no escape code")
    func jsonLogEverywhere() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let bad = folder.appendingPathComponent("bad.json")
        try Data(#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"o","batch":3}}]}"#.utf8)
            .write(to: bad)
        let generated = try TestSupport.runDebtflow(["generate", "--rows", "40000", "--format", "csv", "--seed", "3",
                                                     "--out", folder.appendingPathComponent("in.csv").path])
        #expect(generated.status == 0)
        let good = folder.appendingPathComponent("good.json")
        try Data(#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"/dev/null"}}]}"#.utf8)
            .write(to: good)
        let runs = [
            (try TestSupport.runDebtflow(["run", bad.path, "--log-format", "json"]), 2),
            (try TestSupport.runDebtflow(["run", bad.path, "--log-format", "json", "--limit", "none"]), 2),
            (try TestSupport.runDebtflow(["run", good.path, "--log-format", "json", "--progress", "always"], timeout: 120), 0),
        ]
        for (result, status) in runs {
            #expect(result.status == Int32(status), "\(result.stderrText)")
            #expect(!result.stderrText.contains("\u{1B}"), "an escape code in a JSON log")
            let lines = result.stderrText.split(separator: "\n")
            #expect(!lines.isEmpty)
            for line in lines {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object?["level"] != nil, "\(line)")
            }
        }
        #expect(runs[0].0.stderrText.contains(#""level":"error""#) && runs[0].0.stderrText.contains("stages[1].sink.batch"))
        #expect(runs[2].0.stderrText.contains(#""message":"progress""#), "\(runs[2].0.stderrText)")
    }

    @Test("an unset environment variable exits 2 naming it")
    func unsetVariable() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let config = folder.appendingPathComponent("p.json")
        try Data(#"{"version":1,"stages":[{"read":{"format":"csv","path":"${DEBTFLOW_TEST_UNSET}"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#.utf8).write(to: config)
        let result = try TestSupport.runDebtflow(["check", config.path])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("DEBTFLOW_TEST_UNSET"))
    }

    @Test("a missing output folder is a configuration error")
    func missingOutputFolder() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let config = folder.appendingPathComponent("p.json")
        try Data(#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"nope/out.ndjson"}}]}"#.utf8).write(to: config)
        let result = try TestSupport.runDebtflow(["run", config.path])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("stages[1].sink.path"), "\(result.stderrText)")
    }
}
