import DebtflowCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Test helpers shared by every test target (DESIGN.md §6.11: test doubles live in a test-support
/// target).
public enum TestSupport {
    /// A fresh, empty temporary directory, unique per call, inside the test process's own folder
    /// (``processFolder``), which is removed when the process exits.
    public static func makeTemporaryDirectory(_ label: String = "debtflow-test") throws -> URL {
        let url = processFolder.appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `$TMPDIR/debtflow-tests/<pid>`: every temporary directory and file of this test process.
    /// It is removed when the process exits, and the folders of test processes that are no longer
    /// running (a crash, a kill) are removed when the next one starts: a test run leaves nothing
    /// behind in `/tmp`, however often it runs (some suites write files of 190 MB).
    public static let processFolder: URL = {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("debtflow-tests", isDirectory: true)
        try? FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] {
            if let pid = Int32(entry), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
        let folder = parent.appendingPathComponent(String(getpid()), isDirectory: true)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestSupport.processFolder) }
        return folder
    }()

    /// The package's root folder (where Package.swift is).
    public static var packageRoot: URL {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }

    /// The built `debtflow` binary: `$DEBTFLOW_BIN`, else the one beside the test bundle.
    public static var debtflowBinary: URL {
        if let path = ProcessInfo.processInfo.environment["DEBTFLOW_BIN"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
        ]
        for directory in candidates {
            var dir = directory
            // Inside an .xctest bundle the binary is a level or more up.
            for _ in 0..<4 {
                let candidate = dir.appendingPathComponent("debtflow")
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
                dir.deleteLastPathComponent()
            }
        }
        return packageRoot.appendingPathComponent(".build/debug/debtflow")
    }

    /// What a finished process left behind.
    public struct ProcessResult: Sendable {
        public var status: Int32
        public var stdout: Data
        public var stderr: Data
        public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// Runs the built `debtflow` with `arguments`, feeding `stdin`, and waits for it to exit.
    /// - Parameters:
    ///   - environment: added to (and overriding) the current environment.
    ///   - timeout: the process is killed after this many seconds (the test then fails on status).
    public static func runDebtflow(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                                   currentDirectory: URL? = nil, timeout: TimeInterval = 120) throws -> ProcessResult {
        try run(debtflowBinary, arguments, stdin: stdin, environment: environment,
                currentDirectory: currentDirectory, timeout: timeout)
    }

    /// Runs any executable and waits for it.
    public static func run(_ executable: URL, _ arguments: [String], stdin: Data? = nil,
                           environment: [String: String] = [:], currentDirectory: URL? = nil,
                           timeout: TimeInterval = 120) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let outURL = processFolder.appendingPathComponent("out-\(UUID().uuidString)")
        let errURL = processFolder.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        process.standardOutput = outHandle
        process.standardError = errHandle
        let inPipe = Pipe()
        process.standardInput = inPipe
        try process.run()
        if let stdin { inPipe.fileHandleForWriting.write(stdin) }
        try? inPipe.fileHandleForWriting.close()
        process.waitForExit(within: timeout)
        try outHandle.close()
        try errHandle.close()
        return ProcessResult(status: process.terminationStatus,
                             stdout: try Data(contentsOf: outURL), stderr: try Data(contentsOf: errURL))
    }

    /// The lines of an NDJSON file, each parsed as a JSON object.
    public static func readNDJSON(_ url: URL) throws -> [[String: Any]] {
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw DebtflowError.input("not a JSON object: \(line)")
            }
            return object
        }
    }

    /// The file's permission bits (`0o600`).
    public static func permissions(of url: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
