@testable import DebtflowSandbox
import DebtflowCore
import Testing

/// Malformed and hostile JSON bodies, as the operator's client sees them: GetBill's 400
/// `invalid_json` with a message naming what was wrong, and nothing created.
@Suite("The sandbox's answer to malformed JSON bodies")
struct MalformedJSONBodyTests {
    @Test("refuses malformed JSON with 400 invalid_json and a message saying what is wrong", arguments: [
        "", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"\u{01}\"", "{} {}", "[\"\\ud800\"]", "tru",
    ])
    func malformed(body: String) throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, body)
            #expect(response.status == 400)
            #expect(response.jsonObject["code"] as? String == "invalid_json")
            let message = try #require(response.jsonObject["message"] as? String)
            #expect(message.hasPrefix("Malformed JSON body: "))
            #expect(message.count > "Malformed JSON body: ".count)
            #expect(Fixtures.ledgerLines(ledger).isEmpty)
        }
    }

    @Test("refuses a body nested 100,000 deep with 400 naming the limit; nesting well inside it is a validation question",
          arguments: [(100_000, 400), (100, 422)])
    func nesting(depth: Int, status: Int) throws {
        try withSandbox { port, _ in
            let body = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, body)
            #expect(response.status == status)
            if status == 400 {
                #expect(response.jsonObject["code"] as? String == "invalid_json")
                #expect((response.jsonObject["message"] as? String)?.contains("deeper than \(SandboxJSON.maxDepth)") == true)
            }
        }
    }
}

@Suite("The debtors file's JSON")
struct DebtorCatalogJSONTests {
    @Test("keeps numbers as written and key order as sent")
    func numbersAndOrder() throws {
        let text = #"[{"b":1234.50,"a":[1e3,-0.5,true,null],"c":"\u00e9\ud83d\ude00\n"}]"#
        let debtors = try DebtorCatalog.split(Array(text.utf8)).texts
        #expect(debtors.count == 1)
        let written = String(decoding: try #require(debtors.first), as: UTF8.self)
        #expect(written.hasPrefix(#"{"b":1234.50,"a":[1e3,-0.5,true,null],"c":"#))
    }

    @Test("keeps NDJSON lines as written")
    func ndjsonLines() throws {
        let debtors = try DebtorCatalog.split(Array("{\"id\":1.50}\n\n  {\"id\":2}\n".utf8)).texts
        #expect(debtors.map { String(decoding: $0, as: UTF8.self) } == ["{\"id\":1.50}", "{\"id\":2}"])
    }

    @Test("a pretty-printed document broken further down names the line where it breaks")
    func prettyPrintedError() {
        let text = "{\n  \"result\": [\n    {\"id\": 1},\n    {\"id\" 2}\n  ]\n}\n"
        let error = #expect(throws: DebtflowError.self) { try DebtorCatalog.split(Array(text.utf8)) }
        #expect(error?.description.contains("the document:4:") == true)
    }

    @Test("rejects malformed files, saying what is wrong (an empty file serves no debtor: DebtorsRouteTests)", arguments: [
        "{", "[1,]", "{\"a\" 1}", "{\"result\":1}", "42", "{\"id\":1}\n{\"id\":", String(repeating: "[", count: 100_000),
    ])
    func rejects(text: String) {
        #expect(throws: DebtflowError.self) { try DebtorCatalog.split(Array(text.utf8)) }
    }
}
