/// A set of ``DebtRawKey``s as one bit per key: which fields of a record had text, without an
/// array or a hash per record.
public struct DebtRawKeySet: Sendable, Equatable {
    @usableFromInline internal private(set) var bits: UInt64 = 0

    /// The empty set.
    public init() {}

    /// A set of the given keys.
    public init(_ keys: [DebtRawKey]) {
        for key in keys { insert(key) }
    }

    /// Whether `key` is in the set.
    @inlinable @inline(__always)
    public func contains(_ key: DebtRawKey) -> Bool { bits & (1 << UInt64(key.rawValue)) != 0 }

    /// Adds `key`.
    @inlinable @inline(__always)
    public mutating func insert(_ key: DebtRawKey) { bits |= 1 << UInt64(key.rawValue) }

    /// Whether the set holds no key.
    public var isEmpty: Bool { bits == 0 }

    /// A set of the keys whose bits (by raw value) are set in `bits`. Internal: a set's bits
    /// are only ever keys' bits (``popFirst()`` relies on it).
    @usableFromInline
    init(keyBits bits: UInt64) {
        precondition(bits >> DebtKey.slotCount == 0, "DebtRawKeySet: a bit that is no key's")
        self.bits = bits
    }

    /// Removes the key of lowest raw value from the set and returns it; `nil` when the set is
    /// empty. Walking a set this way visits the keys it holds in ``DebtKey`` order, one step per
    /// key held (not one per key that might be).
    @inlinable @inline(__always)
    public mutating func popFirst() -> DebtRawKey? {
        guard bits != 0 else { return nil }
        let rawValue = bits.trailingZeroBitCount
        bits &= bits &- 1
        // Every bit of a set is a key's (``insert(_:)``, ``init(keyBits:)``), and a key without
        // payload is stored as its raw value (``DebtKey/init(keyIndex:)``): no call to
        // `init(rawValue:)`, which the optimizer does not inline.
        return unsafeBitCast(UInt8(truncatingIfNeeded: rawValue), to: DebtRawKey.self)
    }
}
