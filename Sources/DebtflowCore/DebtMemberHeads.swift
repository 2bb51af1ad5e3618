/// Each debt key's member head as the debt object writes it, one ``JSONRawCursor/slotSize``
/// slot per key: `,"firstname":"` for a text key (its value's opening quote included),
/// `,"amount":` for the two others. ``JSONByteWriter/debt(_:)`` copies a head with two 16-byte
/// moves (``JSONRawCursor/slot(_:length:)``): no switch over the key's name, no byte-by-byte
/// comma, quotes and colon.
///
/// Made once for the process in ``PermanentTable``s, like the phone metadata's tables: both
/// transform tasks read them for every debt, and reading them counts no reference.
struct DebtMemberHeads: Sendable {
    static let shared = DebtMemberHeads()

    /// ``DebtKey/slotCount`` slots of ``JSONRawCursor/slotSize`` bytes, by key's raw value.
    private let slots: PermanentTable<UInt8>
    /// How many bytes of each slot are its key's head.
    private let lengths: PermanentTable<UInt8>

    private init() {
        precondition(DebtKey.allCases.count <= DebtKey.slotCount, "a slot per debt key: raise DebtKey.slotCount")
        let slotSize = JSONRawCursor.slotSize
        var slots = [UInt8](repeating: 0, count: slotSize * DebtKey.slotCount)
        var lengths = [UInt8](repeating: 0, count: DebtKey.slotCount)
        for key in DebtKey.allCases {
            let head = Array(#",""#.utf8) + key.literal.withUTF8Buffer { Array($0) } + Array(#"":"#.utf8)
                + (key.isText ? Array(#"""#.utf8) : [])
            precondition(head.count <= slotSize, "the head of \(key) does not fit in a slot")
            slots.replaceSubrange(key.rawValue * slotSize ..< key.rawValue * slotSize + head.count, with: head)
            lengths[key.rawValue] = UInt8(head.count)
        }
        self.slots = PermanentTable(slots)
        self.lengths = PermanentTable(lengths)
    }

    /// Where the slots lie: key `k`'s at `k × ` ``JSONRawCursor/slotSize`` bytes from it. (Taken
    /// once per debt, each key's slot then read with no bounds check: every key's raw value is
    /// below ``DebtKey/slotCount``, as ``init()`` checks. Through the table's checked reads per
    /// key, the heads cost about 50 instructions more per W2 record.)
    @inline(__always)
    var slotsStart: UnsafeRawPointer { UnsafeRawPointer(slots.address(of: 0)) }

    /// Where the lengths lie: how many bytes of key `k`'s slot are its head, at `k`.
    @inline(__always)
    var lengthsStart: UnsafePointer<UInt8> { lengths.address(of: 0) }
}
