import DebtflowTestSupport
import Foundation
import Testing

/// A currency sign inside an amount, end to end through the built binary (CONTRACT.md §4): a sign
/// that disagrees with the record's currency fails the debt with `invalid_currency`, and `$`
/// stands only for a dollar currency.
@Suite("Currency signs in amounts (end to end)")
struct CurrencySignRunTests {
    @Test("$48 with EUR, 48 $ with JPY and $ under a configured EUR are invalid_currency; $ with CAD is valid")
    func dollarSignAgainstCurrency() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-currency")
        let rows = [
            "ref;prenom;nom;montant;devise;telephone",
            "A1;Jean;Dupont;$48;EUR;0612345678",
            "A2;Anne;Martin;48 $;JPY;0612345679",
            "A3;Paul;Durand;$48;;0612345680",
            "A4;Lea;Petit;$48;CAD;0612345681",
            "A5;Marc;Roux;£48;EUR;0612345682",
            "A6;Eva;Leroy;48 €;;0612345683",
        ]
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("debts.csv"))
        let config = #"""
        {"version":1,"name":"signs","stages":[
          {"read":{"format":"csv","path":"debts.csv"}},
          {"map":{"fields":{"internal_id":"ref"}}},
          {"normalize":{"region":"FR","currency":"EUR"}},
          {"validate":{}},
          {"sink":{"format":"ndjson","path":"valid.ndjson","accept":["valid"]}},
          {"sink":{"format":"ndjson","path":"rejects.ndjson","accept":["failed","skipped"]}}]}
        """#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 1, "\(result.stderrText)")

        let valid = try TestSupport.readNDJSON(folder.appendingPathComponent("valid.ndjson"))
        let validCurrencies = valid.compactMap { ($0["debt"] as? [String: Any])?["currency"] as? String }
        #expect(validCurrencies == ["CAD", "EUR"], "\(valid)")

        let rejects = try TestSupport.readNDJSON(folder.appendingPathComponent("rejects.ndjson"))
        #expect(rejects.map { $0["record"] as? Int } == [1, 2, 3, 5])
        for reject in rejects {
            let codes = (reject["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(codes.contains("invalid_currency"), "\(reject)")
        }
    }
}
