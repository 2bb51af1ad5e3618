import DebtflowTestSupport
import Foundation
import Testing

/// JSON numbers in exponent form as amounts, end to end through the built binary: a JSON
/// serializer writes a large or small double so (`1.0E7`), and the number is read as the amount
/// it denotes; the same text in a CSV cell (Excel's `1.23457E+11` has lost digits) stays refused.
@Suite("Amounts in exponent form (end to end)")
struct ExponentAmountRunTests {
    private func run(_ folder: URL, read: String, map: String) throws -> (valid: [[String: Any]], rejects: [[String: Any]]) {
        let config = #"""
        {"version":1,"name":"exponents","stages":[
          {"read":\#(read)}, {"map":\#(map)}, {"normalize":{"region":"FR","currency":"EUR"}}, {"validate":{}},
          {"sink":{"format":"ndjson","path":"valid.ndjson","accept":["valid"]}},
          {"sink":{"format":"ndjson","path":"rejects.ndjson","accept":["failed","skipped"]}}]}
        """#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 0 || result.status == 1, "\(result.stderrText)")
        return (try TestSupport.readNDJSON(folder.appendingPathComponent("valid.ndjson")),
                try TestSupport.readNDJSON(folder.appendingPathComponent("rejects.ndjson")))
    }

    private func amountText(_ outcome: [String: Any]) -> String? {
        (outcome["debt"] as? [String: Any])?["amount"].map { "\($0)" }
    }

    @Test("JSON number amounts 1.5E1, 1.0E7 and 25e-2 are 15, 10000000 and 0.25; 1e-3 EUR, 1e45 and the text \"1.5E1\" are invalid_amount")
    func jsonNumbers() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-exponent")
        let amounts = ["1.5E1", "1.0E7", "25e-2", "1e-3", "1e45", #""1.5E1""#]
        let lines = amounts.enumerated().map { index, amount in
            #"{"id":"E\#(index + 1)","firstname":"Jean","lastname":"Dupont","amount":\#(amount),"email":"j\#(index)@example.fr"}"#
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("debts.ndjson"))
        let (valid, rejects) = try run(folder, read: #"{"format":"json","path":"debts.ndjson"}"#, map: #"{"fields":{"temp_id":"id"}}"#)
        #expect(valid.map { $0["temp_id"] as? String } == ["E1", "E2", "E3"])
        let written = try String(contentsOf: folder.appendingPathComponent("valid.ndjson"), encoding: .utf8)
        #expect(written.contains(#""amount":15.00,"#) && written.contains(#""amount":10000000.00,"#) && written.contains(#""amount":0.25,"#),
                "\(written)")
        #expect(rejects.map { $0["temp_id"] as? String } == ["E4", "E5", "E6"])
        for reject in rejects {
            let codes = (reject["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(codes == ["invalid_amount"], "\(reject)")
        }
    }

    @Test("only the amount is written out: a number in exponent form mapped to another field (an id) keeps its text")
    func otherFieldsKeepTheirText() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-exponent-id")
        try Data((#"{"id":1E3,"firstname":"Jean","lastname":"Dupont","amount":12,"email":"j@example.fr"}"# + "\n").utf8)
            .write(to: folder.appendingPathComponent("debts.ndjson"))
        let (valid, _) = try run(folder, read: #"{"format":"json","path":"debts.ndjson"}"#, map: #"{"fields":{"temp_id":"id"}}"#)
        #expect(valid.map { $0["temp_id"] as? String } == ["1E3"])
    }

    @Test("in a CSV cell, 1.5E1 stays invalid_amount (a spreadsheet's exponent has lost digits)")
    func csvText() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-exponent-csv")
        try Data("ref;prenom;nom;montant;email\nC1;Jean;Dupont;1.5E1;j@example.fr\n".utf8)
            .write(to: folder.appendingPathComponent("debts.csv"))
        let (valid, rejects) = try run(folder, read: #"{"format":"csv","path":"debts.csv"}"#, map: #"{"fields":{"internal_id":"ref"}}"#)
        #expect(valid.isEmpty)
        #expect((rejects.first?["errors"] as? [[String: Any]])?.compactMap { $0["code"] as? String } == ["invalid_amount"])
    }

    @Test("the Magicline preset reads an openAmount of 4.74e1 as 47.40")
    func magiclineOpenAmount() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-exponent-magicline")
        let page = #"""
        {"result":[{"debtorId":"7","firstName":"Jean","lastName":"Dupont","countryCode":"FR",
          "contactDetails":[{"type":"EMAIL","value":"jean@example.fr","status":{"type":"VALID"}}],
          "collectionCases":[{"collectionCaseId":"c-1","openAmount":4.74e1,"debt":[{"amount":47.4,"currency":"EUR"}]}]}],
         "hasNext":false,"offset":"1"}
        """#
        try Data(page.utf8).write(to: folder.appendingPathComponent("debtors.json"))
        let (valid, rejects) = try run(folder, read: #"{"format":"json","path":"debtors.json","records":"result"}"#,
                                       map: #"{"preset":"magicline-debtor"}"#)
        #expect(rejects.isEmpty, "\(rejects)")
        let written = try String(contentsOf: folder.appendingPathComponent("valid.ndjson"), encoding: .utf8)
        #expect(valid.map { $0["temp_id"] as? String } == ["c-1"])
        #expect(written.contains(#""amount":47.40,"#), "\(written)")
    }
}
