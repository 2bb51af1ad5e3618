/// A text of at most ``capacity`` UTF-8 bytes held inline, in three words and a count: copying
/// one copies 25 bytes, with no reference to count and nothing to free.
///
/// For the few short texts a value carries through every stage of a record, such as a
/// destination's region (`GP`) and multiplier (`4.0`), where a `String` made each copy and drop
/// of the value call the runtime (issue 10, "flat per-record state").
public struct ShortText: Sendable, Hashable {
    /// The most bytes a short text holds (the longest a `Double`'s description can be, 24).
    public static let capacity = 24

    /// The bytes, then zeros. (A tuple: its layout is its elements' in order.)
    private var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
    /// How many bytes of ``words`` are the text's.
    public private(set) var count: UInt8 = 0

    /// The empty text.
    public init() {}

    /// The text `text`.
    /// - Precondition: `text` has at most ``capacity`` UTF-8 bytes.
    public init(_ text: String) {
        var text = text
        self = text.withUTF8 { ShortText(bytes: $0) }
    }

    /// The text of these UTF-8 bytes.
    /// - Precondition: at most ``capacity`` bytes.
    public init(bytes: UnsafeBufferPointer<UInt8>) {
        precondition(bytes.count <= Self.capacity, "ShortText: more than \(Self.capacity) bytes")
        withUnsafeMutableBytes(of: &words) { storage in
            storage.copyMemory(from: UnsafeRawBufferPointer(bytes))
        }
        count = UInt8(truncatingIfNeeded: bytes.count)
    }

    /// Calls `body` with the text's bytes.
    @inline(__always)
    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        var words = words
        return try withUnsafeBytes(of: &words) { storage in
            try body(UnsafeBufferPointer(start: storage.baseAddress!.assumingMemoryBound(to: UInt8.self), count: Int(count)))
        }
    }

    /// The text as a `String`.
    public var string: String { withBytes { String(decoding: $0, as: UTF8.self) } }

    public static func == (lhs: ShortText, rhs: ShortText) -> Bool {
        lhs.count == rhs.count && lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
    }
}
