import DebtflowCore

/// Small whole JSON documents (pipeline configs, HTTP answers, journal lines, sandbox bodies),
/// parsed by the same tokenizer as the streaming JSON record reader.
public enum JSONDocument {
    /// Parses one complete JSON value (any type at the top level) followed only by whitespace.
    ///
    /// Numbers keep their exact text (`.number("1.50")`); duplicate keys are kept, in order; a
    /// UTF-8 byte-order mark is skipped.
    /// - Parameters:
    ///   - bytes: the whole document, UTF-8.
    ///   - name: the document's name for messages (a URL without secrets, a path).
    ///   - limits: the depth and token-size limits.
    /// - Throws: ``DebtflowError`` of kind `.input` naming line, column and byte offset.
    public static func parse(_ bytes: [UInt8], name: String,
                             limits: JSONLimits = JSONLimits()) throws -> RecordValue {
        let tokenizer = try makeTokenizer(reading: bytes, name: name, limits: limits)
        let value = try tokenizer.parseValue(depth: 0)
        try tokenizer.expectEndOfInput()
        return value
    }

    /// Parses one complete JSON value as ``parse(_:name:limits:)`` does, onto a ``RecordTape`` of
    /// its own instead of a ``RecordValue`` tree: the root is node 0 of the returned view.
    public static func parseTape(_ bytes: [UInt8], name: String,
                                 limits: JSONLimits = JSONLimits()) throws -> RecordView {
        let tokenizer = try makeTokenizer(reading: bytes, name: name, limits: limits)
        var tape = RecordTapeBuilder(byteCapacity: bytes.count)
        var keys = JSONKeyTable()
        try tokenizer.appendValue(depth: 0, key: .empty, to: &tape, keys: &keys)
        try tokenizer.expectEndOfInput()
        return RecordView(tape: tape.finish(), index: 0)
    }

    /// A tokenizer over a whole document in memory, past its byte-order mark.
    static func makeTokenizer(reading bytes: [UInt8], name: String, limits: JSONLimits) throws -> JSONTokenizer {
        let source = MemoryByteSource(bytes, name: name, maxReadSize: max(1, bytes.count))
        let cursor = JSONByteCursor(source: source, capacity: max(1, min(bytes.count, 1 << 20)))
        let tokenizer = JSONTokenizer(cursor: cursor, maxDepth: limits.maxDepth, maxTokenBytes: limits.maxTokenBytes)
        try tokenizer.skipByteOrderMark()
        return tokenizer
    }
}
