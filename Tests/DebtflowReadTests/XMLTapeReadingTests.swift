import DebtflowCore
import DebtflowRead
import Testing

/// The XML reader's tape path (issue 10): each record is assembled in scratch storage and copied
/// onto its chunk's one ``RecordTape``; repeated children are regrouped into arrays there.
@Suite("XML onto a tape")
struct XMLTapeReadingTests {
    @Test("repeated children become arrays at their first place, whole subtrees moved with their ends right")
    func repeatedChildrenRegrouped() throws {
        let text = #"<r><a><x>1</x><y><z>2</z><z>2b</z></y></a><b>3</b><a><x>4</x></a><c/><b attr="q&amp;">5</b><d><e>6</e></d></r>"#
        let records = try JSONXMLFixtures.xmlRecords(text, record: "r")
        let view = records[0].view
        #expect(JSONXMLFixtures.json(view)
            == ##"{"a":[{"x":"1","y":{"z":["2","2b"]}},{"x":"4"}],"b":["3",{"@attr":"q&","#text":"5"}],"c":"","d":{"e":"6"}}"##)
        #expect(Int(view.node.end) == view.tape.nodes.count)
        // Every container's end is the next node after its subtree: walking by ends visits all.
        var visited = 0
        func walk(_ node: RecordView) {
            visited += 1
            for child in node.children { walk(child) }
        }
        walk(view)
        #expect(visited == view.tape.nodes.count)
        #expect(view["d"]?["e"]?.scalarText == "6")
    }

    @Test("more than 16 children with repeated names are grouped by name in first-seen order")
    func manyChildrenGrouped() throws {
        let names = ["p", "q", "r", "s"]
        let children = (0..<22).map { "<\(names[$0 % 4])>\($0)</\(names[$0 % 4])>" }.joined()
        let records = try JSONXMLFixtures.xmlRecords("<list><item>\(children)<solo>x</solo></item></list>", record: "item")
        let fields = records[0].fields
        #expect(fields.entries.map(\.key) == ["p", "q", "r", "s", "solo"])
        #expect(fields["p"] == .array([0, 4, 8, 12, 16, 20].map { .string(String($0)) }))
        #expect(fields["s"] == .array([3, 7, 11, 15, 19].map { .string(String($0)) }))
        #expect(fields["solo"] == .string("x"))
    }

    @Test("text around children is the element's #text, after its attributes and children; a record of text only is {\"#text\"}, an empty one {}")
    func textShapes() throws {
        let records = try JSONXMLFixtures.xmlRecords(
            "<l><r k=\"v\">hello <b>x</b> world\n</r><r>  only text </r><r/><r>  </r><r a=\"1\"/></l>", record: "r")
        #expect(records.map { JSONXMLFixtures.json($0.view) } == [
            ##"{"@k":"v","b":"x","#text":"hello  world"}"##, ##"{"#text":"only text"}"##, "{}", "{}", #"{"@a":"1"}"#,
        ])
    }

    @Test("a chunk's records share one tape, also when chunks are cut between any two reads")
    func chunksShareATape() throws {
        let text = "<l>" + (1...7).map { "<r n=\"\($0)\"><v>é\($0)</v><v>\($0)</v></r>" }.joined() + "</l>"
        for readSize in [1, 3, 64] {
            let reader = XMLRecordReader(source: MemoryByteSource(Array(text.utf8), name: "in.xml", maxReadSize: readSize),
                                         options: XMLReaderOptions(recordElement: "r"), chunkSize: 3)
            var numbers: [String] = []
            while let chunk = try reader.nextChunkSynchronously() {
                #expect(chunk.count <= 3)
                let tapes = Set(chunk.elements.map { ObjectIdentifier($0.view.tape) })
                // Records complete in one feed may wait for the next chunk on the tape they were
                // read onto; a chunk spans at most two tapes.
                #expect(tapes.count <= 2)
                for record in chunk.elements {
                    numbers.append(record.view["@n"]?.scalarText ?? "?")
                    let n = record.view["@n"]?.scalarText ?? "?"
                    #expect(JSONXMLFixtures.json(record.view) == #"{"@n":"\#(n)","v":["é\#(n)","\#(n)"]}"#)
                    #expect(record.view["v"].map { Array($0.children) }?.first?.node.flags == [.valueIsNonASCII])
                }
            }
            #expect(numbers == (1...7).map(String.init), "read size \(readSize)")
        }
    }
}

@Suite("XML attribute flood guard")
struct XMLAttributeFloodGuardTests {
    @Test("a start tag with more than 10,000 attributes is refused at its line, whatever the read size; '=' in text, comments and quoted values is not counted",
          arguments: [3, 4096, 65536])
    func floodRefusedAtItsLine(readSize: Int) {
        let attributes = (1...10_001).map { "a\($0)=\"x=y>\"" }.joined(separator: " ")
        let text = "<r>\n<!-- a=b <c d=e> -->\n<ok v='1=2'>x = y\n</ok>\n\n<rec \(attributes)/></r>\n"
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.xmlRecords(Array(text.utf8), record: "rec", maxReadSize: readSize)
        }
        #expect(error?.message.contains("more than 10000 attributes") == true, "\(String(describing: error))")
        #expect(error?.location?.line == 6)
    }

    @Test("a tag of 300 attributes on separate lines is accepted, and the lines after it are counted right")
    func manyAttributesAccepted() throws {
        let attributes = (1...300).map { "a\($0)=\"\($0)\"" }.joined(separator: "\n ")
        let text = "<r>\n<rec \(attributes)><v>1</v></rec>\n<rec><v>2</v></rec></r>"
        let records = try JSONXMLFixtures.xmlRecords(Array(text.utf8), record: "rec", maxReadSize: 5)
        #expect(records.count == 2)
        #expect(records[0].view.count == 301)
        #expect(records[1].provenance.line == 302)
    }
}
