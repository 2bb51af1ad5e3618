import DebtflowCore
import Testing

/// A debt's metadata is one JSON object kept as its bytes (issue 10: no object tree per debt).
@Suite("Debt metadata as written JSON")
struct DebtMetadataTests {
    @Test("metadata made from an object holds the object's JSON, entries in order, strings escaped")
    func fromAnObject() {
        let metadata = DebtMetadata(RecordObject(["debtorId": .number("7"), "note": .string("say \"hi\""),
                                                  "debtIds": .array([.string("a"), .string("b")])]))
        #expect(String(decoding: metadata.json, as: UTF8.self) == #"{"debtorId":7,"note":"say \"hi\"","debtIds":["a","b"]}"#)
        #expect(!metadata.isEmpty)
    }

    @Test("metadata written member by member is the same bytes as the same object's, and equal to it")
    func writtenInPlace() {
        let written = DebtMetadata { writer in
            writer.key(literal: "debtorId")
            writer.numberText("7")
            writer.key(literal: "debtIds")
            writer.beginArray()
            writer.string("a")
            writer.endArray()
        }
        #expect(written == DebtMetadata(RecordObject(["debtorId": .number("7"), "debtIds": .array([.string("a")])])))
        #expect(written != DebtMetadata(RecordObject(["debtorId": .string("7"), "debtIds": .array([.string("a")])])))
    }

    @Test("metadata with no member is empty, and a debt writes no metadata key for it")
    func emptyIsNotWritten() {
        #expect(DebtMetadata(RecordObject()).isEmpty)
        #expect(DebtMetadata { _ in }.isEmpty)
        var debt = Debt()
        debt.firstname = "Zoé"
        debt.metadata = DebtMetadata { _ in }
        var writer = JSONByteWriter()
        writer.debt(debt)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"firstname":"Zoé"}"#)
        debt.metadata = DebtMetadata(RecordObject(["debtorId": .number("7")]))
        writer.removeAll()
        writer.debt(debt)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"firstname":"Zoé","metadata":{"debtorId":7}}"#)
    }
}
