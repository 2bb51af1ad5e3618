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
    ///   - container: the name it is held under — its key, or an array's key for the array's
    ///     elements — whose members the key table guesses from the last such object's.
    @discardableResult @inline(__always)
    public func appendObject(depth: Int, key: JSONKeyTable.Key = .empty, container: JSONKeyTable.Key = .empty,
                             to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws -> Int {
        try appendObject(depth: depth, key: key, containerSlot: container.slot, to: &tape, keys: &keys)
    }

    /// ``appendObject(depth:key:container:to:keys:)`` with only the container's slot (all that is
    /// read of it): one argument fewer, so that every argument of the recursive call travels in
    /// a register (the key table's address was passed on the stack and reloaded from it).
    func appendObject(depth: Int, key: JSONKeyTable.Key, containerSlot container: Int32,
                      to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws -> Int {
        try checkDepth(depth)
        cursor.advance()
        let node = tape.beginObject(key: key.span, knownKeyFlags: key.flags)
        guard var byte = try cursor.skipWhitespace() else { throw endInside("an object") }
        if byte == UInt8(ascii: "}") {
            cursor.advance()
            tape.end(node)
            return node
        }
        // The member before, for the key table's guess of the next name.
        var previous = JSONKeyTable.noSlot
        // The slot of the name the key table guesses for this member (read again after each
        // value, whose own members may have noted names).
        var guess = keys.firstGuess(in: container)
        while true {
            try checkKeptValueSize()
            let member = try appendKey(byte, guess: guess, after: &previous, in: container, to: &tape, keys: &keys)
            // A string member (most of them) is read here; any other value through
            // ``appendValue(depth:key:container:to:keys:)``, a call with a large frame. One space
            // after the colon (`"key": "value"`, as Python's `json.dump` writes) is stepped over
            // here, so such a string takes this path too; the quote is looked for first (compact
            // JSON: one test).
            let at = cursor.position
            var isString = at < cursor.end && cursor.buffer[at] == UInt8(ascii: "\"")
            if !isString && at < cursor.end && cursor.buffer[at] == UInt8(ascii: " ") {
                cursor.position = at &+ 1
                isString = at &+ 1 < cursor.end && cursor.buffer[at &+ 1] == UInt8(ascii: "\"")
            }
            if isString {
                try appendString(key: member, to: &tape)
            } else {
                try appendValue(depth: depth, key: member, containerSlot: member.slot, to: &tape, keys: &keys)
            }
            // The comma between members, found at once after the value: the next name's quote
            // follows it (compact JSON) or follows one space after it (`, "key"`, as Python's
            // `json.dump` writes). The cursor ends where the general path below would leave it.
            if let separated = nextNameAfterComma() {
                byte = separated
                guess = keys.guess(after: previous)
                continue
            }
            guard let next = try cursor.skipWhitespace() else { throw endInside("an object") }
            if next == UInt8(ascii: "}") {
                cursor.advance()
                tape.end(node)
                return node
            }
            guard next == UInt8(ascii: ",") else { throw unexpectedByte(next, expected: "',' or '}' in an object") }
            cursor.advance()
            // The next name at once (compact JSON), or after one space (`, "key"`, as Python's
            // `json.dump` writes, stepped over here as after the colon): no whitespace loop.
            if cursor.position < cursor.end {
                let at = cursor.buffer[cursor.position]
                if at > 0x20 {
                    byte = at
                    guess = keys.guess(after: previous)
                    continue
                }
                if at == 0x20 { cursor.position &+= 1 }
            }
            guard let following = try cursor.skipWhitespace() else { throw endInside("an object") }
            byte = following
            guess = keys.guess(after: previous)
        }
    }

    /// When the cursor is at `,` followed by a byte above the space, or by one space and such a
    /// byte, all inside the buffer: moves to that byte and returns it (a member's name follows).
    /// Otherwise `nil` and the cursor stays (the object loop's general path reads what is there).
    /// (The offsets stay within the buffer: wrapping arithmetic.)
    @inline(__always)
    private func nextNameAfterComma() -> UInt8? {
        let at = cursor.position
        let buffer = cursor.buffer
        guard at &+ 2 < cursor.end, buffer[at] == UInt8(ascii: ",") else { return nil }
        let after = buffer[at &+ 1]
        if after > 0x20 {
            cursor.position = at &+ 1
            return after
        }
        let second = buffer[at &+ 2]
        guard after == 0x20, second > 0x20 else { return nil }
        cursor.position = at &+ 2
        return second
    }

    /// Appends the array at the cursor (at its `[`).
    private func appendArray(depth: Int, key: JSONKeyTable.Key, to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws {
        try checkDepth(depth)
        cursor.advance()
        let node = tape.beginArray(key: key.span, knownKeyFlags: key.flags)
        guard let first = try cursor.skipWhitespace() else { throw endInside("an array") }
        if first == UInt8(ascii: "]") {
            cursor.advance()
            tape.end(node)
            return
        }
        while true {
            try checkKeptValueSize()
            try appendValue(depth: depth, key: .empty, containerSlot: key.slot, to: &tape, keys: &keys)
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
    /// - Parameters:
    ///   - depth: the nesting depth of the containers around this value, at most the tokenizer's
    ///     `maxDepth` (a container's own depth, one more, is made with a wrapping add and then
    ///     checked against it).
    ///   - container: the name an object here is held under (see ``appendObject(depth:key:container:to:keys:)``).
    public func appendValue(depth: Int, key: JSONKeyTable.Key, container: JSONKeyTable.Key = .empty,
                            to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws {
        try appendValue(depth: depth, key: key, containerSlot: container.slot, to: &tape, keys: &keys)
    }

    /// ``appendValue(depth:key:container:to:keys:)`` with only the container's slot (see
    /// ``appendObject(depth:key:containerSlot:to:keys:)``).
    @inline(__always)
    func appendValue(depth: Int, key: JSONKeyTable.Key, containerSlot container: Int32,
                     to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws {
        guard let byte = try cursor.skipWhitespace() else {
            throw cursor.error("unexpected end of input; expected a JSON value")
        }
        switch byte {
        case UInt8(ascii: "{"): _ = try appendObject(depth: depth &+ 1, key: key, containerSlot: container, to: &tape, keys: &keys)
        case UInt8(ascii: "["): try appendArray(depth: depth &+ 1, key: key, to: &tape, keys: &keys)
        case UInt8(ascii: "\""): try appendString(key: key, to: &tape)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let span: ByteSpan
            if let number = numberInBuffer() {
                span = tape.appendText(paddedRun: number)
            } else {
                try scanNumber()
                span = scratch.withUnsafeBufferPointer { tape.appendBytes($0) }
            }
            tape.appendScalar(.number, key: key.span, value: span, knownFlags: key.flags)
        case UInt8(ascii: "t"): try expectLiteral("true"); tape.appendScalar(.true, key: key.span, value: .empty, knownFlags: key.flags)
        case UInt8(ascii: "f"): try expectLiteral("false"); tape.appendScalar(.false, key: key.span, value: .empty, knownFlags: key.flags)
        case UInt8(ascii: "n"): try expectLiteral("null"); tape.appendScalar(.null, key: key.span, value: .empty, knownFlags: key.flags)
        default: throw unexpectedByte(byte, expected: "a JSON value")
        }
    }

    /// Appends the string at the cursor (at its opening quote) as a member named `key`.
    @inline(__always)
    private func appendString(key: JSONKeyTable.Key, to tape: inout RecordTapeBuilder) throws {
        let span: ByteSpan
        let flags: RecordNode.Flags
        if let plain = plainStringInBuffer() {
            // The common case: copied from the input buffer to the arena once. Such a string
            // holds no quote, backslash or control byte, so it never needs escaping; only a
            // string with a byte ≥ 0x80 is checked as UTF-8 (and only that: its ASCII bytes
            // cost one comparison each, not the escape test as well).
            if plain.isASCII {
                flags = []
            } else {
                guard let found = UTF8Validation.tapeFlags(of: plain.bytes, needsEscaping: false) else {
                    // Where its opening quote is, found only now (it lies in the same buffer,
                    // on the same line).
                    throw invalidUTF8(at: cursor.mark(atBufferIndex: UnsafePointer(cursor.buffer).distance(to: plain.bytes.baseAddress!) - 1))
                }
                flags = found
            }
            span = tape.appendText(paddedRun: plain.bytes)
        } else {
            let start = cursor.mark
            try scanString()
            (span, flags) = try storeScratch(validatedFrom: start, on: &tape)
        }
        tape.appendScalar(.string, key: key.span, value: span, knownFlags: flags.union(key.flags))
    }

    /// Reads `"key"` and the `:` after it onto the tape (a name seen before in the chunk is
    /// shared, and not checked again); `byte` is the current (non-whitespace) byte. The name the
    /// key table guesses (`guess`: the one that followed `previous` last time) is compared with
    /// the input first, as its ``JSONKeyTable/NamePattern`` (`name":`, compact JSON): when the 24 bytes
    /// after the opening quote start with it, it is the name, found without a scan or a lookup,
    /// and the cursor moves past the colon.
    ///
    /// Only that guess (nearly every name of a chunk's records) is read here, inlined into the
    /// object loop; any other name — and the guess itself written otherwise (space before the
    /// colon, near the buffer's end, longer than a pattern) — goes through
    /// ``appendUnguessedKey(_:after:in:to:keys:)``, not inlined: with it, this function was too
    /// large to inline and its call cost about 35 instructions a name.
    ///
    /// `previous` (the member before, for the guess) becomes this member's slot, or
    /// ``JSONKeyTable/afterUnsharedName`` for a name not in the table; a guess is always in it, so
    /// only the other path tests which.
    @inline(__always)
    private func appendKey(_ byte: UInt8, guess: Int32, after previous: inout Int32, in container: Int32,
                           to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws -> JSONKeyTable.Key {
        if byte == UInt8(ascii: "\""), guess != JSONKeyTable.noSlot {
            let guessed = keys.guessed(guess)
            if inputHoldsName(guessed.pattern) {
                // Not noted as a hit (see ``JSONKeyTable/predictedHits``).
                previous = guess
                return guessed.key
            }
        }
        let key = try appendUnguessedKey(byte, after: previous, in: container, to: &tape, keys: &keys)
        previous = key.slot == JSONKeyTable.noSlot ? JSONKeyTable.afterUnsharedName : key.slot
        return key
    }

    /// Whether the input after the opening quote at the cursor starts with `pattern` (`name":`),
    /// read as words when its 24 bytes lie inside the buffer; if so the cursor moves past the
    /// colon. (Offsets in the buffer, at most its capacity: wrapping arithmetic.)
    @inline(__always)
    private func inputHoldsName(_ pattern: JSONKeyTable.NamePattern) -> Bool {
        let first = cursor.position &+ 1
        guard first &+ JSONKeyTable.NamePattern.inputBytes <= cursor.end, pattern.matches(UnsafeRawPointer(cursor.buffer), at: first) else { return false }
        cursor.position = first &+ pattern.count
        return true
    }

    /// ``appendKey(_:guess:after:in:to:keys:)`` for a name its pattern did not match: the table's
    /// second guess (``JSONKeyTable/alternative(after:)``) compared with the input as its
    /// pattern, then the first guess compared byte by byte (a name written `"key" :`, or near the
    /// buffer's end, or too long for a pattern), then the second likewise, else scanned, then
    /// looked up (or validated and stored); or the error for a byte that does not start a name.
    /// (The two guesses are different names: at most one of them matches.)
    @inline(never)
    private func appendUnguessedKey(_ byte: UInt8, after previous: Int32, in container: Int32,
                                    to tape: inout RecordTapeBuilder, keys: inout JSONKeyTable) throws -> JSONKeyTable.Key {
        guard byte == UInt8(ascii: "\"") else { throw unexpectedByte(byte, expected: "a string key in an object") }
        // The second guess as its pattern first: in compact JSON the first guess cannot match
        // now (its pattern did not), and a second guess that does is most of the names here.
        let alternative = keys.alternativeGuess(after: previous)
        if alternative != JSONKeyTable.noSlot {
            let guessed = keys.guessed(alternative)
            if inputHoldsName(guessed.pattern) {
                keys.noteAlternative(after: previous)
                return guessed.key
            }
        }
        if let guess = keys.predicted(after: previous, in: container), inputHolds(guess.span, of: tape) {
            keys.note(guess, after: previous, in: container, wasPredicted: true)
            try skipColon()
            return guess
        }
        if let guess = keys.alternative(after: previous), inputHolds(guess.span, of: tape) {
            keys.noteAlternative(after: previous)
            try skipColon()
            return guess
        }
        let start = cursor.mark
        let key: JSONKeyTable.Key
        if let plain = plainStringInBuffer() {
            guard let found = keys.key(plain.bytes, on: &tape) else { throw invalidUTF8(at: start) }
            key = found
        } else {
            try scanString()
            key = try scratch.withUnsafeBufferPointer { text in
                guard let found = keys.key(text, on: &tape) else { throw invalidUTF8(at: start) }
                return found
            }
        }
        keys.note(key, after: previous, in: container, wasPredicted: false)
        try skipColon()
        return key
    }

    /// Whether the input at the cursor (at an opening quote) is the bytes of `span` on `tape`
    /// and then a closing quote, all inside the buffer; if so the cursor moves past that quote.
    @inline(__always)
    /// (Offsets in the buffer, at most its capacity, and a name's length, at most 64 bytes, are
    /// added with wrapping arithmetic: no overflow check.)
    private func inputHolds(_ span: ByteSpan, of tape: RecordTapeBuilder) -> Bool {
        let first = cursor.position &+ 1
        let length = Int(span.length)
        guard first &+ length < cursor.end, cursor.buffer[first &+ length] == UInt8(ascii: "\"") else { return false }
        let same = tape.withArenaBytes { arena in
            JSONKeyTable.equal(UnsafePointer(cursor.buffer + first), arena.baseAddress! + Int(span.offset), length)
        }
        if same { cursor.position = first &+ length &+ 1 }
        return same
    }

    /// Moves past the `:` after a key (and the whitespace before it).
    @inline(__always)
    private func skipColon() throws {
        // The colon usually follows at once.
        if cursor.position < cursor.end && cursor.buffer[cursor.position] == UInt8(ascii: ":") {
            cursor.position &+= 1
            return
        }
        try skipSpacedColon()
    }

    /// ``skipColon()`` when the colon does not follow the key at once (not inlined: it throws).
    @inline(never)
    private func skipSpacedColon() throws {
        guard let colon = try cursor.skipWhitespace() else { throw endInside("an object") }
        guard colon == UInt8(ascii: ":") else { throw unexpectedByte(colon, expected: "':' after an object key") }
        cursor.advance()
    }

    /// The string at the cursor (at its opening quote) as bytes of the input buffer, when it
    /// ends inside the buffer with no escape and no control byte, and is not longer than a token
    /// may be; the cursor then moves past its closing quote. `isASCII`: no byte ≥ 0x80 (else the
    /// caller checks the bytes are UTF-8). Otherwise `nil` and the cursor stays: ``scanString()``
    /// reads it (and reports what is wrong with it).
    ///
    /// Sixteen bytes at a time, as two words (the mask's constants are then made once per two
    /// words, not per word, in the large object loop that inlines this), then eight: the first
    /// quote, backslash or control byte of a word is found in it (``JSONStringStop/mask(_:)``),
    /// and the bytes before it are or-ed together to tell whether one is ≥ 0x80. Only the
    /// buffer's last seven bytes go one by one. (Its offsets stay within the buffer's capacity:
    /// wrapping arithmetic, no overflow check per word.)
    @inline(__always)
    private func plainStringInBuffer() -> (bytes: UnsafeBufferPointer<UInt8>, isASCII: Bool)? {
        let buffer = cursor.buffer
        let end = cursor.end
        let first = cursor.position &+ 1
        let raw = UnsafeRawPointer(buffer)
        var index = first
        // The string's bytes or-ed together: their high bits tell whether one is ≥ 0x80.
        var seen: UInt64 = 0
        while true {
            if index &+ 16 <= end {
                // Sixteen bytes at a time, as two words side by side in a vector register.
                let pair = SIMD2(ByteWord.load(raw, at: index), ByteWord.load(raw, at: index &+ 8))
                let marks = JSONStringStop.mask(pair)
                let low = marks[0]
                if low == 0 {
                    let high = marks[1]
                    if high == 0 {
                        seen |= pair[0] | pair[1]
                        index &+= 16
                        continue
                    }
                    seen |= pair[0] | pair[1] & ((high & (0 &- high)) &- 1)
                    index &+= 8 &+ ByteWord.firstMarked(high)
                } else {
                    seen |= pair[0] & ((low & (0 &- low)) &- 1)
                    index &+= ByteWord.firstMarked(low)
                }
                guard buffer[index] == UInt8(ascii: "\"") else { return nil }
                break
            }
            if index &+ 8 <= end {
                let word = ByteWord.load(raw, at: index)
                let mask = JSONStringStop.mask(word)
                if mask == 0 {
                    seen |= word
                    index &+= 8
                    continue
                }
                // The bits below the lowest mark: the bytes before the stop, and the stop's
                // own low seven bits (which leave the high bits `seen` is tested for alone).
                seen |= word & ((mask & (0 &- mask)) &- 1)
                index &+= ByteWord.firstMarked(mask)
                guard buffer[index] == UInt8(ascii: "\"") else { return nil }
                break
            }
            guard index < end else { return nil }
            let byte = buffer[index]
            if byte == UInt8(ascii: "\"") { break }
            if JSONEscapeScan.needsEscape(byte) { return nil }
            seen |= UInt64(byte)
            index &+= 1
        }
        guard index &- first <= maxTokenBytes else { return nil }
        cursor.position = index &+ 1
        return (UnsafeBufferPointer(start: buffer + first, count: index &- first), seen & ByteWord.highBits == 0)
    }

    /// The number at the cursor as bytes of the input buffer, when it is well formed (RFC 8259),
    /// ends inside the buffer and is not longer than a token may be; the cursor then moves past
    /// it. Otherwise `nil` and the cursor stays: ``scanNumber()`` reads it (and reports what is
    /// wrong with it).
    @inline(__always)
    private func numberInBuffer() -> UnsafeBufferPointer<UInt8>? {
        let buffer = cursor.buffer
        let end = cursor.end
        let first = cursor.position
        var index = first
        if index < end && buffer[index] == UInt8(ascii: "-") { index &+= 1 }
        guard Self.isDigit(buffer, index, end) else { return nil }
        if buffer[index] == UInt8(ascii: "0") {
            index &+= 1
        } else {
            repeat { index &+= 1 } while Self.isDigit(buffer, index, end)
        }
        if index < end && buffer[index] == UInt8(ascii: ".") {
            index &+= 1
            guard Self.isDigit(buffer, index, end) else { return nil }
            repeat { index &+= 1 } while Self.isDigit(buffer, index, end)
        }
        if index < end && (buffer[index] | 0x20 == UInt8(ascii: "e")) {
            index &+= 1
            if index < end && (buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-")) { index &+= 1 }
            guard Self.isDigit(buffer, index, end) else { return nil }
            repeat { index &+= 1 } while Self.isDigit(buffer, index, end)
        }
        // The byte after the number must be in the buffer: else the number may go on.
        guard index < end, index &- first <= maxTokenBytes else { return nil }
        cursor.position = index
        return UnsafeBufferPointer(start: buffer + first, count: index &- first)
    }

    /// Whether `buffer[index]` is inside the buffer (`index < end`) and an ASCII digit.
    @inline(__always)
    private static func isDigit(_ buffer: UnsafeMutablePointer<UInt8>, _ index: Int, _ end: Int) -> Bool {
        index < end && buffer[index] &- UInt8(ascii: "0") < 10
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
