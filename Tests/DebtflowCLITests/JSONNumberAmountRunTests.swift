import DebtflowTestSupport
import Foundation
import Testing

/// `normalize.decimal` says how amount *texts* are written; a JSON number's decimals always
/// follow its `.` (RFC 8259). End to end through the built binary, with `decimal: ","` (what a
/// French export's text amounts need) and a JSON input that holds both kinds of amount.
@Suite("JSON number amounts under decimal \",\" (end to end)")
struct JSONNumberAmountRunTests {
    private func run(_ folder: URL, input: String, map: String, decimal: String) throws -> (valid: String, rejects: [[String: Any]]) {
        let config = #"""
        {"version":1,"name":"numbers","stages":[
          {"read":{"format":"json","path":"\#(input)","records":"result"}}, {"map":\#(map)},
          {"normalize":{"region":"FR","currency":"EUR","decimal":"\#(decimal)"}}, {"validate":{}},
          {"sink":{"format":"ndjson","path":"valid.ndjson","accept":["valid"]}},
          {"sink":{"format":"ndjson","path":"rejects.ndjson","accept":["failed","skipped"]}}]}
        """#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 0 || result.status == 1, "\(result.stderrText)")
        return (try String(contentsOf: folder.appendingPathComponent("valid.ndjson"), encoding: .utf8),
                try TestSupport.readNDJSON(folder.appendingPathComponent("rejects.ndjson")))
    }

    private func codes(_ reject: [String: Any]) -> [String] {
        (reject["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
    }

    @Test("the numbers 1.5, 1234.5 and 25.000 are 1.50, 1234.50 and 25.00 and 1.234 has too many decimals (not 1234.00); the texts \"1,5\" and \"1.234,50\" follow the comma",
          arguments: [",", "auto"])
    func numbersAndTexts(decimal: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-number-amounts")
        let amounts = ["1.5", "1234.5", "1.234", #""1,5""#, #""1.234,50""#, "25.000"]
        let records = amounts.enumerated().map { index, amount in
            #"{"id":"N\#(index + 1)","firstname":"Jean","lastname":"Dupont","amount":\#(amount),"email":"j\#(index)@example.fr"}"#
        }
        try Data(#"{"result":[\#(records.joined(separator: ","))]}"#.utf8).write(to: folder.appendingPathComponent("debts.json"))
        let (valid, rejects) = try run(folder, input: "debts.json", map: #"{"fields":{"temp_id":"id"}}"#, decimal: decimal)
        let amountsWritten = valid.split(separator: "\n").map { line in
            line.components(separatedBy: #""amount":"#).dropFirst().first.map { String($0.prefix { $0 != "," }) }
        }
        // (`25.000` as a number is 25: as text under `auto` it would be refused as a thousands group.)
        #expect(amountsWritten == ["1.50", "1234.50", "1.50", "1234.50", "25.00"], "\(valid)")
        #expect(rejects.map { $0["temp_id"] as? String } == ["N3"])
        #expect(rejects.map(codes) == [["invalid_amount"]])
    }

    @Test("the Magicline preset under decimal \",\": openAmount 47.4 is 47.40")
    func magicline() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-number-amounts-magicline")
        let page = #"""
        {"result":[{"debtorId":"7","firstName":"Jean","lastName":"Dupont","countryCode":"FR",
          "contactDetails":[{"type":"EMAIL","value":"jean@example.fr","status":{"type":"VALID"}}],
          "collectionCases":[{"collectionCaseId":"c-1","openAmount":47.4,"debt":[{"amount":47.4,"currency":"EUR"}]}]}],
         "hasNext":false,"offset":"1"}
        """#
        try Data(page.utf8).write(to: folder.appendingPathComponent("debtors.json"))
        let (valid, rejects) = try run(folder, input: "debtors.json", map: #"{"preset":"magicline-debtor"}"#, decimal: ",")
        #expect(rejects.isEmpty, "\(rejects)")
        #expect(valid.contains(#""amount":47.40,"#), "\(valid)")
    }
}
