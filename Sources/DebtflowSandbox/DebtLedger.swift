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
/// debt ids and import ids continue after the lines already in it (a sandbox restarted on its
/// ledger gives no id twice), and a last line without its line break gets one before the first new
/// line. It must be a regular file (or not exist yet).
final class DebtLedger {
    private let descriptor: Int32
    let path: String
    /// How many debts the file held when it was opened.
    let existingCount: Int
    /// The number in the last line's `import_id` (`imp_000042` → 42), 0 when there is none.
    let lastImportNumber: Int
    /// The file ended without a line break: one is written before the first new line.
    private var needsLineBreak: Bool

    /// Opens (creating if needed) the ledger for appending.
    /// - Throws: ``DebtflowError`` of kind `.usage` naming the path and the system error, or what
    ///   the path is when it is not a regular file (a FIFO would hang the start, a device never end).
    init(path: String) throws {
        self.path = path
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            throw DebtflowError.usage("the ledger \(path) is not a regular file (a folder, a FIFO or a device); expected a file to append to")
        }
        let existing = Self.scan(path: path)
        existingCount = existing.lines
        lastImportNumber = existing.lastImportNumber
        needsLineBreak = existing.endsWithoutLineBreak
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
        if needsLineBreak {
            needsLineBreak = false
            try append([0x0A])
        }
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

    /// The existing file's lines (a last one without a line break counts), the import number of
    /// its last line, and whether it ends without a line break.
    private static func scan(path: String) -> (lines: Int, lastImportNumber: Int, endsWithoutLineBreak: Bool) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return (0, 0, false) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var count = 0
        // The bytes since the last line break: the last line, or its last 64 KiB (the import id
        // is at its end).
        var lastLine: [UInt8] = []
        var previousLine: [UInt8] = []
        let kept = 64 * 1024
        while true {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            for index in 0..<got {
                if buffer[index] == 0x0A {
                    count += 1
                    if !lastLine.isEmpty { previousLine = lastLine }
                    lastLine.removeAll(keepingCapacity: true)
                } else {
                    if lastLine.count == 2 * kept { lastLine.removeFirst(kept) }
                    lastLine.append(buffer[index])
                }
            }
        }
        let endsWithoutLineBreak = !lastLine.isEmpty
        if endsWithoutLineBreak { count += 1 }
        return (count, importNumber(in: endsWithoutLineBreak ? lastLine : previousLine), endsWithoutLineBreak)
    }

    /// The number after the last `"import_id":"imp_` in `line`, or 0.
    private static func importNumber(in line: [UInt8]) -> Int {
        let marker = Array(#""import_id":"imp_"#.utf8)
        guard line.count >= marker.count else { return 0 }
        var start = line.count - marker.count
        while start >= 0 {
            if line[start..<start + marker.count].elementsEqual(marker) {
                var number = 0
                var index = start + marker.count
                while index < line.count, line[index] >= 0x30, line[index] <= 0x39, number < Int.max / 10 - 9 {
                    number = number * 10 + Int(line[index] - 0x30)
                    index += 1
                }
                return number
            }
            start -= 1
        }
        return 0
    }
}
