import DebtflowSandbox
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("debtflow sandbox options")
struct SandboxCommandTests {
    @Test("parses every option, in both --name value and --name=value forms")
    func parsesOptions() throws {
        let configuration = try #require(try SandboxCommand.parse([
            "--port", "8089", "--debtors", "d.json", "--ledger=l.ndjson", "--token", "T", "--fail-rate", "0.1",
            "--error-rate=0.2", "--throttle-rate", "0.05", "--drop-rate", "0.05", "--latency-ms", "25", "--seed", "17",
            "--slice-size", "50", "--max-slice-size", "500", "--rate-limit", "500", "--token-expires-in", "60",
        ]))
        #expect(configuration.port == 8089)
        #expect(configuration.debtorsPath == "d.json")
        #expect(configuration.ledgerPath == "l.ndjson")
        #expect(configuration.token == "T")
        #expect(configuration.failRate == 0.1)
        #expect(configuration.errorRate == 0.2)
        #expect(configuration.throttleRate == 0.05)
        #expect(configuration.dropRate == 0.05)
        #expect(configuration.latencyMilliseconds == 25)
        #expect(configuration.seed == 17)
        #expect(configuration.defaultSliceSize == 50)
        #expect(configuration.maxSliceSize == 500)
        #expect(configuration.rateLimitPerHour == 500)
        #expect(configuration.tokenLifetimeSeconds == 60)
    }

    @Test("--help asks for the usage text")
    func help() throws {
        #expect(try SandboxCommand.parse(["--port", "0", "--help"]) == nil)
        #expect(SandboxCommand.usage.contains("--drop-rate"))
    }

    @Test("a text seed is hashed to a fixed number")
    func textSeed() throws {
        let first = try SandboxCommand.parse(["--seed", "nightly"])?.seed
        #expect(first != nil)
        #expect(try SandboxCommand.parse(["--seed", "nightly"])?.seed == first)
    }

    @Test("refuses bad options as usage errors", arguments: [
        ["--fail-rate", "1.5"], ["--error-rate", "x"], ["--port", "70000"], ["--port"], ["--latency-ms", "-1"],
        ["--bogus"], ["--fail-rate", "0.7", "--drop-rate", "0.7"], ["--token", ""], ["--slice-size", "0"],
    ])
    func refusesBadOptions(arguments: [String]) {
        #expect(throws: (any Error).self) { try SandboxCommand.parse(arguments) }
    }
}

@Suite("debtflow sandbox, run in-process")
struct SandboxCommandRunTests {
    @Test("serves once listening, then stops on SIGTERM and exits 0")
    func runsUntilSIGTERM() throws {
        let ledger = try Fixtures.ledgerPath()
        let observed = ThreadResults()
        let finished = DispatchSemaphore(value: 0)
        Thread {
            let status = SandboxCommand.run(arguments: ["--port", "0", "--ledger", ledger, "--seed", "1"]) { port in
                let answer = try? RawHTTPClient(port: port).postJSON(Fixtures.batchPath, Fixtures.batch([Fixtures.debt("S")]))
                observed.lock.lock()
                observed.values[0] = answer?.status ?? -1
                observed.lock.unlock()
                kill(getpid(), SIGTERM)
            }
            observed.lock.lock()
            observed.values[1] = Int(status)
            observed.lock.unlock()
            finished.signal()
        }.start()
        #expect(finished.wait(timeout: .now() + 20) == .success)
        observed.lock.lock()
        defer { observed.lock.unlock() }
        #expect(observed.values[0] == 200)
        #expect(observed.values[1] == 0)
        #expect(Fixtures.ledgerLines(ledger).count == 1)
    }

    @Test("a bad option exits 2 without listening")
    func badOptionExits2() {
        #expect(SandboxCommand.run(arguments: ["--fail-rate", "7"]) { _ in Issue.record("must not listen") } == 2)
    }
}
