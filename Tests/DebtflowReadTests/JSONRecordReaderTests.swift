import DebtflowCore
import DebtflowRead
import Foundation
import Testing

@Suite("JSON record reader")
struct JSONRecordReaderTests {
    /// A document that exercises every token kind, with escapes and multi-byte UTF-8 that will be
    /// split across reads of 1 and 7 bytes.
    static let richArray = """
    [
      {"id": 1, "name": "Zo\\u00e9 \\"Z\\" L\\u00e9fèvre", "amount": 1234.50, "neg": -0.0, "exp": 1E+3,
       "music": "\\uD834\\uDD1E 𝄞", "esc": "\\/\\\\\\b\\f\\n\\r\\t", "ok": true, "no": false, "nil": null,
       "contact": {"mobile": "+33612345678", "tags": ["a", [], {}]}},

      {"id": 2, "id": 3}
    ]
    """

    @Test("a top-level array gives one record per element with its position and start line")
    func topLevelArray() throws {
        let records = try JSONXMLFixtures.jsonRecords(Self.richArray)
        #expect(records.count == 2)
        #expect(records.map(\.provenance.record) == [1, 2])
        #expect(records.map(\.provenance.line) == [2, 6])
        #expect(records.allSatisfy { $0.provenance.source == "input.json" })
        let first = records[0].fields
        #expect(first["id"] == .number("1"))
        #expect(first["name"] == .string("Zoé \"Z\" Léfèvre"))
        #expect(first["amount"] == .number("1234.50"))
        #expect(first["neg"] == .number("-0.0"))
        #expect(first["exp"] == .number("1E+3"))
        #expect(first["music"] == .string("𝄞 𝄞"))
        #expect(first["esc"] == .string("/\\\u{8}\u{C}\n\r\t"))
        #expect(first["ok"] == .bool(true))
        #expect(first["no"] == .bool(false))
        #expect(first["nil"] == .null)
        #expect(first.value(atPath: "contact.mobile") == .string("+33612345678"))
        #expect(first.value(atPath: "contact.tags") == .array([.string("a"), .array([]), .object(RecordObject())]))
    }

    @Test("duplicate keys are kept, in order; a lookup finds the first")
    func duplicateKeys() throws {
        let fields = try JSONXMLFixtures.jsonRecords(Self.richArray)[1].fields
        #expect(fields.entries.map(\.key) == ["id", "id"])
        #expect(fields.entries.map(\.value) == [.number("2"), .number("3")])
        #expect(fields["id"] == .number("2"))
    }

    @Test("NDJSON: one object per line, blank lines ignored, lines counted")
    func ndjson() throws {
        let text = "{\"a\": 1}\n\n{\"a\": 2}\r\n   \n{\"a\": 3}{\"a\": 4}\n"
        let records = try JSONXMLFixtures.jsonRecords(text)
        #expect(records.map { $0.fields["a"] } == [.number("1"), .number("2"), .number("3"), .number("4")])
        #expect(records.map(\.provenance.record) == [1, 2, 3, 4])
        #expect(records.map(\.provenance.line) == [1, 3, 5, 5])
    }

    @Test("lines are counted the same with LF, CR LF and a lone CR (old Mac files), across read boundaries", arguments: [1, 2, 3, 65536])
    func lineBreakStyles(maxReadSize: Int) throws {
        for lineBreak in ["\n", "\r\n", "\r"] {
            let text = ["[", "{\"a\": 1},", "", "{\"a\": 2}]"].joined(separator: lineBreak) + lineBreak
            let records = try JSONXMLFixtures.jsonRecords(Array(text.utf8), maxReadSize: maxReadSize)
            #expect(records.map(\.provenance.line) == [2, 4], "\(lineBreak.debugDescription)")
            let error = JSONXMLFixtures.inputError {
                _ = try JSONXMLFixtures.jsonRecords(Array((text + "x").utf8), maxReadSize: maxReadSize)
            }
            #expect(error?.location?.line == 5, "\(lineBreak.debugDescription): \(String(describing: error))")
        }
    }

    @Test("records path 'result' reads the array under that key and skips the other keys")
    func recordsPath() throws {
        let bytes = try JSONXMLFixtures.bytes("json/api-page.json")
        let records = try JSONXMLFixtures.jsonRecords(bytes, options: JSONReaderOptions(recordsPath: "result"))
        #expect(records.map { $0.fields["id"] } == [.number("1"), .number("2")])
        #expect(records.map(\.provenance.line) == [5, 6])
        #expect(records[0].fields["firstname"] == .string("Zoé"))
        #expect(records[1].fields["tags"] == .array([.string("a"), .string("b")]))
    }

    @Test("a dotted records path reaches into nested objects")
    func dottedRecordsPath() throws {
        let text = #"{"skip": [1, 2, {"x": "}"}], "data": {"count": 2, "items": [{"n": "a"}, {"n": "b"}], "more": {}}, "z": 0}"#
        let records = try JSONXMLFixtures.jsonRecords(text, options: JSONReaderOptions(recordsPath: "data.items"))
        #expect(records.map { $0.fields["n"] } == [.string("a"), .string("b")])
    }

    static let sameRecordCases: [(String, String)] = [
        ("", richArray),
        ("", "{\"a\": \"é\"}\n{\"a\": \"\\u20AC\"}\n\n{\"b\": [1.5e-3]}\n"),
        ("result", String(decoding: (try? JSONXMLFixtures.bytes("json/api-page.json")) ?? [], as: UTF8.self)),
    ]

    @Test("gives the same records whatever the read size", arguments: [1, 7, 4096, 65536])
    func sameRecordsForEveryReadSize(maxReadSize: Int) throws {
        for (path, text) in Self.sameRecordCases {
            let options = JSONReaderOptions(recordsPath: path)
            let reference = try JSONXMLFixtures.jsonRecords(Array(text.utf8), options: options, maxReadSize: 1 << 20)
            let records = try JSONXMLFixtures.jsonRecords(Array(text.utf8), options: options, maxReadSize: maxReadSize)
            #expect(!reference.isEmpty)
            #expect(records == reference)
        }
    }

    @Test("strings and numbers of every length from 0 to 40 bytes read as written (each copied to the tape as 32-byte runs from the cursor's padded buffer), across read boundaries",
          arguments: [1, 7, 65536])
    func textsOfEveryLength(maxReadSize: Int) throws {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMN")
        let texts = (0...40).map { String(alphabet.prefix($0)) }
        let numbers = (1...40).map { String(repeating: "7", count: $0) }
        let text = "[" + texts.map { #"{"s":"\#($0)"}"# }.joined(separator: ",") + ","
            + numbers.map { #"{"n":\#($0)}"# }.joined(separator: ",") + "]"
        let records = try JSONXMLFixtures.jsonRecords(Array(text.utf8), maxReadSize: maxReadSize)
        #expect(records.map(\.view.value) == texts.map { .object(RecordObject(["s": .string($0)])) }
                + numbers.map { .object(RecordObject(["n": .number($0)])) })
    }

    @Test("chunks hold at most chunkSize records and together hold them all")
    func chunking() throws {
        let text = "[" + (1...10).map { "{\"n\": \($0)}" }.joined(separator: ",") + "]"
        let reader = JSONRecordReader(source: MemoryByteSource(text), options: JSONReaderOptions(), chunkSize: 3)
        var sizes: [Int] = []
        var numbers: [Int] = []
        while let chunk = try reader.nextChunkSynchronously() {
            sizes.append(chunk.count)
            numbers += chunk.elements.map(\.provenance.record)
        }
        #expect(sizes == [3, 3, 3, 1])
        #expect(numbers == Array(1...10))
    }

    @Test("an empty array gives no records; an input with no JSON value at all (empty, spaces, a byte-order mark) is an input error")
    func emptyInputs() throws {
        #expect(try JSONXMLFixtures.jsonRecords(" [ ] \n").isEmpty)
        for empty in ["", " \n\t", "\u{FEFF}"] {
            let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(empty) }
            #expect(error?.kind == .input && error?.message.contains("the input holds no JSON value (it is empty)") == true,
                    "\(String(describing: error))")
        }
        #expect(try JSONXMLFixtures.jsonRecords(#"{"result": []}"#, options: JSONReaderOptions(recordsPath: "result")).isEmpty)
    }

    @Test("bytes that are not UTF-8 are refused outside the records too (a value, a key, or after the array), as inside them",
          arguments: [#"{"x":"\#u{FF}","result":[{"a":1}]}"#, #"{"x\#u{FF}":1,"result":[{"a":1}]}"#, #"{"result":[{"a":1}],"z":["\#u{FF}"]}"#])
    func invalidUTF8OutsideRecords(template: String) {
        // U+00FF stands for the lone byte 0xFF.
        let bytes = Array(template.utf8).reduce(into: [UInt8]()) { output, byte in
            if output.last == 0xC3 && byte == 0xBF { output[output.count - 1] = 0xFF } else { output.append(byte) }
        }
        #expect(bytes.contains(0xFF))
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.jsonRecords(bytes, options: JSONReaderOptions(recordsPath: "result"))
        }
        #expect(error?.kind == .input && error?.message.contains("string is not valid UTF-8") == true, "\(String(describing: error))")
    }

    @Test("a record that is not an object is an input error naming the record")
    func nonObjectRecord() {
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords("[{\"a\": 1},\n 42]") }
        #expect(error?.kind == .input)
        #expect(error?.location?.record == 2)
        #expect(error?.location?.line == 2)
        #expect(error?.location?.column == 2)
        #expect(error?.message.contains("record 2") == true)
    }

    @Test("malformed JSON names the file, line, column and byte offset")
    func malformedPosition() {
        let text = "[\n  {\"a\": 1},\n  {\"b\": tru}\n]"
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(text) }
        #expect(error?.kind == .input)
        #expect(error?.location?.file == "input.json")
        #expect(error?.location?.line == 3)
        // `{"b": tru}`: the bad byte is the `}` after `tru`, column 12 of line 3.
        #expect(error?.location?.column == 12)
        #expect(error?.location?.byteOffset == Int64(Array("[\n  {\"a\": 1},\n  {\"b\": tru".utf8).count))
        #expect(error?.description.hasPrefix("input.json:3:12") == true)
    }

    static let malformedInputs: [(String, String)] = [
        ("[{\"a\": 1}", "unterminated array"),
        ("[{\"a\": 1},]", "trailing comma"),
        ("[{\"a\": 1}] x", "data after the array"),
        ("{\"a\": 1} [", "array after NDJSON objects"),
        ("{\"a\": \"unterminated}\n", "unterminated string"),
        ("[{\"a\": \"\\uD800\"}]", "lone surrogate"),
        ("[{\"a\": \"\u{1}\"}]", "raw control character"),
        ("[{\"a\": 01}]", "leading zero"),
        ("\"just a string\"", "top-level scalar"),
    ]

    @Test("malformed inputs are input errors", arguments: malformedInputs)
    func malformedInputsFail(text: String, why: String) {
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(text) }
        #expect(error?.kind == .input, "\(why)")
        #expect(error?.location?.line != nil, "\(why)")
    }

    @Test("invalid UTF-8 in a string is an input error")
    func invalidUTF8() {
        let bytes = Array("[{\"a\": \"".utf8) + [0xE9] + Array("\"}]".utf8)
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(bytes) }
        #expect(error?.kind == .input)
        #expect(error?.message.contains("UTF-8") == true)
    }

    @Test("a missing records key is an input error")
    func missingRecordsKey() {
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.jsonRecords(#"{"results": [], "hasNext": false}"#, options: JSONReaderOptions(recordsPath: "result"))
        }
        #expect(error?.kind == .input)
        #expect(error?.message.contains("\"result\"") == true)
    }

    @Test("nesting deeper than maxDepth is an input error, without exhausting the stack")
    func depthLimit() {
        let shallow = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.jsonRecords(#"[{"a": {"b": 1}}]"#, options: JSONReaderOptions(maxDepth: 2))
        }
        #expect(shallow?.message.contains("deeper than 2") == true)
        let deep = "[{\"a\": " + String(repeating: "[", count: 200_000)
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(deep) }
        #expect(error?.message.contains("deeper than 512") == true)
    }

    @Test("a token longer than maxTokenBytes is an input error")
    func tokenLimit() throws {
        let options = JSONReaderOptions(maxTokenBytes: 16)
        #expect(try JSONXMLFixtures.jsonRecords(#"[{"a": "sixteen bytes ok"}]"#, options: options).count == 1)
        let error = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.jsonRecords(#"[{"a": "seventeen bytes no"}]"#, options: options)
        }
        #expect(error?.message.contains("longer than 16 bytes") == true)
        let number = JSONXMLFixtures.inputError {
            _ = try JSONXMLFixtures.jsonRecords("[{\"a\": \(String(repeating: "9", count: 40))}]", options: options)
        }
        #expect(number?.kind == .input)
    }

    @Test("100k records stream through quickly")
    func manyRecords() throws {
        var text = "[\n"
        for index in 1...100_000 {
            text += "{\"id\": \(index), \"name\": \"Débiteur \(index)\", \"amount\": \"\(index).50\", \"phone\": \"+3361234\(index)\"}"
            text += index == 100_000 ? "\n]\n" : ",\n"
        }
        let bytes = Array(text.utf8)
        let started = ContinuousClock.now
        let reader = JSONRecordReader(source: MemoryByteSource(bytes, maxReadSize: 65536), options: JSONReaderOptions())
        var count = 0
        var last: Record?
        while let chunk = try reader.nextChunkSynchronously() {
            #expect(chunk.count <= Chunk<Record>.preferredSize)
            count += chunk.count
            last = chunk.elements.last
        }
        let elapsed = ContinuousClock.now - started
        #expect(count == 100_000)
        #expect(last?.provenance.line == 100_001)
        #expect(last?.fields["name"] == .string("Débiteur 100000"))
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }
}

@Suite("JSON record reader after an error")
struct JSONRecordReaderStickyErrorTests {
    @Test("once reading failed, every later call throws the same error instead of ending quietly")
    func errorIsSticky() throws {
        let reader = JSONRecordReader(source: MemoryByteSource("[{\"a\": 1}, {\"a\": x}, {\"a\": 3}]"),
                                      options: JSONReaderOptions(), chunkSize: 1)
        #expect(try reader.nextChunkSynchronously()?.count == 1)
        let first = JSONXMLFixtures.inputError { _ = try reader.nextChunkSynchronously() }
        let second = JSONXMLFixtures.inputError { _ = try reader.nextChunkSynchronously() }
        #expect(first?.kind == .input)
        #expect(second == first)
    }
}
