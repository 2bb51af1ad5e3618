import DebtflowCore
import DebtflowHTTP
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation

/// Helpers shared by the http sink tests: debts, outcomes, a GetBill-like answer, a sink factory.
enum PushFixtures {
    static func debt(_ number: Int) -> Debt {
        var debt = Debt()
        debt.firstname = "Jean\(number)"
        debt.lastname = "Dupont"
        debt.amount = MinorUnitAmount(minorUnits: Int64(1000 + number), digits: 2)
        debt.currency = "EUR"
        debt.email = "jean\(number)@example.fr"
        debt.tempID = "T\(number)"
        return debt
    }

    static func outcomes(_ numbers: ClosedRange<Int>) -> [Outcome] {
        numbers.map { number in
            Outcome(status: .valid, provenance: Provenance(source: "test", record: number), tempID: "T\(number)",
                    debt: debt(number))
        }
    }

    /// The debts of a pushed body, as parsed JSON objects.
    static func debts(in request: HTTPStubServer.Request) -> [[String: Any]] {
        let object = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        return object?["debts"] as? [[String: Any]] ?? []
    }

    static func tempIDs(in request: HTTPStubServer.Request) -> [String] {
        debts(in: request).compactMap { $0["temp_id"] as? String }
    }

    /// GetBill's success answer creating every debt of the request (debt_id = "D-" + temp_id).
    static func created(_ request: HTTPStubServer.Request) -> HTTPStubServer.Answer {
        let items = debts(in: request).enumerated().map { index, debt -> String in
            let tempID = debt["temp_id"] as? String ?? ""
            return #"{"index":\#(index),"temp_id":"\#(tempID)","debt_id":"D-\#(tempID)","status":"created","data":{}}"#
        }
        return .json(200, #"{"error":false,"message":"ok","data":{"import_id":"I1","created":[\#(items.joined(separator: ","))],"failed":[],"skipped":[],"summary":{}}}"#)
    }

    static func configuration(_ server: HTTPStubServer, batchSize: Int = 2, concurrency: Int = 1,
                              token: String = "test-token-123") -> HTTPSinkConfiguration {
        var configuration = HTTPSinkConfiguration(url: server.baseURL + "/external-api/v1/debts/batch",
                                                  authentication: .bearer(token: token))
        configuration.batchSize = batchSize
        configuration.concurrency = concurrency
        configuration.timeoutSeconds = 5
        configuration.maxRetries = 3
        configuration.backoff = RetryBackoff(baseDelaySeconds: 0.01, maxDelaySeconds: 0.05)
        return configuration
    }

    /// A push's results file and journal, in a fresh folder.
    struct Paths {
        let directory: URL
        var results: URL { directory.appendingPathComponent("results.ndjson") }
        var journal: URL { directory.appendingPathComponent("journal.jsonl") }
        init() throws { directory = try TestSupport.makeTemporaryDirectory("debtflow-journal") }
    }

    /// ``configuration(_:batchSize:concurrency:token:)`` (batches of 2, one at a time) writing its
    /// results and journal to `paths`.
    static func configuration(_ server: HTTPStubServer, _ paths: Paths, onAmbiguous: HTTPSinkConfiguration.AmbiguousPolicy = .stop,
                              token: String = "test-token-123") -> HTTPSinkConfiguration {
        var configuration = configuration(server, batchSize: 2, concurrency: 1, token: token)
        configuration.resultsPath = paths.results.path
        configuration.journalPath = paths.journal.path
        configuration.onAmbiguous = onAmbiguous
        return configuration
    }

    /// The lines of a results file.
    static func results(_ url: URL) throws -> [[String: Any]] {
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        return try TestSupport.readNDJSON(url)
    }
}

/// Collects the sink's diagnostic lines. `@unchecked Sendable`: `store` is guarded by `lock`.
final class DiagnosticLines: @unchecked Sendable {
    private let lock = NSLock()
    private var store: [String] = []
    var lines: [String] { lock.withLock { store } }
    var text: String { lines.joined(separator: "\n") }
    var sink: @Sendable (String) -> Void { { [self] line in lock.withLock { store.append(line) } } }
}
