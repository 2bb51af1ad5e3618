@testable import DebtflowSandbox
import DebtflowCore
import Testing

@Suite("The sandbox's JSON parser")
struct SandboxJSONParserTests {
    @Test("keeps numbers as written and key order as sent")
    func numbersAndOrder() throws {
        let value = try SandboxJSONParser.parseDocument(Array(#"{"b":1234.50,"a":[1e3,-0.5,true,null],"c":"\u00e9\ud83d\ude00\n"}"#.utf8))
        let object = try #require(value.objectValue)
        #expect(object.entries.map(\.key) == ["b", "a", "c"])
        #expect(object["b"] == .number("1234.50"))
        #expect(object["a"] == .array([.number("1e3"), .number("-0.5"), .bool(true), .null]))
        #expect(object["c"] == .string("é😀\n"))
    }

    @Test("rejects malformed documents", arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"\u{01}\"", "{} {}", "[\"\\ud800\"]", "tru",
    ])
    func rejects(text: String) {
        #expect(throws: SandboxJSONParser.SandboxJSONError.self) { try SandboxJSONParser.parseDocument(Array(text.utf8)) }
    }

    @Test("stops at the depth limit instead of recursing without end")
    func depthLimit() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: SandboxJSONParser.SandboxJSONError.self) { try SandboxJSONParser.parseDocument(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: Never.self) { try SandboxJSONParser.parseDocument(Array(fine.utf8)) }
    }
}
