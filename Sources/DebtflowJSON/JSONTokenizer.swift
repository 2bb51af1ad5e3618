import DebtflowCore

/// A byte-level JSON parser (RFC 8259) over a ``JSONByteCursor``: builds ``RecordValue``s for the
/// values it keeps and skips the others without building anything.
///
/// Strings are unescaped into one reused scratch buffer and become a `String` once, validated as
/// UTF-8. Numbers are kept as their exact text. Escaped lone surrogates (`"\uD800"`), invalid
/// UTF-8, raw control characters in strings, nesting deeper than `maxDepth` and tokens longer than
/// `maxTokenBytes` are input errors, as is a kept value (a record) that runs past
/// ``keptValueEndOffset``: without that bound a record of a billion tiny members would be built
/// in memory whole.
public final class JSONTokenizer {
    /// How the messages of the tokenizer's two size limits begin (a token over the byte limit,
    /// nesting over the depth limit); the messages are made from them (``tooDeep()``,
    /// ``checkTokenSize()``).
    private static let tokenLimitMessage = "JSON token longer than"
    private static let depthLimitMessage = "JSON nesting deeper than"

    /// Whether `error` is one of the tokenizer's size limits: the same bytes would break it again
    /// (a reader that retries a page cut short asks no more for such a page).
    public static func isSizeLimit(_ error: DebtflowError) -> Bool {
        error.kind == .input && (error.message.hasPrefix(tokenLimitMessage) || error.message.hasPrefix(depthLimitMessage))
    }

    let cursor: JSONByteCursor
    let maxDepth: Int
    let maxTokenBytes: Int
    /// The unescaped bytes of the string or number being read when it cannot be read in place.
    ///
    /// Unchecked for exclusive access at run time: the optimizer kept a `swift_beginAccess` on it
    /// before every object member (about 1,300 instructions per Magicline debtor, 13 calls), and
    /// no access to it ever overlaps another (the one task owning the tokenizer reads it in a
    /// `withUnsafeBufferPointer` that never changes it, and changes it nowhere else in a read).
    @exclusivity(unchecked) var scratch: [UInt8] = []
    /// The record being built, for the error when it runs past ``keptValueEndOffset``.
    var keptRecordInfo = (number: 0, line: 0, limit: 0)

    /// Where the record being built must end (see the type's notes): the input offset a value
    /// being built (``parseObject(depth:)``, ``parseArray(depth:)``) must end before; the reader
    /// sets it per record. `Int64.max`: no bound. Kept by the cursor (internal storage, so the hot
    /// path needs no dynamic exclusivity checks), as an index of its buffer too
    /// (``JSONByteCursor/keptEndIndex``).
    public var keptValueEndOffset: Int64 {
        get { cursor.keptEndOffset }
        set { cursor.keptEndOffset = newValue }
    }

    /// The record being built (number, first line, byte limit), for the error when it runs past
    /// ``keptValueEndOffset``.
    public var keptRecord: (number: Int, line: Int, limit: Int) {
        get { keptRecordInfo }
        set { keptRecordInfo = newValue }
    }

    public init(cursor: JSONByteCursor, maxDepth: Int, maxTokenBytes: Int) {
        self.cursor = cursor
        // At most `Int.max - 1` (no input nests that deep): a depth that passed the check can be
        // stepped into with a wrapping add (``appendValue(depth:key:container:to:keys:)``).
        self.maxDepth = min(maxDepth, Int.max - 1)
        self.maxTokenBytes = maxTokenBytes
        scratch.reserveCapacity(256)
    }

    // MARK: - Document edges

    /// Skips a UTF-8 byte-order mark at the very start of the input.
    public func skipByteOrderMark() throws {
        guard cursor.offset == 0, let first = try cursor.peek() else { return }
        if first == 0xFF || first == 0xFE {
            // Both errors name the first byte (the cursor is past it by now).
            let start = DebtflowError.Location(file: cursor.source.name, line: 1, column: 1, byteOffset: 0)
            cursor.advance()
            if let second = try cursor.peek(), let order = UTF16ByteOrderMark(first, second) {
                throw DebtflowError.input("the input is UTF-16 text (\(order.description) byte-order mark); JSON input must be UTF-8",
                                          location: start)
            }
            throw DebtflowError.input("unexpected byte 0x\(hex(first)) at the start of the input; JSON input must be UTF-8",
                                      location: start)
        }
        guard first == 0xEF else { return }
        cursor.advance()
        for expected: UInt8 in [0xBB, 0xBF] {
            guard try cursor.peek() == expected else { throw cursor.error("invalid byte-order mark; JSON input must be UTF-8") }
            cursor.advance()
        }
    }

    /// Throws unless only whitespace is left.
    public func expectEndOfInput() throws {
        if try cursor.skipWhitespace() != nil {
            throw cursor.error("unexpected data after the end of the JSON document")
        }
    }

    // MARK: - Values

    /// Parses the next value (after whitespace).
    /// - Parameter depth: the nesting depth of the containers around this value.
    public func parseValue(depth: Int) throws -> RecordValue {
        guard let byte = try cursor.skipWhitespace() else {
            throw cursor.error("unexpected end of input; expected a JSON value")
        }
        switch byte {
        case UInt8(ascii: "{"): return .object(try parseObject(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try parseArray(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        default: throw unexpectedByte(byte, expected: "a JSON value")
        }
    }

    /// Walks the object at the cursor (its `{`) and checks the syntax around its members: `member`
    /// is called once per member with the byte that starts its key, and reads (or skips) the key
    /// and its value.
    /// - Parameter depth: this object's nesting depth (1 for a top-level object).
    @inline(__always)
    func walkObject(depth: Int, _ member: (UInt8) throws -> Void) throws {
        try checkDepth(depth)
        cursor.advance()
        guard var byte = try cursor.skipWhitespace() else { throw endInside("an object") }
        if byte == UInt8(ascii: "}") {
            cursor.advance()
            return
        }
        while true {
            try member(byte)
            guard let next = try cursor.skipWhitespace() else { throw endInside("an object") }
            if next == UInt8(ascii: "}") {
                cursor.advance()
                return
            }
            guard next == UInt8(ascii: ",") else { throw unexpectedByte(next, expected: "',' or '}' in an object") }
            cursor.advance()
            guard let following = try cursor.skipWhitespace() else { throw endInside("an object") }
            byte = following
        }
    }

    /// Walks the array at the cursor (its `[`) and checks the syntax around its elements:
    /// `element` is called once per element and reads (or skips) it.
    @inline(__always)
    func walkArray(depth: Int, _ element: () throws -> Void) throws {
        try checkDepth(depth)
        cursor.advance()
        guard let first = try cursor.skipWhitespace() else { throw endInside("an array") }
        if first == UInt8(ascii: "]") {
            cursor.advance()
            return
        }
        while true {
            try element()
            guard let next = try cursor.skipWhitespace() else { throw endInside("an array") }
            if next == UInt8(ascii: "]") {
                cursor.advance()
                return
            }
            guard next == UInt8(ascii: ",") else { throw unexpectedByte(next, expected: "',' or ']' in an array") }
            cursor.advance()
        }
    }

    /// Parses an object; the cursor is at its `{`.
    /// - Parameter depth: this object's nesting depth (1 for a top-level object).
    public func parseObject(depth: Int) throws -> RecordObject {
        var object = RecordObject()
        try walkObject(depth: depth) { byte in
            try checkKeptValueSize()
            let key = try parseKey(byte)
            object.append(key, try parseValue(depth: depth))
        }
        return object
    }

    /// Parses an array; the cursor is at its `[`.
    public func parseArray(depth: Int) throws -> [RecordValue] {
        var elements: [RecordValue] = []
        try walkArray(depth: depth) {
            try checkKeptValueSize()
            elements.append(try parseValue(depth: depth))
        }
        return elements
    }

    /// Reads `"key"` and the `:` after it; `byte` is the current (non-whitespace) byte.
    public func parseKey(_ byte: UInt8) throws -> String {
        guard byte == UInt8(ascii: "\"") else { throw unexpectedByte(byte, expected: "a string key in an object") }
        let key = try parseString()
        guard let colon = try cursor.skipWhitespace() else { throw endInside("an object") }
        guard colon == UInt8(ascii: ":") else { throw unexpectedByte(colon, expected: "':' after an object key") }
        cursor.advance()
        return key
    }

    /// Skips the next value (after whitespace) without building it; checks its syntax all the same.
    public func skipValue(depth: Int) throws {
        guard let byte = try cursor.skipWhitespace() else {
            throw cursor.error("unexpected end of input; expected a JSON value")
        }
        switch byte {
        case UInt8(ascii: "{"):
            try walkObject(depth: depth + 1) { byte in
                try skipKey(byte)
                try skipValue(depth: depth + 1)
            }
        case UInt8(ascii: "["):
            try walkArray(depth: depth + 1) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try scanValidString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        default: throw unexpectedByte(byte, expected: "a JSON value")
        }
    }

    /// Skips `"key"` and the `:` after it.
    public func skipKey(_ byte: UInt8) throws {
        guard byte == UInt8(ascii: "\"") else { throw unexpectedByte(byte, expected: "a string key in an object") }
        try scanValidString()
        guard let colon = try cursor.skipWhitespace() else { throw endInside("an object") }
        guard colon == UInt8(ascii: ":") else { throw unexpectedByte(colon, expected: "':' after an object key") }
        cursor.advance()
    }

    /// ``scanString()``, then checks the bytes are UTF-8: a skipped string (outside the records,
    /// a key looked past) is held to the same rule as one that is kept.
    private func scanValidString() throws {
        let start = cursor.mark
        try scanString()
        guard scratch.withUnsafeBufferPointer({ UTF8Validation.isValid($0) }) else {
            throw DebtflowError.input("string is not valid UTF-8; JSON input must be UTF-8", location: cursor.location(of: start))
        }
    }

    // MARK: - Strings

    /// Parses a string; the cursor is at its opening quote.
    public func parseString() throws -> String {
        let start = cursor.mark
        try scanString()
        guard let text = String(validating: scratch, as: UTF8.self) else {
            throw DebtflowError.input("string is not valid UTF-8; JSON input must be UTF-8",
                                      location: cursor.location(of: start))
        }
        return text
    }

    /// Reads a string's unescaped UTF-8 bytes into `scratch`; the cursor is at its opening quote.
    func scanString() throws {
        cursor.advance()
        scratch.removeAll(keepingCapacity: true)
        while true {
            let buffer = cursor.buffer
            let end = cursor.end
            let runStart = cursor.position
            var index = runStart
            while index < end {
                let byte = buffer[index]
                if byte == 0x22 || byte == 0x5C || byte < 0x20 { break }
                index += 1
            }
            if index > runStart {
                scratch.append(contentsOf: UnsafeBufferPointer(start: buffer + runStart, count: index - runStart))
                cursor.position = index
                try checkTokenSize()
            }
            if index == end {
                guard try cursor.refill() else { throw cursor.error("unexpected end of input inside a string") }
                continue
            }
            let byte = buffer[index]
            if byte == 0x22 {
                cursor.advance()
                return
            }
            if byte < 0x20 {
                throw cursor.error("control character 0x\(hex(byte)) inside a string (must be escaped)")
            }
            cursor.advance()
            try scanEscape()
            try checkTokenSize()
        }
    }

    /// Decodes one escape sequence; the cursor is just past its backslash.
    private func scanEscape() throws {
        guard let byte = try cursor.peek() else { throw cursor.error("unexpected end of input inside a string") }
        let decoded: UInt8
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded = byte
        case UInt8(ascii: "b"): decoded = 0x08
        case UInt8(ascii: "f"): decoded = 0x0C
        case UInt8(ascii: "n"): decoded = 0x0A
        case UInt8(ascii: "r"): decoded = 0x0D
        case UInt8(ascii: "t"): decoded = 0x09
        case UInt8(ascii: "u"):
            cursor.advance()
            try scanUnicodeEscape()
            return
        default:
            throw cursor.error("invalid escape '\\\(Character(Unicode.Scalar(byte)))' in a string")
        }
        cursor.advance()
        scratch.append(decoded)
    }

    /// Decodes `XXXX` (after `\u`), joining a surrogate pair; a lone surrogate is an input error.
    private func scanUnicodeEscape() throws {
        let escapeStart = cursor.mark
        let unit = try readHex4()
        var scalarValue = UInt32(unit)
        if (0xD800...0xDBFF).contains(unit) {
            guard try cursor.peek() == UInt8(ascii: "\\") else { throw loneSurrogate(unit, at: escapeStart) }
            cursor.advance()
            guard try cursor.peek() == UInt8(ascii: "u") else { throw loneSurrogate(unit, at: escapeStart) }
            cursor.advance()
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw loneSurrogate(unit, at: escapeStart) }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw loneSurrogate(unit, at: escapeStart)
        }
        let scalar = Unicode.Scalar(scalarValue)!
        scratch.append(contentsOf: UTF8.encode(scalar)!)
    }

    private func readHex4() throws -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = try cursor.peek() else { throw cursor.error("unexpected end of input inside a \\u escape") }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw cursor.error("invalid \\u escape: expected 4 hexadecimal digits")
            }
            value = value << 4 | UInt16(digit)
            cursor.advance()
        }
        return value
    }

    // MARK: - Numbers and literals

    /// Parses a number (RFC 8259 grammar) and keeps its exact text.
    public func parseNumber() throws -> String {
        try scanNumber()
        return String(decoding: scratch, as: UTF8.self)
    }

    func scanNumber() throws {
        scratch.removeAll(keepingCapacity: true)
        if try cursor.peek() == UInt8(ascii: "-") { take(UInt8(ascii: "-")) }
        guard let first = try cursor.peek(), isDigit(first) else { throw cursor.error("invalid number: expected a digit") }
        take(first)
        if first != UInt8(ascii: "0") { try takeDigits() }
        if try cursor.peek() == UInt8(ascii: ".") {
            take(UInt8(ascii: "."))
            guard let digit = try cursor.peek(), isDigit(digit) else {
                throw cursor.error("invalid number: expected a digit after '.'")
            }
            try takeDigits()
        }
        if let e = try cursor.peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            take(e)
            if let sign = try cursor.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { take(sign) }
            guard let digit = try cursor.peek(), isDigit(digit) else {
                throw cursor.error("invalid number: expected a digit in the exponent")
            }
            try takeDigits()
        }
    }

    @inline(__always) private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    @inline(__always) private func take(_ byte: UInt8) {
        scratch.append(byte)
        cursor.advance()
    }

    private func takeDigits() throws {
        while let byte = try cursor.peek(), isDigit(byte) {
            take(byte)
            if scratch.count > maxTokenBytes { try checkTokenSize() }
        }
    }

    func expectLiteral(_ literal: StaticString) throws {
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for expected in bytes {
            guard let byte = try cursor.peek(), byte == expected else {
                throw cursor.error("invalid literal; expected '\(literal)'")
            }
            cursor.advance()
        }
    }

    // MARK: - Errors

    /// Throws when a container at `depth` is nested too deep. The test is inlined into the
    /// container loops (once per object and array); the error is made out of line.
    @inline(__always)
    func checkDepth(_ depth: Int) throws {
        if depth > maxDepth { throw tooDeep() }
    }

    @inline(never)
    private func tooDeep() -> DebtflowError {
        cursor.error("\(Self.depthLimitMessage) \(maxDepth) levels")
    }

    @inline(__always)
    public func checkKeptValueSize() throws {
        // `cursor.offset > keptValueEndOffset`, compared as indexes of the buffer.
        if cursor.position > cursor.keptEndIndex {
            throw cursor.error("the record starting on line \(keptRecordInfo.line) is longer than \(keptRecordInfo.limit) bytes "
                + "(the JSON record size limit); is the file one giant object?",
                record: keptRecordInfo.number)
        }
    }

    private func checkTokenSize() throws {
        if scratch.count > maxTokenBytes {
            throw cursor.error("\(Self.tokenLimitMessage) \(maxTokenBytes) bytes")
        }
    }

    public func unexpectedByte(_ byte: UInt8, expected: String) -> DebtflowError {
        let shown: String
        if byte >= 0x21 && byte < 0x7F {
            shown = "'\(Character(Unicode.Scalar(byte)))'"
        } else {
            shown = "byte 0x\(hex(byte))"
        }
        // 0xEF where a token should start is most likely a UTF-8 byte-order mark (EF BB BF) in
        // the middle of the input: files that each begin with one, joined (`cat a.json b.json`).
        let hint = byte == 0xEF
            ? " (likely a UTF-8 byte-order mark inside the input, as when files that each begin with one are joined; only the input's start may hold one)"
            : (byte >= 0x80 || byte == 0) ? " (JSON input must be UTF-8)" : ""
        return cursor.error("unexpected \(shown); expected \(expected)\(hint)")
    }

    func endInside(_ what: String) -> DebtflowError {
        cursor.error("unexpected end of input inside \(what)")
    }

    private func loneSurrogate(_ unit: UInt16, at mark: JSONByteCursor.Mark) -> DebtflowError {
        .input("lone UTF-16 surrogate \\u\(hex(unit)) in a string", location: cursor.location(of: mark))
    }

    private func hex(_ value: some BinaryInteger) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return value < 16 ? "0" + text : text
    }
}

extension JSONTokenizer {
    /// Moves past the `[` of an array whose elements the caller reads one by one.
    public func parseArrayOpening(depth: Int) throws {
        if depth > maxDepth { throw tooDeep() }
        cursor.advance()
    }
}
