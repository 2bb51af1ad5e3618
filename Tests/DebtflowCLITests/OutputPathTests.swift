import Synchronization
import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// Outputs never clobber what they should not (CONTRACT.md §2, issue 8 items 1–4): special files
/// are written as streams and never renamed over, an output never lands on an input, the config or
/// another output, unusable paths are refused up front, and a run that stops (a signal, a reader
/// that goes away) leaves no temporary file behind. Run through the built binary.
///
/// Root-safe: no test writes to a system device other than `/dev/null` and `/dev/full` as a
/// stream (the run is expected to leave them as they are), and none renames over them.
@Suite("Output paths")
struct OutputPathTests {
    // MARK: - Helpers

    private static let readStage = #"{"read":{"format":"csv","path":"in.csv"}}"#

    /// A folder with `in.csv` (two rows) and `p.json` made of the read stage and `stages`.
    private func workspace(_ stages: String, read: String = OutputPathTests.readStage) throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-outputs")
        try Data("a,b\n1,2\n3,4\n".utf8).write(to: folder.appendingPathComponent("in.csv"))
        try Data(#"{"version":1,"name":"t","stages":[\#(read),\#(stages)]}"#.utf8).write(to: folder.appendingPathComponent("p.json"))
        return folder
    }

    private func run(_ folder: URL, _ extra: [String] = [], command: String = "run",
                     environment: [String: String] = [:]) throws -> TestSupport.ProcessResult {
        try TestSupport.runDebtflow([command, folder.appendingPathComponent("p.json").path] + extra,
                                    environment: environment, timeout: 20)
    }

    private func entries(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    private func fileType(_ path: String) -> mode_t {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        return info.st_mode & S_IFMT
    }

    private func sink(_ path: String) -> String {
        #"{"sink":{"format":"ndjson","path":"\#(path)"}}"#
    }

    // MARK: - 1. Special files are streams, never renamed over

    @Test("a FIFO sink is written in place as a stream: the reader gets every line and the FIFO stays a FIFO")
    func fifoSink() throws {
        let folder = try workspace(sink("pipe.ndjson"))
        let fifo = folder.appendingPathComponent("pipe.ndjson").path
        #expect(mkfifo(fifo, 0o600) == 0)
        // A reader that does not block: the run can open the FIFO at once, and the lines wait in
        // the pipe's buffer until the test reads them.
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderrText)")
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(reader, &buffer, buffer.count)
        #expect(String(decoding: buffer.prefix(max(0, count)), as: UTF8.self) == "{\"a\":\"1\",\"b\":\"2\"}\n{\"a\":\"3\",\"b\":\"4\"}\n")
        #expect(fileType(fifo) == S_IFIFO, "the FIFO was replaced by a file")
        #expect(try entries(folder) == ["in.csv", "p.json", "pipe.ndjson"], "no temporary file left")
    }

    /// Runs `p.json` of `folder`, sends SIGTERM after a second, and waits up to 10 s for the exit
    /// (a run still going is then killed).
    /// - Returns: whether it exited in time, its status and its stderr.
    private func runThenTerminate(_ folder: URL) throws -> (exited: Bool, status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["run", folder.appendingPathComponent("p.json").path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        usleep(1_000_000)
        kill(process.processIdentifier, SIGTERM)
        let exited = process.waitForExit(within: 10)
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (exited, process.terminationStatus, stderr)
    }

    @Test("a FIFO with no reader yet is waited for, and a signal ends the wait: exit 130, no temporary file")
    func fifoWithoutReader() throws {
        let folder = try workspace(sink("out.ndjson") + "," + sink("pipe.ndjson"))
        let fifo = folder.appendingPathComponent("pipe.ndjson").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let run = try runThenTerminate(folder)
        #expect(run.exited, "the wait for a reader did not end on SIGTERM")
        #expect(run.status == 130, "\(run.stderr)")
        #expect(run.stderr.contains("waiting for a reader on the FIFO"), "\(run.stderr)")
        #expect(fileType(fifo) == S_IFIFO)
        #expect(try entries(folder) == ["in.csv", "p.json", "pipe.ndjson"], "no temporary file left")
    }

    @Test("an input FIFO with no writer yet is waited for, and the first signal ends the wait: exit 130, no temporary file")
    func inputFIFOWithoutWriter() throws {
        let folder = try workspace(sink("out.ndjson"), read: #"{"read":{"format":"csv","path":"feed.csv"}}"#)
        #expect(mkfifo(folder.appendingPathComponent("feed.csv").path, 0o600) == 0)
        let run = try runThenTerminate(folder)
        #expect(run.exited, "the first SIGTERM did not end the wait for the FIFO's writer")
        #expect(run.status == 130, "\(run.stderr)")
        #expect(try entries(folder) == ["feed.csv", "in.csv", "p.json"], "no temporary file left")
    }

    /// Opens the FIFO for writing (waiting for its reader) and writes `a,b` / `5,6` into it.
    private static func writeRows(to fifo: String) {
        let descriptor = open(fifo, O_WRONLY)
        guard descriptor >= 0 else { return }
        let rows = Array("a,b\n5,6\n".utf8)
        _ = rows.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    @Test("an input FIFO whose writer comes later is read as a file is: its rows, exit 0")
    func inputFIFOWithLateWriter() throws {
        let folder = try workspace(sink("out.ndjson"), read: #"{"read":{"format":"csv","path":"feed.csv"}}"#)
        let fifo = folder.appendingPathComponent("feed.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let writer = Thread {
            usleep(500_000)
            Self.writeRows(to: fifo)
        }
        writer.start()
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(try String(contentsOf: folder.appendingPathComponent("out.ndjson"), encoding: .utf8) == "{\"a\":\"5\",\"b\":\"6\"}\n")
    }

    @Test("an {input} output is published when its input is done, while the next input (a FIFO) still waits for its writer")
    func perInputOutputPublishedBeforeNextFIFOInput() throws {
        let folder = try workspace(sink("out-{input}.ndjson"), read: #"{"read":{"format":"csv","path":["in.csv","later.csv"]}}"#)
        let fifo = folder.appendingPathComponent("later.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let first = folder.appendingPathComponent("out-in.ndjson").path
        // The FIFO's writer comes once the first output is there, or after 10 s (so that a run
        // which holds it back fails this test rather than hanging it).
        let publishedFirst = Mutex(false)
        let writer = Thread {
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline && !FileManager.default.fileExists(atPath: first) { usleep(50_000) }
            publishedFirst.withLock { $0 = FileManager.default.fileExists(atPath: first) }
            Self.writeRows(to: fifo)
        }
        writer.start()
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(publishedFirst.withLock { $0 }, "in.csv's output was held back while later.csv waited for its writer")
        #expect(try String(contentsOfFile: first, encoding: .utf8) == "{\"a\":\"1\",\"b\":\"2\"}\n{\"a\":\"3\",\"b\":\"4\"}\n")
        #expect(try String(contentsOf: folder.appendingPathComponent("out-later.ndjson"), encoding: .utf8) == "{\"a\":\"5\",\"b\":\"6\"}\n")
    }

    @Test("check does not open an input FIFO (that would take its data from the run): it says so, exit 0, at once")
    func checkLeavesInputFIFOUnread() throws {
        let folder = try workspace(sink("out.ndjson"), read: #"{"read":{"format":"csv","path":"feed.csv"}}"#)
        #expect(mkfifo(folder.appendingPathComponent("feed.csv").path, 0o600) == 0)
        let result = try TestSupport.runDebtflow(["check", folder.appendingPathComponent("p.json").path], timeout: 10)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderrText.contains("input feed.csv: a FIFO, not opened (reading from it would take its data from the run)"),
                "\(result.stderrText)")
        // Nor does --deep read it through (it waited for a writer, then took the run's data).
        let deep = try TestSupport.runDebtflow(["check", folder.appendingPathComponent("p.json").path, "--deep"], timeout: 10)
        #expect(deep.status == 0, "\(deep.stderrText)")
        #expect(deep.stderrText.contains("input feed.csv: a FIFO, not opened (reading from it would take its data from the run); "
                                         + "--deep does not read it through either"), "\(deep.stderrText)")
        #expect(!deep.stderrText.contains("read through,"), "\(deep.stderrText)")
    }

    @Test("/dev/fd/N names only a descriptor the run was started with: one the runtime opened for itself (the signal self-pipe, libdispatch's) is exit 2",
          arguments: [3, 4, 5, 6, 7])
    func ownDescriptorsRefused(descriptor: Int) throws {
        let folder = try workspace(sink("/dev/fd/\(descriptor)"))
        let result = try run(folder)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("which the run was not started with"), "\(result.stderrText)")
    }

    @Test("/dev/null as a sink is written as a stream: exit 0, and it is still the null device afterwards")
    func devNull() throws {
        let folder = try workspace(sink("/dev/null"))
        let result = try run(folder, ["--summary", "/dev/null"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(fileType("/dev/null") == S_IFCHR)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: "/dev").filter { $0.hasPrefix(".null.tmp-") }
        #expect(leftovers.isEmpty, "a temporary file was created in /dev")
        #expect(try entries(folder) == ["in.csv", "p.json"])
    }

    @Test("this process's own descriptors as sink paths write to them as streams", arguments: ["/dev/fd/1", "/proc/self/fd/1"])
    func ownDescriptor(path: String) throws {
        let folder = try workspace(sink(path))
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText == "{\"a\":\"1\",\"b\":\"2\"}\n{\"a\":\"3\",\"b\":\"4\"}\n")
        #expect(try entries(folder) == ["in.csv", "p.json"])
    }

    @Test("a device that fails a write (/dev/full) is a sink error: exit 4 with a message, nothing else published")
    func devFull() throws {
        let folder = try workspace(sink("/dev/full") + "," + sink("other.ndjson"))
        let result = try run(folder)
        #expect(result.status == 4, "\(result.stderrText)")
        #expect(result.stderrText.contains("/dev/full: disk full while writing output"), "\(result.stderrText)")
        #expect(fileType("/dev/full") == S_IFCHR)
        #expect(try entries(folder) == ["in.csv", "p.json"], "the other sink is not published, no temporary file left")
    }

    @Test("a sink path that is a folder, a socket or a dangling link is exit 2 before anything is read", arguments: [
        ("adir", "is a folder; expected the path of a file"),
        ("sock", "is a socket"),
        ("dangling", "is a symbolic link to a file that does not exist"),
    ])
    func unusableSinkPath(name: String, message: String) throws {
        let folder = try workspace(sink(name))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("adir"), withIntermediateDirectories: false)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("dangling").path, withDestinationPath: "nowhere.ndjson")
        let socketDescriptor = try bindSocket(at: folder.appendingPathComponent("sock").path)
        defer { close(socketDescriptor) }
        for command in ["run", "check"] {
            let result = try run(folder, command: command)
            #expect(result.status == 2, "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains("p.json: stages[1].sink.path: "), "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains(message), "\(command): \(result.stderrText)")
        }
        #expect(fileType(folder.appendingPathComponent("sock").path) == S_IFSOCK)
        #expect(fileType(folder.appendingPathComponent("dangling").path) == S_IFLNK)
        #expect(try entries(folder) == ["adir", "dangling", "in.csv", "p.json", "sock"])
    }

    @Test("an http sink's journal or results on a FIFO or a device is exit 2 before anything is read (a FIFO held the run in open(), deaf to SIGTERM)",
          arguments: [("journal", "pipe"), ("results", "pipe"), ("journal", "/dev/null"), ("results", "/dev/stdout")])
    func recordFilesAreRegularFiles(key: String, path: String) throws {
        let other = key == "journal" ? "results" : "journal"
        let folder = try workspace(#"{"map":{}},{"normalize":{}},{"validate":{}},"#
            + #"{"sink":{"format":"http","url":"http://127.0.0.1:9/batch","token":"t","\#(key)":"\#(path)","\#(other)":"\#(other).ndjson"}}"#)
        #expect(mkfifo(folder.appendingPathComponent("pipe").path, 0o600) == 0)
        for extra in [["--resume"], []] {
            for command in ["run", "check"] where command == "run" || extra.isEmpty {
                let result = try run(folder, extra, command: command)
                #expect(result.status == 2, "\(command) \(extra): \(result.stderrText)")
                #expect(result.stderrText.contains("stages[4].sink.\(key): "), "\(result.stderrText)")
                #expect(result.stderrText.contains("expected the path of a regular file"), "\(result.stderrText)")
            }
        }
        #expect(fileType(folder.appendingPathComponent("pipe").path) == S_IFIFO)
        #expect(try entries(folder) == ["in.csv", "p.json", "pipe"])
    }

    @Test("under on_input_error continue, a shared output on a FIFO or /dev/stdout is exit 2 before anything is read (a bad input's lines could not be taken back)",
          arguments: ["pipe", "/dev/stdout"])
    func continueNeedsFiles(path: String) throws {
        let folder = try workspace(sink(path), read: #"{"read":{"format":"csv","path":["in.csv"],"on_input_error":"continue"}}"#)
        #expect(mkfifo(folder.appendingPathComponent("pipe").path, 0o600) == 0)
        for command in ["run", "check"] {
            let result = try run(folder, command: command)
            #expect(result.status == 2, "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains("stages[1].sink.path: "), "\(result.stderrText)")
            #expect(result.stderrText.contains("expected the path of a regular file (with on_input_error \"continue\" a bad input's lines are taken back"),
                    "\(result.stderrText)")
        }
    }

    private func bindSocket(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() where index < raw.count - 1 { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        return descriptor
    }

    @Test("a symbolic link to a file is written through: the target's content is replaced atomically, the link stays")
    func symlinkSink() throws {
        let folder = try workspace(sink("current.ndjson"))
        let target = folder.appendingPathComponent("dated.ndjson")
        try Data("old\n".utf8).write(to: target)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("current.ndjson").path,
                                                   withDestinationPath: "dated.ndjson")
        let result = try run(folder)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(fileType(folder.appendingPathComponent("current.ndjson").path) == S_IFLNK, "the link was replaced by a file")
        #expect(try String(contentsOf: target, encoding: .utf8) == "{\"a\":\"1\",\"b\":\"2\"}\n{\"a\":\"3\",\"b\":\"4\"}\n")
        #expect(try TestSupport.permissions(of: target) == 0o600)
        #expect(try entries(folder) == ["current.ndjson", "dated.ndjson", "in.csv", "p.json"])
    }

    // MARK: - 2. An output is never an input, the config or another output

    @Test("an output that is an input, the config or another output is exit 2 before anything is read, naming both", arguments: [
        // A sink on the input: by the same name, another spelling, a hard link, a symbolic link.
        (#"{"sink":{"format":"ndjson","path":"in.csv"}}"#, [String](), "stages[1].sink.path", "stages[0].read.path"),
        (#"{"sink":{"format":"ndjson","path":"./sub/../in.csv"}}"#, [], "stages[1].sink.path", "stages[0].read.path"),
        (#"{"sink":{"format":"ndjson","path":"hard.csv"}}"#, [], "stages[1].sink.path", "(the same file through a hard link)"),
        (#"{"sink":{"format":"ndjson","path":"soft.csv"}}"#, [], "stages[1].sink.path", "stages[0].read.path"),
        // A sink on the config.
        (#"{"sink":{"format":"ndjson","path":"p.json"}}"#, [], "stages[1].sink.path", "the pipeline config"),
        // Two sinks on one path (the second used to overwrite the first).
        (#"{"sink":{"format":"ndjson","path":"o.ndjson"}},{"sink":{"format":"ndjson","path":"o.ndjson"}}"#, [],
         "stages[2].sink.path", "stages[1].sink.path"),
        // --summary on the input, the config, a sink.
        (#"{"sink":{"format":"ndjson","path":"o.ndjson"}}"#, ["--summary", "in.csv"], "--summary", "stages[0].read.path"),
        (#"{"sink":{"format":"ndjson","path":"o.ndjson"}}"#, ["--summary", "p.json"], "--summary", "the pipeline config"),
        (#"{"sink":{"format":"ndjson","path":"o.ndjson"}}"#, ["--summary", "o.ndjson"], "--summary", "stages[1].sink.path"),
    ])
    func overlappingOutputs(stages: String, options: [String], later: String, earlier: String) throws {
        let folder = try workspace(stages)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: false)
        try FileManager.default.linkItem(atPath: folder.appendingPathComponent("in.csv").path, toPath: folder.appendingPathComponent("hard.csv").path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("soft.csv").path, withDestinationPath: "in.csv")
        let config = try Data(contentsOf: folder.appendingPathComponent("p.json"))
        let result = try TestSupport.runDebtflow(["run", "p.json"] + options, currentDirectory: folder, timeout: 20)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains(later + ": "), "\(result.stderrText)")
        #expect(result.stderrText.contains(earlier), "\(result.stderrText)")
        #expect(try String(contentsOf: folder.appendingPathComponent("in.csv"), encoding: .utf8) == "a,b\n1,2\n3,4\n")
        #expect(try Data(contentsOf: folder.appendingPathComponent("p.json")) == config)
        #expect(try entries(folder) == ["hard.csv", "in.csv", "p.json", "soft.csv", "sub"], "nothing written")
    }

    @Test("an http sink's results or journal on the input, on each other, or on a sink is exit 2 naming both", arguments: [
        (#""results":"in.csv""#, "stages[5].sink.results", "stages[0].read.path"),
        (#""journal":"p.json""#, "stages[5].sink.journal", "the pipeline config"),
        (#""results":"log.ndjson","journal":"log.ndjson""#, "stages[5].sink.journal", "stages[5].sink.results"),
        (#""results":"rejects.ndjson""#, "stages[6].sink.path", "stages[5].sink.results"),
    ])
    func httpRecordFiles(keys: String, later: String, earlier: String) throws {
        let folder = try workspace(#"""
            {"map":{}},{"normalize":{"currency":"EUR"}},{"classify":{}},{"validate":{}},
            {"sink":{"format":"http","url":"http://127.0.0.1:9/external-api/v1/debts/batch","token":"secret-token",\#(keys)}},
            {"sink":{"format":"ndjson","path":"rejects.ndjson","accept":["failed","skipped"]}}
            """#)
        for command in ["run", "check"] {
            let result = try run(folder, command: command)
            #expect(result.status == 2, "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains("p.json: \(later): "), "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains(earlier), "\(command): \(result.stderrText)")
        }
        #expect(try entries(folder) == ["in.csv", "p.json"])
    }

    @Test("stdin and stdout are not files: reading - and writing - in one run is fine")
    func stdinToStdout() throws {
        let folder = try workspace(sink("-"), read: #"{"read":{"format":"csv","path":"-"}}"#)
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--summary", "-"],
                                                 stdin: Data("a\n1\n".utf8), timeout: 20)
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stdoutText.hasPrefix("{\"a\":\"1\"}\n{\"pipeline\":\"t\""), "\(result.stdoutText)")
    }

    // MARK: - 3. Unusable --summary paths up front; a summary failing at the end said once

    @Test("an unusable --summary is exit 2 before anything is read", arguments: [
        ("", "--summary: expected the path of a file, found an empty string"),
        ("nodir/s.json", "--summary: folder"),
        (".", "--summary: . is a folder"),
    ])
    func unusableSummary(path: String, message: String) throws {
        let folder = try workspace(sink("o.ndjson"))
        let result = try TestSupport.runDebtflow(["run", "p.json", "--summary", path], currentDirectory: folder, timeout: 20)
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains(message), "\(result.stderrText)")
        #expect(try entries(folder) == ["in.csv", "p.json"])
    }

    @Test("a summary that cannot be written at the end is one clear line, printed once: exit 4, the outputs published",
          arguments: ["-", "/dev/fd/1"])
    func summaryFailsAtTheEnd(path: String) throws {
        let folder = try workspace(sink("o.ndjson"))
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/sh"),
                                         ["-c", #"exec "$1" run "$2" --summary "$3" >/dev/full"#, "sh",
                                          TestSupport.debtflowBinary.path, folder.appendingPathComponent("p.json").path, path],
                                         timeout: 20)
        #expect(result.status == 4, "\(result.stderrText)")
        let errors = result.stderrText.components(separatedBy: "\n").filter { $0.hasPrefix("error:") }
        #expect(errors.count == 1, "\(result.stderrText)")
        #expect(errors.first?.contains("--summary: cannot write the summary to \(path): disk full") == true, "\(result.stderrText)")
        #expect(!result.stderrText.contains("NSCocoaErrorDomain") && !result.stderrText.contains("Error Domain"))
        #expect(result.stderrText.components(separatedBy: "t: 2 records").count == 2, "the summary is shown once: \(result.stderrText)")
        #expect(try entries(folder) == ["in.csv", "o.ndjson", "p.json"])
    }

    // MARK: - 4. SIGHUP and a reader that goes away stop cleanly

    @Test("a stdout sink whose reader goes away (| head -1) is exit 4 with a message; no temporary file is left")
    func brokenPipe() throws {
        let folder = try workspace(sink("-") + "," + sink("copy.ndjson"))
        var rows = "a,b\n"
        for index in 0..<200_000 { rows += "\(index),row \(index)\n" }
        try Data(rows.utf8).write(to: folder.appendingPathComponent("in.csv"))
        // `env --default-signal=PIPE`: SIGPIPE as a shell leaves it, whatever the test runner ignores.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["--default-signal=PIPE", TestSupport.debtflowBinary.path, "run", folder.appendingPathComponent("p.json").path]
        let output = Pipe()
        let errors = folder.appendingPathComponent("stderr.txt")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let errorHandle = try FileHandle(forWritingTo: errors)
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let first = output.fileHandleForReading.availableData
        #expect(first.starts(with: Data("{\"a\":\"0\"".utf8)))
        try output.fileHandleForReading.close()
        process.waitForExit(within: 15)
        try errorHandle.close()
        let stderr = try String(contentsOf: errors, encoding: .utf8)
        try FileManager.default.removeItem(at: errors)
        #expect(process.terminationReason == .exit, "killed by a signal: \(process.terminationStatus)")
        #expect(process.terminationStatus == 4, "\(stderr)")
        #expect(stderr.contains("-: cannot write output: its reader went away"), "\(stderr)")
        #expect(try entries(folder) == ["in.csv", "p.json"], "copy.ndjson not published, no temporary file left")
    }

    @Test("a second signal while an http batch is in flight exits 130 at once and removes the temporary files",
          arguments: [(SIGHUP, SIGHUP), (SIGTERM, SIGHUP)])
    func secondSignal(first: Int32, second: Int32) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-outputs")
        let generated = try TestSupport.runDebtflow(["generate", "--rows", "20", "--format", "csv", "--seed", "3",
                                                     "--out", folder.appendingPathComponent("in.csv").path])
        #expect(generated.status == 0, "\(generated.stderrText)")
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--latency-ms", "30000"])
        defer { sandbox.stop() }
        try Data(#"""
            {"version":1,"name":"t","stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{"currency":"EUR"}},{"classify":{}},{"validate":{}},
             {"sink":{"format":"http","url":"\#(sandbox.batchURL)","token":"tok","timeout_s":60,"results":"results.ndjson"}},
             {"sink":{"format":"ndjson","path":"rejects.ndjson","accept":["failed","skipped"]}}]}
            """#.utf8).write(to: folder.appendingPathComponent("p.json"))
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["run", folder.appendingPathComponent("p.json").path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Once the sink's temporary file exists, the run reads 20 rows and sends its one batch,
        // which the sandbox holds for 30 s.
        let opened = Date().addingTimeInterval(20)
        while try !entries(folder).contains(where: { $0.hasPrefix(".rejects.ndjson.tmp-") }) && Date() < opened { usleep(20_000) }
        usleep(1_000_000)
        kill(process.processIdentifier, first)
        // More than a second later (closer signals are one stop: timeout(1) sends two), the
        // second stops the run at once if the first has not yet.
        usleep(1_200_000)
        if process.isRunning { kill(process.processIdentifier, second) }
        let stillRunning = !process.waitForExit(within: 5)
        #expect(!stillRunning, "the second signal did not stop the run at once")
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        #expect(try entries(folder).filter { $0.contains(".tmp-") } == [], "a temporary file was left behind")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("rejects.ndjson").path))
    }

    /// Runs `p.json` of `folder` with `extra` options, sends SIGTERM `firstAfter` µs after the
    /// start and again `secondAfter` µs later, and waits `waiting` s for the exit (then kills it).
    /// - Returns: whether it exited in time, and the process.
    private func runSignalledTwice(_ folder: URL, _ extra: [String], stdout: Any = FileHandle.nullDevice,
                                   firstAfter: useconds_t, secondAfter: useconds_t, waiting: TimeInterval) throws -> (Bool, Process) {
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["run", folder.appendingPathComponent("p.json").path] + extra
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        usleep(firstAfter)
        kill(process.processIdentifier, SIGTERM)
        usleep(secondAfter)
        kill(process.processIdentifier, SIGTERM)
        let exited = process.waitForExit(within: waiting)
        if !exited { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return (exited, process)
    }

    @Test("two signals at once (timeout(1) sends SIGTERM to the run and then to its group) are one clean stop: exit 130 with the summary written")
    func twoSignalsAtOnceAreOneStop() throws {
        let folder = try workspace(sink("out.ndjson"), read: #"{"read":{"format":"csv","path":"feed.csv"}}"#)
        #expect(mkfifo(folder.appendingPathComponent("feed.csv").path, 0o600) == 0)
        // Apart enough for the first to be handled before the second comes (two signals still
        // pending together are one), and close enough that the run is still stopping, as
        // timeout's two are.
        let (exited, process) = try runSignalledTwice(folder, ["--summary", folder.appendingPathComponent("s.json").path],
                                                      firstAfter: 1_000_000, secondAfter: 5_000, waiting: 10)
        #expect(exited && process.terminationStatus == 130)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("s.json"))) as? [String: Any],
                                   "the summary of a clean stop was not written (the second SIGTERM forced the exit)")
        #expect(summary["stopped_by"] as? String == "interrupted")
        #expect(try entries(folder) == ["feed.csv", "in.csv", "p.json", "s.json"], "nothing published, no temporary file left")
    }

    /// Runs `p.json` of `folder` with stdin and stdout redirected to files (nil: /dev/null).
    private func runRedirected(_ folder: URL, stdin: URL?, stdout: FileHandle?) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["run", folder.appendingPathComponent("p.json").path]
        process.standardInput = try stdin.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        process.standardOutput = stdout ?? FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if !process.waitForExit(within: 20) { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
        return (process.terminationStatus, stderr)
    }

    @Test("an output that is the input through a redirection (stdin read from the input file, stdout appending to it) is exit 2, the input untouched")
    func outputIsInputThroughARedirection() throws {
        let input = "a,b\n1,2\n3,4\n"
        // The input is stdin, redirected from in.csv; the sink writes in.csv.
        let fromStdin = try workspace(sink("in.csv"), read: #"{"read":{"format":"csv","path":"-"}}"#)
        let first = try runRedirected(fromStdin, stdin: fromStdin.appendingPathComponent("in.csv"), stdout: nil)
        #expect(first.status == 2, "\(first.stderr)")
        #expect(first.stderr.contains("the same file, through a redirection"), "\(first.stderr)")
        #expect(try String(contentsOf: fromStdin.appendingPathComponent("in.csv"), encoding: .utf8) == input)

        // The input is in.csv; the sink is stdout, appending to in.csv (`>> in.csv`).
        let toStdout = try workspace(sink("-"))
        let handle = try FileHandle(forWritingTo: toStdout.appendingPathComponent("in.csv"))
        try handle.seekToEnd()
        let second = try runRedirected(toStdout, stdin: nil, stdout: handle)
        try handle.close()
        #expect(second.status == 2, "\(second.stderr)")
        #expect(try String(contentsOf: toStdout.appendingPathComponent("in.csv"), encoding: .utf8) == input, "the run read back its own output")

        // stdout appends to out.ndjson, which another sink publishes (the lines on stdout would
        // be lost under it), whichever sink comes first; two sinks on stdout are fine.
        for sinks in [sink("out.ndjson") + "," + sink("-"), sink("-") + "," + sink("out.ndjson")] {
            let folder = try workspace(sinks)
            let out = folder.appendingPathComponent("out.ndjson")
            try Data("last night\n".utf8).write(to: out)
            let appending = try FileHandle(forWritingTo: out)
            try appending.seekToEnd()
            let run = try runRedirected(folder, stdin: nil, stdout: appending)
            try appending.close()
            #expect(run.status == 2 && run.stderr.contains("each output needs a file of its own"), "\(run.stderr)")
            #expect(try String(contentsOf: out, encoding: .utf8) == "last night\n")
        }
        let shared = try workspace(sink("-") + "," + sink("/dev/stdout"))
        let log = shared.appendingPathComponent("log.txt")
        try Data().write(to: log)
        let logHandle = try FileHandle(forWritingTo: log)
        let both = try runRedirected(shared, stdin: nil, stdout: logHandle)
        try logHandle.close()
        #expect(both.status == 0, "\(both.stderr)")
    }

    @Test("a run stuck after its publish (stdout full: the summary cannot be written) still stops on a second signal, with the finished run's code")
    func stuckAfterPublishStillStops() throws {
        // 4,090 lines of 16 bytes (65,440) fit a 64 KiB pipe; the summary after them (about 180) does not.
        let folder = try workspace(sink("-"))
        try Data(("a\n" + String(repeating: "xxxxxxx\n", count: 4_090)).utf8).write(to: folder.appendingPathComponent("in.csv"))
        let neverRead = Pipe()
        let (exited, process) = try runSignalledTwice(folder, ["--summary", "-"], stdout: neverRead,
                                                      firstAfter: 1_500_000, secondAfter: 1_200_000, waiting: 5)
        #expect(exited, "the run could not be stopped once its outputs were published")
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "the finished run's code, not 130")
        try? neverRead.fileHandleForReading.close()
    }

    // MARK: - 16. Config messages carry the file and the JSON path

    @Test("config mistakes about paths, URLs and record locators exit 2 at decode time naming the file and the JSON path",
          arguments: [
        (#"[]"#, "p.json: $: expected an object, found an array"),
        (#"{"version":1,"name":"t","stages":[{"read":{"format":"csv","path":"in\u0000.csv"}},SINK]}"#,
         "p.json: stages[0].read.path: a path cannot contain a NUL byte"),
        (#"{"version":1,"name":"t","stages":[READ,{"sink":{"format":"ndjson","path":"o\u0000.ndjson"}}]}"#,
         "p.json: stages[1].sink.path: a path cannot contain a NUL byte"),
        (#"{"version":1,"name":"t","stages":[READ,{"sink":{"format":"ndjson","path":"nodir/o.ndjson"}}]}"#,
         "p.json: stages[1].sink.path: output folder"),
        (#"{"version":1,"name":"t","stages":[{"read":{"format":"json","path":"in.csv","records":"."}},SINK]}"#,
         "p.json: stages[0].read.records: expected"),
        (#"{"version":1,"name":"t","stages":[{"read":{"format":"json","path":"in.csv","records":"data..items"}},SINK]}"#,
         "p.json: stages[0].read.records: expected"),
        (#"{"version":1,"name":"t","stages":[{"read":{"format":"xml","path":"in.csv","record":"two words"}},SINK]}"#,
         "p.json: stages[0].read.record: expected an XML element name"),
        (#"{"version":1,"name":"t","stages":[{"read":{"format":"xml","path":"in.csv","record":"1debtor"}},SINK]}"#,
         "p.json: stages[0].read.record: expected an XML element name"),
        (#"{"version":1,"name":"t","stages":[{"read":{"format":"xml","path":"in.csv","record":"ns:debtor"}},SINK]}"#,
         "p.json: stages[0].read.record: expected the element's local name"),
        (#"{"version":1,"name":"t","stages":[READ,{"map":{}},{"normalize":{}},{"sink":{"format":"http","url":"ftp://example.com/x","token":"tok"}}]}"#,
         "p.json: stages[3].sink.url: "),
        (#"{"version":1,"name":"t","stages":[READ,{"map":{}},{"normalize":{}},{"sink":{"format":"http","url":"http://example.com/x","token":"tok"}}]}"#,
         "p.json: stages[3].sink.url: "),
        (#"{"version":1,"name":"t","stages":[{"read":{"format":"magicline","base_url":"not a url","run_id":1,"api_key":"k"}},SINK]}"#,
         "p.json: stages[0].read.base_url: "),
    ])
    func configMessages(config: String, message: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-outputs")
        try Data("a,b\n1,2\n".utf8).write(to: folder.appendingPathComponent("in.csv"))
        let text = config.replacingOccurrences(of: "READ", with: Self.readStage)
            .replacingOccurrences(of: "SINK", with: sink("o.ndjson"))
        try Data(text.utf8).write(to: folder.appendingPathComponent("p.json"))
        for command in ["run", "check"] {
            let result = try run(folder, command: command)
            #expect(result.status == 2, "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains(message), "\(command): \(result.stderrText)")
        }
        #expect(try entries(folder) == ["in.csv", "p.json"])
    }

    @Test("a huge ${VAR} value is cut in messages", arguments: [
        #"{"read":{"format":"${HUGE}","path":"in.csv"}}"#,
        #"{"read":{"format":"csv","path":"in.csv","delimiter":"${HUGE}"}}"#,
        #"{"read":{"format":"csv","path":"${HUGE}/in.csv"}}"#,
        #"{"read":{"format":"xml","path":"in.csv","record":"${HUGE}"}}"#,
    ])
    func hugeVariable(read: String) throws {
        let folder = try workspace(sink("o.ndjson"), read: read)
        let huge = String(repeating: "x", count: 100_000)  // one environment string holds at most 128 KiB
        let result = try run(folder, environment: ["HUGE": huge])
        #expect(result.status == 2, "\(result.stderrText.prefix(300))")
        #expect(result.stderrText.contains("p.json: stages[0].read."), "\(result.stderrText.prefix(300))")
        #expect(result.stderrText.contains(String(repeating: "x", count: 64) + "…"), "\(result.stderrText.prefix(300))")
        #expect(result.stderr.count < 1_000, "\(result.stderr.count) bytes of message")
    }
}
