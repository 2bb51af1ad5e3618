/// The bytes of every keyed text of a ``DebtRawFields`` or a ``Debt``, read by key without a
/// closure per key: the buffers the texts lie in are opened once, by
/// ``DebtRawFields/withKeyedBytes(_:)`` or ``Debt/withKeyedBytes(_:)``, for a rule or a writer
/// that reads many keys of one record.
///
/// Valid only inside the call that made it: it points into the record's tape, the value's own
/// buffers and the value's table of spans.
public struct DebtKeyedBytes {
    /// The three buffers a span may point into: the record's tape, then the value's own buffers
    /// (a ``DebtRawFields``' side arena, or a ``Debt``'s inline bytes and its arena).
    @usableFromInline let tape: UnsafeBufferPointer<UInt8>
    @usableFromInline let second: UnsafeBufferPointer<UInt8>
    @usableFromInline let third: UnsafeBufferPointer<UInt8>
    /// One span per key (by raw value): the owner's table, where it keeps it. (A copy of the
    /// 192-byte table held here was copied again by each read of a key.)
    @usableFromInline let spans: UnsafeBufferPointer<ByteSpan>
    @usableFromInline let present: UInt32
    /// One bit per key: the span is in ``tape``.
    @usableFromInline let inTape: UInt32
    /// One bit per key: the span is in ``second`` (neither bit: in ``third``).
    @usableFromInline let inSecond: UInt32
    /// One bit per key: the text holds nothing JSON must escape (``isVerbatim(_:)``).
    @usableFromInline let verbatim: UInt32

    @usableFromInline
    init(tape: UnsafeBufferPointer<UInt8>, second: UnsafeBufferPointer<UInt8>, third: UnsafeBufferPointer<UInt8>,
         spans: UnsafeBufferPointer<ByteSpan>, present: UInt32, inTape: UInt32, inSecond: UInt32, verbatim: UInt32) {
        precondition(spans.count == DebtKey.slotCount, "one span per key")
        self.tape = tape
        self.second = second
        self.third = third
        self.spans = spans
        self.present = present
        self.inTape = inTape
        self.inSecond = inSecond
        self.verbatim = verbatim
    }

    /// Whether `key` has a text (blank or not). (Always inlined: `normalize` asks it five times
    /// per record, and the optimizer left a call for each, about 12 instructions.)
    @inlinable @inline(__always)
    public func has(_ key: DebtKey) -> Bool { present & (1 << UInt32(key.rawValue)) != 0 }

    /// Whether `key`'s text is known to hold nothing JSON must escape (no `"`, `\` or control
    /// byte), so a writer may copy it as it is: a record's text whose tape node says so (and any
    /// part of it, trimmed), or a rule's output made of letters, digits and signs (an E.164
    /// number, a currency code, a date, an IBAN). `false` when it is not known. (Always inlined:
    /// `normalize` asks it of every field it keeps; called, it cost more than the bit test.)
    @inlinable @inline(__always)
    public func isVerbatim(_ key: DebtKey) -> Bool { verbatim & (1 << UInt32(key.rawValue)) != 0 }

    /// `key`'s text as UTF-8 bytes, or `nil` when there is none. (Always inlined: the rules and
    /// the writer read a dozen keys per record through it.)
    @inlinable @inline(__always)
    public subscript(key: DebtKey) -> UnsafeBufferPointer<UInt8>? {
        guard has(key) else { return nil }
        let span = spans[key.rawValue]
        let bit: UInt32 = 1 << UInt32(key.rawValue)
        let base = inTape & bit != 0 ? tape : inSecond & bit != 0 ? second : third
        precondition(span.end <= base.count, "span outside its bytes")
        return UnsafeBufferPointer(rebasing: base[Int(span.offset)..<span.end])
    }

    /// The keys of `keys` that have a text here (blank or not), to walk with
    /// ``DebtRawKeySet/popFirst()``: a rule over many keys loops over the few a record has.
    @inlinable @inline(__always)
    public func presentKeys(of keys: DebtRawKeySet) -> DebtRawKeySet {
        DebtRawKeySet(keyBits: keys.bits & UInt64(present))
    }

    /// How many bytes the texts of `keys` (one bit per key, by raw value; keys without a text
    /// count nothing) hold together.
    @inlinable
    public func byteCount(of keys: UInt32) -> Int {
        var remaining = keys & present
        var total = 0
        while remaining != 0 {
            total &+= Int(spans[remaining.trailingZeroBitCount].length)
            remaining &= remaining &- 1
        }
        return total
    }

    /// `key`'s text without surrounding white space (the `White_Space` of ``TextTrimming``), or
    /// `nil` when there is none or it is blank. (Always inlined: `normalize` asks it of every
    /// field it reads.)
    @inlinable @inline(__always)
    public func trimmed(_ key: DebtKey) -> UnsafeBufferPointer<UInt8>? {
        guard let bytes = self[key] else { return nil }
        let range = TextTrimming.trimmedRange(bytes)
        return range.isEmpty ? nil : UnsafeBufferPointer(rebasing: bytes[range])
    }
}

extension DebtKeyedBytes {
    /// No bytes: the tape of a value that has none.
    static var noBytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: nil, count: 0) }

    /// `body` over `tape`'s bytes, or over no bytes without a tape.
    @inline(__always)
    static func withTapeBytes<R>(_ tape: RecordTape?, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        // Unwrapped behind the nil check, not bound with `guard let`: binding copied the tape,
        // through the generic `Optional` value witness (about 200 instructions with its release)
        // and a retain and a release per call, on every debt and every record's fields.
        guard tape != nil else { return try body(noBytes) }
        return try tape.unsafelyUnwrapped.bytes.withUnsafeBufferPointer(body)
    }
}

// The empty span tables, made once and copied from: `InlineArray(repeating:)` is a loop the
// optimizer calls rather than inlines, and a debt or its source fields are made several times
// per record.
extension InlineArray where Element == ByteSpan, count == 24 {
    /// Every span empty.
    static let allEmptySpans = InlineArray(repeating: ByteSpan.empty)
}

extension InlineArray where Element == UInt8, count == 32 {
    /// Every byte zero.
    static let allZeros = InlineArray(repeating: 0)
}
