import DebtflowCore

/// The member names already stored on a chunk's tape, so a key repeated by every record of the
/// chunk (`"firstName"`) is stored once and every record's node points to the same span.
///
/// Open addressing over a fixed table. It is bounded against hostile input: at most
/// ``maxKeys`` names per chunk and names of at most ``maxKeyBytes`` bytes are shared; others
/// are simply stored again, so a key flood costs no more than it would without the table.
public struct JSONKeyTable: Sendable {
    /// The most names shared per chunk.
    public static let maxKeys = 256
    /// The longest name shared.
    public static let maxKeyBytes = 64

    private struct Slot: Sendable {
        var hash: UInt32
        /// `length` 0: a free slot (the empty key is never stored).
        var span: ByteSpan
    }

    private var slots: [Slot]
    private var count = 0
    private let mask: Int

    public init() {
        let capacity = 2 * Self.maxKeys
        slots = Array(repeating: Slot(hash: 0, span: .empty), count: capacity)
        mask = capacity - 1
    }

    /// Forgets every name: the next chunk's tape starts empty.
    public mutating func removeAll() {
        guard count > 0 else { return }
        for index in slots.indices { slots[index] = Slot(hash: 0, span: .empty) }
        count = 0
    }

    /// The span of `key` on `tape`: the one stored before in this chunk, else a new copy.
    public mutating func span(of key: UnsafeBufferPointer<UInt8>, on tape: inout RecordTapeBuilder) -> ByteSpan {
        guard !key.isEmpty else { return .empty }
        guard key.count <= Self.maxKeyBytes else { return tape.appendBytes(key) }
        var hash: UInt32 = 2_166_136_261
        for byte in key { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        var index = Int(hash) & mask
        while slots[index].span.length != 0 {
            let slot = slots[index]
            if slot.hash == hash && Int(slot.span.length) == key.count {
                let same = tape.bytes.withUnsafeBufferPointer { arena in
                    UnsafeBufferPointer(rebasing: arena[Int(slot.span.offset)..<slot.span.end]).elementsEqual(key)
                }
                if same { return slot.span }
            }
            index = (index + 1) & mask
        }
        let span = tape.appendBytes(key)
        if count < Self.maxKeys {
            slots[index] = Slot(hash: hash, span: span)
            count += 1
        }
        return span
    }
}
