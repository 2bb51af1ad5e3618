import DebtflowCore
import DebtflowJSON
import DebtflowRead
import Foundation
import Testing

/// The JSON readers' tape path (issue 10): records are appended straight onto one
/// ``RecordTape`` per chunk, and must read, write and fail exactly as the tree parser does.
@Suite("JSON onto a tape")
struct JSONTapeReadingTests {
    /// The tree parser's JSON of `text` (the reference) and the tape path's, for one document.
    static func bothWritings(_ bytes: [UInt8]) throws -> (tree: [UInt8], tape: [UInt8]) {
        var tree = JSONByteWriter()
        tree.value(try JSONDocument.parse(bytes, name: "doc"))
        var tape = JSONByteWriter()
        tape.value(try JSONDocument.parseTape(bytes, name: "doc"))
        return (tree.bytes, tape.bytes)
    }

    static func suiteBytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: JSONTestSuiteTests.folder.appendingPathComponent(name)))
    }

    @Test("every JSONTestSuite document the tree parser accepts reads onto a tape and writes byte for byte the same",
          arguments: JSONTestSuiteTests.files("y_") + JSONTestSuiteTests.files("i_"))
    func acceptedDocumentsWriteTheSame(name: String) throws {
        let bytes = try Self.suiteBytes(name)
        guard (try? JSONDocument.parse(bytes, name: name)) != nil else {
            let error = JSONXMLFixtures.inputError { _ = try JSONDocument.parseTape(bytes, name: name) }
            #expect(error?.kind == .input, "\(name): the tree parser refuses it, the tape path must too")
            return
        }
        let written = try Self.bothWritings(bytes)
        #expect(written.tape == written.tree, "\(name)")
    }

    @Test("every JSONTestSuite document the tree parser rejects is rejected onto a tape with the same message",
          arguments: JSONTestSuiteTests.files("n_"))
    func rejectedDocumentsFailTheSame(name: String) throws {
        let bytes = try Self.suiteBytes(name)
        let tree = JSONXMLFixtures.inputError { _ = try JSONDocument.parse(bytes, name: name) }
        let tape = JSONXMLFixtures.inputError { _ = try JSONDocument.parseTape(bytes, name: name) }
        #expect(tape?.kind == .input)
        #expect(tape?.message == tree?.message, "\(name)")
        #expect(tape?.location == tree?.location, "\(name)")
    }

    @Test("a chunk's records share one tape, and a key repeated by every record is stored once")
    func chunkSharesOneTapeAndItsKeys() throws {
        let text = (1...50).map { #"{"firstName": "Ann\#($0)", "lastName": "Lee", "amount": \#($0).5}"# }.joined(separator: "\n")
        let records = try JSONXMLFixtures.jsonRecords(text)
        #expect(records.count == 50)
        let tape = records[0].view.tape
        #expect(records.allSatisfy { $0.view.tape === tape })
        let firstKeys = records[0].view.children.map(\.node.key)
        for record in records {
            #expect(record.view.children.map(\.node.key) == firstKeys)
        }
        // 3 keys once, then per record "AnnN", "Lee" and the number.
        let texts = records.reduce(0) { sum, record in
            sum + record.view.children.reduce(0) { $0 + Int($1.node.value.length) }
        }
        #expect(tape.bytes.count == "firstNamelastNameamount".utf8.count + texts)
        #expect(records[49].fields == RecordObject(["firstName": .string("Ann50"), "lastName": .string("Lee"), "amount": .number("50.5")]))
    }

    @Test("more distinct keys than the key table shares, and keys longer than it shares, still read right")
    func keyTableBounds() throws {
        let count = JSONKeyTable.maxKeys * 2 + 7
        let long = String(repeating: "k", count: JSONKeyTable.maxKeyBytes + 1)
        let members = (0..<count).map { #""key\#($0)": \#($0)"# } + [#""\#(long)": "long""#, #""": "empty key""#]
        let record = "{" + members.joined(separator: ",") + "}"
        let records = try JSONXMLFixtures.jsonRecords(record + "\n" + record)
        #expect(records.count == 2)
        for fields in records.map(\.fields) {
            #expect(fields.entries.count == count + 2)
            #expect(fields["key0"] == .number("0"))
            #expect(fields["key\(count - 1)"] == .number("\(count - 1)"))
            #expect(fields[long] == .string("long"))
            #expect(fields[""] == .string("empty key"))
        }
        // The first maxKeys names of the first record are shared by the second.
        #expect(Array(records[1].view.children)[0].node.key == Array(records[0].view.children)[0].node.key)
    }

    @Test("escapes and surrogate pairs are decoded once into the arena, with the flags the writer needs")
    func escapesAndSurrogatePairs() throws {
        let records = try JSONXMLFixtures.jsonRecords(
            #"{"plain": "abc", "quoted": "say \"hi\"\n", "slash": "a\/b", "pair": "\uD834\uDD1E", "raw": "é", "k\"ey": 1}"#)
        let view = records[0].view
        func node(_ key: String) -> RecordNode? { view[key]?.node }
        func text(_ key: String) -> [UInt8]? { view[key]?.withTextBytes { Array($0) } }
        #expect(text("plain") == Array("abc".utf8))
        #expect(node("plain")?.flags == [])
        #expect(text("quoted") == Array("say \"hi\"\n".utf8))
        #expect(node("quoted")?.flags == [.valueNeedsEscaping])
        #expect(text("slash") == Array("a/b".utf8))
        #expect(node("slash")?.flags == [])
        #expect(text("pair") == [0xF0, 0x9D, 0x84, 0x9E])
        #expect(node("pair")?.flags == [.valueIsNonASCII])
        #expect(node("raw")?.flags == [.valueIsNonASCII])
        #expect(node("k\"ey")?.flags == [.keyNeedsEscaping])
        var writer = JSONByteWriter()
        writer.value(view)
        #expect(String(decoding: writer.bytes, as: UTF8.self)
            == #"{"plain":"abc","quoted":"say \"hi\"\n","slash":"a/b","pair":"𝄞","raw":"é","k\"ey":1}"#)
    }

    @Test("a lone surrogate and invalid UTF-8 in a value or a key are input errors naming where")
    func invalidTextIsRefused() {
        let lone = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(#"{"a": "x\uDD1E"}"#) }
        #expect(lone?.message.contains("lone UTF-16 surrogate") == true)
        for bytes: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF]] {
            let inValue = Array(#"{"a": ""#.utf8) + bytes + Array(#""}"#.utf8)
            let inKey = Array(#"{""#.utf8) + bytes + Array(#"": 1}"#.utf8)
            for document in [inValue, inKey] {
                let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(document) }
                #expect(error?.message == "string is not valid UTF-8; JSON input must be UTF-8", "\(bytes)")
                #expect(error?.location?.column == (document == inValue ? 7 : 2), "\(bytes)")
            }
            // On a later line, after other records: its line, column and offset (a value's are
            // found after it was read).
            let later = Array("[{\"a\": \"ok\"},\n  {\"b\": 1},\n  {\"a\": \"".utf8) + bytes + Array("\"}]".utf8)
            let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(later) }
            #expect(error?.message == "string is not valid UTF-8; JSON input must be UTF-8", "\(bytes)")
            #expect(error?.location?.line == 3 && error?.location?.column == 9 && error?.location?.byteOffset == 34,
                    "\(bytes): \(String(describing: error?.location))")
        }
    }

    @Test("a byte 0xFF or 0xFE first is named at byte 0, column 1 (it said byte 1, column 2)", arguments: [UInt8(0xFF), 0xFE])
    func strayFirstByte(first: UInt8) {
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords([first] + Array(#"[{"a":1}]"#.utf8)) }
        #expect(error?.message.contains("at the start of the input; JSON input must be UTF-8") == true, "\(String(describing: error))")
        #expect(error?.location?.byteOffset == 0 && error?.location?.column == 1 && error?.location?.line == 1,
                "\(String(describing: error?.location))")
    }

    @Test("the tape path accepts exactly the UTF-8 the tree parser accepts (every lead byte ≥ 0x80, edge continuations)")
    func utf8ValidationMatchesTheTreeParser() {
        let edges: [UInt8] = [0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0]
        var checked = 0
        for lead in UInt8(0x80)...UInt8(0xFF) {
            for second in edges {
                for tail in [[], [0x80], [0xBF], [0xC0], [0x80, 0x80], [0x80, 0xC0], [0xBF, 0xBF]] as [[UInt8]] {
                    let document = [UInt8(ascii: "\""), lead, second] + tail + [UInt8(ascii: "\"")]
                    let tree = (try? JSONDocument.parse(document, name: "doc")) != nil
                    let tape = (try? JSONDocument.parseTape(document, name: "doc")) != nil
                    #expect(tape == tree, "\(document)")
                    checked += 1
                }
            }
        }
        #expect(checked == 128 * 8 * 7)
    }

    @Test("nesting exactly at the depth limit reads with every subtree's end right; one more level is refused")
    func nestingAtTheLimit() throws {
        let depth = 40
        // The record is depth 1; 39 more levels alternate arrays and objects.
        var inner = #""leaf""#
        for level in stride(from: depth, to: 1, by: -1) { inner = level % 2 == 0 ? "[\(inner), 1]" : #"{"k": \#(inner)}"# }
        let record = #"{"deep": \#(inner), "after": true}"#
        let records = try JSONXMLFixtures.jsonRecords(record, options: JSONReaderOptions(maxDepth: depth))
        let view = records[0].view
        #expect(view.node.end == UInt32(view.tape.nodes.count))
        #expect(view["after"]?.kind == .true)
        #expect(view.value == (try JSONDocument.parse(Array(record.utf8), name: "doc")))
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.jsonRecords(record, options: JSONReaderOptions(maxDepth: depth - 1))
        }
        #expect(error?.message.contains("deeper than \(depth - 1)") == true)
    }

    @Test("empty objects and arrays are nodes without children whose subtree ends at the next node")
    func emptyContainers() throws {
        let records = try JSONXMLFixtures.jsonRecords(#"{} {"a": [], "b": {}, "c": [[], {}]}"#)
        #expect(records.count == 2)
        let empty = records[0].view
        #expect(empty.kind == .object && empty.count == 0 && empty.node.end == UInt32(empty.index + 1))
        let second = records[1].view
        for key in ["a", "b"] {
            let child = try #require(second[key])
            #expect(child.count == 0 && child.node.end == UInt32(child.index + 1))
        }
        #expect(second["c"]?.children.map(\.count) == [0, 0])
        var writer = JSONByteWriter()
        writer.value(second)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":[],"b":{},"c":[[],{}]}"#)
    }

    @Test("records split across chunks and across tiny reads land on their own chunk's tape")
    func chunksAndTinyReads() throws {
        let text = #"{"result": [{"a": "x\u00e9"}, {"a": 2}, {"a": [3]}]}"#
        let records = try JSONXMLFixtures.jsonRecords(Array(text.utf8), options: JSONReaderOptions(recordsPath: "result"),
                                                      maxReadSize: 1, chunkSize: 2)
        #expect(records.map { $0.fields["a"] } == [.string("xé"), .number("2"), .array([.number("3")])])
        #expect(records[0].view.tape === records[1].view.tape)
        #expect(records[2].view.tape !== records[0].view.tape)
        #expect(records[2].view.index == 0)
    }
}
