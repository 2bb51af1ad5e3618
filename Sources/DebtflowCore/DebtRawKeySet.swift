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
}
