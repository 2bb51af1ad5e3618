import DebtflowSandbox
import DebtflowTestSupport
import Foundation

/// Starts a sandbox on a free port for one test and stops it afterwards.
func withSandbox<T>(_ configure: (inout SandboxConfiguration) throws -> Void = { _ in },
                    _ body: (_ port: Int, _ server: SandboxServer) throws -> T) throws -> T {
    var configuration = SandboxConfiguration()
    configuration.seed = 42
    try configure(&configuration)
    let server = SandboxServer(configuration: configuration)
    let port = try server.start()
    defer {
        server.stop()
        server.waitUntilStopped()
    }
    return try body(port, server)
}

enum Fixtures {
    static let batchPath = "/external-api/v1/debts/batch"

    static func debt(_ tempID: String, firstname: String = "Jean", amount: String = "12.50",
                     email: String? = "jean.dupont@example.fr") -> String {
        var fields = [#""firstname":"\#(firstname)""#, #""lastname":"Dupont""#, #""amount":\#(amount)"#,
                      #""currency":"EUR""#, #""temp_id":"\#(tempID)""#]
        if let email { fields.append(#""email":"\#(email)""#) }
        return "{" + fields.joined(separator: ",") + "}"
    }

    static func batch(_ debts: [String], name: String? = nil) -> String {
        var text = "{"
        if let name { text += #""batch_name":"\#(name)","# }
        return text + #""debts":["# + debts.joined(separator: ",") + "]}"
    }

    /// A temporary folder's ledger path.
    static func ledgerPath() throws -> String {
        try TestSupport.makeTemporaryDirectory("sandbox").appendingPathComponent("ledger.ndjson").path
    }

    /// The ledger's lines, each parsed.
    static func ledgerLines(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// `count` Sportalliance-shaped debtors with ids 1…count.
    static func debtors(_ count: Int) -> [String] {
        (1...count).map { #"{"debtorId":\#($0),"firstName":"Name\#($0)","lastName":"Last","collectionCases":[]}"# }
    }
}
