import DebtflowSandbox
import Foundation
import Testing

@Suite("The batch route validates by the contract's rules")
struct ContractRulesTests {
    static func debt(_ tempID: String, phone: String, extra: String = "") -> String {
        #"{"firstname":"Jean","lastname":"Dupont","amount":12.5,"currency":"eur","phone":"\#(phone)","temp_id":"\#(tempID)"\#(extra)}"#
    }

    static func data(_ response: RawHTTPClient.Response) -> [String: Any] {
        response.jsonObject["data"] as? [String: Any] ?? [:]
    }

    @Test("echoes a created debt normalized: E.164 phone, ISO currency, the currency's decimals")
    func normalizedEcho() throws {
        try withSandbox { port, _ in
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Self.debt("N", phone: "06 12 34 56 78")]))
            let created = try #require((Self.data(response)["created"] as? [[String: Any]])?.first)
            let stored = try #require(created["data"] as? [String: Any])
            #expect(stored["phone"] as? String == "+33612345678")
            #expect(stored["currency"] as? String == "EUR")
            #expect(response.bodyText.contains(#""amount":12.50"#))
        }
    }

    @Test("fails an expensive destination unless the batch or the debt accepts it")
    func expensiveDestination() throws {
        try withSandbox { port, _ in
            let guadeloupe = "0690123456"
            let refused = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Self.debt("G1", phone: guadeloupe)]))
            let codes = ((Self.data(refused)["failed"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
            #expect(codes == ["expensive_destination"])

            let batchAccepts = try RawHTTPClient(port: port).postJSON(
                Fixtures.batchPath, #"{"accept_expensive_destination":true,"debts":[\#(Self.debt("G2", phone: guadeloupe))]}"#)
            #expect((Self.data(batchAccepts)["created"] as? [Any])?.count == 1)

            let debtAccepts = try RawHTTPClient(port: port).postJSON(
                Fixtures.batchPath, Fixtures.batch([Self.debt("G3", phone: guadeloupe, extra: #","accept_expensive_destination":true"#)]))
            #expect((Self.data(debtAccepts)["created"] as? [Any])?.count == 1)
        }
    }

    @Test("collects every error code of a debt", arguments: [
        (#"{"lastname":"D","amount":-1,"currency":"FRF","email":"a@b"}"#, ["required", "non_positive_amount", "invalid_currency", "invalid_email"]),
        (#"{"firstname":"J","lastname":"D","amount":12.345,"currency":"EUR","phone":"+44 20 7946 0958"}"#, ["invalid_amount", "unsupported_destination"]),
    ])
    func everyError(debt: String, expected: [String]) throws {
        try withSandbox { port, _ in
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([debt]))
            let errors = (Self.data(response)["failed"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]] ?? []
            #expect(Set(errors.compactMap { $0["code"] as? String }) == Set(expected))
        }
    }
}
