/// Name ids keyed by the address of a name in libxml2's dictionary: libxml2 hands every element
/// and attribute name to the SAX callbacks as a pointer into the parser's dictionary, where the
/// same name is always the same pointer for the parser's whole life (`XML_PARSE_NODICT` is
/// off; the dictionary is never emptied while the context lives). So a name seen before is
/// found from its pointer alone: no `strlen`, no hashing of its bytes, no copy.
///
/// An open-addressing table with linear probing and a multiplicative hash of the address (the
/// callbacks ask it once per element and attribute, so it must cost a few instructions, not a
/// `Hasher` round). It only grows: a document has as many distinct names as its dictionary,
/// which libxml2 keeps too. Different names are different pointers, so a hit is exact.
struct XMLNamePointerTable {
    /// Slots: a key of 0 is free (libxml2 never hands a null name).
    private var keys: [UInt]
    private var ids: [Int32]
    private var count = 0
    private var shift: UInt

    /// An empty table with room for 64 names before it grows.
    init() {
        keys = [UInt](repeating: 0, count: 128)
        ids = [Int32](repeating: 0, count: 128)
        shift = UInt(UInt.bitWidth - 7)
    }

    /// The id stored for the name at `pointer`, or `nil` for a name not seen yet.
    @inline(__always)
    func id(of pointer: UnsafeRawPointer) -> Int? {
        let key = UInt(bitPattern: pointer)
        let mask = keys.count - 1
        var slot = Self.slot(of: key, shift: shift)
        while true {
            let found = keys[slot]
            if found == key { return Int(ids[slot]) }
            if found == 0 { return nil }
            slot = (slot + 1) & mask
        }
    }

    /// Remembers `id` for the name at `pointer` (not in the table yet).
    mutating func insert(_ pointer: UnsafeRawPointer, id: Int) {
        if (count + 1) * 2 > keys.count { grow() }
        Self.place(UInt(bitPattern: pointer), id: Int32(truncatingIfNeeded: id), keys: &keys, ids: &ids, shift: shift)
        count += 1
    }

    /// How many names the table holds.
    var nameCount: Int { count }

    private mutating func grow() {
        let oldKeys = keys
        let oldIDs = ids
        let capacity = keys.count * 2
        keys = [UInt](repeating: 0, count: capacity)
        ids = [Int32](repeating: 0, count: capacity)
        shift -= 1
        for index in oldKeys.indices where oldKeys[index] != 0 {
            Self.place(oldKeys[index], id: oldIDs[index], keys: &keys, ids: &ids, shift: shift)
        }
    }

    private static func place(_ key: UInt, id: Int32, keys: inout [UInt], ids: inout [Int32], shift: UInt) {
        let mask = keys.count - 1
        var slot = slot(of: key, shift: shift)
        while keys[slot] != 0 { slot = (slot + 1) & mask }
        keys[slot] = key
        ids[slot] = id
    }

    /// Fibonacci hashing: the top bits of the address times 2^64 / φ.
    @inline(__always)
    private static func slot(of key: UInt, shift: UInt) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }
}
