import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// `debtflow run --metrics PATH` (issue 11 item 2): the Prometheus textfile is written on every
/// exit a monitoring system must see — 0, 1, 2 (once the config's name is known), 3 and 130 (a
/// first and a second signal) — and a real parser (`prometheus_client`) reads it back. Runs the
/// release binary when `DEBTFLOW_RELEASE_BIN` is set (Scripts/test.sh), else the debug one.
@Suite("Metrics file")
struct MetricsEndToEndTests {
    private let binary: URL = ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"].map { URL(fileURLWithPath: $0) }
        ?? TestSupport.debtflowBinary

    /// A folder holding `p.json` (the given stages, named `name`) and `in.csv` with `csv`.
    private func workspace(name: String = "nightly", stages: String, csv: String? = nil) throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-metrics")
        let nameJSON = String(decoding: try JSONSerialization.data(withJSONObject: [name], options: [.withoutEscapingSlashes]), as: UTF8.self)
            .dropFirst().dropLast()
        try Data(#"{"version":1,"name":\#(nameJSON),"stages":[\#(stages)]}"#.utf8).write(to: folder.appendingPathComponent("p.json"))
        if let csv { try Data(csv.utf8).write(to: folder.appendingPathComponent("in.csv")) }
        return folder
    }

    private let conversion = #"{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}"#
    private let debts = #"{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{"currency":"EUR"}},{"classify":{}},{"validate":{}},"#
        + #"{"sink":{"format":"ndjson","path":"valid.ndjson"}},{"sink":{"format":"ndjson","path":"rejects.ndjson","accept":["failed","skipped"]}}"#
    private let debtorsCSV = "firstname,lastname,amount,phone\nJean,Dupont,\"12,50\",0612345678\nMarie,Curie,30,+32470123456\nPaul,Martin,40,12\n*Champs obligatoires,,,\n"

    private func run(_ folder: URL, _ extra: [String] = []) throws -> TestSupport.ProcessResult {
        try TestSupport.run(binary, ["run", folder.appendingPathComponent("p.json").path, "--metrics",
                                     folder.appendingPathComponent("debtflow.prom").path, "--progress", "never"] + extra, timeout: 60)
    }

    /// The families every file has, whatever the exit.
    private func expectRunGauges(_ metrics: PrometheusMetricsFile, pipeline: String, exitCode: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let labels = ["pipeline": pipeline]
        #expect(metrics.value("debtflow_last_run_success", labels) == (exitCode <= 1 ? 1 : 0), sourceLocation: sourceLocation)
        #expect(metrics.value("debtflow_last_run_exit_code", labels) == Double(exitCode), sourceLocation: sourceLocation)
        let timestamp = metrics.value("debtflow_last_run_timestamp_seconds", labels) ?? 0
        #expect(abs(timestamp - Date().timeIntervalSince1970) < 120, "timestamp \(timestamp)", sourceLocation: sourceLocation)
        let duration = metrics.value("debtflow_last_run_duration_seconds", labels) ?? -1
        #expect(duration >= 0 && duration < 120, sourceLocation: sourceLocation)
        #expect((metrics.value("debtflow_peak_rss_bytes", labels) ?? 0) > 1_000_000, sourceLocation: sourceLocation)
        for (name, family) in metrics.families {
            #expect(family.type == "gauge", "\(name)", sourceLocation: sourceLocation)
            #expect(!family.help.isEmpty, "\(name) has HELP", sourceLocation: sourceLocation)
        }
        #expect(metrics.samples.allSatisfy { $0.labels["pipeline"] == pipeline }, sourceLocation: sourceLocation)
    }

    @Test("exit 0: every family with HELP and TYPE, the records by status, mode 0644, no temporary file left")
    func finishedRun() throws {
        let folder = try workspace(stages: conversion, csv: "a,b\n1,2\n3,4\n")
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderrText)")
        let file = folder.appendingPathComponent("debtflow.prom")
        let metrics = try PrometheusMetricsFile.parse(file)
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 0)
        #expect(metrics.value("debtflow_records", ["pipeline": "nightly", "status": "valid"]) == 2)
        #expect(metrics.value("debtflow_records", ["pipeline": "nightly", "status": "failed"]) == 0)
        #expect(metrics.value("debtflow_errors", ["pipeline": "nightly", "code": "invalid_phone"]) == 0, "every code is written, zero included")
        #expect(metrics.value("debtflow_skipped", ["pipeline": "nightly", "reason": "blocked"]) == 0)
        #expect(metrics.value("debtflow_credits", ["pipeline": "nightly"]) == 0)
        #expect(metrics.families["debtflow_pushed"] == nil, "no http sink, no push figures")
        let text = try String(contentsOf: file, encoding: .utf8)
        for name in ["debtflow_last_run_success", "debtflow_records", "debtflow_errors", "debtflow_skipped", "debtflow_credits", "debtflow_peak_rss_bytes"] {
            #expect(text.contains("# HELP \(name) ") && text.contains("# TYPE \(name) gauge\n"), "\(name)")
        }
        #expect(try TestSupport.permissions(of: file) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["debtflow.prom", "in.csv", "out.ndjson", "p.json"])
    }

    @Test("exit 1: failed and skipped records, errors by code, skip reasons and credits")
    func someRecordsFailed() throws {
        let folder = try workspace(stages: debts, csv: debtorsCSV)
        let result = try run(folder)
        #expect(result.status == 1, "\(result.stderrText)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 1)
        let labels = ["pipeline": "nightly"]
        #expect(metrics.value("debtflow_records", labels.merging(["status": "valid"]) { $1 }) == 2)
        #expect(metrics.value("debtflow_records", labels.merging(["status": "failed"]) { $1 }) == 1)
        #expect(metrics.value("debtflow_records", labels.merging(["status": "skipped"]) { $1 }) == 1)
        #expect(metrics.value("debtflow_errors", labels.merging(["code": "invalid_phone"]) { $1 }) == 1)
        #expect(metrics.value("debtflow_skipped", labels.merging(["reason": "instruction_row"]) { $1 }) == 1)
        #expect(metrics.value("debtflow_credits", labels) == 55, "25 (mainland) + 30 (Belgium, eu)")
    }

    @Test("exit 2 after the name is decoded: success 0, exit code 2, the config's name as label; nothing else written")
    func configurationError() throws {
        let folder = try workspace(stages: #"{"read":{"format":"csv","path":"in.csv","colour":"blue"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}"#, csv: "a\n1\n")
        let result = try run(folder)
        #expect(result.status == 2, "\(result.stderrText)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 2)
        #expect(metrics.value("debtflow_records", ["pipeline": "nightly", "status": "valid"]) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["debtflow.prom", "in.csv", "p.json"])
    }

    @Test("a config that is not JSON has no name: the night's failure replaces the last night's figures under its label, else under the config file's name",
          arguments: ["nightly", "night \"A\\B\"\nsecond line é"])
    func unreadableName(lastNight: String) throws {
        let folder = try workspace(name: lastNight, stages: conversion, csv: "a\n1\n")
        #expect(try run(folder).status == 0)
        try Data("{not json".utf8).write(to: folder.appendingPathComponent("p.json"))
        let result = try run(folder)
        #expect(result.status == 2)
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        // A stale `success 1` would hide the failure from the alert rules.
        #expect(metrics.value("debtflow_last_run_success", ["pipeline": lastNight]) == 0)
        #expect(metrics.value("debtflow_last_run_exit_code", ["pipeline": lastNight]) == 2)

        try FileManager.default.removeItem(at: folder.appendingPathComponent("debtflow.prom"))
        #expect(try run(folder).status == 2)
        let fresh = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        #expect(fresh.value("debtflow_last_run_success", ["pipeline": "p"]) == 0)
    }

    @Test("a mistyped option or one missing its value is exit 2 and still replaces last night's figures", arguments: [
        ["--progres", "never"], ["--limit"],
    ])
    func usageErrorWritesMetrics(extra: [String]) throws {
        let folder = try workspace(name: "nightly", stages: conversion, csv: "a\n1\n")
        #expect(try run(folder).status == 0)
        let result = try run(folder, extra)
        #expect(result.status == 2, "\(result.stderrText)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        #expect(metrics.value("debtflow_last_run_success", ["pipeline": "nightly"]) == 0)
        #expect(metrics.value("debtflow_last_run_exit_code", ["pipeline": "nightly"]) == 2)
    }

    @Test("an exit 2 before the paths are checked never writes --metrics over a file that is not a metrics file (the input here)",
          arguments: [["--progres", "never"], ["--limit", "0"], ["--shard", "3/2"]])
    func earlyExitLeavesOtherFiles(extra: [String]) throws {
        let folder = try workspace(name: "nightly", stages: conversion, csv: "a\n1\n")
        let input = folder.appendingPathComponent("in.csv")
        let result = try TestSupport.run(binary, ["run", folder.appendingPathComponent("p.json").path,
                                                  "--metrics", input.path] + extra, timeout: 60)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(try String(contentsOf: input, encoding: .utf8) == "a\n1\n", "the input was overwritten")
        #expect(result.stderrText.contains("is not a metrics file; left as it was"), "\(result.stderrText)")
    }

    @Test("the config of a refused command line is found past the options' values: --summary s.json first keeps the label")
    func configFoundPastOptionValues() throws {
        let folder = try workspace(name: "nightly", stages: conversion, csv: "a\n1\n")
        #expect(try run(folder).status == 0)
        let result = try TestSupport.run(binary, ["run", "--summary", folder.appendingPathComponent("s.json").path,
                                                  folder.appendingPathComponent("p.json").path, "--metrics",
                                                  folder.appendingPathComponent("debtflow.prom").path, "--progres", "never"], timeout: 60)
        #expect(result.status == 2)
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        #expect(metrics.value("debtflow_last_run_success", ["pipeline": "nightly"]) == 0)
    }

    @Test("an unusable --metrics path is exit 2 before anything is read", arguments: [
        ("missing/debtflow.prom", "--metrics: folder"),
        ("-", "--metrics: expected the path of a file"),
    ])
    func unusablePath(path: String, message: String) throws {
        let folder = try workspace(stages: conversion, csv: "a\n1\n")
        let result = try TestSupport.run(binary, ["run", folder.appendingPathComponent("p.json").path, "--metrics",
                                                  path == "-" ? "-" : folder.appendingPathComponent(path).path], timeout: 30)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains(message), "\(result.stderrText)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["in.csv", "p.json"])
    }

    @Test("a --metrics path on a FIFO is exit 2 at once: written when no signal is handled any more, it would hold the run for a reader")
    func fifoPath() throws {
        let folder = try workspace(stages: conversion, csv: "a\n1\n")
        let fifo = folder.appendingPathComponent("debtflow.prom").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let result = try TestSupport.run(binary, ["run", folder.appendingPathComponent("p.json").path, "--metrics", fifo], timeout: 15)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("--metrics: \(fifo) is a FIFO; expected the path of a file"), "\(result.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path), "nothing was read or written")
    }

    @Test("a --metrics path that is the input, the config or another output is exit 2, and that file is left as it was",
          arguments: ["in.csv", "p.json", "out.ndjson", "summary.json"])
    func clobberingPath(name: String) throws {
        let folder = try workspace(stages: conversion, csv: "a\n1\n")
        try Data("previous night\n".utf8).write(to: folder.appendingPathComponent("out.ndjson"))
        let target = folder.appendingPathComponent(name)
        let before = try? Data(contentsOf: target)
        let result = try TestSupport.run(binary, ["run", folder.appendingPathComponent("p.json").path, "--metrics", target.path,
                                                  "--summary", folder.appendingPathComponent("summary.json").path], timeout: 30)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("--metrics: "), "\(result.stderrText)")
        #expect((try? Data(contentsOf: target)) == before, "\(name) was not overwritten")
    }

    @Test("exit 3 on a truncated gzip: success 0, exit code 3, the records counted before the break")
    func inputError() throws {
        let folder = try workspace(stages: conversion)
        var csv = "id,name\n"
        for i in 1...50_000 { csv += "\(i),name \(i)\n" }
        try Data(csv.utf8).write(to: folder.appendingPathComponent("plain.csv"))
        let gzip = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", folder.appendingPathComponent("plain.csv").path])
        try gzip.stdout.prefix(gzip.stdout.count * 2 / 3).write(to: folder.appendingPathComponent("in.csv"))
        let result = try run(folder)
        #expect(result.status == 3, "\(result.stderrText)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 3)
        #expect(metrics.families["debtflow_records"] != nil)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path))
    }

    @Test("many inputs under on_input_error continue: inputs read and failed, exit 3; the parser reads them back")
    func manyInputs() throws {
        let folder = try workspace(stages: #"{"read":{"format":"json","path":"in/*.json","on_input_error":"continue"}},"#
                                   + #"{"sink":{"format":"ndjson","path":"out/{input}.ndjson"}}"#)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("in"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: true)
        try Data(#"[{"a":1},{"a":2}]"#.utf8).write(to: folder.appendingPathComponent("in/1.json"))
        try Data(#"[{"a":1},{"a":"#.utf8).write(to: folder.appendingPathComponent("in/2.json"))
        try Data(#"[{"a":3}]"#.utf8).write(to: folder.appendingPathComponent("in/3.json"))
        let result = try run(folder)
        #expect(result.status == 3, "\(result.stderrText)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 3)
        #expect(metrics.value("debtflow_inputs", ["pipeline": "nightly", "result": "read"]) == 2)
        #expect(metrics.value("debtflow_inputs", ["pipeline": "nightly", "result": "failed"]) == 1)
        #expect(metrics.samples.filter { $0.name == "debtflow_inputs" }.count == 2, "one series per result, none per file")
    }

    @Test("exit 4 when the output cannot be written (stdout on a full disk): success 0, exit code 4")
    func sinkError() throws {
        let folder = try workspace(stages: #"{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"-"}}"#, csv: "a,b\n1,2\n")
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/sh"),
                                         ["-c", #"exec "$@" >/dev/full"#, "sh", binary.path, "run", folder.appendingPathComponent("p.json").path,
                                          "--metrics", folder.appendingPathComponent("debtflow.prom").path], timeout: 30)
        #expect(result.status == 4, "\(result.stderrText)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 4)
    }

    @Test("a pipeline name with quotes, a backslash and a line break is escaped: the parser reads the same name back")
    func escapedLabel() throws {
        let name = "night \"A\\B\"\nsecond line é"
        let folder = try workspace(name: name, stages: conversion, csv: "a\n1\n")
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderrText)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        #expect(metrics.value("debtflow_last_run_success", ["pipeline": name]) == 1)
    }

    // MARK: - Signals

    /// Starts a run, feeds `rows` CSV rows to its stdin (kept open; the same rows are in `in.csv`),
    /// then sends `signals` half a second apart; returns the folder, the exit status and stderr.
    private func interruptedRun(stages: String, rows: Int, signals: [Int32]) throws -> (URL, Int32, String) {
        var csv = "firstname,lastname,amount,phone\n"
        for i in 0..<rows { csv += "Jean,Dupont \(i),12,0612345678\n" }
        let folder = try workspace(stages: stages, csv: csv)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", folder.appendingPathComponent("p.json").path, "--metrics",
                             folder.appendingPathComponent("debtflow.prom").path, "--progress", "never"]
        let input = Pipe()
        let errors = TestSupport.processFolder.appendingPathComponent("metrics-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errors)
        process.standardInput = input
        process.standardError = errorHandle
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(csv.utf8))
        usleep(1_500_000)
        for signal in signals {
            kill(process.processIdentifier, signal)
            // More than a second apart: closer signals are one stop (timeout(1) sends two).
            usleep(1_200_000)
        }
        let stillRunning = !process.waitForExit(within: 10)
        try? input.fileHandleForWriting.close()
        try errorHandle.close()
        let text = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: errors)
        #expect(!stillRunning, "the run did not stop within 10 s of the signal")
        return (folder, process.terminationStatus, text)
    }

    @Test("exit 130 on SIGINT or SIGTERM: success 0, exit code 130, the records counted so far", arguments: [SIGINT, SIGTERM])
    func interrupted(signal: Int32) throws {
        let stdinConversion = #"{"read":{"format":"csv","path":"-"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}"#
        let (folder, status, stderr) = try interruptedRun(stages: stdinConversion, rows: 20_000, signals: [signal])
        #expect(status == 130, "\(stderr)")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 130)
        #expect((metrics.value("debtflow_records", ["pipeline": "nightly", "status": "valid"]) ?? 0) > 0)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path))
    }

    @Test("a second signal while an http batch hangs exits at once and still writes the metrics (exit 130)")
    func forcedExit() throws {
        let server = try HTTPStubServer { _, _ in .hang(seconds: 30) }
        defer { server.stop() }
        let stages = #"{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{"currency":"EUR"}},{"validate":{}},"#
            + #"{"sink":{"format":"http","url":"\#(server.baseURL)/batch","token":"t0ken","batch_size":10,"timeout_s":60,"max_retries":1}}"#
        let (folder, status, stderr) = try interruptedRun(stages: stages, rows: 50, signals: [SIGINT, SIGINT])
        #expect(status == 130, "\(stderr)")
        #expect(server.requestCount >= 1, "a batch was in flight")
        let metrics = try PrometheusMetricsFile.parse(folder.appendingPathComponent("debtflow.prom"))
        expectRunGauges(metrics, pipeline: "nightly", exitCode: 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["debtflow.prom", "in.csv", "p.json"])
    }
}
