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
    /// Whether a record without an id of its own is known by the whole `source` path rather than
    /// its file name (``positionalID``: `in/a/export.csv#12`): set on the inputs of a run that
    /// share a file name, so that temp_ids stay unique within the run (CONTRACT.md §3).
    public var idsByPath: Bool

    public init(source: String, record: Int, line: Int? = nil, caseIndex: Int? = nil, idsByPath: Bool = false) {
        self.source = source
        self.record = record
        self.line = line
        self.caseIndex = caseIndex
        self.idsByPath = idsByPath
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
    /// The stable id of a record without one of its own: the source's file name (its whole path
    /// with ``idsByPath``), `#`, the record's position, and for a collection case `.` and its
    /// position (`debts.csv#12`, `debtors.json#3.2`; stdin is `stdin`). The same on every run
    /// over the same input.
    public var positionalID: String {
        // Written in one piece (one allocation): W2's generated input has a skipped row in ten,
        // and each got three strings made and joined. (The closure takes the two numbers, not a
        // copy of `self`, which retained and released its `source`.)
        let record = record, caseIndex = caseIndex
        return Self.withIDName(of: source, byPath: idsByPath) { name in
            String(unsafeUninitializedCapacity: name.count + 42) { buffer in
                Self.writePositionalID(name: name, record: record, caseIndex: caseIndex, into: buffer)
            }
        }
    }

    /// Sets `tempID` to ``positionalID``'s text, written into it with no `String` made (a
    /// skipped instruction row's, a Magicline case's without an id).
    public func setPositionalID(in tempID: inout TempIDText) {
        let record = record, caseIndex = caseIndex
        Self.withIDName(of: source, byPath: idsByPath) { name in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: name.count + 42) { buffer in
                let count = Self.writePositionalID(name: name, record: record, caseIndex: caseIndex, into: buffer)
                tempID.set(bytes: UnsafeBufferPointer(rebasing: buffer[..<count]))
            }
        }
    }

    /// Writes ``positionalID``'s bytes at the start of `buffer` (at least `name.count + 42`
    /// bytes): `name`, `#` and `record`, then `.` and `caseIndex` if any. Returns how many.
    private static func writePositionalID(name: UnsafeBufferPointer<UInt8>, record: Int, caseIndex: Int?,
                                          into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = buffer.initialize(fromContentsOf: name)
        // `mark`, then `number`'s decimal text.
        func append(_ mark: UInt8, _ number: Int) {
            buffer[count] = mark
            count = buffer.writeDecimal(number, at: count + 1)
        }
        append(UInt8(ascii: "#"), record)
        if let caseIndex { append(UInt8(ascii: "."), caseIndex) }
        return count
    }

    /// `debts.csv#` for `exports/debts.csv` (`exports/debts.csv#` with `byPath`): the part of
    /// ``positionalID`` that names the source.
    public static func idPrefix(of source: String, byPath: Bool = false) -> String {
        withIDName(of: source, byPath: byPath) { String(decoding: $0, as: UTF8.self) + "#" }
    }

    /// Hands `body` the UTF-8 bytes of `source`'s file name (after its last `/`; all of `source`
    /// with `byPath`), or `stdin` for `-` and an empty name. On the bytes: a split by `Character`
    /// walks grapheme clusters (8,600 instructions for a 40-byte path, once per skipped row of W2).
    private static func withIDName<Result>(of source: String, byPath: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        let read = { (bytes: UnsafeBufferPointer<UInt8>) -> Result in
            var start = byPath ? 0 : bytes.count
            while start > 0 && bytes[start - 1] != UInt8(ascii: "/") { start -= 1 }
            let name = UnsafeBufferPointer(rebasing: bytes[start...])
            guard name.isEmpty || (name.count == 1 && name[0] == UInt8(ascii: "-")) else { return body(name) }
            let stdin: StaticString = "stdin"
            return body(UnsafeBufferPointer(start: stdin.utf8Start, count: stdin.utf8CodeUnitCount))
        }
        // A native string is read in place; only a bridged one is copied first.
        if let result = source.utf8.withContiguousStorageIfAvailable(read) { return result }
        var copy = source
        return copy.withUTF8(read)
    }
}
