import DebtflowCore
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
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DebtflowError.usage("cannot read the debtors file \(path)")
        }
        var bytes = [UInt8](data)
        if GzipInflate.isGzip(bytes) {
            do { bytes = try GzipInflate.inflate(bytes, name: path) } catch let error as DebtflowError {
                throw DebtflowError.usage(error.message)
            }
        }
        do {
            return DebtorCatalog(debtors: try split(bytes))
        } catch {
            throw DebtflowError.usage("the debtors file \(path) is not a {\"result\":[…]} document, a JSON array or NDJSON: \(error)")
        }
    }

    /// Splits the text into debtors: the top-level values; a single array is its elements; a
    /// single object with a `result` array is that array's elements.
    static func split(_ bytes: [UInt8]) throws -> [[UInt8]] {
        try bytes.withUnsafeBufferPointer { buffer throws -> [[UInt8]] in
            var parser = SandboxJSONParser(bytes: buffer)
            var values: [(value: RecordValue, range: Range<Int>)] = []
            parser.skipWhitespace()
            while !parser.isAtEnd {
                let start = parser.position
                let value = try parser.parseValue(depth: 0)
                values.append((value, start..<parser.position))
                parser.skipWhitespace()
            }
            func slice(_ range: Range<Int>) -> [UInt8] { Array(buffer[range]) }
            guard values.count == 1 else { return values.map { slice($0.range) } }
            let only = values[0]
            switch only.value {
            case .array(let elements):
                return try elementTexts(of: elements)
            case .object(let object):
                if let result = object["result"] {
                    guard case .array(let elements) = result else {
                        throw SandboxJSONParser.SandboxJSONError(message: "\"result\" is not an array", offset: only.range.lowerBound)
                    }
                    return try elementTexts(of: elements)
                }
                return [slice(only.range)]
            default:
                throw SandboxJSONParser.SandboxJSONError(message: "a debtor must be a JSON object", offset: only.range.lowerBound)
            }
        }
    }

    /// Elements re-serialized (whitespace inside the original array is not kept).
    private static func elementTexts(of elements: [RecordValue]) throws -> [[UInt8]] {
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
