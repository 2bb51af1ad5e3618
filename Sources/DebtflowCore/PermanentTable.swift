/// An immutable array whose elements stay in memory that is never freed: for the tables decoded
/// or built once for the life of the process (the phone metadata's, the debt writer's member
/// heads, ``DebtMemberHeads``).
///
/// Why not an `Array`: both transform tasks read the phone rules at once, for every number, and
/// each copy of an array held in them (iterating a region's prefix rules, taking a region's
/// metadata) retained and released the array's storage: atomic operations on cache lines the two
/// cores kept taking from each other. A copy of this table is two words, with no reference to
/// count. The price is that its memory is never given back, which is what a table kept for the
/// whole process needs anyway; do not make one per record.
///
/// (Its reads are inlinable, so that a rule in another module reads an element where it lies,
/// specialized, as it did when the table lived in the phone rules' module.)
public struct PermanentTable<Element>: RandomAccessCollection {
    @usableFromInline let base: UnsafePointer<Element>?
    public let count: Int

    /// A table holding `elements` (copied into memory allocated for good).
    public init(_ elements: [Element]) {
        count = elements.count
        guard !elements.isEmpty else {
            base = nil
            return
        }
        let memory = UnsafeMutablePointer<Element>.allocate(capacity: elements.count)
        elements.withUnsafeBufferPointer { memory.initialize(from: $0.baseAddress!, count: $0.count) }
        base = UnsafePointer(memory)
    }

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    /// Where element `position` lies: valid for the life of the process, like the table.
    @inlinable @inline(__always)
    public func address(of position: Int) -> UnsafePointer<Element> {
        precondition(position >= 0 && position < count, "PermanentTable: index out of range")
        return base.unsafelyUnwrapped + position
    }

    @inlinable @inline(__always)
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "PermanentTable: index out of range")
        return base.unsafelyUnwrapped[position]
    }
}

/// The table's memory is written once, before the table is handed out, and only read after: it
/// can be shared between tasks whenever its elements can.
extension PermanentTable: @unchecked Sendable where Element: Sendable {}
