import DebtflowCore
import DebtflowJSON
import Testing

@Suite("JSON documents read in part (JSONSelection)")
struct JSONSelectionTests {
    private func parse(_ text: String, _ selection: JSONSelection) throws -> RecordValue {
        try JSONDocument.parse(Array(text.utf8), name: "t", selecting: selection)
    }

    @Test("only the members named are built, each selected in turn; a list's elements by first(n, each:)")
    func members() throws {
        let value = try parse(#"{"a":1,"junk":[0,0,{"deep":[1]}],"b":{"keep":"x","drop":[1,2]},"list":[{"keep":1,"drop":2},{"drop":3}]}"#,
                              .members(["a": .whole, "b": .members(["keep": .whole]), "list": .first(10, each: .members(["keep": .whole]))]))
        #expect(value == (try parse(#"{"a":1,"b":{"keep":"x"},"list":[{"keep":1},{}]}"#, .whole)))
    }

    @Test("an array where members were expected is skipped, not built: a hostile answer's [0,0,…] costs no memory")
    func arrayUnderMembersIsSkipped() throws {
        let zeros = "[" + String(repeating: "0,", count: 1000) + "0]"
        #expect(try parse(zeros, .members(["data": .whole])) == .array([]))
        #expect(try parse(#"{"error":false,"data":\#(zeros)}"#, .members(["data": .members(["created": .whole])]))
                == (try parse(#"{"data":[]}"#, .whole)))
    }

    @Test("first(n): the first n elements of an array, the rest skipped; bounded(n): every array and object cut to n, at any depth")
    func counts() throws {
        #expect(try parse("[1,2,3,4]", .first(2, each: .whole)) == (try parse("[1,2]", .whole)))
        #expect(try parse(#"{"a":[1,2,3],"b":{"x":1,"y":2,"z":3},"c":"text"}"#, .bounded(2))
                == (try parse(#"{"a":[1,2],"b":{"x":1,"y":2}}"#, .whole)))
        #expect(try parse(#""just text""#, .bounded(1)) == .string("just text"))
    }

    @Test("what is skipped is still checked: a malformed document throws, whichever part is malformed", arguments: [
        #"{"a":1,"junk":[0,0,}"#, #"{"a":1,"junk":tru}"#, #"{"a":1} trailing"#, #"{"a":1,"junk":"unterminated}"#,
    ])
    func skippedPartsAreChecked(text: String) {
        #expect(throws: DebtflowError.self) { try parse(text, .members(["a": .whole])) }
    }

    @Test("parseObject(locatingElementsOf:each:): the kept members are built; the listed array's elements are located exactly and built as `each` selects")
    func locatedElements() throws {
        let text = "\u{FEFF}{\"event\":\"done\", \"results\" : [ {\"id\":\"a\",\"x\":1} ,\"x\\\"]\",[1,[2]], 3 ],\"key\":\"k\",\"junk\":[{}]}"
        let bytes = Array(text.utf8)
        let (object, elements) = try JSONDocument.parseObject(bytes, name: "t", keeping: ["event": .whole, "key": .whole],
                                                              locatingElementsOf: "results", each: .members(["id": .whole]))
        #expect(object == (try parse(#"{"event":"done","key":"k"}"#, .whole)).objectValue)
        #expect(elements.map { String(decoding: bytes[$0.range], as: UTF8.self) }
                == [#"{"id":"a","x":1}"#, #""x\"]""#, "[1,[2]]", "3"])
        #expect(elements.map(\.value) == [try parse(#"{"id":"a"}"#, .whole), .string(#"x"]"#), .array([]), .number("3")])
        let (_, none) = try JSONDocument.parseObject(Array(#"{"results":{"a":1}}"#.utf8), name: "t", keeping: [:],
                                                     locatingElementsOf: "results", each: .whole)
        #expect(none.isEmpty, "a member that is not an array has no elements")
    }

    @Test("parseObject(locatingElementsOf:each:) checks what it only locates: a malformed element or document throws", arguments: [
        #"{"results":[{"a":}]}"#, #"{"results":[1,]}"#, #"[{"results":[]}]"#, #"{"results":[1]} 2"#, "",
    ])
    func locatedElementsAreChecked(text: String) {
        #expect(throws: DebtflowError.self) {
            try JSONDocument.parseObject(Array(text.utf8), name: "t", keeping: [:], locatingElementsOf: "results", each: .whole)
        }
    }
}
