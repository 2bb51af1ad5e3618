import DebtflowSandbox
import Foundation
import Testing

@Suite("Tokens: bearer, X-API-KEY and POST /token")
struct AuthenticationTests {
    @Test("the batch route requires --token as a bearer token", arguments: [
        (nil as String?, 401), ("Bearer wrong", 401), ("Basic s3cret", 401), ("Bearer s3cret", 200), ("bearer s3cret", 200),
    ])
    func bearerToken(authorization: String?, status: Int) throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.token = "s3cret"; $0.ledgerPath = ledger }) { port, _ in
            var headers: [String: String] = [:]
            if let authorization { headers["Authorization"] = authorization }
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("A")]),
                                                                  headers: headers)
            #expect(response.status == status)
            if status == 401 {
                #expect(response.jsonObject["error"] as? Bool == true)
                #expect(response.jsonObject["message"] as? String == "Unauthorized")
                #expect(response.jsonObject["code"] is String)
                #expect(!response.bodyText.contains("s3cret"))
                #expect(Fixtures.ledgerLines(ledger).isEmpty)
            }
        }
    }

    @Test("the debtors route requires --token as X-API-KEY and answers Sportalliance's error body", arguments: [
        (nil as String?, 401), ("wrong", 401), ("s3cret", 200),
    ])
    func apiKey(key: String?, status: Int) throws {
        try withSandbox({ $0.token = "s3cret" }) { port, _ in
            var headers: [String: String] = [:]
            if let key { headers["X-API-KEY"] = key }
            let response = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/1/debtors", headers: headers)
            #expect(response.status == status)
            if status == 401 {
                #expect((response.jsonObject["errorMessage"] as? String)?.isEmpty == false)
                #expect(response.jsonObject["errorCode"] is String)
                #expect(response.jsonObject["traceId"] is String)
            }
        }
    }

    @Test("without --token every request is let in")
    func noTokenNoCheck() throws {
        try withSandbox { port, _ in
            let batch = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("A")]))
            let debtors = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/1/debtors")
            #expect(batch.status == 200)
            #expect(debtors.status == 200)
        }
    }

    @Test("POST /token issues --token for client credentials, and the batch route accepts it")
    func clientCredentials() throws {
        try withSandbox({ $0.token = "issued-token" }) { port, _ in
            let form = "grant_type=client_credentials&client_id=debtflow&client_secret=x%26y&scope=debts%3Awrite"
            let response = try RawHTTPClient(port: port).request(
                "POST", "/token", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: Array(form.utf8))
            #expect(response.status == 200)
            #expect(response.jsonObject["token_type"] as? String == "Bearer")
            #expect(response.jsonObject["expires_in"] as? Int == 3600)
            #expect(response.jsonObject["scope"] as? String == "debts:write")
            let token = try #require(response.jsonObject["access_token"] as? String)
            #expect(token == "issued-token")
            let batch = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("A")]),
                                                               headers: ["Authorization": "Bearer \(token)"])
            #expect(batch.status == 200)
        }
    }

    @Test("POST /token refuses other grant types with OAuth2's error body")
    func unsupportedGrant() throws {
        try withSandbox { port, _ in
            let response = try RawHTTPClient(port: port).request(
                "POST", "/token", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Array("grant_type=password&client_id=a".utf8))
            #expect(response.status == 400)
            #expect(response.jsonObject["error"] as? String == "unsupported_grant_type")
        }
    }
}
