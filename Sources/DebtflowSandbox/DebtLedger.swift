import DebtflowCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `--ledger` file: every created debt, one JSON object per line, appended and fsynced
/// before the batch's answer is sent.
///
/// Each line is the debt object exactly as the client sent it (its keys in order) with the
/// server's `debt_id` and `import_id` appended. The file is opened in append mode with mode 0600;
/// debt ids continue after the lines already in it.
final class DebtLedger {
    private let descriptor: Int32
    let path: String
    /// How many debts the file held when it was opened.
    let existingCount: Int

    /// Opens (creating if needed) the ledger for appending.
    /// - Throws: ``DebtflowError`` of kind `.usage` naming the path and the system error.
    init(path: String) throws {
        self.path = path
        existingCount = Self.countLines(path: path)
        descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DebtflowError.usage("cannot open the ledger \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit { close(descriptor) }

    /// Writes the lines of one batch and fsyncs them.
    /// - Throws: ``DebtflowError`` of kind `.sink` when the write or the fsync fails.
    func append(_ lines: [UInt8]) throws {
        guard !lines.isEmpty else { return }
        var written = 0
        while written < lines.count {
            let result = lines.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw DebtflowError.sink("cannot write the ledger \(path): \(String(cString: strerror(errno)))")
            }
            written += result
        }
        guard fsync(descriptor) == 0 else {
            throw DebtflowError.sink("cannot fsync the ledger \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// One ledger line: the debt as received plus `debt_id` and `import_id`.
    static func line(debt: RecordObject, debtID: String, importID: String, into writer: inout JSONByteWriter) {
        var object = debt
        object["debt_id"] = .string(debtID)
        object["import_id"] = .string(importID)
        writer.object(object)
        writer.newline()
    }

    private static func countLines(path: String) -> Int {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return 0 }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var count = 0
        while true {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            for index in 0..<got where buffer[index] == 0x0A { count += 1 }
        }
        return count
    }
}
