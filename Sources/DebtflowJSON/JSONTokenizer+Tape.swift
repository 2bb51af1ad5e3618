import DebtflowCore

/// The record path of the tokenizer: values go straight onto a chunk's ``RecordTapeBuilder`` —
/// strings checked once and copied once (from the input buffer when they hold no escape and end
/// inside it, else unescaped through the scratch buffer), numbers as written, member names shared
/// through a ``JSONKeyTable`` — with no ``RecordValue`` tree and no `String` per value.
///
/// The grammar, the limits (depth, token size, the kept record's end) and every error message are
/// those of ``JSONTokenizer/parseObject(depth:)``; on an error the builder holds a half-built
/// value and must be dropped (the record reader's errors end the input).
extension JSONTokenizer {
    /// Appends the object at the cursor (at its `{`) to `tape`.
    /// - Parameters:
    ///   - depth: this object's nesting depth (1 for a top-level object).
    ///   - key: its member name in the enclosing object (empty for a record's root).
    /// - Returns: the object's node index.
    @discardableResult
    public func appendObject(depth: Int, key: ByteSpan = .empty, to tape: inout RecordTapeBuilder,
                             keys: inout JSONKeyTable) throws -> Int {
        try checkDepth(depth)
        cursor.advance()
        let node = tape.beginObject(key: key)
        guard var byte = try cursor.skipWhitespace() else { throw endInside("an object") }
        if byte == UInt8(ascii: "}") {
            cursor.advance()
            tape.end(node)
            return node
        }
        while true {
            try checkKeptValueSize()
            let member = try appendKey(byte, to: &tape, keys: &keys)
            try appendValue(depth: depth, key: member, to: &tape, keys: &keys)
            guard let next = try cursor.skipWhitespace() else { throw endInside("an object") }
            if next == UInt8(ascii: "}") {
                cursor.advance()
                tape.end(node)
                return node
            }
            guard next == UInt8(ascii: ",") else { throw unexpectedByte(next, expected: "',' or '}' in an object") }
            cursor.advance()
            guard let following = try cursor.skipWhitespace() else { throw endInside("an object") }
            byte = following
        }
    }

    /// Appends the array at the cursor (at its `[`).
    private func appendArray(depth: Int, key: ByteSpan, to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws {
        try checkDepth(depth)
        cursor.advance()
        let node = tape.beginArray(key: key)
        guard let first = try cursor.skipWhitespace() else { throw endInside("an array") }
        if first == UInt8(ascii: "]") {
            cursor.advance()
            tape.end(node)
            return
        }
        while true {
            try checkKeptValueSize()
            try appendValue(depth: depth, key: .empty, to: &tape, keys: &keys)
            guard let next = try cursor.skipWhitespace() else { throw endInside("an array") }
            if next == UInt8(ascii: "]") {
                cursor.advance()
                tape.end(node)
                return
            }
            guard next == UInt8(ascii: ",") else { throw unexpectedByte(next, expected: "',' or ']' in an array") }
            cursor.advance()
        }
    }

    /// Appends the next value (after whitespace) as a member named `key` (empty in an array or
    /// for a root).
    /// - Parameter depth: the nesting depth of the containers around this value.
    public func appendValue(depth: Int, key: ByteSpan, to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws {
        guard let byte = try cursor.skipWhitespace() else {
            throw cursor.error("unexpected end of input; expected a JSON value")
        }
        switch byte {
        case UInt8(ascii: "{"): try appendObject(depth: depth + 1, key: key, to: &tape, keys: &keys)
        case UInt8(ascii: "["): try appendArray(depth: depth + 1, key: key, to: &tape, keys: &keys)
        case UInt8(ascii: "\""):
            let start = cursor.mark
            if let text = plainStringInBuffer() {
                // The common case: copied from the input buffer to the arena once.
                guard let flags = UTF8Validation.tapeFlags(of: text) else { throw invalidUTF8(at: start) }
                tape.appendScalar(.string, key: key, value: tape.appendBytes(text), flags: flags)
            } else {
                try scanString()
                let (span, flags) = try storeScratch(validatedFrom: start, on: &tape)
                tape.appendScalar(.string, key: key, value: span, flags: flags)
            }
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try scanNumber()
            let span = scratch.withUnsafeBufferPointer { tape.appendBytes($0) }
            tape.appendScalar(.number, key: key, value: span, flags: [])
        case UInt8(ascii: "t"): try expectLiteral("true"); tape.appendScalar(.true, key: key, flags: [])
        case UInt8(ascii: "f"): try expectLiteral("false"); tape.appendScalar(.false, key: key, flags: [])
        case UInt8(ascii: "n"): try expectLiteral("null"); tape.appendScalar(.null, key: key, flags: [])
        default: throw unexpectedByte(byte, expected: "a JSON value")
        }
    }

    /// Reads `"key"` and the `:` after it onto the tape (a name seen before in the chunk is
    /// shared); `byte` is the current (non-whitespace) byte.
    private func appendKey(_ byte: UInt8, to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws -> ByteSpan {
        guard byte == UInt8(ascii: "\"") else { throw unexpectedByte(byte, expected: "a string key in an object") }
        let start = cursor.mark
        let span: ByteSpan
        if let key = plainStringInBuffer() {
            guard UTF8Validation.tapeFlags(of: key) != nil else { throw invalidUTF8(at: start) }
            span = keys.span(of: key, on: &tape)
        } else {
            try scanString()
            span = try scratch.withUnsafeBufferPointer { key in
                guard UTF8Validation.tapeFlags(of: key) != nil else { throw invalidUTF8(at: start) }
                return keys.span(of: key, on: &tape)
            }
        }
        guard let colon = try cursor.skipWhitespace() else { throw endInside("an object") }
        guard colon == UInt8(ascii: ":") else { throw unexpectedByte(colon, expected: "':' after an object key") }
        cursor.advance()
        return span
    }

    /// The string at the cursor (at its opening quote) as bytes of the input buffer, when it
    /// ends inside the buffer with no escape and no control byte, and is not longer than a token
    /// may be; the cursor then moves past its closing quote. Otherwise `nil` and the cursor stays:
    /// ``scanString()`` reads it (and reports what is wrong with it).
    @inline(__always)
    private func plainStringInBuffer() -> UnsafeBufferPointer<UInt8>? {
        let buffer = cursor.buffer
        let end = cursor.end
        let first = cursor.position + 1
        var index = first
        while index < end {
            let byte = buffer[index]
            if byte == 0x22 { break }
            if byte == 0x5C || byte < 0x20 { return nil }
            index += 1
        }
        guard index < end, index - first <= maxTokenBytes else { return nil }
        cursor.position = index + 1
        return UnsafeBufferPointer(start: buffer + first, count: index - first)
    }

    /// Copies the string just scanned onto the tape after checking it is UTF-8.
    private func storeScratch(validatedFrom start: JSONByteCursor.Mark,
                              on tape: inout RecordTapeBuilder) throws -> (ByteSpan, RecordNode.Flags) {
        try scratch.withUnsafeBufferPointer { text in
            guard let flags = UTF8Validation.tapeFlags(of: text) else { throw invalidUTF8(at: start) }
            return (tape.appendBytes(text), flags)
        }
    }

    private func invalidUTF8(at start: JSONByteCursor.Mark) -> DebtflowError {
        DebtflowError.input("string is not valid UTF-8; JSON input must be UTF-8", location: cursor.location(of: start))
    }
}
