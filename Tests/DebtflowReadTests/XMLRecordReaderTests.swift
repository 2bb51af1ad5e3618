import DebtflowCore
import DebtflowRead
import Foundation
import Testing

@Suite("XML record reader")
struct XMLRecordReaderTests {
    static let export = """
    <?xml version="1.0" encoding="UTF-8"?>
    <export xmlns:m="urn:magicline">
      <meta><debtor>not a record: outside the list? no — any depth counts</debtor></meta>
      <debtors>
        <debtor id="7" m:kind="person">
          <firstname>  Zoé  </firstname>
          <lastname>Dupont &amp; Fils</lastname>
          <contact>
            <mobile>+33612345678</mobile>
            <email type="work">jean@example.fr</email>
          </contact>
          <case><amount currency="EUR">12.50</amount></case>
          <case><amount currency="EUR">7.00</amount></case>
          <case><amount currency="EUR">1.00</amount></case>
          <note/>
          <remark><![CDATA[a < b & c]]></remark>
          <m:tag>prefixed</m:tag>
        </debtor>
      </debtors>
    </export>
    """

    @Test("converts a record: children as keys, attributes as @name, repeats as arrays, text trimmed")
    func conversion() throws {
        let records = try JSONXMLFixtures.xmlRecords(Self.export, record: "debtor")
        #expect(records.count == 2)
        #expect(records[0].fields == RecordObject(["#text": .string("not a record: outside the list? no — any depth counts")]))
        let debtor = records[1].fields
        #expect(debtor.entries.map(\.key) == ["@id", "@kind", "firstname", "lastname", "contact", "case", "note", "remark", "tag"])
        #expect(debtor["@id"] == .string("7"))
        #expect(debtor["firstname"] == .string("Zoé"))
        #expect(debtor["lastname"] == .string("Dupont & Fils"))
        #expect(debtor.value(atPath: "contact.mobile") == .string("+33612345678"))
        #expect(debtor.value(atPath: "contact.email") == .object(RecordObject(["@type": .string("work"), "#text": .string("jean@example.fr")])))
        let amount: (String) -> RecordValue = { .object(RecordObject(["amount": .object(RecordObject(["@currency": .string("EUR"), "#text": .string($0)]))])) }
        #expect(debtor["case"] == .array([amount("12.50"), amount("7.00"), amount("1.00")]))
        #expect(debtor["note"] == .string(""))
        #expect(debtor["remark"] == .string("a < b & c"))
        #expect(debtor["tag"] == .string("prefixed"))
    }

    @Test("provenance: the record element's position and the line of its start tag")
    func provenance() throws {
        let records = try JSONXMLFixtures.xmlRecords(Self.export, record: "debtor")
        #expect(records.map(\.provenance.record) == [1, 2])
        #expect(records.map(\.provenance.line) == [3, 5])
        #expect(records.allSatisfy { $0.provenance.source == "input.xml" })
    }

    @Test("an element named like the record inside a record is an ordinary child")
    func nestedRecordElement() throws {
        let records = try JSONXMLFixtures.xmlRecords("<r><item><item>inner</item><x>1</x></item></r>", record: "item")
        #expect(records.count == 1)
        #expect(records[0].fields == RecordObject(["item": .string("inner"), "x": .string("1")]))
    }

    @Test("attribute values decode &amp; and character references exactly once")
    func attributeEscapes() throws {
        let xml = #"<r><d a="x &amp; y" b="&#38;#38;" c="&lt;&gt;&quot;&apos;&#233;"/></r>"#
        let fields = try JSONXMLFixtures.xmlRecords(xml, record: "d")[0].fields
        #expect(fields["@a"] == .string("x & y"))
        #expect(fields["@b"] == .string("&#38;"))
        #expect(fields["@c"] == .string("<>\"'é"))
    }

    @Test("attributes that share a local name keep their prefix (`@x:id` beside `@id`): a record's keys are unique; others stay `@name`")
    func attributesSharingALocalName() throws {
        let xml = #"<r xmlns:x="urn:x" xmlns:y="urn:y"><d id="1" x:id="2" x:only="3"><n y:k="a" x:k="b">t</n></d></r>"#
        let record = try JSONXMLFixtures.xmlRecords(xml, record: "d")[0]
        #expect(record.fields.entries.map(\.key) == ["@id", "@x:id", "@only", "n"])
        #expect(record.fields["@x:id"] == .string("2"))
        #expect(record.fields["n"]?.objectValue?.entries.map(\.key) == ["@y:k", "@x:k", "#text"])
    }

    @Test("gives the same records whatever the read size", arguments: [1, 7, 4096, 65536])
    func sameRecordsForEveryReadSize(maxReadSize: Int) throws {
        let inputs: [([UInt8], String)] = [
            (Array(Self.export.utf8), "debtor"),
            (try JSONXMLFixtures.bytes("xml/iso-8859-1.xml"), "debtor"),
            (try JSONXMLFixtures.bytes("xml/windows-1252.xml"), "debtor"),
        ]
        for (bytes, record) in inputs {
            let reference = try JSONXMLFixtures.xmlRecords(bytes, record: record, maxReadSize: 1 << 20)
            #expect(!reference.isEmpty)
            #expect(try JSONXMLFixtures.xmlRecords(bytes, record: record, maxReadSize: maxReadSize) == reference)
        }
    }

    @Test("an ISO-8859-1 export comes out as the right text")
    func latin1() throws {
        let fields = try JSONXMLFixtures.xmlRecords(try JSONXMLFixtures.bytes("xml/iso-8859-1.xml"), record: "debtor")[0].fields
        #expect(fields["nom"] == .string("Lefèvre"))
        #expect(fields["prenom"] == .string("Zoé"))
        #expect(fields["ville"] == .string("Pointe-à-Pitre"))
        #expect(fields["montant"] == .object(RecordObject(["@devise": .string("EUR"), "#text": .string("12,50")])))
    }

    @Test("a Windows-1252 export comes out as the right text (€, œ, ’, –)")
    func windows1252() throws {
        let fields = try JSONXMLFixtures.xmlRecords(try JSONXMLFixtures.bytes("xml/windows-1252.xml"), record: "debtor")[0].fields
        #expect(fields["nom"] == .string("Cœur"))
        #expect(fields["note"] == .string("l’échéance – 25 €"))
        #expect(fields["ville"] == .string("Besançon"))
    }

    @Test("a UTF-16 document with a byte-order mark is read whatever the read size", arguments: [1, 7, 65536])
    func utf16(maxReadSize: Int) throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r><d><n>Zoé €</n></d></r>"
        let bytes: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { (unit: UInt16) -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let records = try JSONXMLFixtures.xmlRecords(bytes, record: "d", maxReadSize: maxReadSize)
        #expect(records.map(\.fields) == [RecordObject(["n": .string("Zoé €")])])
    }

    @Test("an unsupported declared encoding is an input error naming it")
    func unsupportedEncoding() {
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.xmlRecords("<?xml version=\"1.0\" encoding=\"x-bogus\"?><r/>", record: "d")
        }
        #expect(error?.kind == .input)
        #expect(error?.cause?.contains("x-bogus") == true)
    }

    @Test("an element with more text than maxTextBytes is an input error")
    func textLimit() throws {
        let options = XMLReaderOptions(recordElement: "d", maxTextBytes: 8)
        let read: (String) throws -> [Record] = { xml in
            let reader = XMLRecordReader(source: MemoryByteSource(xml, maxReadSize: 3), options: options)
            var records: [Record] = []
            while let chunk = try reader.nextChunkSynchronously() { records += chunk.elements }
            return records
        }
        #expect(try read("<r><d><n>12345678</n></d></r>").count == 1)
        let error = JSONXMLFixtures.inputError { _ = try read("<r><d><n>123456789</n></d></r>") }
        #expect(error?.kind == .input)
        #expect(error?.message.contains("more than 8 bytes") == true)
    }

    @Test("an undeclared namespace prefix (common in legacy exports) is tolerated")
    func undeclaredPrefix() throws {
        let records = try JSONXMLFixtures.xmlRecords("<r><x:d y:a=\"1\"><x:n>v</x:n></x:d></r>", record: "d")
        #expect(records.map(\.fields) == [RecordObject(["@a": .string("1"), "n": .string("v")])])
    }

    static let hostileDocuments = ["xml/billion-laughs.xml", "xml/xxe.xml", "xml/xxe-parameter.xml", "xml/external-dtd.xml"]

    @Test("hostile documents fail fast with an input error and never expand or read a file",
          arguments: hostileDocuments)
    func hostile(path: String) throws {
        let bytes = try JSONXMLFixtures.bytes(path)
        let started = ContinuousClock.now
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.xmlRecords(bytes, record: "debtor") }
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(error?.kind == .input)
        #expect(error?.location?.file == "input.xml")
        #expect(error?.location?.line != nil)
        #expect(error?.description.contains("root:") == false)
    }

    @Test("an entity declaration is refused by name, at its line")
    func entityDeclarationMessage() {
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.xmlRecords(try JSONXMLFixtures.bytes("xml/xxe.xml"), record: "debtor")
        }
        #expect(error?.message.contains("xxe") == true)
        #expect(error?.message.contains("entity") == true)
        #expect(error?.location?.line == 3)
    }

    @Test("malformed XML names the line and column")
    func malformedPosition() {
        let xml = "<export>\n  <debtor><nom>A</nom></debtor>\n  <debtor><nom>B</prenom></debtor>\n</export>\n"
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.xmlRecords(xml, record: "debtor") }
        #expect(error?.kind == .input)
        #expect(error?.location?.line == 3)
        // The bad end tag `</prenom>` spans columns 17–25; libxml2 names the column where it noticed.
        #expect((17...26).contains(error?.location?.column ?? 0))
        #expect(error?.cause?.contains("mismatch") == true)
        #expect(error?.description.hasPrefix("input.xml:3:") == true)
        #expect(error?.description.contains("malformed XML") == true)
    }

    @Test("a document cut short says so, whatever libxml2 calls it; an error in the last bytes that is not the end is malformed XML as usual",
          arguments: [("<export><debtor><nom>A</nom></debtor>\n  <", 1), ("<export><debtor><nom>A</nom></debtor><debtor><nom>B", 3),
                      ("<export>\n<debtor><nom>A</nom></debtor>\n<debtor><nom>B</n", 3)])
    func cutShort(xml: String, open: Int) {
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.xmlRecords(xml, record: "debtor") }
        #expect(error?.kind == .input)
        #expect(error?.message.hasPrefix("malformed XML: the document ends with \(open) element\(open == 1 ? "" : "s") still open; "
                                         + "is the file cut short") == true, "\(String(describing: error))")
        let mismatch = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.xmlRecords("<export><debtor>B</prenom>", record: "debtor") }
        #expect(mismatch?.message == "malformed XML" && mismatch?.cause?.contains("mismatch") == true, "\(String(describing: mismatch))")
    }

    @Test("libxml2's message of several lines is shown on one line")
    func libxml2MessageOnOneLine() {
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.xmlRecords(Array("<?xml version=\"1.0\"?>\n<r><d>".utf8) + [0xE9] + Array("</d></r>".utf8), record: "d")
        }
        #expect(error?.cause?.contains("Input is not proper UTF-8") == true, "\(String(describing: error))")
        #expect(error?.cause?.contains("\n") == false && error?.description.contains("\\u{a}") == false, "\(String(describing: error))")
    }

    static let malformedInputs: [(String, String)] = [
        ("<export><debtor><nom>A</nom></debtor>", "document not closed"),
        ("<export><debtor a=1/></export>", "unquoted attribute"),
        ("<export><debtor>&unknown;</debtor></export>", "undeclared entity"),
        ("<export></export><second/>", "two document elements"),
        ("", "empty input"),
        ("not xml at all", "no markup"),
    ]

    @Test("malformed inputs are input errors", arguments: malformedInputs)
    func malformedInputsFail(xml: String, why: String) {
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.xmlRecords(xml, record: "debtor") }
        #expect(error?.kind == .input, "\(why)")
    }

    @Test("chunks hold at most chunkSize records and together hold them all")
    func chunking() throws {
        let xml = "<r>" + (1...10).map { "<d><n>\($0)</n></d>" }.joined() + "</r>"
        let reader = XMLRecordReader(source: MemoryByteSource(xml), options: XMLReaderOptions(recordElement: "d"), chunkSize: 3)
        var sizes: [Int] = []
        var values: [RecordValue?] = []
        while let chunk = try reader.nextChunkSynchronously() {
            sizes.append(chunk.count)
            values += chunk.elements.map { $0.fields["n"] }
        }
        #expect(sizes == [3, 3, 3, 1])
        #expect(values == (1...10).map { .string(String($0)) })
    }

    @Test("100k records stream through quickly")
    func manyRecords() throws {
        var text = "<?xml version=\"1.0\"?>\n<export>\n"
        for index in 1...100_000 {
            text += "<debtor id=\"\(index)\"><nom>Débiteur \(index)</nom><montant>\(index).50</montant><tel>+3361234\(index)</tel></debtor>\n"
        }
        text += "</export>\n"
        let bytes = Array(text.utf8)
        let started = ContinuousClock.now
        let reader = XMLRecordReader(source: MemoryByteSource(bytes), options: XMLReaderOptions(recordElement: "debtor"))
        var count = 0
        var last: Record?
        while let chunk = try reader.nextChunkSynchronously() {
            count += chunk.count
            last = chunk.elements.last
        }
        let elapsed = ContinuousClock.now - started
        #expect(count == 100_000)
        #expect(last?.provenance.line == 100_002)
        #expect(last?.fields["nom"] == .string("Débiteur 100000"))
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }
}

@Suite("XML record reader after an error")
struct XMLRecordReaderStickyErrorTests {
    @Test("once reading failed, every later call throws the same error instead of ending quietly")
    func errorIsSticky() {
        let reader = XMLRecordReader(source: MemoryByteSource("<r><d>1</d><d>2</x></r>"),
                                     options: XMLReaderOptions(recordElement: "d"))
        let first = JSONXMLFixtures.inputError { _ = try reader.nextChunkSynchronously() }
        let second = JSONXMLFixtures.inputError { _ = try reader.nextChunkSynchronously() }
        #expect(first?.kind == .input)
        #expect(second == first)
    }
}
