import Foundation

/// A `debtflow sandbox` child process for end-to-end tests: started on a free port, stopped with
/// SIGTERM when the test is done.
public final class SandboxProcess: @unchecked Sendable {
    // @unchecked Sendable: `process` and `port` are set once in `init` and only read after.
    public let process: Process
    public let port: Int
    public let ledger: URL

    /// Starts the sandbox with `arguments` (fault options, `--token`, `--debtors`) and a ledger in `folder`.
    public init(folder: URL, arguments: [String] = []) throws {
        ledger = folder.appendingPathComponent("ledger.ndjson")
        process = Process()
        process.executableURL = TestSupport.debtflowBinary
        process.arguments = ["sandbox", "--port", "0", "--ledger", ledger.path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first stdout line is `listening on http://127.0.0.1:PORT`.
        var line = [UInt8]()
        let handle = pipe.fileHandleForReading
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty { break }
            if byte.first == UInt8(ascii: "\n") { break }
            line.append(contentsOf: byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("listening on http://127.0.0.1:"), let port = Int(text.split(separator: ":").last ?? "") else {
            process.terminate()
            throw NSError(domain: "SandboxProcess", code: 1, userInfo: [NSLocalizedDescriptionKey: "sandbox said: \(text)"])
        }
        self.port = port
    }

    public var batchURL: String { "http://127.0.0.1:\(port)/external-api/v1/debts/batch" }
    public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

    /// The debts the sandbox created, one JSON object each.
    public func ledgerDebts() throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: ledger.path) else { return [] }
        return try TestSupport.readNDJSON(ledger)
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}
