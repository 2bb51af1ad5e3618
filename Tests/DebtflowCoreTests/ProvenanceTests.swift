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
}

