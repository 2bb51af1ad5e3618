import DebtflowCore
import DebtflowJSON

/// Reads a debtors file into a ``DebtorCatalog`` element by element, in memory about the size of
/// the debtors' texts: the file is streamed (inflated as it is read when gzip) and only the texts
/// kept are held, one after another in one buffer (``DebtorTextStore``).
///
/// The shapes, and what is kept of each, are those of reading the whole text as one JSON document
/// first, as the sandbox once did: an array gives its elements, and an object with a `result`
/// member gives that array's elements (the first `result`; one that is not an array is an error),
/// each re-serialized compactly (``JSONByteWriter``); another object is one debtor, kept as
/// written; a string, number or literal is an error; only whitespace is no debtor. When the text is
/// not one JSON document but its first non-blank line is one by itself, each non-blank line is one
/// debtor (NDJSON), kept as written. Errors say what the whole-document parse said, at the same
/// line, column and byte (an NDJSON line's at places counted in that line, named `line N`).
///
/// Reads the text once for an array or a `result` document, twice for NDJSON (the document pass
/// finds it is not one document where its second line starts) or a lone object (its text is read
/// again, as written).
struct DebtorFileReader {
    /// Opens the text from its start, once per pass.
    let openText: () throws -> any ByteSource
    /// The nesting and token limits (``SandboxJSON/limits``).
    var limits = SandboxJSON.limits

    /// Reads the catalog.
    /// - Throws: ``DebtflowError`` of kind `.input` saying what is wrong and where (line, column,
    ///   byte); the text source's own errors (a damaged gzip stream, a read error) as thrown, and
    ///   before a JSON error when the rest of the text holds one (each pass reads its text to the
    ///   end before it throws a JSON error).
    func read() throws -> DebtorCatalog {
        let source = try openText()
        switch try readingToEndOnError(source, { try readDocument(source) }) {
        case .debtors(let catalog):
            return catalog
        case .loneObject(let end):
            return try readLoneObject(endingAt: end)
        case .notOneDocument(let error, let secondValueOffset):
            return try readLines(notOneDocument: error, secondValueOffset: secondValueOffset)
        }
    }

    /// What the document pass found.
    private enum DocumentOutcome {
        /// An array's or a `result` array's elements, or no debtor at all (only whitespace).
        case debtors(DebtorCatalog)
        /// One object without `result`, ending at this offset: kept as written.
        case loneObject(end: Int64)
        /// Data after the first value, starting at this offset (maybe NDJSON): the error to throw
        /// when the text is not NDJSON either.
        case notOneDocument(DebtflowError, secondValueOffset: Int64)
    }

    /// The document pass: the top-level value, its elements kept as they are parsed.
    private func readDocument(_ source: any ByteSource) throws -> DocumentOutcome {
        let cursor = JSONByteCursor(source: source)
        let tokenizer = JSONTokenizer(cursor: cursor, maxDepth: limits.maxDepth, maxTokenBytes: limits.maxTokenBytes)
        let startsWithByteOrderMark = try cursor.peek() == 0xEF
        try tokenizer.skipByteOrderMark()
        // Only whitespace (an NDJSON export of no debtor) serves no debtor, as no --debtors does;
        // a byte-order mark and nothing else is an error (no JSON value).
        if !startsWithByteOrderMark, try cursor.skipWhitespace() == nil { return .debtors(DebtorCatalog()) }
        let store = DebtorTextStoreBuilder()
        var writer = JSONByteWriter(capacity: 16 << 10)
        let root = try tokenizer.streamValue(listing: "result") { element in
            writer.removeAll()
            writer.value(element)
            store.append(writer.bytes)
            store.endText()
        }
        let valueEnd = cursor.offset
        do {
            try tokenizer.expectEndOfInput()
        } catch let notOneDocument as DebtflowError {
            return .notOneDocument(notOneDocument, secondValueOffset: cursor.offset)
        }
        switch root {
        case .array, .object(.array):
            return .debtors(DebtorCatalog(store: store.finish()))
        case .object(.notArray):
            throw DebtflowError.input("\"result\" is not an array")
        case .object(.absent):
            return .loneObject(end: valueEnd)
        case .scalar:
            throw DebtflowError.input("a debtor must be a JSON object")
        }
    }

    /// The lone object pass: one debtor, as written, from the text's first byte that is not
    /// whitespace (a byte-order mark included) to `valueEnd`.
    private func readLoneObject(endingAt valueEnd: Int64) throws -> DebtorCatalog {
        let source = try openText()
        return try readingToEndOnError(source) {
            let store = DebtorTextStoreBuilder()
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
            defer { buffer.deallocate() }
            var offset: Int64 = 0
            var started = false
            while offset < valueEnd {
                let count = try source.read(into: buffer)
                guard count > 0 else { break }
                var piece = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self),
                                                count: Int(min(Int64(count), valueEnd - offset)))
                offset += Int64(count)
                if !started {
                    guard let first = piece.firstIndex(where: { !DebtorLines.isSpace($0) }) else { continue }
                    piece = UnsafeBufferPointer(rebasing: piece[first...])
                    started = true
                }
                store.append(piece)
            }
            store.endText()
            return DebtorCatalog(store: store.finish())
        }
    }

    /// The NDJSON pass: each non-blank line is one debtor, kept as written, when the first one is a
    /// JSON value by itself; otherwise the text is a document broken where its second value starts.
    /// - Parameters:
    ///   - notOneDocument: the document pass's error (data after the first value).
    ///   - secondValueOffset: where that data starts: a first line reaching it is not a value by
    ///     itself (and is not read further).
    private func readLines(notOneDocument: DebtflowError, secondValueOffset: Int64) throws -> DebtorCatalog {
        let source = try openText()
        return try readingToEndOnError(source) {
            let store = DebtorTextStoreBuilder()
            var lines = DebtorLines(source: source, firstLineEndsBefore: secondValueOffset)
            do {
                guard let first = try lines.next(),
                      (try? Self.check(first.text, name: "line \(first.number)", limits: limits)) != nil else { throw notOneDocument }
                store.append(first.text)
                store.endText()
            } catch is DebtorLines.FirstLineTooLong {
                throw notOneDocument
            }
            while let line = try lines.next() {
                try Self.check(line.text, name: "line \(line.number)", limits: limits)
                store.append(line.text)
                store.endText()
            }
            // The data after the first value is on a later line, so there are two lines at least.
            guard store.count > 1 else { throw notOneDocument }
            return DebtorCatalog(store: store.finish())
        }
    }

    /// Checks that `text` is one JSON value, as ``JSONDocument/parse(_:name:limits:)`` would (the
    /// same messages, at places counted from the line's first byte), without building it.
    static func check(_ text: [UInt8], name: String, limits: JSONLimits) throws {
        let source = MemoryByteSource(text, name: name, maxReadSize: max(1, text.count))
        let cursor = JSONByteCursor(source: source, capacity: max(1, min(text.count, 1 << 20)))
        let tokenizer = JSONTokenizer(cursor: cursor, maxDepth: limits.maxDepth, maxTokenBytes: limits.maxTokenBytes)
        try tokenizer.skipByteOrderMark()
        try tokenizer.skipValue(depth: 0)
        try tokenizer.expectEndOfInput()
    }

    /// Runs `body`; when it throws a JSON error, reads the rest of `source` first, so that a damaged
    /// gzip stream or a read error further on is what is said (as when the file was read whole).
    private func readingToEndOnError<Result>(_ source: any ByteSource, _ body: () throws -> Result) throws -> Result {
        do {
            return try body()
        } catch let error as DebtflowError {
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 16)
            defer { scratch.deallocate() }
            while try source.read(into: scratch) > 0 {}
            throw error
        }
    }
}

/// The lines of a text read from a stream, split at LF as NDJSON is (`a\nb\n` is `a`, `b` and a
/// blank third line), each trimmed of JSON whitespace; blank lines are counted, not returned.
/// Holds one line and a 64 KiB read buffer.
struct DebtorLines {
    /// A non-blank line: its 1-based number among all lines, and its text without the whitespace
    /// at either end.
    struct Line {
        var number: Int
        var text: [UInt8]
    }

    /// The first non-blank line reaches the offset it had to end before.
    struct FirstLineTooLong: Error {}

    /// Owns the read buffer, shared by the copies of one reader.
    private final class ReadBuffer {
        let bytes: UnsafeMutableRawBufferPointer
        init(byteCount: Int) { bytes = .allocate(byteCount: byteCount, alignment: 16) }
        deinit { bytes.deallocate() }
    }

    private let source: any ByteSource
    private let buffer = ReadBuffer(byteCount: 64 << 10)
    /// The offset the first non-blank line must end before (`nil`: any, or already read).
    private var firstLineLimit: Int64?
    /// The next byte to look at in `buffer`, and how many bytes it holds.
    private var position = 0
    private var end = 0
    /// The offset of the buffer's first byte.
    private var bufferStart: Int64 = 0
    /// The last line (the one with no LF after it) was read.
    private var finished = false
    /// The number of the last line read.
    private var number = 0
    private var line: [UInt8] = []

    /// - Parameter firstLineEndsBefore: the offset the first non-blank line must end before; one
    ///   reaching it throws ``FirstLineTooLong`` as soon as it does (it is not held further).
    init(source: any ByteSource, firstLineEndsBefore: Int64? = nil) {
        self.source = source
        self.firstLineLimit = firstLineEndsBefore
    }

    /// JSON whitespace (the bytes trimmed off a line).
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The next non-blank line, `nil` after the last one.
    mutating func next() throws -> Line? {
        while !finished {
            number += 1
            line.removeAll(keepingCapacity: true)
            let lineStart = bufferStart + Int64(position)
            var endedByLineFeed = false
            while !endedByLineFeed {
                if position == end {
                    bufferStart += Int64(end)
                    position = 0
                    end = try source.read(into: buffer.bytes)
                    if end == 0 { break }
                }
                let bytes = buffer.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
                var index = position
                while index < end && bytes[index] != 0x0A { index += 1 }
                line.append(contentsOf: UnsafeBufferPointer(start: bytes + position, count: index - position))
                endedByLineFeed = index < end
                position = endedByLineFeed ? index + 1 : index
                // A blank line cannot reach the limit (the byte there is not whitespace).
                if let firstLineLimit, lineStart + Int64(line.count) > firstLineLimit { throw FirstLineTooLong() }
            }
            if !endedByLineFeed { finished = true }
            guard let first = line.firstIndex(where: { !Self.isSpace($0) }),
                  let last = line.lastIndex(where: { !Self.isSpace($0) }) else { continue }
            firstLineLimit = nil
            return Line(number: number, text: Array(line[first...last]))
        }
        return nil
    }
}
