import DebtflowCore
@testable import DebtflowRead
import Testing

/// What an XML declaration says of the encoding, looked at before libxml2 reads it.
@Suite("XML declared encoding")
struct XMLDeclaredEncodingTests {
    private func document(_ declaration: String, bom: Bool = false, body: [UInt8]) -> [UInt8] {
        (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(declaration.utf8) + Array("\n<r><rec><a>".utf8) + body + Array("</a></rec></r>".utf8)
    }

    @Test("an export that declares ISO-8859-1 (any alias, any quotes) is read as Windows-1252: 0x80 is €, 0x9C œ, 0x92 ’, 0xE9 é; read in pieces of any size",
          arguments: [1, 2, 3, 7, 65536])
    func latin1IsWindows1252(readSize: Int) throws {
        for declaration in [#"<?xml version="1.0" encoding="ISO-8859-1"?>"#, "<?xml version='1.0' encoding='latin1' standalone='yes'?>",
                            #"<?xml version="1.0" encoding = "iso_8859-1" ?>"#] {
            let records = try JSONXMLFixtures.xmlRecords(document(declaration, body: [0x80, 0x20, 0x9C, 0x92, 0xE9]), record: "rec",
                                                         maxReadSize: readSize)
            #expect(records.map(\.fields) == [RecordObject(["a": .string("€ œ’é")])], "\(declaration), read size \(readSize)")
            #expect(records.map(\.provenance.line) == [2])
        }
    }

    @Test("Windows-1252, UTF-8 and no declaration are read as before")
    func othersUnchanged() throws {
        let cp1252 = try JSONXMLFixtures.xmlRecords(document(#"<?xml version="1.0" encoding="windows-1252"?>"#, body: [0x80]), record: "rec")
        #expect(cp1252.map(\.fields) == [RecordObject(["a": .string("€")])])
        let utf8 = try JSONXMLFixtures.xmlRecords(document(#"<?xml version="1.0" encoding="UTF-8"?>"#, bom: true, body: Array("é".utf8)), record: "rec")
        #expect(utf8.map(\.fields) == [RecordObject(["a": .string("é")])])
        let none = try JSONXMLFixtures.xmlRecords(Array("<r><rec><a>é</a></rec></r>".utf8), record: "rec")
        #expect(none.map(\.fields) == [RecordObject(["a": .string("é")])])
    }

    @Test("a UTF-8 byte-order mark with a declaration of another encoding is an input error naming the file and the encoding, not text decoded twice")
    func byteOrderMarkAgainstDeclaration() {
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.xmlRecords(document(#"<?xml version="1.0" encoding="windows-1252"?>"#, bom: true, body: Array("Café".utf8)),
                                               record: "rec")
        }
        #expect(error?.message.contains(#"byte-order mark but its declaration says encoding="windows-1252""#) == true, "\(String(describing: error))")
        #expect(error?.location?.file == "input.xml")
    }
}
