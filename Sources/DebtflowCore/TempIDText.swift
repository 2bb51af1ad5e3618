/// A record's `temp_id`, held where its text already is instead of in a `String` of its own
/// (issue 10, "flat per-record state"): a span of the record's ``RecordTape`` when the id is the
/// input's own text (a `temp_id` or `internal_id` column, a Magicline case's
/// `collectionCaseId`), else its bytes inline when they fit (a made-up id such as `debts.csv#12`),
/// else, rarely, a `String`.
///
/// `map` sets it once per record, `normalize` and `validate` read its bytes, the envelope writer
/// writes them, and ``string`` makes a `String` only where one is needed (an error message, the
/// http sink's batches and results). Made and dropped per record as a `String`, a `temp_id` cost
/// W2 about 400 instructions a record and Magicline about 380 a case.
///
/// Setting a text stores nothing that is counted but the tape, and the tape only when it is not
/// the one held already (the next record of a chunk has the same): a text that is not in a tape
/// leaves the last tape held, unread, until another tape replaces it.
public struct TempIDText: Sendable {
    /// Where the text is.
    @usableFromInline
    enum Kind: UInt8, Sendable {
        /// No `temp_id`.
        case none
        /// ``span`` of ``tape``.
        case tape
        /// The first ``count`` bytes of ``words``.
        case inline
        /// ``long``.
        case string
    }

    /// The most bytes held inline (a file name, `#` and a record number, as most made-up ids).
    public static let inlineCapacity = 48

    // (The storage is usable from inlinable code: setting a tape text and reading the bytes are
    // inlined where `map`, `normalize`, `validate` and the writer do it, once per record each;
    // called across modules, each was a generic call through closures, and a copy of the value.)

    /// The tape of a ``Kind/tape`` text (kept while other kinds are set: see the type's notes).
    @usableFromInline internal var tape: RecordTape?
    @usableFromInline internal var span = ByteSpan.empty
    /// Inline bytes, then whatever an earlier text left. (A tuple: its layout is its elements' in order.)
    @usableFromInline internal var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0)
    @usableFromInline internal var count: UInt8 = 0
    @usableFromInline internal private(set) var kind = Kind.none
    /// Whether the text is known to hold nothing JSON must escape (the record's own id, as its
    /// fields said: ``DebtKeyedBytes/isVerbatim(_:)``), so that the debt's `temp_id` set from it
    /// is written as it is. `false` when not known.
    @inlinable public var isVerbatim: Bool { verbatim }
    @usableFromInline internal var verbatim = false
    /// A text too long for ``words``.
    @usableFromInline internal var long: String?

    /// No `temp_id`.
    public init() {}

    /// The text `text`, or none.
    public init(_ text: String?) { set(text) }

    /// Whether there is a `temp_id`.
    @inlinable
    public var hasText: Bool { kind != .none }

    /// How many UTF-8 bytes the text has (0 for none).
    @inlinable
    public var byteCount: Int {
        switch kind {
        case .none: 0
        case .tape: Int(span.length)
        case .inline: Int(count)
        case .string: long.unsafelyUnwrapped.utf8.count
        }
    }

    /// Makes this no `temp_id`.
    public mutating func clear() {
        kind = .none
        verbatim = false
        if long != nil { long = nil }
    }

    /// Makes this `text`, or none.
    public mutating func set(_ text: String?) {
        guard var text else { return clear() }
        verbatim = false
        if text.utf8.count > Self.inlineCapacity {
            long = text
            kind = .string
            return
        }
        text.withUTF8 { storeInline($0) }
    }

    /// Makes this the text of `bytes`, copied (inline when they fit). Bytes that are not valid
    /// UTF-8 are repaired, as `String(decoding:as:)` repairs them. `verbatim`: they are known to
    /// hold nothing JSON must escape.
    public mutating func set(bytes: UnsafeBufferPointer<UInt8>, verbatim: Bool = false) {
        self.verbatim = verbatim
        guard bytes.count <= Self.inlineCapacity, Self.isValidUTF8(bytes) else {
            long = String(decoding: bytes, as: UTF8.self)
            kind = .string
            return
        }
        storeInline(bytes)
    }

    /// Makes this the text of `span` in `tape`, where it lies.
    ///
    /// - Precondition: the text is well-formed UTF-8, as every text a reader puts on a tape is
    ///   (``UTF8Validation``), and any part of one cut at ASCII white space.
    ///
    /// `verbatim`: the text is known to hold nothing JSON must escape.
    @inlinable
    public mutating func set(tape: RecordTape, span: ByteSpan, verbatim: Bool = false) {
        self.verbatim = verbatim
        // The next record of a chunk has the same tape: stored again, it would be released and
        // retained, two atomic operations per record.
        if self.tape !== tape { self.tape = tape }
        self.span = span
        kind = .tape
    }

    /// Copies `bytes` (at most ``inlineCapacity``, valid UTF-8) into ``words``.
    private mutating func storeInline(_ bytes: UnsafeBufferPointer<UInt8>) {
        withUnsafeMutableBytes(of: &words) { storage in
            storage.copyMemory(from: UnsafeRawBufferPointer(bytes))
        }
        count = UInt8(truncatingIfNeeded: bytes.count)
        kind = .inline
        if long != nil { long = nil }
    }

    /// Whether `bytes` are valid UTF-8: at once when they are ASCII, as ids mostly are.
    @usableFromInline
    internal static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 {
            return String(validating: bytes, as: UTF8.self) != nil
        }
        return true
    }

    /// Calls `body` with the text's UTF-8 bytes, or with `nil` when there is no `temp_id`.
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        var copy = self
        return try copy.withBytesInPlace(body)
    }

    /// ``withBytes(_:)`` where the text lies: neither the value nor its tape is copied or retained
    /// (mutating only to have its address; it changes nothing). For the hot paths, once per record.
    ///
    /// - Precondition: `body` does not change this value.
    @inlinable @inline(__always)
    public mutating func withBytesInPlace<R>(_ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        switch kind {
        case .none:
            return try body(nil)
        case .tape:
            let span = span
            return try withUnsafeMutablePointer(to: &self) { text in
                // The tape is read as this value holds it, unretained: the value keeps it alive.
                let tape = UnsafeRawPointer(text.pointer(to: \.tape)!).load(as: Unmanaged<RecordTape>.self)
                return try tape._withUnsafeGuaranteedRef { tape in
                    try tape.bytes.withUnsafeBufferPointer { bytes in
                        precondition(span.end <= bytes.count, "span outside the tape")
                        return try body(UnsafeBufferPointer(rebasing: bytes[Int(span.offset)..<span.end]))
                    }
                }
            }
        case .inline:
            let count = Int(count)
            return try withUnsafeMutablePointer(to: &self) { text in
                try body(UnsafeBufferPointer(start: UnsafeRawPointer(text.pointer(to: \.words)!).assumingMemoryBound(to: UInt8.self),
                                             count: count))
            }
        case .string:
            return try long!.withUTF8 { try body($0) }
        }
    }

    /// The text as a `String` (made on request), or `nil` when there is no `temp_id`.
    public var string: String? {
        if kind == .string { return long }
        return withBytes { bytes in bytes.map { String(decoding: $0, as: UTF8.self) } }
    }
}

extension TempIDText: Equatable {
    /// The same text, or both none, wherever each is held.
    public static func == (lhs: TempIDText, rhs: TempIDText) -> Bool {
        lhs.withBytes { left in
            rhs.withBytes { right in
                guard let left, let right else { return left == nil && right == nil }
                return left.count == right.count && left.sameBytes(as: right)
            }
        }
    }
}
