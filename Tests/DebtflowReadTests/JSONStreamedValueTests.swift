import DebtflowCore
import DebtflowJSON
import Testing

@Suite("A JSON document streamed for the elements of one array (JSONTokenizer.streamValue)")
struct JSONStreamedValueTests {
    /// Streams `text` read `readSize` bytes at a time: what it was, and its elements.
    static func stream(_ text: String, readSize: Int = 65536) throws -> (value: JSONStreamedValue, elements: [RecordValue]) {
        let cursor = JSONByteCursor(source: MemoryByteSource(text, name: "doc", maxReadSize: readSize), capacity: 16)
        let tokenizer = JSONTokenizer(cursor: cursor, maxDepth: 512, maxTokenBytes: 1 << 20)
        try tokenizer.skipByteOrderMark()
        var elements: [RecordValue] = []
        let value = try tokenizer.streamValue(listing: "result") { elements.append($0) }
        try tokenizer.expectEndOfInput()
        return (value, elements)
    }

    @Test("hands over the elements of a top-level array, or of the first `result` array of a top-level object, as parsed whole",
          arguments: [1, 3, 65536])
    func elements(readSize: Int) throws {
        let cases: [(String, JSONStreamedValue, [RecordValue])] = [
            (#"[{"a":1.50},2,[3]]"#, .array, [.object(RecordObject(["a": .number("1.50")])), .number("2"), .array([.number("3")])]),
            (#" {"n":{"result":[9]},"result":[ {"b":true} ,null],"result":[7]} "#, .object(.array),
             [.object(RecordObject(["b": .bool(true)])), .null]),
            (#"{"result":"x","result":[1]}"#, .object(.notArray), []),
            (#"{"id":1}"#, .object(.absent), []),
            (#""text""#, .scalar, []),
        ]
        for (text, expected, elements) in cases {
            let streamed = try Self.stream(text, readSize: readSize)
            #expect(streamed.value == expected, "\(text)")
            #expect(streamed.elements == elements, "\(text)")
        }
    }

    @Test("a document broken anywhere throws what parsing it whole throws, at the same place", arguments: [
        "[1,]", "{\"result\":[{\"a\":1},", "{\"result\":5,\"x\":[1,]}", "{\"x\":tru,\"result\":[]}", "[{\"a\" 1}]",
        "{\n  \"result\": [\n    {\"id\": 1},\n    {\"id\" 2}\n  ]\n}", "[\"\\ud800\"]", "", "{\"result\":[" + String(repeating: "[", count: 600),
    ])
    func brokenDocuments(text: String) {
        let whole = #expect(throws: DebtflowError.self) { _ = try JSONDocument.parse(Array(text.utf8), name: "doc") }
        let streamed = #expect(throws: DebtflowError.self) { _ = try Self.stream(text, readSize: 5) }
        #expect(whole != nil && streamed == whole)
    }
}
