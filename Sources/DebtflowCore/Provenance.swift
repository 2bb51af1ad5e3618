/// Where a record came from, carried from the reader to the outcome so every error can name it.
public struct Provenance: Sendable, Equatable, Hashable {
    /// The input's name as the operator gave it (a path, `-` for stdin, or a URL without secrets).
    public var source: String
    /// The 1-based position of the record in its source (a CSV data row, an array element, an XML
    /// record element, a debtor of a paged API).
    public var record: Int
    /// The 1-based physical line where the record starts, where the format has lines.
    public var line: Int?
    /// The 1-based position of a collection case within its debtor (the `magicline-debtor` preset).
    public var caseIndex: Int?

    public init(source: String, record: Int, line: Int? = nil, caseIndex: Int? = nil) {
        self.source = source
        self.record = record
        self.line = line
        self.caseIndex = caseIndex
    }

    /// `file.csv line 13 (record 12)`: the human form used in messages.
    public var description: String {
        var text = source
        if let line { text += " line \(line)" }
        text += " (record \(record)"
        if let caseIndex { text += ", case \(caseIndex)" }
        return text + ")"
    }
}

/// One record as a reader yields it: its root object on the chunk's ``RecordTape``.
public struct Record: Sendable, Equatable {
    public var provenance: Provenance
    /// The record's fields, keys as in the source: a view of its root object on the tape its
    /// reader built for the chunk (no `String` per field; read keys and texts as bytes).
    public var view: RecordView
    /// Set when the reader could not read the record properly (a CSV row with the wrong number of
    /// fields): the record then ends `failed` with this error and is never written by a
    /// conversion sink.
    public var problem: RecordError?

    public init(provenance: Provenance, view: RecordView, problem: RecordError? = nil) {
        self.provenance = provenance
        self.view = view
        self.problem = problem
    }

    /// A record from a tree built in memory (on a tape of its own: for tests and code that makes
    /// up records, not for readers).
    public init(provenance: Provenance, fields: RecordObject, problem: RecordError? = nil) {
        self.init(provenance: provenance, view: RecordView(fields), problem: problem)
    }

    /// The record's fields as a ``RecordObject`` tree (made on request: off the hot path only).
    public var fields: RecordObject {
        get { view.object }
        set { view = RecordView(newValue) }
    }
}

extension Provenance {
    /// `source` in storage of its own (a name of more than 15 UTF-8 bytes lives on the heap and is
    /// reference-counted; a shorter one is stored inline and is returned as it is).
    ///
    /// The CSV reader gives each chunk its own copy of the input's name: every record, candidate
    /// and outcome of a chunk holds it, and they are copied and dropped by the task working on
    /// that chunk. With one copy shared by every chunk, the transform tasks would count references
    /// on the same cache line from every core.
    public static func chunkOwnCopy(of source: String) -> String {
        let count = source.utf8.count
        guard count > 15 else { return source }
        return String(unsafeUninitializedCapacity: count) { buffer in
            _ = buffer.initialize(fromContentsOf: source.utf8)
            return count
        }
    }
}

extension Provenance {
    /// The stable id of a record without one of its own: the source's file name, `#`, the
    /// record's position, and for a collection case `.` and its position (`debts.csv#12`,
    /// `debtors.json#3.2`; stdin is `stdin`). The same on every run over the same input.
    public var positionalID: String {
        // Written in one piece (one allocation): W2's generated input has a skipped row in ten,
        // and each got three strings made and joined.
        let made = source.utf8.withContiguousStorageIfAvailable { bytes -> String in
            var start = bytes.count
            while start > 0 && bytes[start - 1] != UInt8(ascii: "/") { start -= 1 }
            var name = UnsafeBufferPointer(rebasing: bytes[start...])
            let stdin: StaticString = "stdin"
            if name.isEmpty || (name.count == 1 && name[0] == UInt8(ascii: "-")) {
                name = UnsafeBufferPointer(start: stdin.utf8Start, count: stdin.utf8CodeUnitCount)
            }
            return String(unsafeUninitializedCapacity: name.count + 42) { buffer in
                var count = buffer.initialize(fromContentsOf: name)
                func append(_ byte: UInt8) {
                    buffer[count] = byte
                    count += 1
                }
                func append(_ number: Int) {
                    if number < 0 { append(UInt8(ascii: "-")) }
                    var value = number.magnitude
                    var width = 1
                    while value >= 10 { value /= 10; width += 1 }
                    value = number.magnitude
                    for position in stride(from: count + width - 1, through: count, by: -1) {
                        buffer[position] = UInt8(ascii: "0") + UInt8(value % 10)
                        value /= 10
                    }
                    count += width
                }
                append(UInt8(ascii: "#"))
                append(record)
                if let caseIndex {
                    append(UInt8(ascii: "."))
                    append(caseIndex)
                }
                return count
            }
        }
        if let made { return made }
        var id = Self.idPrefix(of: source) + String(record)
        if let caseIndex { id += "." + String(caseIndex) }
        return id
    }

    /// `debts.csv#` for `exports/debts.csv`: the part of ``positionalID`` that names the source.
    public static func idPrefix(of source: String) -> String {
        // On the UTF-8 bytes: a split by `Character` walks grapheme clusters (8,600 instructions
        // for a 40-byte path, once per skipped row of W2).
        let name = source.utf8.withContiguousStorageIfAvailable { bytes -> String in
            var start = bytes.count
            while start > 0 && bytes[start - 1] != UInt8(ascii: "/") { start -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start...]), as: UTF8.self)
        } ?? source.split(separator: "/").last.map(String.init) ?? source
        return (name.isEmpty || name == "-" ? "stdin" : name) + "#"
    }
}
