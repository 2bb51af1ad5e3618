import DebtflowCore
import DebtflowSandbox
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite("The GetBill batch route")
struct BatchImportTests {
    @Test("answers created, failed and skipped items in GetBill's shape, and ledgers only the created debt")
    func batchShape() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            let client = try RawHTTPClient(port: port)
            let body = Fixtures.batch([
                Fixtures.debt("T-1"),
                Fixtures.debt("T-2", amount: "0", email: nil),
                #"{"firstname":"* champs obligatoires","lastname":"","temp_id":"T-3"}"#,
            ], name: "nightly")
            let response = try client.postJSON(Fixtures.batchPath, body)
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let answer = response.jsonObject
            #expect(answer["error"] as? Bool == false)
            #expect(answer["message"] is String)
            let data = try #require(answer["data"] as? [String: Any])
            #expect((data["import_id"] as? String)?.isEmpty == false)
            #expect(data["batch_name"] as? String == "nightly")

            let created = try #require(data["created"] as? [[String: Any]])
            #expect(created.count == 1)
            #expect(created.first?["index"] as? Int == 0)
            #expect(created.first?["temp_id"] as? String == "T-1")
            #expect(created.first?["status"] as? String == "created")
            #expect((created.first?["debt_id"] as? String)?.isEmpty == false)
            #expect((created.first?["data"] as? [String: Any])?["lastname"] as? String == "Dupont")

            let failed = try #require(data["failed"] as? [[String: Any]])
            #expect(failed.count == 1)
            #expect(failed.first?["index"] as? Int == 1)
            #expect(failed.first?["temp_id"] as? String == "T-2")
            #expect((failed.first?["data"] as? [String: Any])?["temp_id"] as? String == "T-2")
            let codes = (failed.first?["errors"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(Set(codes) == ["non_positive_amount", "missing_contact"])

            let skipped = try #require(data["skipped"] as? [[String: Any]])
            #expect(skipped.count == 1)
            #expect(skipped.first?["index"] as? Int == 2)
            #expect(skipped.first?["reason"] as? String == "instruction_row")

            let summary = try #require(data["summary"] as? [String: Any])
            #expect(summary["total"] as? Int == 3)
            #expect(summary["created"] as? Int == 1)
            #expect(summary["failed"] as? Int == 1)
            #expect(summary["skipped"] as? Int == 1)

            let lines = Fixtures.ledgerLines(ledger)
            #expect(lines.count == 1)
            #expect(lines.first?["temp_id"] as? String == "T-1")
            #expect(lines.first?["debt_id"] as? String == created.first?["debt_id"] as? String)
        }
    }

    @Test("writes the ledger line with the debt as received: keys in order, amount digits untouched")
    func ledgerKeepsTheDebtAsReceived() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            let debt = #"{"temp_id":"A","firstname":"Zoé","lastname":"Ünal","amount":1234.50,"currency":"EUR","email":"z@example.fr"}"#
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([debt]))
            #expect(response.status == 200)
            let text = try String(contentsOfFile: ledger, encoding: .utf8)
            #expect(text.hasPrefix(String(debt.dropLast()) + #","debt_id":""#))
            #expect(text.hasSuffix("\n"))
            let attributes = try FileManager.default.attributesOfItem(atPath: ledger)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }

    @Test("continues debt ids after the debts already in an existing ledger")
    func debtIDsContinue() throws {
        let ledger = try Fixtures.ledgerPath()
        var firstIDs: [String] = []
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            _ = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("1"), Fixtures.debt("2")]))
            firstIDs = Fixtures.ledgerLines(ledger).compactMap { $0["debt_id"] as? String }
        }
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            _ = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("3")]))
        }
        let ids = Fixtures.ledgerLines(ledger).compactMap { $0["debt_id"] as? String }
        #expect(ids.count == 3)
        #expect(Set(ids).count == 3)
        #expect(Array(ids.prefix(2)) == firstIDs)
        // Import ids continue too: a restarted sandbox gives no import id twice.
        let imports = Fixtures.ledgerLines(ledger).compactMap { $0["import_id"] as? String }
        #expect(imports == ["imp_000001", "imp_000001", "imp_000002"], "\(imports)")
    }

    @Test("an existing ledger whose last line has no line break gets one before the first new line")
    func ledgerWithoutFinalLineBreak() throws {
        let ledger = try Fixtures.ledgerPath()
        try Data(#"{"temp_id":"old","debt_id":"deb_000001","import_id":"imp_000007"}"#.utf8).write(to: URL(fileURLWithPath: ledger))
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            _ = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("new")]))
        }
        let lines = Fixtures.ledgerLines(ledger)
        #expect(lines.map { $0["temp_id"] as? String } == ["old", "new"], "the new line was glued to the last one")
        #expect(lines.last?["import_id"] as? String == "imp_000008")
        #expect(lines.last?["debt_id"] as? String != "deb_000001")
    }

    @Test("a ledger that is not a regular file (a FIFO, a device) is refused at start, not waited on")
    func ledgerNotARegularFile() throws {
        let fifo = try Fixtures.ledgerPath()
        #expect(mkfifo(fifo, 0o600) == 0)
        for path in [fifo, "/dev/zero"] {
            let error = #expect(throws: DebtflowError.self) { try withSandbox({ $0.ledgerPath = path }) { _, _ in } }
            #expect(error?.message.contains("is not a regular file") == true, "\(String(describing: error))")
        }
    }

    @Test("a replayed Idempotency-Key returns the first answer byte for byte and creates nothing")
    func idempotentReplay() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            let body = Fixtures.batch([Fixtures.debt("K-1"), Fixtures.debt("K-2")])
            let first = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, body, headers: ["Idempotency-Key": "batch-0001"])
            let ledgerAfterFirst = try String(contentsOfFile: ledger, encoding: .utf8)
            let second = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, body, headers: ["Idempotency-Key": "batch-0001"])
            #expect(first.status == 200)
            #expect(second.status == 200)
            #expect(second.body == first.body)
            #expect(try String(contentsOfFile: ledger, encoding: .utf8) == ledgerAfterFirst)
            #expect(Fixtures.ledgerLines(ledger).count == 2)

            // Another key is another batch.
            let third = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, body, headers: ["Idempotency-Key": "batch-0002"])
            #expect(third.status == 200)
            #expect(third.body != first.body)
            #expect(Fixtures.ledgerLines(ledger).count == 4)
        }
    }

    @Test("a key reused with a different body is refused 422 and creates nothing")
    func keyReusedWithAnotherBody() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            _ = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("A")]),
                                                       headers: ["Idempotency-Key": "k"])
            let reused = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("B")]),
                                                                headers: ["Idempotency-Key": "k"])
            #expect(reused.status == 422)
            #expect(reused.jsonObject["error"] as? Bool == true)
            #expect(reused.jsonObject["code"] as? String == "idempotency_key_reused")
            #expect(Fixtures.ledgerLines(ledger).count == 1)
        }
    }

    @Test("refuses whole requests in GetBill's error shape", arguments: [
        ("{\"debts\":[", 400, "invalid_json"),
        ("[1,2]", 422, "validation_error"),
        ("{\"batch_name\":\"x\"}", 422, "validation_error"),
        ("{\"debts\":[]}", 422, "validation_error"),
        ("{\"debts\":[{}],\"accept_expensive_destination\":\"yes\"}", 422, "validation_error"),
    ])
    func wholeRequestErrors(body: String, status: Int, code: String) throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger }) { port, _ in
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, body)
            #expect(response.status == status)
            #expect(response.jsonObject["error"] as? Bool == true)
            #expect(response.jsonObject["code"] as? String == code)
            #expect((response.jsonObject["message"] as? String)?.isEmpty == false)
            #expect(Fixtures.ledgerLines(ledger).isEmpty)
        }
    }

    @Test("refuses more than 1,000 debts in one request with 422 and details.debts")
    func tooManyDebts() throws {
        try withSandbox { port, _ in
            let debts = (0...1000).map { Fixtures.debt("T\($0)") }
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch(debts))
            #expect(response.status == 422)
            #expect((response.jsonObject["details"] as? [String: Any])?["debts"] is [String])
            let exactly1000 = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch(Array(debts.prefix(1000))))
            #expect(exactly1000.status == 200)
            #expect(((exactly1000.jsonObject["data"] as? [String: Any])?["summary"] as? [String: Any])?["created"] as? Int == 1000)
        }
    }

    @Test("asks the configured validator, passing the batch-level accept_expensive_destination")
    func usesTheValidatorHook() throws {
        try withSandbox({ configuration in
            configuration.validator = { debt, acceptExpensive in
                acceptExpensive ? .created(stored: debt)
                    : .failed([.init(field: "phone", code: .expensiveDestination, message: "expensive")])
            }
        }) { port, _ in
            let debt = Fixtures.debt("X")
            let refused = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([debt]))
            let accepted = try RawHTTPClient(port: port).postJSON(
                Fixtures.batchPath, #"{"accept_expensive_destination":true,"debts":[\#(debt)]}"#)
            let refusedData = refused.jsonObject["data"] as? [String: Any]
            let failedCodes = ((refusedData?["failed"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]])?
                .compactMap { $0["code"] as? String }
            #expect(failedCodes == ["expensive_destination"])
            #expect(((accepted.jsonObject["data"] as? [String: Any])?["created"] as? [Any])?.count == 1)
        }
    }

    @Test("takes the batch from URLSession, as the http sink sends it")
    func urlSessionClient() async throws {
        let ledger = try Fixtures.ledgerPath()
        try await withSandboxAsync({ $0.ledgerPath = ledger; $0.token = "s3cret" }) { port in
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/external-api/v1/debts/batch")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.setValue("Bearer s3cret", forHTTPHeaderField: "Authorization")
            request.setValue("url-session-1", forHTTPHeaderField: "Idempotency-Key")
            // Large enough that libcurl sends `Expect: 100-continue`.
            request.httpBody = Data(Fixtures.batch((0..<40).map { Fixtures.debt("U\($0)") }).utf8)
            let session = URLSession(configuration: .ephemeral)
            defer { session.finishTasksAndInvalidate() }
            let (data, response) = try await session.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            let answer = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            #expect(((answer?["data"] as? [String: Any])?["summary"] as? [String: Any])?["created"] as? Int == 40)
            #expect(Fixtures.ledgerLines(ledger).count == 40)
        }
    }
}

/// Like ``withSandbox`` for async test bodies.
func withSandboxAsync(_ configure: (inout SandboxConfiguration) -> Void,
                      _ body: (_ port: Int) async throws -> Void) async throws {
    var configuration = SandboxConfiguration()
    configuration.seed = 7
    configure(&configuration)
    let server = SandboxServer(configuration: configuration)
    let port = try server.start()
    do {
        try await body(port)
    } catch {
        server.stop()
        server.waitUntilStopped()
        throw error
    }
    server.stop()
    server.waitUntilStopped()
}
