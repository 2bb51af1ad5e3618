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
}
