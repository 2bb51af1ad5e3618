import Synchronization
import DebtflowCore
import DebtflowHTTP
import DebtflowRead
import DebtflowTestSupport
import Foundation
import Testing

@Suite("Sportalliance (Magicline) debtor pager")
struct MagiclineDebtorSourceTests {
    static let apiKey = "mgl-key-0123456789"

    func configuration(_ server: HTTPStubServer, runID: String = "42") -> MagiclineSourceConfiguration {
        var configuration = MagiclineSourceConfiguration(baseURL: server.baseURL + "/v1", runID: runID, apiKey: Self.apiKey)
        configuration.sliceSize = 2
        configuration.rateLimitWaitSeconds = 0.1
        configuration.maxRetries = 3
        configuration.timeoutSeconds = 5
        configuration.backoff = RetryBackoff(baseDelaySeconds: 0.01, maxDelaySeconds: 0.05)
        return configuration
    }

    static func page(_ ids: [Int], hasNext: Bool, offset: String) -> HTTPStubServer.Answer {
        let debtors = ids.map { #"{"debtorId":\#($0),"firstName":"F\#($0)","collectionCases":[{"openAmount":12.50}]}"# }
        return .json(200, #"{"result":[\#(debtors.joined(separator: ","))],"hasNext":\#(hasNext),"offset":"\#(offset)"}"#)
    }

    func readAll(_ source: MagiclineDebtorSource) async throws -> [Record] {
        var records: [Record] = []
        while let chunk = try await source.nextChunk() { records.append(contentsOf: chunk.elements) }
        return records
    }

    @Test("follows the returned offset verbatim while hasNext, numbering debtors across pages")
    func paging() async throws {
        let server = try HTTPStubServer { request, _ in
            switch request.query("offset") {
            case "0": return Self.page([1, 2], hasNext: true, offset: "abc+/=1")
            case "abc+/=1": return Self.page([], hasNext: true, offset: "9876543210")
            case "9876543210": return Self.page([3], hasNext: false, offset: "")
            default: return .json(400, #"{"errorMessage":"bad offset"}"#)
            }
        }
        defer { server.stop() }
        let source = try MagiclineDebtorSource(configuration: configuration(server))
        let records = try await readAll(source)
        #expect(records.map(\.provenance.record) == [1, 2, 3])
        #expect(records.map { $0.fields["debtorId"] } == [.number("1"), .number("2"), .number("3")])
        #expect(records[0].fields.value(atPath: "collectionCases")?.arrayValue?.first?.objectValue?["openAmount"] == .number("12.50"))
        #expect(records[0].provenance.source == server.baseURL + "/v1/debt-collection/42/debtors")
        #expect(!source.name.contains(Self.apiKey))
        let requests = server.requests
        #expect(requests.map { $0.query("offset") } == ["0", "abc+/=1", "9876543210"])
        #expect(requests.allSatisfy { $0.path == "/v1/debt-collection/42/debtors" && $0.query("sliceSize") == "2" })
        #expect(requests.allSatisfy { $0.header("X-API-KEY") == Self.apiKey && $0.method == "GET" })
        #expect(try await source.nextChunk() == nil)
    }

    @Test("probe() asks for the first page as the run will (its slice size) and reports a refused key, or a refused size, as an input error")
    func probe() async throws {
        let server = try HTTPStubServer { request, _ in
            request.header("X-API-KEY") == Self.apiKey ? Self.page([1], hasNext: true, offset: "1")
                                                       : .json(401, #"{"errorMessage":"no"}"#)
        }
        defer { server.stop() }
        try await MagiclineDebtorSource(configuration: configuration(server)).probe()
        #expect(server.requests.first?.query("sliceSize") == "2")
        var wrongKey = configuration(server)
        wrongKey.apiKey = "other-key"
        let error = await #expect(throws: DebtflowError.self) { try await MagiclineDebtorSource(configuration: wrongKey).probe() }
        #expect(error?.kind == .input)
        // An API that takes at most 1000 a page: check says so, as the run would.
        let limited = try HTTPStubServer { request, _ in
            Int(request.query("sliceSize") ?? "") ?? 0 > 1000 ? .json(400, #"{"errorMessage":"sliceSize too large"}"#)
                                                              : Self.page([1], hasNext: false, offset: "")
        }
        defer { limited.stop() }
        var large = configuration(limited)
        large.sliceSize = 1001
        let refused = await #expect(throws: DebtflowError.self) { try await MagiclineDebtorSource(configuration: large).probe() }
        #expect(refused?.message.contains("HTTP 400") == true && refused?.cause?.contains("sliceSize too large") == true,
                "\(String(describing: refused))")
    }

    @Test("stops with an input error when an offset repeats")
    func repeatedOffset() async throws {
        let server = try HTTPStubServer { request, _ in
            request.query("offset") == "0" ? Self.page([1], hasNext: true, offset: "5") : Self.page([2], hasNext: true, offset: "5")
        }
        defer { server.stop() }
        let source = try MagiclineDebtorSource(configuration: configuration(server))
        let error = await #expect(throws: DebtflowError.self) { _ = try await readAll(source) }
        #expect(error?.kind == .input)
        #expect(error?.message.contains("offset 5") == true)
        #expect(server.requestCount == 2)
    }

    @Test("waits rate_limit_wait_s after a 429, then asks again")
    func rateLimited() async throws {
        let server = try HTTPStubServer { _, number in
            number == 1 ? .json(429, #"{"errorMessage":"Too many requests"}"#) : Self.page([1], hasNext: false, offset: "")
        }
        defer { server.stop() }
        let started = Date()
        let records = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        #expect(Date().timeIntervalSince(started) >= 0.09)
        #expect(records.count == 1)
        #expect(server.requestCount == 2)
    }

    @Test("a wait before a page is asked again is said, naming the page, the reason (the API's errorMessage) and the retry; never the key")
    func waitsAreSaid() async throws {
        // Every answer is a 429, so that whichever request gets through (a slow machine may time
        // one out) is told to wait.
        let server = try HTTPStubServer { _, _ in
            .json(429, #"{"errorMessage":"Too many requests"}"#, headers: ["Retry-After": "inf"])
        }
        defer { server.stop() }
        let notices = Mutex<[String]>([])
        var config = configuration(server)
        config.rateLimitWaitSeconds = 0.1
        // Generous bounds, left as soon as the notice comes: under the whole suite's load a page
        // request timed out (5 s), its short backoff was not announced, and the retries ran out.
        config.timeoutSeconds = 30
        let source = try MagiclineDebtorSource(configuration: config, notice: { line in notices.withLock { $0.append(line) } },
                                               announcedWait: 0.05)
        // `Retry-After: inf` would be an hour; the test stops the wait by cancelling the read.
        let reading = Task { try await readAll(source) }
        // Left as soon as the notice comes; long, since the suite's synchronous tests (processes
        // waited for, for minutes) can hold both of a 2-core machine's cooperative threads, and
        // then this read does not even start: it waited 60 s once, and failed.
        let deadline = Date().addingTimeInterval(240)
        while notices.withLock({ $0.isEmpty }) && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        reading.cancel()
        _ = await reading.result
        let said = notices.withLock { $0 }
        #expect(said.count == 1, "\(said)")
        #expect(said.first?.contains("offset=0: HTTP 429 (rate limit): Too many requests; waiting 3600 s before asking again (retry ") == true, "\(said)")
        #expect(said.allSatisfy { !$0.contains(config.apiKey) })
    }

    @Test("retries 5xx answers and dropped connections with backoff")
    func transientRetried() async throws {
        let server = try HTTPStubServer { _, number in
            switch number {
            case 1: return .json(503, "{}")
            case 2: return .drop
            default: return Self.page([1, 2], hasNext: false, offset: "")
            }
        }
        defer { server.stop() }
        let records = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        #expect(records.count == 2)
        #expect(server.requestCount == 3)
    }

    @Test("gives up with an input error after max_retries")
    func retriesExhausted() async throws {
        let server = try HTTPStubServer { _, _ in .json(500, #"{"errorMessage":"Unexpected system error.","traceId":"t-1"}"#) }
        defer { server.stop() }
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        }
        #expect(error?.kind == .input)
        #expect(ExitCode.for(error!) == .input)
        #expect(server.requestCount == 4)
    }

    @Test("shows the API's errorMessage, errorCode and traceId, never the key", arguments: [400, 401, 403, 404])
    func errorBodyShown(status: Int) async throws {
        let server = try HTTPStubServer { request, _ in
            .json(status, #"{"errorMessage":"Key \#(request.header("X-API-KEY") ?? "") rejected","errorCode":"E_AUTH","traceId":"trace-77"}"#)
        }
        defer { server.stop() }
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        }
        let text = error?.description ?? ""
        #expect(error?.kind == .input)
        #expect(text.contains("HTTP \(status)"))
        #expect(text.contains("E_AUTH"))
        #expect(text.contains("trace-77"))
        #expect(!text.contains(Self.apiKey))
        #expect(server.requestCount == 1)
    }

    @Test("a page that is not whole JSON is asked again (a connection closed mid-page); always so, it is an input error")
    func malformedPage() async throws {
        let server = try HTTPStubServer { _, _ in .json(200, #"{"result":[1,"#) }
        defer { server.stop() }
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        }
        #expect(error?.kind == .input && error?.message.contains("?offset=0: the answer is not valid JSON") == true, "\(String(describing: error))")
        #expect(error?.message.contains("4 times in a row") == true, "\(String(describing: error))")
        #expect(server.requestCount == 4, "asked once, then max_retries (3) times")

        let cutOnce = Mutex(true)
        let recovering = try HTTPStubServer { _, _ in
            cutOnce.withLock { first in defer { first = false }; return first } ? .json(200, #"{"result":[{"debtorId":1},"#)
                                                                                : Self.page([1, 2], hasNext: false, offset: "")
        }
        defer { recovering.stop() }
        let records = try await readAll(try MagiclineDebtorSource(configuration: configuration(recovering)))
        #expect(records.map(\.provenance.record) == [1, 2])
        #expect(recovering.requestCount == 2)
    }

    @Test("a page without hasNext (or with null) is an input error, not the last page", arguments: [
        #"{"result":[{"debtorId":1}],"offset":"1"}"#, #"{"result":[{"debtorId":1}],"hasNext":null,"offset":"1"}"#,
    ])
    func missingHasNext(body: String) async throws {
        let server = try HTTPStubServer { _, _ in .json(200, body) }
        defer { server.stop() }
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        }
        #expect(error?.kind == .input && error?.message.contains("?offset=0: the answer has no `hasNext`") == true,
                "\(String(describing: error))")
    }

    @Test("a debtor an earlier page gave (overlapping pages) is read once, and said; pages of repeats alone count as empty")
    func overlappingPages() async throws {
        let server = try HTTPStubServer { request, _ in
            switch request.query("offset") {
            case "0": return Self.page([1, 2], hasNext: true, offset: "a")
            case "a": return Self.page([2, 3], hasNext: false, offset: "")
            default: return .json(400, #"{"errorMessage":"bad offset"}"#)
            }
        }
        defer { server.stop() }
        let notices = Mutex<[String]>([])
        let source = try MagiclineDebtorSource(configuration: configuration(server), notice: { line in notices.withLock { $0.append(line) } })
        let records = try await readAll(source)
        #expect(records.map { $0.fields["debtorId"] } == [.number("1"), .number("2"), .number("3")])
        #expect(records.map(\.provenance.record) == [1, 2, 3])
        let said = notices.withLock { $0 }
        #expect(said.count == 1 && said[0].contains("?offset=a: 1 debtor(s) given before, the same in every field (debtorId 2); each is read once"),
                "\(said)")

        // The same debtors under a new offset for ever: stopped as empty pages are.
        // (It ends after 30 pages, so that a pager that does not stop fails this test rather than hanging it.)
        let endless = try HTTPStubServer { request, _ in
            let offset = Int(request.query("offset") ?? "0") ?? 0
            return Self.page([1, 2], hasNext: offset < 30, offset: String(offset + 1))
        }
        defer { endless.stop() }
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(endless)))
        }
        #expect(error?.message.contains("10 empty pages in a row (no debtor not read before) still say hasNext") == true,
                "\(String(describing: error))")
        #expect(endless.requestCount == 11, "the first page, then ten of repeats")
    }

    @Test("a debtor over the record size limit (16 MiB of text) is an input error naming its page and place; one at the limit is read")
    func debtorOverTheRecordLimit() async throws {
        // {"debtorId":7,"note":"…"}: keys 8 + 4 bytes, values 1 + n bytes.
        @Sendable func page(noteBytes: Int) -> HTTPStubServer.Answer {
            let note = String(repeating: "x", count: noteBytes)
            return .json(200, #"{"result":[{"debtorId":1},{"debtorId":7,"note":"\#(note)"}],"hasNext":false,"offset":""}"#)
        }
        let fitting = try HTTPStubServer { _, _ in page(noteBytes: 100 - 13) }
        defer { fitting.stop() }
        var atLimit = configuration(fitting)
        atLimit.maxDebtorBytes = 100
        #expect(try await readAll(try MagiclineDebtorSource(configuration: atLimit)).count == 2)

        let server = try HTTPStubServer { _, _ in page(noteBytes: 100 - 12) }
        defer { server.stop() }
        var overLimit = configuration(server)
        overLimit.maxDebtorBytes = 100
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: overLimit))
        }
        #expect(error?.kind == .input && error?.message.contains(
            "?offset=0: result[1] (debtorId 7) holds 101 bytes of text, more than 100 (the record size limit)") == true,
                "\(String(describing: error))")

        // The default is the contract's 16 MiB.
        let large = try HTTPStubServer { _, _ in page(noteBytes: 16 << 20) }
        defer { large.stop() }
        let defaultError = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(large)))
        }
        #expect(defaultError?.message.contains("more than 16777216 (the record size limit)") == true, "\(String(describing: defaultError))")

        // One string over the JSON reader's 16 MiB token limit: the same answer would break it
        // again, so it is not asked again (it was retried 8 times as "not valid JSON").
        let overToken = try HTTPStubServer { _, _ in page(noteBytes: (16 << 20) + 1) }
        defer { overToken.stop() }
        let tokenError = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(overToken)))
        }
        #expect(tokenError?.message.contains("over a limit of the JSON reader") == true, "\(String(describing: tokenError))")
        #expect(overToken.requestCount == 1)
    }

    @Test("a page that echoes the key, even inside a debtor, is read with the key masked")
    func keyEchoedInPage() async throws {
        let server = try HTTPStubServer { _, _ in
            .json(200, #"{"result":[{"debtorId":1,"firstName":"\#(Self.apiKey)","note":"key=mgl-key-0123456789&x"}],"hasNext":false,"offset":""}"#)
        }
        defer { server.stop() }
        let notices = Mutex<[String]>([])
        let records = try await readAll(try MagiclineDebtorSource(configuration: configuration(server),
                                                                  notice: { line in notices.withLock { $0.append(line) } }))
        let stars = String(repeating: "*", count: Self.apiKey.count)
        #expect(records.first?.fields["firstName"] == .string(stars))
        #expect(records.first?.fields["note"] == .string("key=\(stars)&x"))
        #expect(notices.withLock { $0 }.first?.contains("?offset=0: the page echoes the API key (or the URL's password) in 2 place(s)") == true)
    }

    @Test("only a debtor given again whole is a repeat: an id of another JSON kind, other content, or no id is read")
    func repeatsAreWhole() async throws {
        let server = try HTTPStubServer { _, _ in
            .json(200, #"{"result":[{"debtorId":1,"a":1},{"debtorId":"1","a":1},{"debtorId":1,"a":2},{"debtorId":1,"a":1},"#
                       + #"{"debtorId":"","a":1},{"debtorId":"","a":1},{"a":1},{"a":1},{"debtorId":null,"a":1},{"debtorId":null,"a":1}],"#
                       + #""hasNext":false,"offset":""}"#)
        }
        defer { server.stop() }
        let notices = Mutex<[String]>([])
        let source = try MagiclineDebtorSource(configuration: configuration(server), notice: { line in notices.withLock { $0.append(line) } })
        let records = try await readAll(source)
        #expect(records.count == 9, "only the fourth, the first given again whole, is left out")
        #expect(records.map(\.provenance.record) == Array(1...9))
        #expect(notices.withLock { $0 } .count == 1)
        #expect(notices.withLock { $0 }.first?.contains("(debtorId 1)") == true, "\(notices.withLock { $0 })")
    }

    @Test("a repeat is the same content whatever the order of an object's members; a list's order counts")
    func repeatsIgnoreMemberOrder() async throws {
        let server = try HTTPStubServer { _, _ in
            .json(200, #"{"result":[{"debtorId":1,"a":1,"c":{"x":1,"y":[1,2]}},{"c":{"y":[1,2],"x":1},"a":1,"debtorId":1},"#
                       + #"{"debtorId":1,"a":1,"c":{"x":1,"y":[2,1]}},{"debtorId":1,"a":1,"c":{"x":1,"y":[1,2],"z":null}}],"#
                       + #""hasNext":false,"offset":""}"#)
        }
        defer { server.stop() }
        let records = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        #expect(records.count == 3, "only the second, the first with its keys in another order, is left out")
    }

    @Test("a page that gives result, hasNext or offset twice is an input error, not a choice of one (the first hasNext:false would end the pull early)",
          arguments: [#"{"result":[{"debtorId":1}],"hasNext":false,"offset":"1","hasNext":true}"#,
                      #"{"result":[{"debtorId":1}],"hasNext":false,"result":[]}"#,
                      #"{"result":[{"debtorId":1}],"hasNext":true,"offset":"1","offset":"2"}"#])
    func keysGivenTwice(page: String) async throws {
        let server = try HTTPStubServer { _, _ in .json(200, page) }
        defer { server.stop() }
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        }
        #expect(error?.kind == .input && error?.message.contains("times; stopping rather than choosing one") == true, "\(String(describing: error))")
    }

    @Test("the key is masked only inside a string: never in a number, never across two fields side by side")
    func keyMaskedInsideStringsOnly() async throws {
        let server = try HTTPStubServer { _, _ in
            .json(200, #"{"result":[{"debtorId":123456789,"firstName":"678xyz","lastName":"x12345","note":"a12345678b"}],"hasNext":false,"offset":""}"#)
        }
        defer { server.stop() }
        var config = configuration(server)
        config.apiKey = "12345678"
        let notices = Mutex<[String]>([])
        let records = try await readAll(try MagiclineDebtorSource(configuration: config, notice: { line in notices.withLock { $0.append(line) } }))
        #expect(records.first?.fields["debtorId"] == .number("123456789"))
        #expect(records.first?.fields["firstName"] == .string("678xyz"))
        #expect(records.first?.fields["lastName"] == .string("x12345"))
        #expect(records.first?.fields["note"] == .string("a********b"))
        #expect(notices.withLock { $0 }.first?.contains("in 1 place(s)") == true, "\(notices.withLock { $0 })")
    }

    @Test("a page of many debtors is handed on in chunks of at most debtorsPerChunk, numbered on across them")
    func bigPageInChunks() async throws {
        let server = try HTTPStubServer { _, _ in Self.page(Array(1...1_200), hasNext: false, offset: "") }
        defer { server.stop() }
        let source = try MagiclineDebtorSource(configuration: configuration(server))
        var sizes: [Int] = []
        var numbers: [Int] = []
        while let chunk = try await source.nextChunk() {
            sizes.append(chunk.elements.count)
            numbers += chunk.elements.map(\.provenance.record)
        }
        #expect(MagiclineDebtorSource.debtorsPerChunk == 500)
        #expect(sizes == [500, 500, 200])
        #expect(numbers == Array(1...1_200))
    }

    @Test("the API's message is shown on one line of at most 300 characters: control characters escaped, never the key")
    func hostileMessage() async throws {
        let message = "\u{1B}[31mforged\r\nerror: all good \(Self.apiKey) " + String(repeating: "x", count: 5_000)
        let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\r\n", with: "\\r\\n")
            .replacingOccurrences(of: "\u{1B}", with: "\\u001b")
        let server = try HTTPStubServer { _, _ in .json(404, #"{"errorMessage":"\#(escaped)","errorCode":"E"}"#) }
        defer { server.stop() }
        let error = await #expect(throws: DebtflowError.self) {
            _ = try await readAll(try MagiclineDebtorSource(configuration: configuration(server)))
        }
        let text = error?.description ?? ""
        #expect(!text.contains("\n") && !text.contains("\r") && !text.contains("\r\n") && !text.contains("\u{1B}"), "\(text)")
        #expect(text.contains("\\u{1b}[31mforged\\u{d}\\u{a}error: all good ***"), "\(text)")
        #expect(!text.contains(Self.apiKey) && text.count < 600, "\(text.count) characters")
        #expect(text.contains("… (errorCode E)"), "the code follows the cut message: \(text)")
    }

    @Test("refuses plain http to a remote host as a configuration error")
    func urlPolicy() {
        let configuration = MagiclineSourceConfiguration(baseURL: "http://tenant.open-api.magicline.com/v1", runID: "1", apiKey: "k")
        #expect(throws: DebtflowError.self) { try MagiclineDebtorSource(configuration: configuration) }
        #expect(MagiclineSourceConfiguration(baseURL: "https://t.example/v1/", runID: "7 b", apiKey: "k").debtorsURL
                == "https://t.example/v1/debt-collection/7%20b/debtors")
    }
}
