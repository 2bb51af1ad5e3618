import DebtflowCore
import Testing

/// A chunk of records as one table (`RecordRows`): the records it makes, its problems by row, and
/// a `Chunk` that holds one (its count, its elements made on request, the table taken out).
@Suite("Record rows: a chunk's records as one table")
struct RecordRowsTests {
    /// A tape of three flat records, `{"a": "1"}`, `{"a": "2"}`, `{"a": "3"}`, and their roots.
    private static func tape() -> (RecordTape, [Int]) {
        var builder = RecordTapeBuilder()
        let key = builder.appendBytes("a")
        var roots: [Int] = []
        for text in ["1", "2", "3"] {
            let value = builder.appendBytes(text)
            roots.append(builder.appendFlatObject(memberCount: 1) { _ in (key, value, []) })
        }
        return (builder.finish(), roots)
    }

    private static func rows(problemAt problemRow: Int?) -> RecordRows {
        let (tape, roots) = tape()
        let rows = roots.enumerated().map { RecordRows.Row(record: $0.offset + 1, line: $0.offset + 2, root: $0.element) }
        let problem = RecordError(field: nil, code: .malformedRow, message: "expected 1 fields, found 2")
        return RecordRows(tape: tape, source: "in/export-with-a-long-name.csv", rows: rows,
                          problems: problemRow.map { [($0, problem)] } ?? [])
    }

    @Test("records() makes each row's record: provenance, view and its problem, if any")
    func records() {
        let rows = Self.rows(problemAt: 1)
        let records = rows.records()
        #expect(records.count == 3)
        for (position, record) in records.enumerated() {
            #expect(record.provenance == Provenance(source: "in/export-with-a-long-name.csv", record: position + 1, line: position + 2))
            #expect(record.provenance == rows.provenance(at: position))
            #expect(record.view.tape === rows.tape && record.view.index == rows.rows[position].root)
            #expect(record.fields == RecordObject(["a": .string(String(position + 1))]))
            #expect((record.problem != nil) == (position == 1))
        }
    }

    @Test("a chunk holding rows counts them, makes its elements on request, and gives up the table when changed or taken")
    func chunkOfRows() {
        var chunk = Chunk(recordRows: Self.rows(problemAt: nil), textByteCount: 7)
        #expect(chunk.count == 3 && !chunk.isEmpty && chunk.recordRows != nil)
        #expect(chunk.elements == Self.rows(problemAt: nil).records().map { Record(provenance: $0.provenance, view: $0.view) })
        #expect(chunk.recordRows != nil)
        chunk.setIDsByPath()
        #expect(chunk.elements.allSatisfy { $0.provenance.idsByPath })
        // Changed in place: the records are made once and the table dropped.
        chunk.elements.removeLast()
        #expect(chunk.recordRows == nil && chunk.count == 2 && chunk.elements.allSatisfy { $0.provenance.idsByPath })
        chunk.setIDsByPath()

        var taken = Chunk(recordRows: Self.rows(problemAt: 2))
        let rows = taken.takeRecordRows()
        #expect(rows?.count == 3 && rows?.problems.map(\.row) == [2])
        #expect(taken.isEmpty && taken.elements.isEmpty && taken.takeRecordRows() == nil)
        var plain = Chunk([Record(provenance: Provenance(source: "x", record: 1), fields: RecordObject([:]))])
        #expect(plain.takeRecordRows() == nil && plain.count == 1)
    }

    @Test("a problem must name a row, in order")
    func problemsOutOfRange() async {
        await #expect(processExitsWith: .failure) {
            let (tape, roots) = Self.tape()
            let problem = RecordError(field: nil, code: .malformedRow, message: "m")
            _ = RecordRows(tape: tape, source: "d.csv", rows: [RecordRows.Row(record: 1, line: 2, root: roots[0])],
                           problems: [(1, problem)])
        }
        await #expect(processExitsWith: .failure) {
            let (tape, roots) = Self.tape()
            let problem = RecordError(field: nil, code: .malformedRow, message: "m")
            let rows = roots.map { RecordRows.Row(record: 1, line: 2, root: $0) }
            _ = RecordRows(tape: tape, source: "d.csv", rows: rows, problems: [(2, problem), (1, problem)])
        }
    }
}
