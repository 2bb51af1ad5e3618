/// Writes JSON bytes into memory reserved beforehand, with no capacity or uniqueness check per
/// piece: ``JSONByteWriter``'s inner loop for a whole value whose size it bounds first (a CSV
/// row, a debt), so the value costs one check on the writer's buffer instead of one per key,
/// comma and text.
///
/// The bounds are the caller's promise: ``quotedBound(_:needsEscaping:)`` and friends give the
/// most each piece can write. Writing past the reserved bytes is a programming error, caught by
/// an assertion in debug builds (the test suite) and by ``Swift/Array/appendInPlace(upTo:_:)``'s
/// check after the fact.
struct JSONRawCursor {
    private let start: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    /// How many bytes have been written.
    private(set) var count = 0

    /// A cursor at the start of `buffer` (uninitialized memory, written before it is read).
    @inline(__always)
    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        start = buffer.baseAddress.unsafelyUnwrapped
        capacity = buffer.count
    }

    // MARK: Bounds

    /// The most ``quoted(_:needsEscaping:)`` writes for `count` bytes of text: the two quotes,
    /// and six bytes (`\u00XX`) per byte when the text may need escaping.
    @inline(__always)
    static func quotedBound(_ count: Int, needsEscaping: Bool) -> Int {
        needsEscaping ? 2 + 6 * count : 2 + count
    }

    /// The most ``decimal(_:)`` writes: a sign and 20 digits.
    static let decimalBound = 21

    /// The most ``amount(_:)`` writes: a sign, 20 digits and a point.
    static let amountBound = 22

    // MARK: Writing

    @inline(__always)
    mutating func byte(_ byte: UInt8) {
        assert(count < capacity, "JSONRawCursor: past the reserved bytes")
        start[count] = byte
        count += 1
    }

    /// Copies `text` (``ByteWord/copy(_:from:to:)``: a short one as two overlapping words).
    @inline(__always)
    mutating func bytes(_ text: UnsafeBufferPointer<UInt8>) {
        let length = text.count
        assert(count + length <= capacity, "JSONRawCursor: past the reserved bytes")
        guard let base = text.baseAddress else { return }
        ByteWord.copy(length, from: UnsafeRawPointer(base), to: UnsafeMutableRawPointer(start + count))
        count += length
    }

    @inline(__always)
    mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { bytes($0) }
    }

    /// `"text"`: escaped where JSON needs it (``JSONEscapeScan``), or copied as it is when the
    /// caller knows it needs no escaping (`needsEscaping: false`, from a tape flag).
    @inline(__always)
    mutating func quoted(_ text: UnsafeBufferPointer<UInt8>, needsEscaping: Bool = true) {
        byte(UInt8(ascii: "\""))
        if needsEscaping {
            escapedText(text)
        } else {
            bytes(text)
        }
        byte(UInt8(ascii: "\""))
    }

    /// Two bytes in one store (an object member's `,"` or `":`).
    @inline(__always)
    mutating func bytePair(_ first: UInt8, _ second: UInt8) {
        assert(count + 2 <= capacity, "JSONRawCursor: past the reserved bytes")
        UnsafeMutableRawPointer(start + count).storeBytes(of: (UInt16(first) | UInt16(second) &<< 8).littleEndian, as: UInt16.self)
        count &+= 2
    }

    /// Three bytes (a string member's `":"`) in one four-byte store: the caller promises that at
    /// least one byte more is reserved after them, and that it writes over that byte next.
    @inline(__always)
    mutating func byteTriple(_ first: UInt8, _ second: UInt8, _ third: UInt8) {
        assert(count + 4 <= capacity, "JSONRawCursor: past the reserved bytes")
        let word = UInt32(first) | UInt32(second) &<< 8 | UInt32(third) &<< 16
        UnsafeMutableRawPointer(start + count).storeBytes(of: word.littleEndian, as: UInt32.self)
        count &+= 3
    }

    /// `text` with no quotes: escaped where JSON needs it, or copied as it is when the caller
    /// knows it needs no escaping (`needsEscaping: false`, from a tape flag).
    @inline(__always)
    mutating func text(_ text: UnsafeBufferPointer<UInt8>, needsEscaping: Bool) {
        if needsEscaping {
            escapedText(text)
        } else {
            bytes(text)
        }
    }

    /// The rest of a quoted text whose opening quote is written: `text` escaped where JSON needs
    /// it, then the closing quote. (At most six bytes per byte of `text`, and one.)
    @inline(__always)
    mutating func escapedAndClosed(_ text: UnsafeBufferPointer<UInt8>) {
        escapedText(text)
        byte(UInt8(ascii: "\""))
    }

    /// The rest of a quoted text whose opening quote is written, for a text the caller knows holds
    /// nothing JSON must escape (``DebtKeyedBytes/isVerbatim(_:)``): copied as it is, then the
    /// closing quote. (Checked in debug builds.)
    ///
    /// A text of 17 to 64 bytes (an IBAN, an address) is copied as eight-byte words and the word
    /// that ends at its last byte, as the escape scan copies it, not by a call to `memmove`
    /// (``bytes(_:)``'s way past 16 bytes), which cost more at these lengths.
    @inline(__always)
    mutating func verbatimAndClosed(_ text: UnsafeBufferPointer<UInt8>) {
        assert(JSONEscapeScan.firstByteToEscape(in: text) == text.count, "JSONRawCursor: a verbatim text needs escaping")
        let length = text.count
        if length > 16 && length <= 64, let base = text.baseAddress {
            assert(count + length <= capacity, "JSONRawCursor: past the reserved bytes")
            let source = UnsafeRawPointer(base)
            let target = UnsafeMutableRawPointer(start + count)
            var offset = 0
            while offset + 8 <= length {
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            if offset < length {
                target.storeBytes(of: source.loadUnaligned(fromByteOffset: length - 8, as: UInt64.self), toByteOffset: length - 8,
                                  as: UInt64.self)
            }
            count += length
        } else {
            bytes(text)
        }
        byte(UInt8(ascii: "\""))
    }

    /// `text` escaped where JSON needs it, no quotes. (Both ``quoted(_:needsEscaping:)`` and
    /// ``escapedAndClosed(_:)`` call it: ``quoted(_:needsEscaping:)`` calling
    /// ``escapedAndClosed(_:)`` instead was too large for the optimizer to inline into the
    /// record writer's loop.)
    @inline(__always)
    private mutating func escapedText(_ text: UnsafeBufferPointer<UInt8>) {
        assert(count + text.count <= capacity, "JSONRawCursor: past the reserved bytes")
        // Copied while it is scanned; from the first byte to escape on, written again escaped.
        let firstEscape = JSONEscapeScan.copyUntilEscape(text, to: UnsafeMutableRawPointer(start + count))
        count += firstEscape
        if firstEscape < text.count { escaped(UnsafeBufferPointer(rebasing: text[firstEscape...]), from: 0) }
    }

    /// The first `length` bytes of the ``slotSize`` at `slot`, written by copying all of them
    /// (two 16-byte moves, no loop): the caller reserves ``slotSize`` bytes for it, and the
    /// bytes past `length` are written over by what comes next. Those bytes lie past ``count``,
    /// where ``Swift/Array/appendInPlace(upTo:_:)``'s check after the fact cannot see them: in a
    /// release build the caller's bound is the only guard (see `writeDebtInOnePiece`'s).
    @inline(__always)
    mutating func slot(_ slot: UnsafeRawPointer, length: Int) {
        assert(length <= Self.slotSize && count + Self.slotSize <= capacity, "JSONRawCursor: past the reserved bytes")
        let target = UnsafeMutableRawPointer(start + count)
        target.storeBytes(of: slot.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        target.storeBytes(of: slot.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self), toByteOffset: 16,
                          as: SIMD16<UInt8>.self)
        count += length
    }

    /// The bytes ``slot(_:length:)`` copies.
    static let slotSize = 32

    /// Writes `byte` over the one written at `position` (an object's first `,` made its `{`).
    @inline(__always)
    mutating func replace(at position: Int, with byte: UInt8) {
        assert(position < count, "JSONRawCursor: not written yet")
        start[position] = byte
    }

    /// `text` (no quotes) with the bytes from `firstEscape` on escaped where JSON needs it
    /// (RFC 8259: `\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`, other controls as `\u00XX`); the
    /// bytes before `firstEscape` are copied as they are. At most six bytes per byte.
    mutating func escaped(_ text: UnsafeBufferPointer<UInt8>, from firstEscape: Int) {
        bytes(UnsafeBufferPointer(rebasing: text[..<firstEscape]))
        for index in firstEscape..<text.count {
            let byte = text[index]
            if !JSONEscapeScan.needsEscape(byte) {
                self.byte(byte)
                continue
            }
            self.byte(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): self.byte(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): self.byte(UInt8(ascii: "\\"))
            case 0x0A: self.byte(UInt8(ascii: "n"))
            case 0x0D: self.byte(UInt8(ascii: "r"))
            case 0x09: self.byte(UInt8(ascii: "t"))
            case 0x08: self.byte(UInt8(ascii: "b"))
            case 0x0C: self.byte(UInt8(ascii: "f"))
            default:
                self.byte(UInt8(ascii: "u"))
                self.byte(UInt8(ascii: "0"))
                self.byte(UInt8(ascii: "0"))
                self.byte(Self.hexDigit(byte >> 4))
                self.byte(Self.hexDigit(byte & 0xF))
            }
        }
    }

    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }

    /// `"name":`, after a comma when `afterComma`: a member name known at compile time, copied as
    /// it is (ASCII without `"`, `\` or control characters, as ``JSONByteWriter/key(literal:)``
    /// takes it). At most the name's length and four bytes.
    @inline(__always)
    mutating func memberName(_ name: StaticString, afterComma: Bool) {
        if afterComma {
            bytePair(UInt8(ascii: ","), UInt8(ascii: "\""))
        } else {
            byte(UInt8(ascii: "\""))
        }
        literal(name)
        bytePair(UInt8(ascii: "\""), UInt8(ascii: ":"))
    }

    /// The most ``tapeScalar(_:arena:)`` writes for `node`, or `nil` for a container.
    @inline(__always)
    static func tapeScalarBound(_ node: RecordNode) -> Int? {
        switch node.kind {
        case .null, .true, .false: 5
        case .number: Int(node.value.length)
        case .string: quotedBound(Int(node.value.length), needsEscaping: node.flags.contains(.valueNeedsEscaping))
        case .object, .array: nil
        }
    }

    /// A scalar node of a tape whose bytes are `arena`, as ``JSONByteWriter/scalar(_:arena:member:)``
    /// writes it: a number as written, a string escaped only when its flag says it may need it, a
    /// literal. `node` must not be a container.
    @inline(__always)
    mutating func tapeScalar(_ node: RecordNode, arena: UnsafeBufferPointer<UInt8>) {
        switch node.kind {
        case .null: literal("null")
        case .true: literal("true")
        case .false: literal("false")
        case .number: bytes(UnsafeBufferPointer(rebasing: arena[Int(node.value.offset)..<node.value.end]))
        case .string:
            quoted(UnsafeBufferPointer(rebasing: arena[Int(node.value.offset)..<node.value.end]),
                   needsEscaping: node.flags.contains(.valueNeedsEscaping))
        case .object, .array: preconditionFailure("JSONRawCursor: not a scalar")
        }
    }

    /// A signed integer in decimal.
    mutating func decimal(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        digits(value.magnitude, minimumCount: 1)
    }

    /// `name` (a member's `,"key":` as a literal) and `value` in decimal; nothing when `value` is
    /// `nil` (the one-piece form of the writer's `optionalField(literal:_:)` for a number).
    @inline(__always)
    mutating func optionalDecimal(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        literal(name)
        decimal(Int64(value))
    }

    /// An amount with exactly its currency's decimals, as ``JSONByteWriter/amount(_:)`` writes
    /// it; `amount.digits` must be 0…18.
    mutating func amount(_ amount: MinorUnitAmount) {
        let magnitude = amount.minorUnits.magnitude
        if amount.minorUnits < 0 { byte(UInt8(ascii: "-")) }
        guard amount.digits > 0 else {
            digits(magnitude, minimumCount: 1)
            return
        }
        var scale: UInt64 = 1
        for _ in 0..<amount.digits { scale *= 10 }
        digits(magnitude / scale, minimumCount: 1)
        byte(UInt8(ascii: "."))
        digits(magnitude % scale, minimumCount: amount.digits)
    }

    /// How many decimal digits `value` has (1 for zero). The short lengths a record's numbers
    /// have (a line, credits, an amount's parts) are told by a few comparisons; past four
    /// digits, by multiplying up, one more digit at a time.
    @inline(__always)
    static func decimalLength(_ value: UInt64) -> Int {
        if value < 10_000 { return value < 100 ? (value < 10 ? 1 : 2) : (value < 1_000 ? 3 : 4) }
        var length = 5
        var limit: UInt64 = 100_000
        while length < 20 && value >= limit {
            length += 1
            limit = limit &* 10
        }
        return length
    }

    /// `value` in decimal, left-padded with zeros to `minimumCount` digits (at most 20).
    ///
    /// Written from the right two digits at a time, each pair copied from ``DecimalDigits/pairs`` (one
    /// division by 100 per pair instead of one by 10 per digit); the length is found by
    /// multiplying, not dividing.
    private mutating func digits(_ value: UInt64, minimumCount: Int) {
        let length = Self.decimalLength(value)
        let width = max(length, min(minimumCount, 20))
        assert(count + width <= capacity, "JSONRawCursor: past the reserved bytes")
        let pairs = UnsafeRawPointer(DecimalDigits.pairs.utf8Start)
        let target = UnsafeMutableRawPointer(start)
        var remaining = value
        var index = count + width
        while remaining >= 100 {
            let pair = Int(truncatingIfNeeded: remaining % 100)
            remaining /= 100
            index -= 2
            target.storeBytes(of: pairs.loadUnaligned(fromByteOffset: 2 * pair, as: UInt16.self), toByteOffset: index, as: UInt16.self)
        }
        if remaining >= 10 {
            index -= 2
            target.storeBytes(of: pairs.loadUnaligned(fromByteOffset: 2 * Int(remaining), as: UInt16.self),
                              toByteOffset: index, as: UInt16.self)
        } else {
            index -= 1
            start[index] = UInt8(truncatingIfNeeded: remaining) &+ UInt8(ascii: "0")
        }
        while index > count {
            index -= 1
            start[index] = UInt8(ascii: "0")
        }
        count += width
    }

}
