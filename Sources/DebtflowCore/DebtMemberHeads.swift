/// Each debt key's member head as the debt object writes it, one ``JSONRawCursor/slotSize``
/// slot per key: `,"firstname":"` for a text key (its value's opening quote included),
/// `,"amount":` for the two others. ``JSONByteWriter/debt(_:)`` copies a head with two 16-byte
/// moves (``JSONRawCursor/slot(_:length:)``): no switch over the key's name, no byte-by-byte
/// comma, quotes and colon.
///
/// Made once for the process in memory that is never freed, like the phone metadata's tables:
/// both transform tasks read it for every debt, and reading it counts no reference.
struct DebtMemberHeads: @unchecked Sendable {
    /// The heads, written once by ``init()`` and only read after (hence `@unchecked Sendable`).
    static let shared = DebtMemberHeads()

    /// ``DebtKey/slotCount`` slots of ``JSONRawCursor/slotSize`` bytes, then one length per key.
    private let memory: UnsafeRawPointer

    private init() {
        precondition(DebtKey.allCases.count <= DebtKey.slotCount, "a slot per debt key: raise DebtKey.slotCount")
        let slotSize = JSONRawCursor.slotSize
        let lengthsOffset = slotSize * DebtKey.slotCount
        let memory = UnsafeMutableRawPointer.allocate(byteCount: lengthsOffset + DebtKey.slotCount, alignment: 16)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: lengthsOffset + DebtKey.slotCount)
        for key in DebtKey.allCases {
            let head = Array(#",""#.utf8) + key.literal.withUTF8Buffer { Array($0) } + Array(#"":"#.utf8)
                + (key.isText ? Array(#"""#.utf8) : [])
            precondition(head.count <= slotSize, "the head of \(key) does not fit in a slot")
            head.withUnsafeBytes { (memory + key.rawValue * slotSize).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            memory.storeBytes(of: UInt8(head.count), toByteOffset: lengthsOffset + key.rawValue, as: UInt8.self)
        }
        self.memory = UnsafeRawPointer(memory)
    }

    /// `key`'s slot.
    @inline(__always)
    func slot(_ key: DebtKey) -> UnsafeRawPointer { memory + key.rawValue &* JSONRawCursor.slotSize }

    /// How many bytes of `key`'s slot are its head.
    @inline(__always)
    func length(_ key: DebtKey) -> Int {
        Int(memory.load(fromByteOffset: JSONRawCursor.slotSize &* DebtKey.slotCount &+ key.rawValue, as: UInt8.self))
    }
}
