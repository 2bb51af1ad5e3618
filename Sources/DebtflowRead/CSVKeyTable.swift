import DebtflowCore

/// The keys of a CSV input's records, stored once per input ("keys belong to the header"): every
/// name's UTF-8 in one byte blob and each key a span of it.
///
/// A chunk copies the blob into its tape's arena once (``copy(into:)``), and every row's field
/// nodes point at the same key spans: a row costs no key bytes, and a file of four million
/// columns holds its keys in one blob rather than four million `String`s.
struct CSVKeyTable {
    /// Every key's UTF-8, one after the other.
    private(set) var bytes: [UInt8] = []
    /// Each key: its place in ``bytes`` and its flags on a node. (One table, not one for the
    /// spans and one for the flags: a row opens it once, and opening the second array inside the
    /// first made the compiler retain and release it per row.)
    private(set) var keys: [Key] = []

    /// A key of the table.
    struct Key {
        /// The key's place in ``CSVKeyTable/bytes``.
        var span: ByteSpan
        /// Its flags on a node (``RecordNode/Flags/keyNeedsEscaping`` or none), found once.
        var flags: RecordNode.Flags
    }

    /// How many keys (columns) the table holds.
    var count: Int { keys.count }

    /// The table of `keys` (the header's names, made unique by ``CSVHeader/keys(fromNames:)``).
    init(keys: [String]) {
        self.keys.reserveCapacity(keys.count)
        for key in keys {
            let offset = UInt32(truncatingIfNeeded: bytes.count)
            bytes.append(contentsOf: key.utf8)
            var key = key
            let escaping = key.withUTF8 { RecordNode.Flags.of($0).contains(.valueNeedsEscaping) }
            self.keys.append(Key(span: ByteSpan(offset: offset, length: UInt32(truncatingIfNeeded: bytes.count) - offset),
                                 flags: escaping ? .keyNeedsEscaping : []))
        }
    }

    /// The keys of a file without a header line: the 1-based column numbers `"1"`, `"2"`, …, as
    /// ``CSVHeader/numberedKeys(count:)`` but written as digits straight into the blob.
    init(numberedCount count: Int) {
        keys.reserveCapacity(count)
        var digits: [UInt8] = []
        for column in 1...max(1, count) where column <= count {
            let offset = UInt32(truncatingIfNeeded: bytes.count)
            digits.removeAll(keepingCapacity: true)
            var value = column
            while value > 0 {
                digits.append(UInt8(ascii: "0") + UInt8(value % 10))
                value /= 10
            }
            bytes.append(contentsOf: digits.reversed())
            keys.append(Key(span: ByteSpan(offset: offset, length: UInt32(truncatingIfNeeded: digits.count)), flags: []))
        }
    }

    /// Key `index` as a `String` (off the hot path: ``CSVRecordReader/columnKeys``, tests).
    func key(_ index: Int) -> String {
        let span = keys[index].span
        return String(decoding: bytes[Int(span.offset)..<span.end], as: UTF8.self)
    }

    /// Copies the blob into `builder`'s arena; returns the offset key spans are shifted by there.
    func copy(into builder: inout RecordTapeBuilder) -> UInt32 {
        bytes.withUnsafeBufferPointer { builder.appendBytes($0).offset }
    }
}
