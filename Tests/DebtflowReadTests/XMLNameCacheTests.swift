import DebtflowCore
@testable import DebtflowRead
import Testing

/// The XML reader's names: element names and `@attribute` keys get an id once per input, found
/// again from libxml2's dictionary pointer (``XMLNamePointerTable``), and are stored once per
/// chunk's tape rather than once per record.
@Suite("XML names: cached by pointer, stored once per tape")
struct XMLNameCacheTests {
    @Test("the same local name under two prefixes or namespaces is one key (prefixes are dropped), so repeats group")
    func sameLocalNameInTwoNamespaces() throws {
        let text = """
        <l xmlns:a="urn:a" xmlns:b="urn:b"><r><a:x>1</a:x><b:x>2</b:x><x>3</x><y xmlns="urn:c">4</y><a:y>5</a:y></r>\
        <r><b:x>6</b:x><undeclared:x>7</undeclared:x></r></l>
        """
        let records = try JSONXMLFixtures.xmlRecords(text, record: "r")
        #expect(records.map { JSONXMLFixtures.json($0.view) } == [#"{"x":["1","2","3"],"y":["4","5"]}"#, #"{"x":["6","7"]}"#])
    }

    @Test("an attribute and an element of the same name are two keys (@name and name), in any order")
    func attributeAndElementOfOneName() throws {
        let text = #"<l><r id="1"><id id="2">3</id></r><r><id>4</id><x id="5"/></r><r id="6" x="7"><x>8</x></r></l>"#
        let records = try JSONXMLFixtures.xmlRecords(text, record: "r")
        #expect(records.map { JSONXMLFixtures.json($0.view) } == [
            ##"{"@id":"1","id":{"@id":"2","#text":"3"}}"##,
            #"{"id":"4","x":{"@id":"5"}}"#,
            #"{"@id":"6","@x":"7","x":"8"}"#,
        ])
    }

    @Test("a name first seen in record 1000, on a later chunk's tape, is stored and written right")
    func nameFirstSeenLate() throws {
        var text = "<l>"
        for number in 1...1_200 {
            text += number == 1_000 ? "<r><n>\(number)</n><late k=\"v\">new</late></r>" : "<r><n>\(number)</n></r>"
            if number == 1_100 { text += "<r><late>again</late><late>twice</late></r>" }
        }
        text += "</l>"
        let records = try JSONXMLFixtures.xmlRecords(Array(text.utf8), record: "r", maxReadSize: 700, chunkSize: 64)
        #expect(records.count == 1_201)
        #expect(JSONXMLFixtures.json(records[998].view) == #"{"n":"999"}"#)
        #expect(JSONXMLFixtures.json(records[999].view) == ##"{"n":"1000","late":{"@k":"v","#text":"new"}}"##)
        #expect(JSONXMLFixtures.json(records[1_100].view) == #"{"late":["again","twice"]}"#)
        #expect(JSONXMLFixtures.json(records[1_200].view) == #"{"n":"1200"}"#)
    }

    @Test("records of one tape point at one copy of each name; the next tape gets its own")
    func namesStoredOncePerTape() throws {
        let text = "<l>" + (1...6).map { "<r a=\"\($0)\"><name>n\($0)</name><v>\($0)</v></r>" }.joined() + "</l>"
        let records = try JSONXMLFixtures.xmlRecords(Array(text.utf8), record: "r", maxReadSize: 40, chunkSize: 3)
        #expect(records.count == 6)
        func keySpans(_ record: Record) -> [ByteSpan] { record.view.children.map { $0.node.key } }
        let first = keySpans(records[0])
        for record in records where record.view.tape === records[0].view.tape {
            #expect(keySpans(record) == first)
        }
        let later = records.last!
        #expect(later.view.tape !== records[0].view.tape)
        #expect(later.view.children.map(\.key) == ["@a", "name", "v"])
        #expect(JSONXMLFixtures.json(later.view) == #"{"@a":"6","name":"n6","v":"6"}"#)
    }

    @Test("a non-ASCII name is copied to each tape whole and written as it is")
    func nonASCIIName() throws {
        let text = "<l>" + (1...5).map { "<r><ünï>\($0)</ünï><plain>\\</plain></r>" }.joined() + "</l>"
        let records = try JSONXMLFixtures.xmlRecords(Array(text.utf8), record: "r", maxReadSize: 30, chunkSize: 2)
        #expect(Set(records.map { ObjectIdentifier($0.view.tape) }).count > 1)
        #expect(records.map { JSONXMLFixtures.json($0.view) } == (1...5).map { #"{"ünï":"\#($0)","plain":"\\"}"# })
    }

    @Test("more than 64 names (past the repeat bit mask and the table's first size): repeats still group, singles do not")
    func manyNames() throws {
        let names = (0..<150).map { "e\($0)" }
        let children = names.map { "<\($0)>\($0)</\($0)>" }.joined() + "<e3>again</e3><e140>again</e140>"
        let records = try JSONXMLFixtures.xmlRecords("<l><r>\(children)</r><r><e149>1</e149><e148>2</e148></r></l>", record: "r")
        let fields = records[0].fields
        #expect(fields.entries.count == 150)
        #expect(fields["e3"] == .array([.string("e3"), .string("again")]))
        #expect(fields["e140"] == .array([.string("e140"), .string("again")]))
        #expect(fields["e139"] == .string("e139"))
        #expect(JSONXMLFixtures.json(records[1].view) == #"{"e149":"1","e148":"2"}"#)
    }

    @Test("leaf text is trimmed in place; text before an element's first child joins the rest of its text")
    func leafAndContainerText() throws {
        let text = "<l><r>\n  <a>  lead and trail \t</a>\n  <b> x <c> 1 </c> y </b><d>   </d><e>\n</e></r></l>"
        let records = try JSONXMLFixtures.xmlRecords(text, record: "r", maxReadSize: 3)
        #expect(JSONXMLFixtures.json(records[0].view) == ##"{"a":"lead and trail","b":{"c":"1","#text":"x  y"},"d":"","e":""}"##)
    }
}

@Suite("XML name pointer table")
struct XMLNamePointerTableTests {
    @Test("finds every id it was given, through growth, and nothing it was not given")
    func findsWhatItHolds() {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: 5_000, alignment: 1)
        defer { storage.deallocate() }
        var table = XMLNamePointerTable()
        // Names of a dictionary pool lie next to each other: consecutive addresses.
        for index in 0..<2_000 { table.insert(UnsafeRawPointer(storage + index), id: index * 3) }
        #expect(table.nameCount == 2_000)
        for index in 0..<2_000 { #expect(table.id(of: UnsafeRawPointer(storage + index)) == index * 3) }
        for index in 2_000..<5_000 { #expect(table.id(of: UnsafeRawPointer(storage + index)) == nil) }
    }
}
