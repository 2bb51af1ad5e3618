/// A chunk's records as one table (issue 10, "the per-chunk table"): the tape they lie on and
/// the input's name, held once for the whole chunk, and per record only its number, its line and
/// its root node's index, plain words.
///
/// A ``Record`` per record holds a reference to the tape and to the input's name: the reader
/// retained both for every record it made, built the record in a temporary and copied it into the
/// chunk's array, and the stage that took it released both again. Rows hold no reference, so a
/// stage that reads them (`map`'s ``Chunk/recordRows``) makes its candidate's provenance and view
/// point at the row without counting a reference per record. ``records()`` makes the `Record`
/// values, for code that wants them (``Chunk/elements`` does, on request).
public struct RecordRows: Sendable {
    /// One record: its 1-based position in its source, the physical line where it starts, and its
    /// root object's node index on ``tape``.
    public struct Row: Sendable, BitwiseCopyable, Equatable {
        public var record: Int
        public var line: Int
        public var root: Int

        @inlinable
        public init(record: Int, line: Int, root: Int) {
            self.record = record
            self.line = line
            self.root = root
        }
    }

    /// The tape every row's root lies on.
    public let tape: RecordTape
    /// The input's name, every record's ``Provenance/source``.
    public let source: String
    /// Every record's ``Provenance/idsByPath``.
    public var idsByPath: Bool
    /// The records, in order.
    public let rows: [Row]
    /// The records the reader could not read properly (few or none): their position in ``rows``
    /// (ascending) and their ``Record/problem``.
    public let problems: [(row: Int, problem: RecordError)]

    /// - Precondition: every problem names a row, in ascending order.
    public init(tape: RecordTape, source: String, idsByPath: Bool = false, rows: [Row],
                problems: [(row: Int, problem: RecordError)] = []) {
        precondition(problems.indices.allSatisfy { index in
            problems[index].row >= 0 && problems[index].row < rows.count && (index == 0 || problems[index - 1].row < problems[index].row)
        }, "a problem names no row, or problems out of order")
        self.tape = tape
        self.source = source
        self.idsByPath = idsByPath
        self.rows = rows
        self.problems = problems
    }

    public var count: Int { rows.count }

    /// The provenance of the row at `position` (as ``records()`` gives it).
    public func provenance(at position: Int) -> Provenance {
        Provenance(source: source, record: rows[position].record, line: rows[position].line, idsByPath: idsByPath)
    }

    /// The records as `Record` values, in order (each row's provenance, its view of the tape and
    /// its problem, if any).
    public func records() -> [Record] {
        var records: [Record] = []
        records.reserveCapacity(rows.count)
        var nextProblem = 0
        for (position, row) in rows.enumerated() {
            let provenance = Provenance(source: source, record: row.record, line: row.line, idsByPath: idsByPath)
            // A record without a problem is made by its own call, with none: a problem held in a
            // variable and passed to one call for both kinds made the optimizer copy more.
            if nextProblem < problems.count && problems[nextProblem].row == position {
                records.append(Record(provenance: provenance, view: RecordView(tape: tape, index: row.root),
                                      problem: problems[nextProblem].problem))
                nextProblem += 1
            } else {
                records.append(Record(provenance: provenance, view: RecordView(tape: tape, index: row.root)))
            }
        }
        return records
    }
}
