import DebtflowCore
import DebtflowJSON

/// Reads records from a JSON input as it streams: never the whole document at once.
///
/// With `recordsPath` `""` the input is a top-level array of objects, or NDJSON / concatenated
/// objects. With `"result"` (or `"a.b"`) it is the array under that key of the top-level object;
/// the other keys, before and after, are checked and skipped without being built; the same key
/// given twice is an input error. Every record must be an object. Provenance: `record` is the 1-based element position, `line` the line where
/// the element starts.
///
/// A chunk's records are one ``RecordTape``: the tokenizer appends each record's values to it as
/// it reads them (``JSONTokenizer/appendObject(depth:key:to:keys:)``), member names repeated in
/// the chunk are stored once (``JSONKeyTable``), and each ``Record`` is a view of its root node.
public final class JSONRecordReader: RecordSource, RecordSourceReadingHint {
    public var name: String { source.name }

    /// Set when the input's first record, read with `recordsPath` `""`, is an object holding a
    /// `"result"` array: the shape of a Sportalliance answer (`{"result":[…],"hasNext":…}`), which
    /// is then one record (a whole night's debtors skipped as one `no_open_case`) when the config
    /// most likely meant `"records": "result"`.
    public private(set) var readingHint: String?
    /// Whether the first record was looked at for ``readingHint``.
    private var lookedAtFirstRecord = false
    public var totalBytes: Int64? { source.totalBytes }

    private enum Phase {
        case start
        /// Inside the records array; `first`: no element read yet.
        case arrayElements(first: Bool)
        case ndjson
        /// The records array is closed; the enclosing objects and the end of input remain.
        case trailer
        case finished
    }

    private let source: any ByteSource
    private let options: JSONReaderOptions
    private let chunkSize: Int
    private let byteBudget: Int
    private let cursor: JSONByteCursor
    private let tokenizer: JSONTokenizer
    private var phase = Phase.start
    /// The nesting depth of the records array (0 in NDJSON mode).
    private var arrayDepth = 0
    private var recordCount = 0
    private let sourceName: String
    /// The member names on the current chunk's tape.
    ///
    /// Unchecked for exclusive access at run time: handed `inout` to the tokenizer for each
    /// record, it cost a `swift_beginAccess` per record (about 80 instructions per W4 record),
    /// and nothing else reaches it while the tokenizer holds it (the tokenizer does not know
    /// the reader, and one task reads a chunk).
    @exclusivity(unchecked) private var keys = JSONKeyTable()
    /// The last chunk's tape size, to reserve the next one's.
    private var lastTapeBytes = 0
    private var lastTapeNodes = 0
    /// The error that ended reading, thrown again by every later call.
    private var failure: (any Error)?

    /// - Parameters:
    ///   - source: the input bytes (a file, stdin, a gzip decoder).
    ///   - options: where the records are, and the safety limits.
    ///   - chunkSize: how many records one ``nextChunk()`` returns at most.
    ///   - byteBudget: how many bytes of input one chunk's records span at most (at least one record).
    public init(source: any ByteSource, options: JSONReaderOptions = JSONReaderOptions(),
                chunkSize: Int = Chunk<Record>.preferredSize, byteBudget: Int = Chunk<Record>.preferredByteBudget) {
        self.source = source
        self.options = options
        self.sourceName = source.name
        self.chunkSize = max(1, chunkSize)
        self.byteBudget = max(1, byteBudget)
        self.cursor = JSONByteCursor(source: source)
        self.tokenizer = JSONTokenizer(cursor: cursor, maxDepth: options.maxDepth, maxTokenBytes: options.maxTokenBytes)
    }

    /// The next records, or `nil` at the end of the input.
    /// - Throws: ``DebtflowError`` of kind `.input` naming file, line, column and byte offset
    ///   (and the record, when a record element is not an object).
    public func nextChunk() async throws -> Chunk<Record>? {
        try nextChunkSynchronously()
    }

    /// ``nextChunk()`` without the `async` hop (the reader does no waiting of its own). After an
    /// error every later call throws the same error.
    public func nextChunkSynchronously() throws -> Chunk<Record>? {
        if let failure { throw failure }
        do {
            return try readChunk()
        } catch {
            failure = error
            throw error
        }
    }

    private func readChunk() throws -> Chunk<Record>? {
        if case .start = phase { try begin() }
        // One tape per chunk, reserved a quarter above the last one's size: a chunk a little
        // larger than the last would otherwise double the arrays (and the chunks in flight would
        // hold that slack). Capped, so one giant record does not inflate every later chunk.
        var tape = RecordTapeBuilder(byteCapacity: min(lastTapeBytes + lastTapeBytes / 4, 4 * byteBudget),
                                     nodeCapacity: min(lastTapeNodes + lastTapeNodes / 4, byteBudget))
        keys.removeAll()
        var roots: [(record: Int, line: Int, node: Int)] = []
        roots.reserveCapacity(min(chunkSize, 1024))
        let chunkStart = cursor.offset
        loop: while roots.count < chunkSize && cursor.offset - chunkStart < Int64(byteBudget) {
            switch phase {
            case .start, .finished:
                break loop
            case .arrayElements(let first):
                guard var byte = try cursor.skipWhitespace() else {
                    throw cursor.error("unexpected end of input inside the records array")
                }
                if byte == UInt8(ascii: "]") {
                    cursor.advance()
                    phase = .trailer
                    continue loop
                }
                if !first {
                    guard byte == UInt8(ascii: ",") else {
                        throw tokenizer.unexpectedByte(byte, expected: "',' or ']' in the records array")
                    }
                    cursor.advance()
                    guard let next = try cursor.skipWhitespace() else {
                        throw cursor.error("unexpected end of input inside the records array")
                    }
                    byte = next
                }
                roots.append(try readRecord(byte, depth: arrayDepth + 1, to: &tape))
                phase = .arrayElements(first: false)
            case .ndjson:
                guard let byte = try cursor.skipWhitespace() else {
                    phase = .finished
                    break loop
                }
                roots.append(try readRecord(byte, depth: 1, to: &tape))
            case .trailer:
                try finishEnclosingObjects()
                try tokenizer.expectEndOfInput()
                phase = .finished
            }
        }
        if roots.isEmpty, case .finished = phase { return nil }
        lastTapeBytes = tape.byteCount
        lastTapeNodes = tape.nodeCount
        // The records as one table, as the CSV reader hands them on (``DebtflowCore/RecordRows``):
        // no `Record` per record, nor a reference to the tape and the input's name in each.
        let finished = tape.finish()
        if !lookedAtFirstRecord, let first = roots.first {
            lookedAtFirstRecord = true
            if options.recordsPath.isEmpty, RecordView(tape: finished, index: first.node)["result"]?.kind == .array {
                readingHint = "\(MessageExcerpt.path(sourceName)): record 1 is an object holding a \"result\" array, the shape of "
                    + "an API answer ({\"result\":[…]}): read with \"records\": \"\" it is one record. To read the records "
                    + "in that array, set the read stage's \"records\": \"result\""
            }
        }
        let rows = RecordRows(tape: finished, source: sourceName,
                              rows: roots.map { RecordRows.Row(record: $0.record, line: $0.line, root: $0.node) })
        return Chunk(recordRows: rows, inputBytesConsumed: source.bytesConsumed,
                     textByteCount: Int(clamping: cursor.offset - chunkStart))
    }

    /// Reads one record element onto the chunk's tape; `byte` is its first byte.
    /// - Returns: the record's number, first line and root node.
    private func readRecord(_ byte: UInt8, depth: Int, to tape: inout RecordTapeBuilder) throws -> (record: Int, line: Int, node: Int) {
        recordCount += 1
        let line = cursor.line
        guard byte == UInt8(ascii: "{") else {
            let found = describe(byte)
            if found == "not a JSON value" {
                throw tokenizer.unexpectedByte(byte, expected: "record \(recordCount), a JSON object")
            }
            throw cursor.error("record \(recordCount) is \(found), not a JSON object", record: recordCount)
        }
        tokenizer.keptValueEndOffset = cursor.offset + Int64(options.maxRecordBytes)
        tokenizer.keptRecord = (recordCount, line, options.maxRecordBytes)
        defer { tokenizer.keptValueEndOffset = .max }
        let node = try tokenizer.appendObject(depth: depth, to: &tape, keys: &keys)
        // The limit is checked between members while building; a last member can still carry
        // the record past it.
        try tokenizer.checkKeptValueSize()
        return (recordCount, line, node)
    }

    /// Finds the records: the top-level array, NDJSON, or the array at `recordsPath`.
    private func begin() throws {
        try tokenizer.skipByteOrderMark()
        let path = options.recordsPath
        guard !path.isEmpty else {
            // No JSON value at all (an empty file, only spaces, only a byte-order mark) is not a
            // JSON text (JSONTestSuite's n_structure_no_data): most often a download or an export
            // that failed. An export without records is `[]`.
            guard let byte = try cursor.skipWhitespace() else {
                throw cursor.error("the input holds no JSON value (it is empty): an export without records is `[]`; "
                                   + "was the file cut short, or the export not written?")
            }
            switch byte {
            case UInt8(ascii: "["):
                cursor.advance()
                arrayDepth = 1
                phase = .arrayElements(first: true)
            case UInt8(ascii: "{"):
                phase = .ndjson
            default:
                throw tokenizer.unexpectedByte(byte, expected: "a JSON array of records, or objects (NDJSON)")
            }
            return
        }
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        recordsPathKeys = keys
        var depth = 0
        for (index, key) in keys.enumerated() {
            let isLast = index == keys.count - 1
            let container = keys[..<index].joined(separator: ".")
            guard let open = try cursor.skipWhitespace(), open == UInt8(ascii: "{") else {
                throw cursor.error(index == 0 ? "expected a top-level JSON object holding \"\(path)\""
                                              : "\"\(container)\" is not an object")
            }
            depth += 1
            try findKey(key, in: container.isEmpty ? "the top-level object" : "\"\(container)\"", depth: depth)
            if isLast {
                guard let value = try cursor.skipWhitespace() else {
                    throw cursor.error("unexpected end of input; expected the records array \"\(path)\"")
                }
                guard value == UInt8(ascii: "[") else {
                    throw cursor.error("\"\(path)\" is \(describe(value)), not an array of records")
                }
                try tokenizer.parseArrayOpening(depth: depth + 1)
                arrayDepth = depth + 1
            }
        }
        enclosingObjects = depth
        phase = .arrayElements(first: true)
    }

    /// How many objects enclose the records array (closed after it).
    private var enclosingObjects = 0
    /// The keys of `recordsPath`, one per enclosing object: a second one of them after the
    /// records array is an input error (which array would be the records?).
    private var recordsPathKeys: [String] = []

    /// Moves past the `{` of an object and its entries up to the value of `key`, skipping the
    /// values of the other keys.
    private func findKey(_ key: String, in container: String, depth: Int) throws {
        cursor.advance()
        var first = true
        while true {
            guard var byte = try cursor.skipWhitespace() else {
                throw cursor.error("unexpected end of input; no key \"\(key)\" in \(container)")
            }
            if byte == UInt8(ascii: "}") {
                throw cursor.error("no key \"\(key)\" in \(container)")
            }
            if !first {
                guard byte == UInt8(ascii: ",") else { throw tokenizer.unexpectedByte(byte, expected: "',' or '}' in an object") }
                cursor.advance()
                guard let next = try cursor.skipWhitespace() else {
                    throw cursor.error("unexpected end of input; no key \"\(key)\" in \(container)")
                }
                byte = next
            }
            first = false
            if try tokenizer.parseKey(byte) == key { return }
            try tokenizer.skipValue(depth: depth)
        }
    }

    /// After the records array: skips the remaining entries of each enclosing object to its `}`.
    /// A key of the records path seen again (a second `"result"`) is an input error naming it.
    private func finishEnclosingObjects() throws {
        var depth = enclosingObjects
        while depth > 0 {
            guard let byte = try cursor.skipWhitespace() else {
                throw cursor.error("unexpected end of input inside an object")
            }
            if byte == UInt8(ascii: "}") {
                cursor.advance()
                depth -= 1
                continue
            }
            guard byte == UInt8(ascii: ",") else { throw tokenizer.unexpectedByte(byte, expected: "',' or '}' in an object") }
            cursor.advance()
            guard let keyStart = try cursor.skipWhitespace() else {
                throw cursor.error("unexpected end of input inside an object")
            }
            let keyMark = cursor.mark
            let key = try tokenizer.parseKey(keyStart)
            if key == recordsPathKeys[depth - 1] {
                let path = recordsPathKeys[..<depth].joined(separator: ".")
                throw DebtflowError.input(
                    "duplicate key \"\(key)\" in \(depth == 1 ? "the top-level object" : "\"\(recordsPathKeys[..<(depth - 1)].joined(separator: "."))\"")"
                        + (depth == recordsPathKeys.count ? ": the records array \"\(path)\" is given twice"
                                                          : ": \"\(path)\", which holds the records, is given twice"),
                    location: cursor.location(of: keyMark))
            }
            try tokenizer.skipValue(depth: depth)
        }
        enclosingObjects = 0
    }

    private func describe(_ byte: UInt8) -> String {
        switch byte {
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default: return "not a JSON value"
        }
    }
}
