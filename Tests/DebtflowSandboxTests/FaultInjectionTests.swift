@testable import DebtflowSandbox
import Foundation
import Testing

@Suite("Fault injection")
struct FaultInjectionTests {
    let batch = Fixtures.batch([Fixtures.debt("F-1"), Fixtures.debt("F-2")])

    @Test("--fail-rate 1 answers 503 and creates nothing")
    func fail() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger; $0.failRate = 1 }) { port, _ in
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, batch)
            #expect(response.status == 503)
            #expect(response.jsonObject["error"] as? Bool == true)
            #expect(Fixtures.ledgerLines(ledger).isEmpty)
            let debtors = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/1/debtors")
            #expect(debtors.status == 503)
            #expect(debtors.jsonObject["errorMessage"] is String)
        }
    }

    @Test("--throttle-rate 1 answers 429 with Retry-After: 1 and creates nothing")
    func throttle() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger; $0.throttleRate = 1 }) { port, _ in
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, batch)
            #expect(response.status == 429)
            #expect(response.headers["retry-after"] == "1")
            #expect((response.jsonObject["details"] as? [String: Any])?["retry_after"] as? Int == 1)
            #expect(Fixtures.ledgerLines(ledger).isEmpty)
            let debtors = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/1/debtors")
            #expect(debtors.status == 429)
            #expect(debtors.headers["retry-after"] == "1")
        }
    }

    @Test("--error-rate 1 creates the debts (ledger written) and answers 500; a replay of the key gets the stored answer")
    func error() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger; $0.errorRate = 1 }) { port, _ in
            let response = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, batch, headers: ["Idempotency-Key": "e1"])
            #expect(response.status == 500)
            #expect(response.jsonObject["error"] as? Bool == true)
            #expect(Fixtures.ledgerLines(ledger).count == 2)

            let replay = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, batch, headers: ["Idempotency-Key": "e1"])
            #expect(replay.status == 200)
            let created = (replay.jsonObject["data"] as? [String: Any])?["created"] as? [[String: Any]]
            #expect(created?.compactMap { $0["debt_id"] as? String } == Fixtures.ledgerLines(ledger).compactMap { $0["debt_id"] as? String })
            #expect(Fixtures.ledgerLines(ledger).count == 2)
        }
    }

    @Test("--drop-rate 1 creates the debts (ledger written) and closes the connection unanswered; a replay creates nothing more")
    func drop() throws {
        let ledger = try Fixtures.ledgerPath()
        try withSandbox({ $0.ledgerPath = ledger; $0.dropRate = 1 }) { port, _ in
            let client = try RawHTTPClient(port: port)
            #expect(throws: RawHTTPClient.ConnectionClosed.self) {
                _ = try client.postJSON(Fixtures.batchPath, batch, headers: ["Idempotency-Key": "d1"])
            }
            #expect(Fixtures.ledgerLines(ledger).count == 2)

            let replay = try RawHTTPClient(port: port).postJSON(Fixtures.batchPath, batch, headers: ["Idempotency-Key": "d1"])
            #expect(replay.status == 200)
            #expect(Fixtures.ledgerLines(ledger).count == 2)
        }
    }

    @Test("--latency-ms delays the answer")
    func latency() throws {
        try withSandbox({ $0.latencyMilliseconds = 300 }) { port, _ in
            let started = Date()
            let response = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/1/debtors")
            #expect(response.status == 200)
            #expect(Date().timeIntervalSince(started) >= 0.29)
        }
    }

    @Test("the same --seed gives the same faults in the same order")
    func seededDraws() throws {
        func statuses(seed: UInt64) throws -> [Int] {
            try withSandbox({ $0.seed = seed; $0.failRate = 0.5 }) { port, _ in
                try (0..<24).map { _ in try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/1/debtors").status }
            }
        }
        let first = try statuses(seed: 1234)
        #expect(try statuses(seed: 1234) == first)
        #expect(Set(first) == [200, 503])
    }

    @Test("one draw per request picks faults in proportion to their rates")
    func drawProportions() {
        var configuration = SandboxConfiguration()
        configuration.failRate = 0.1
        configuration.throttleRate = 0.2
        configuration.errorRate = 0.3
        configuration.dropRate = 0.1
        let injector = FaultInjector(configuration: configuration, seed: 99)
        var counts: [InjectedFault: Int] = [:]
        let draws = 100_000
        for _ in 0..<draws { counts[injector.draw(), default: 0] += 1 }
        let expected: [(InjectedFault, Double)] = [(.fail, 0.1), (.throttle, 0.2), (.error, 0.3), (.drop, 0.1), (.none, 0.3)]
        for (fault, rate) in expected {
            #expect(abs(Double(counts[fault, default: 0]) / Double(draws) - rate) < 0.01, "\(fault)")
        }
    }

    @Test("rates adding up to more than 1 are a usage error")
    func ratesOverOne() {
        var configuration = SandboxConfiguration()
        configuration.failRate = 0.6
        configuration.errorRate = 0.6
        #expect(throws: (any Error).self) { try configuration.validate() }
    }

    @Test("--rate-limit answers 429 once the hour's writes are spent, with X-RateLimit headers")
    func rateLimit() throws {
        try withSandbox({ $0.rateLimitPerHour = 2 }) { port, _ in
            let client = try RawHTTPClient(port: port)
            let body = Fixtures.batch([Fixtures.debt("R")])
            let first = try client.postJSON(Fixtures.batchPath, body)
            let second = try client.postJSON(Fixtures.batchPath, body)
            let third = try client.postJSON(Fixtures.batchPath, body)
            #expect([first.status, second.status, third.status] as [Int] == [200, 200, 429])
            #expect(first.headers["x-ratelimit-remaining"] == "1")
            #expect(second.headers["x-ratelimit-remaining"] == "0")
            #expect(third.headers["retry-after"].flatMap(Int.init).map { $0 > 0 } == true)
            #expect(third.headers["x-ratelimit-reset"].flatMap(Int.init).map { $0 > Int(Date().timeIntervalSince1970) } == true)
        }
    }
}

