import DebtflowCore
import Testing

@Suite("Provenance")
struct ProvenanceTests {
    @Test("a chunk's own copy of the input's name is the same name, short, long or not ASCII", arguments: [
        "", "-", "a.csv", "exports/2026-11-29/debitoren-öffentlich.csv.gz", String(repeating: "é", count: 40),
    ])
    func chunkOwnCopy(name: String) {
        let copy = Provenance.chunkOwnCopy(of: name)
        #expect(copy == name)
        #expect(Array(copy.utf8) == Array(name.utf8))
        #expect(Provenance(source: copy, record: 3, line: 4).description == Provenance(source: name, record: 3, line: 4).description)
    }

    @Test("a name of more than 15 bytes gets storage of its own; a shorter one is inline anyway")
    func ownStorage() {
        let long = "exports/2026-11-29/debitoren.csv.gz"
        let copy = Provenance.chunkOwnCopy(of: long)
        let longBase = long.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        let copyBase = copy.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        #expect(longBase != nil && copyBase != nil)
        #expect(longBase != copyBase)
        #expect(copy == long)
    }

    @Test("a record without an id of its own is known by the source's file name, #, the record, and for a case . and its position",
          arguments: [
              (Provenance(source: "/srv/in/debts.csv", record: 12), "debts.csv#12"),
              (Provenance(source: "debts.csv", record: 1), "debts.csv#1"),
              (Provenance(source: "-", record: 3), "stdin#3"),
              (Provenance(source: "", record: 3), "stdin#3"),
              (Provenance(source: "https://x.example/v1/debt-collection/7/debtors", record: 4, caseIndex: 2), "debtors#4.2"),
              (Provenance(source: "exports/échéances-2026.csv.gz", record: 1_234_567_890, caseIndex: 10),
               "échéances-2026.csv.gz#1234567890.10"),
              (Provenance(source: "a/b/", record: 9), "stdin#9"),
              // An input that shares its file name with another of the run: its whole path.
              (Provenance(source: "in/a/debts.csv", record: 12, idsByPath: true), "in/a/debts.csv#12"),
              (Provenance(source: "/srv/in/b/debtors.json", record: 3, caseIndex: 2, idsByPath: true), "/srv/in/b/debtors.json#3.2"),
          ])
    func positionalID(provenance: Provenance, expected: String) {
        #expect(provenance.positionalID == expected)
        // The prefix the map stage caches per source is the same text.
        #expect(expected.hasPrefix(Provenance.idPrefix(of: provenance.source, byPath: provenance.idsByPath)))
    }
}
