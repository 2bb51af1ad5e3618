import DebtflowCore

/// The member names already stored on a chunk's tape, so a key repeated by every record of the
/// chunk (`"firstName"`) is stored once and every record's node points to the same span — and
/// is checked once: a name found in the table is known to be UTF-8 and its escaping flag is
/// remembered, so only a name seen for the first time in the chunk is validated.
///
/// Open addressing over a fixed table, hashed and compared eight bytes at a time. It is bounded
/// against hostile input: at most ``maxKeys`` names per chunk and names of at most
/// ``maxKeyBytes`` bytes are shared; others are simply validated and stored again, so a key
/// flood costs no more than it would without the table.
public struct JSONKeyTable: Sendable {
    /// The most names shared per chunk.
    public static let maxKeys = 256
    /// The longest name shared.
    public static let maxKeyBytes = 64
    /// How many slots the table has, always (twice ``maxKeys``: open addressing stays short):
    /// a constant, so that a guess's bounds check compares with it and loads nothing.
    private static var slotCount: Int { 2 * maxKeys }

    /// A member name on the tape: where it is, and whether JSON output must escape it.
    public struct Key: Sendable, Equatable {
        public var span: ByteSpan
        /// ``RecordNode/Flags/keyNeedsEscaping`` or nothing.
        public var flags: RecordNode.Flags
        /// The name's slot in the table, or ``noSlot`` when it is not shared (too long, the
        /// table full, the empty name).
        public var slot: Int32

        public static let empty = Key(span: .empty, flags: [], slot: noSlot)
    }

    /// No slot: a name not in the table; as a ``predicted(after:in:)`` argument, "no member
    /// read yet" or "a record's root".
    public static let noSlot: Int32 = -1
    /// As `previous` of ``predicted(after:in:)``: the member before was a name not in the table,
    /// so there is no guess (and nothing to note). A slot of its own, past the shared ones (the
    /// table's last), whose guesses are always ``noSlot``: ``guess(after:)`` reads it as any other.
    public static let afterUnsharedName = Int32(slotCount)

    private struct Slot: Sendable {
        var hash: UInt64
        /// `span.length` 0: a free slot (the empty key is never stored).
        var key: Key
        /// The name that came after this one in its object last time.
        var next: Int32 = JSONKeyTable.noSlot
        /// The other name that came after it before `next` did (a name shared by objects of two
        /// shapes, `"type"` in a contact and in a debt, is followed by two names in turn): the
        /// second guess.
        var alternative: Int32 = JSONKeyTable.noSlot
        /// The first name of an object held under this name (or of the objects of an array held
        /// under it) last time.
        var first: Int32 = JSONKeyTable.noSlot
        /// The name as the input holds it before a compact value (see ``NamePattern``).
        var pattern = NamePattern()
    }

    /// A shared name as compact JSON holds it after its opening quote: its bytes, the closing
    /// quote and the colon (`name":`), at most 24 bytes, as three little-endian words and the
    /// masks of their bytes. A reader compares the 24 input bytes after an opening quote with it
    /// in a few word operations (``matches(_:at:)``), where comparing the name, then its closing
    /// quote, then the colon took a length switch and three tests.
    ///
    /// `count` is 0 (no pattern: nothing matches) for a name longer than 22 bytes and for a name
    /// holding bytes JSON escapes (its input bytes differ from its stored bytes).
    public struct NamePattern: Sendable, Equatable {
        var first: UInt64 = 0
        var second: UInt64 = 0
        var third: UInt64 = 0
        var firstMask: UInt64 = 0
        var secondMask: UInt64 = 0
        var thirdMask: UInt64 = 0
        /// How many bytes `name":` has: the step from the byte after the opening quote to the
        /// value; 0 for no pattern.
        public var count: Int = 0

        /// The longest name with a pattern.
        static let maxNameBytes = 22
        /// How many input bytes ``matches(_:at:)`` reads.
        public static let inputBytes = 24

        init() {}

        /// The pattern of `name` (UTF-8 that needs no escaping), or no pattern when it is too long.
        public init(name: UnsafeBufferPointer<UInt8>) {
            guard name.count <= Self.maxNameBytes else { return }
            let count = name.count + 2
            var words: [UInt64] = [0, 0, 0]
            var masks: [UInt64] = [0, 0, 0]
            for index in 0..<count {
                let byte = index < name.count ? name[index] : (index == name.count ? UInt8(ascii: "\"") : UInt8(ascii: ":"))
                words[index / 8] |= UInt64(byte) << UInt64(index % 8 * 8)
                masks[index / 8] |= 0xFF << UInt64(index % 8 * 8)
            }
            (first, second, third) = (words[0], words[1], words[2])
            (firstMask, secondMask, thirdMask) = (masks[0], masks[1], masks[2])
            self.count = count
        }

        /// Whether the 24 bytes at `offset` of `base` (all readable) start with `name":`. Never
        /// for no pattern. (The third word is read only for a name longer than 14 bytes.)
        @inline(__always)
        public func matches(_ base: UnsafeRawPointer, at offset: Int) -> Bool {
            let differs = ((ByteWord.load(base, at: offset) ^ first) & firstMask)
                | ((ByteWord.load(base, at: offset &+ 8) ^ second) & secondMask)
            guard differs == 0 && count != 0 else { return false }
            return count <= 16 || (ByteWord.load(base, at: offset &+ 16) ^ third) & thirdMask == 0
        }
    }

    private var slots: [Slot]
    private var count = 0
    /// The first name of a record (an object with no name) last time.
    private var rootFirst: Int32
    private let mask: Int
    /// Names answered from the table, and names validated and stored, since the table was made
    /// (tests see the cache work).
    public private(set) var hits = 0
    public private(set) var misses = 0
    /// Names noted as answered by a guess (no lookup at all): ``note(_:after:in:wasPredicted:)``
    /// with `wasPredicted`, and ``noteAlternative(after:)``. A reader's first guesses matched as
    /// their patterns (``guessed(_:)``, most names) are not noted: counting them cost a memory
    /// add per member in the JSON reader's object loop, for a figure nothing reads.
    public private(set) var predictedHits = 0

    public init() {
        let capacity = Self.slotCount
        // The shared names' slots, then ``afterUnsharedName``'s (never written).
        slots = Array(repeating: Slot(hash: 0, key: .empty), count: capacity + 1)
        rootFirst = Self.noSlot
        mask = capacity - 1
    }

    /// Forgets every name: the next chunk's tape starts empty.
    public mutating func removeAll() {
        guard count > 0 else { return }
        for index in slots.indices { slots[index] = Slot(hash: 0, key: .empty) }
        count = 0
        rootFirst = Self.noSlot
    }

    // MARK: - Predicting the next name

    /// The slot of the name a reader compares the input with first for the first member of an
    /// object held under `container` (``noSlot``: a record's root): the first name of such an
    /// object last time (see ``predicted(after:in:)``), or ``noSlot`` for none.
    @inline(__always)
    public func firstGuess(in container: Int32) -> Int32 {
        guard container != Self.noSlot else { return rootFirst }
        precondition(container >= 0 && container < Int32(Self.slotCount), "JSONKeyTable: not one of this table's slots")
        return slots.withUnsafeBufferPointer { $0[Int(container)].first }
    }

    /// The slot of the name a reader compares the input with first after a member whose slot is
    /// `previous` — ``afterUnsharedName`` after a name not in the table — or ``noSlot`` for none:
    /// one read, no case to tell apart (``afterUnsharedName`` is a slot of its own past the
    /// shared ones, whose `next` is always ``noSlot``).
    @inline(__always)
    public func guess(after previous: Int32) -> Int32 {
        precondition(previous >= 0 && previous <= Self.afterUnsharedName, "JSONKeyTable: not one of this table's slots")
        return slots.withUnsafeBufferPointer { $0[Int(previous)].next }
    }

    /// The slot of the second guess after `previous` (see ``alternative(after:)``; a slot or
    /// ``afterUnsharedName``), or ``noSlot`` for none: for a reader that compares the input
    /// with its ``NamePattern`` (a name JSON escapes has none) before the first guess's bytes.
    @inline(__always)
    public func alternativeGuess(after previous: Int32) -> Int32 {
        guard previous >= 0 && previous <= Self.afterUnsharedName else { return Self.noSlot }
        return slots.withUnsafeBufferPointer { $0[Int(previous)].alternative }
    }

    /// The name in `slot` (a guess from ``firstGuess(in:)`` or ``guess(after:)``, not ``noSlot``)
    /// and its ``NamePattern``: a guess whose name JSON escapes has no pattern (nothing matches
    /// it), so its flags need no test. (Read without a bounds check: every slot the table hands
    /// out is one of its own.)
    @inline(__always)
    public func guessed(_ slot: Int32) -> (key: Key, pattern: NamePattern) {
        slots.withUnsafeBufferPointer { ($0[Int(slot)].key, $0[Int(slot)].pattern) }
    }

    /// The name that followed `previous` last time in an object held under `container` (or, with
    /// `previous` ``noSlot``, the first name of such an object): records repeat their names in
    /// the same order, so a reader compares the input with this name first and skips the
    /// lookup when they are equal. `nil` when there is no guess, or the guess holds bytes that
    /// JSON escapes (its input bytes would differ from its stored bytes).
    ///
    /// The slots are read without a bounds check: every slot number this table hands out (a
    /// key's `slot`, a slot's `next` and `first`) is below its fixed capacity, as the
    /// precondition on the way in says (for the slot read: `container` only for an object's first
    /// name, not again for every member after it).
    @inline(__always)
    public func predicted(after previous: Int32, in container: Int32) -> Key? {
        if previous == Self.afterUnsharedName { return nil }
        return slots.withUnsafeBufferPointer { slots in
            let guess: Int32
            if previous != Self.noSlot {
                precondition(previous < Int32(Self.slotCount), "JSONKeyTable: not one of this table's slots")
                guess = slots[Int(previous)].next
            } else if container != Self.noSlot {
                precondition(container < Int32(Self.slotCount), "JSONKeyTable: not one of this table's slots")
                guess = slots[Int(container)].first
            } else {
                guess = rootFirst
            }
            guard guess != Self.noSlot else { return nil }
            let key = slots[Int(guess)].key
            return key.flags.isEmpty ? key : nil
        }
    }

    /// The second guess after `previous` (a slot): the name that followed it before the one
    /// ``predicted(after:in:)`` guesses did, when that was another name; `nil` when there is none
    /// or it holds bytes that JSON escapes. A reader tries it when the first guess was wrong,
    /// before a lookup, and notes a match with ``noteAlternative(after:)``.
    public func alternative(after previous: Int32) -> Key? {
        guard previous >= 0 else { return nil }
        let guess = slots[Int(previous)].alternative
        guard guess != Self.noSlot else { return nil }
        let key = slots[Int(guess)].key
        return key.flags.isEmpty ? key : nil
    }

    /// Notes that the name after `previous` was its ``alternative(after:)``: that name is the
    /// first guess next time, and the first guess of this time the second.
    @inline(__always)
    public mutating func noteAlternative(after previous: Int32) {
        predictedHits &+= 1
        let index = Int(previous)
        let first = slots[index].next
        slots[index].next = slots[index].alternative
        slots[index].alternative = first
    }

    /// Notes that `key` came after `previous` in an object held under `container` (see
    /// ``predicted(after:in:)``), and counts a name answered by that guess. After a name the
    /// guess after `previous` did not give, the guess it had becomes the second guess
    /// (``alternative(after:)``).
    public mutating func note(_ key: Key, after previous: Int32, in container: Int32, wasPredicted: Bool) {
        if wasPredicted {
            predictedHits &+= 1
            return
        }
        if previous == Self.afterUnsharedName { return }
        if previous != Self.noSlot {
            let last = slots[Int(previous)].next
            if last != key.slot {
                slots[Int(previous)].alternative = last
                slots[Int(previous)].next = key.slot
            }
        } else if container != Self.noSlot {
            slots[Int(container)].first = key.slot
        } else {
            rootFirst = key.slot
        }
    }

    /// The span and escaping flag of `key` on `tape`: the one stored before in this chunk, else
    /// a new copy after checking the bytes are UTF-8.
    /// - Returns: `nil` when `key` is not well-formed UTF-8 (the caller reports it).
    public mutating func key(_ key: UnsafeBufferPointer<UInt8>, on tape: inout RecordTapeBuilder) -> Key? {
        guard let base = key.baseAddress, !key.isEmpty else { return .empty }
        guard key.count <= Self.maxKeyBytes else {
            misses &+= 1
            return Self.store(key, on: &tape)
        }
        let hash = Self.hash(base, key.count)
        var index = Int(truncatingIfNeeded: hash) & mask
        while true {
            let slot = slots[index]
            if slot.key.span.length == 0 { break }
            if slot.hash == hash && Int(slot.key.span.length) == key.count {
                let same = tape.withArenaBytes { arena in
                    Self.equal(arena.baseAddress! + Int(slot.key.span.offset), base, key.count)
                }
                if same {
                    hits &+= 1
                    return slot.key
                }
            }
            index = (index + 1) & mask
        }
        misses &+= 1
        guard var stored = Self.store(key, on: &tape) else { return nil }
        if count < Self.maxKeys {
            stored.slot = Int32(truncatingIfNeeded: index)
            slots[index] = Slot(hash: hash, key: stored, pattern: stored.flags.isEmpty ? NamePattern(name: key) : NamePattern())
            count += 1
        }
        return stored
    }

    /// Validates `key` and copies it onto the tape.
    private static func store(_ key: UnsafeBufferPointer<UInt8>, on tape: inout RecordTapeBuilder) -> Key? {
        guard let flags = UTF8Validation.tapeFlags(of: key) else { return nil }
        return Key(span: tape.appendBytes(key), flags: flags.contains(.valueNeedsEscaping) ? .keyNeedsEscaping : [],
                   slot: noSlot)
    }

    /// A hash of `count` (1…64) bytes at `base`, eight at a time.
    @inline(__always)
    private static func hash(_ base: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        let raw = UnsafeRawPointer(base)
        var hash = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while offset + 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(base[offset]) << shift
                shift += 8
                offset += 1
            }
            hash = (hash ^ tail) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 29
        }
        return hash
    }

    /// Whether `count` bytes at `a` and `b` are the same, a word at a time with no byte loop for
    /// the usual name: eight bytes or more as eight-byte words and then the word that ends at the
    /// last byte; four to seven as two overlapping four-byte words; fewer byte by byte. Only the
    /// `count` bytes of each are read. (`sameBytes(as:)` compares the bytes after the last whole
    /// word one by one: a record of nine names took about 145 instructions in that loop.)
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let left = UnsafeRawPointer(a), right = UnsafeRawPointer(b)
        if count >= 8 {
            var offset = 0
            while offset + 8 < count {
                guard left.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    == right.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
                offset += 8
            }
            return left.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
                == right.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        }
        if count >= 4 {
            return left.loadUnaligned(as: UInt32.self) == right.loadUnaligned(as: UInt32.self)
                && left.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
                == right.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        }
        for index in 0..<count where a[index] != b[index] { return false }
        return true
    }
}
