import DebtflowCore
import DebtflowGzip
import DebtflowJSON
import Foundation

/// The debtors the Sportalliance route serves, loaded once from `--debtors`.
///
/// Accepts a document shaped like the API's answer (`{"result":[…]}`), a JSON array of debtors,
/// or NDJSON (one debtor per line), gzip or plain (detected from the magic bytes). Each debtor
/// is kept as compact JSON text (NDJSON lines as written), so serving a slice only joins bytes.
struct DebtorCatalog: Sendable {
    /// Each debtor's JSON text.
    let debtors: [[UInt8]]

    init(debtors: [[UInt8]]) {
        self.debtors = debtors
    }

    /// Loads and splits a debtors file.
    /// - Throws: ``DebtflowError`` of kind `.usage` when the file cannot be read or is not one of
    ///   the accepted shapes (the message names the file and the byte offset).
    static func load(path: String) throws -> DebtorCatalog {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DebtflowError.usage("cannot read the debtors file \(path) (\(String(cString: strerror(errno))))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw DebtflowError.usage("the debtors file \(path) is not a regular file (a folder, a FIFO or a device); expected a file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            let reason = descriptor < 0 ? String(cString: strerror(errno)) : "read error"
            if descriptor >= 0 { close(descriptor) }
            throw DebtflowError.usage("cannot read the debtors file \(path) (\(reason))")
        }
        var bytes = [UInt8](data)
        if GzipDetection.isGzip(bytes) {
            do { bytes = try GzipDecoder.inflateWhole(bytes, name: path) } catch let error as DebtflowError {
                throw DebtflowError.usage("the debtors file \(path): \(error.message)")
            }
        }
        // An empty file (an NDJSON export of no debtor) serves no debtor, as no --debtors does.
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return DebtorCatalog(debtors: []) }
        do {
            return DebtorCatalog(debtors: try split(bytes))
        } catch {
            throw DebtflowError.usage("the debtors file \(path) is not a {\"result\":[…]} document, a JSON array or NDJSON: \(error)")
        }
    }

    /// Splits the text into debtors: a single array is its elements; a single object with a
    /// `result` array is that array's elements; a single other object is one debtor; otherwise
    /// each non-blank line is one debtor (NDJSON), kept as written.
    /// - Throws: ``DebtflowError`` saying what is wrong and where (line, column, byte).
    static func split(_ bytes: [UInt8]) throws -> [[UInt8]] {
        let whole: RecordValue
        do {
            whole = try JSONDocument.parse(bytes, name: "the document", limits: SandboxJSON.limits)
        } catch {
            // NDJSON only when the first line is a value by itself; else the whole document's
            // error says best what is wrong (a pretty-printed file broken further down).
            let lines = nonBlankLines(bytes)
            guard lines.count > 1,
                  (try? JSONDocument.parse(Array(lines[0].text), name: "line 1", limits: SandboxJSON.limits)) != nil
            else { throw error }
            return try lines.map { line in
                _ = try JSONDocument.parse(Array(line.text), name: "line \(line.number)", limits: SandboxJSON.limits)
                return Array(line.text)
            }
        }
        switch whole {
        case .array(let elements):
            return elementTexts(of: elements)
        case .object(let object):
            if let result = object["result"] {
                guard case .array(let elements) = result else {
                    throw DebtflowError.input("\"result\" is not an array")
                }
                return elementTexts(of: elements)
            }
            return [trimmed(bytes[...])].map { Array($0) }
        default:
            throw DebtflowError.input("a debtor must be a JSON object")
        }
    }

    /// The lines that hold more than whitespace, trimmed, with their 1-based numbers.
    private static func nonBlankLines(_ bytes: [UInt8]) -> [(number: Int, text: ArraySlice<UInt8>)] {
        var lines: [(number: Int, text: ArraySlice<UInt8>)] = []
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let text = trimmed(line)
            if !text.isEmpty { lines.append((index + 1, text)) }
        }
        return lines
    }

    /// `bytes` without JSON whitespace at either end.
    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else { return [] }
        return bytes[first...last]
    }

    /// Elements re-serialized (whitespace inside the original array is not kept).
    private static func elementTexts(of elements: [RecordValue]) -> [[UInt8]] {
        var writer = JSONByteWriter(capacity: 1024)
        return elements.map { element in
            writer.removeAll()
            writer.value(element)
            return writer.bytes
        }
    }

    /// One slice: the debtors from `start`, at most `count` of them.
    func slice(from start: Int, count: Int) -> ArraySlice<[UInt8]> {
        let lower = min(start, debtors.count)
        return debtors[lower..<min(debtors.count, lower + count)]
    }
}
