import DebtflowCore
import DebtflowJSON
import DebtflowHTTP
import FoundationEssentials

/// Reads debtors from Sportalliance's paged API (CONTRACT.md §5, Pull):
/// `GET {base_url}/debt-collection/{run_id}/debtors?offset={o}&sliceSize={n}` with `X-API-KEY`.
///
/// Behaviour:
/// - Starts at offset `0`, then sends the answer's `offset` back verbatim while `hasNext`; an
///   offset that comes back a second time is an input error (the pager would loop), and so are
///   ``maxConsecutiveEmptyPages`` empty pages in a row that still say `hasNext` (naming the last
///   offsets).
/// - Redirects are never followed (the key would go to another host): a 3xx is an input error
///   naming the `Location`'s host. A page body over 64 MiB is an input error.
/// - Cancelling the reading task (the run is interrupted) ends a page request at once.
/// - One chunk per page of the answer's `result` array (empty pages are skipped); records are
///   numbered 1, 2, … across pages, and their provenance source is the debtors URL (without
///   the key, which travels in a header).
/// - A 429 waits `rate_limit_wait_s` (or the answer's `Retry-After` when longer) and asks again;
///   5xx, time-outs and unsent requests back off and ask again (GET is safe to repeat), up to
///   `max_retries` per page.
/// - Other statuses are input errors (exit 3) showing the API's `errorMessage`, `errorCode` and
///   `traceId`: a refused key (401/403) means the input cannot be read.
/// - Numbers keep their exact text (the answer is parsed by ``JSONDocument/parseTape(_:name:limits:)``
///   onto one ``RecordTape`` per page; each debtor is a view of its `result` element).
///
/// Buffers one page. Owned by one task.
public final class MagiclineDebtorSource: RecordSource {
    public let name: String
    public var totalBytes: Int64? { nil }
    /// Empty pages in a row that still say `hasNext` before the pager gives up (input error).
    public static let maxConsecutiveEmptyPages = 10

    private let configuration: MagiclineSourceConfiguration
    private let client: HTTPClient
    private var nextOffset: String? = "0"
    private var seenOffsets: Set<String> = []
    private var recordCount = 0
    private var pageCount = 0
    private var bytesReceived: Int64 = 0
    /// The offsets asked for since the last page that held debtors.
    private var emptyRun: [String] = []

    /// - Parameters:
    ///   - configuration: the read options.
    ///   - client: the HTTP client (defaults to one with the configured time-out).
    ///   - notice: told of a wait of `announcedWait` seconds or longer before a page is asked again
    ///     (a 429's, a retry's); by default ``ServerRequestedWait/announcedSeconds``, as the push.
    /// - Throws: ``DebtflowError`` `.configuration` for a URL the policy refuses or a bad option.
    public init(configuration: MagiclineSourceConfiguration, client: HTTPClient? = nil,
                notice: @escaping @Sendable (String) -> Void = { _ in }, announcedWait: Double = ServerRequestedWait.announcedSeconds) throws(DebtflowError) {
        try configuration.validate()
        self.configuration = configuration
        self.notice = notice
        self.announcedWait = announcedWait
        self.client = client ?? HTTPClient(timeoutSeconds: configuration.timeoutSeconds)
        self.name = Redaction.url(configuration.debtorsURL)
        self.requestBase = configuration.debtorsURL
    }

    /// The debtors URL as sent (with any user info the config gives).
    private let requestBase: String
    private let notice: @Sendable (String) -> Void
    /// A wait this long or longer (seconds) is said before it starts.
    private let announcedWait: Double

    /// The next page of debtors, or `nil` after the last.
    /// - Throws: ``DebtflowError`` `.input` (exit 3) when the API refuses, stays unavailable, or
    ///   answers something that is not a debtors page.
    public func nextChunk() async throws -> Chunk<Record>? {
        while let offset = nextOffset {
            let page = try await fetchPage(offset: offset)
            seenOffsets.insert(offset)
            pageCount += 1
            if page.hasNext {
                guard let following = page.offset else {
                    throw DebtflowError.input("\(name): page \(pageCount) says hasNext but gives no offset")
                }
                guard !seenOffsets.contains(following) else {
                    throw DebtflowError.input("\(name): the API sent offset \(following) a second time (page \(pageCount)); stopping rather than reading the same debtors again")
                }
                nextOffset = following
            } else {
                nextOffset = nil
            }
            guard !page.debtors.isEmpty else {
                emptyRun.append(offset)
                if page.hasNext && emptyRun.count >= Self.maxConsecutiveEmptyPages {
                    let last = emptyRun.suffix(3).joined(separator: ", ")
                    throw DebtflowError.input(
                        "\(name): \(emptyRun.count) empty pages in a row still say hasNext (last offsets asked: \(last); next: "
                        + "\(nextOffset ?? "none")); stopping rather than paging forever")
                }
                continue
            }
            emptyRun = []
            var records: [Record] = []
            records.reserveCapacity(page.debtors.count)
            for debtor in page.debtors {
                recordCount += 1
                records.append(Record(provenance: Provenance(source: name, record: recordCount), view: debtor))
            }
            return Chunk(records, inputBytesConsumed: bytesReceived)
        }
        return nil
    }

    /// Asks for the first debtor only, to prove the API is reachable and takes the key
    /// (`debtflow check`). Reads nothing for the run.
    /// - Throws: ``DebtflowError`` `.input` as ``nextChunk()`` does.
    public func probe() async throws {
        _ = try await fetchPage(offset: "0", sliceSize: 1)
    }

    private struct Page {
        /// The page's debtors: views of the `result` elements on the page's one tape.
        var debtors: [RecordView]
        var hasNext: Bool
        var offset: String?
    }

    private func pageURL(offset: String, sliceSize: Int) -> URL? {
        URL(string: "\(requestBase)?offset=\(MagiclineSourceConfiguration.percentEncode(offset))&sliceSize=\(sliceSize)")
    }

    private func fetchPage(offset: String, sliceSize: Int? = nil) async throws(DebtflowError) -> Page {
        guard let url = pageURL(offset: offset, sliceSize: sliceSize ?? configuration.sliceSize) else { throw .input("\(name): cannot form the URL for offset \(offset)") }
        let request = HTTPRequest(method: "GET", url: url, headers: [
            ("X-API-KEY", configuration.apiKey), ("Accept", "application/json"),
        ])
        let at = "\(name)?offset=\(offset)"
        var retries = 0
        while true {
            let problem: String
            var wait: Double
            do {
                let response = try await client.send(request)
                bytesReceived += Int64(response.body.count)
                switch response.status {
                case 200..<300:
                    return try parsePage(response.body, at: at)
                case 300..<400:
                    throw DebtflowError.input("\(at): \(response.redirectDescription); the API key was not sent there. "
                                              + "Set `base_url` to the address the API really answers on")
                case 429:
                    problem = "HTTP 429 (rate limit)"
                    // The server's own wait, read safely (`inf`, `1e19`) and at most an hour.
                    let asked = response.header("Retry-After").flatMap(ServerRequestedWait.askedSeconds) ?? 0
                    wait = max(configuration.rateLimitWaitSeconds, ServerRequestedWait.clamped(asked))
                case 500...599:
                    problem = "HTTP \(response.status)" + apiError(response).map { ": \($0)" }.orEmpty
                    wait = configuration.backoff.delay(forRetry: retries + 1)
                case 401, 403:
                    throw DebtflowError.input(
                        "\(at): HTTP \(response.status): the API refused the key; check api_key and its DEBT_COLLECTION_READ scope",
                        cause: apiError(response))
                default:
                    throw DebtflowError.input("\(at): HTTP \(response.status)", cause: apiError(response))
                }
            } catch let error as HTTPClientError {
                switch error {
                case .cancelled: throw DebtflowError.interrupted
                case .answerTooLarge: throw DebtflowError.input("\(at): \(error.message); not a debtors page this pager reads")
                default: break
                }
                problem = error.message
                wait = configuration.backoff.delay(forRetry: retries + 1)
            } catch let error as DebtflowError {
                throw error
            } catch {
                throw .input("\(at): \(error)")
            }
            retries += 1
            if retries > configuration.maxRetries {
                throw .input("\(at): the API stayed unavailable after \(configuration.maxRetries) retries",
                             cause: scrub(problem))
            }
            if wait >= announcedWait {
                notice("\(at): \(scrub(problem)); waiting \(ServerRequestedWait.describe(wait)) before asking again "
                       + "(retry \(retries) of \(configuration.maxRetries))")
            }
            await RetryBackoff.sleep(seconds: wait)
            if Task.isCancelled { throw .interrupted }
        }
    }

    private func parsePage(_ body: [UInt8], at: String) throws(DebtflowError) -> Page {
        let root: RecordView
        do {
            // The whole page on one tape: the debtors are views of it, no tree per debtor.
            root = try JSONDocument.parseTape(body, name: "the answer")
        } catch {
            throw .input("\(at): the answer is not valid JSON", cause: String(describing: error))
        }
        guard root.kind == .object, let result = root["result"], result.kind == .array else {
            throw .input("\(at): the answer has no `result` array")
        }
        var debtors: [RecordView] = []
        debtors.reserveCapacity(result.count)
        for (index, element) in result.children.enumerated() {
            guard element.kind == .object else {
                throw .input("\(at): result[\(index)] is not an object")
            }
            debtors.append(element)
        }
        let hasNext: Bool
        switch root["hasNext"]?.kind {
        case .true?: hasNext = true
        case .false?, nil, .null?: hasNext = false
        default: throw .input("\(at): `hasNext` is not a boolean")
        }
        return Page(debtors: debtors, hasNext: hasNext, offset: root["offset"]?.scalarText)
    }

    /// `errorMessage (errorCode, traceId …)` from an error body, else the body's start.
    private func apiError(_ response: HTTPResponse) -> String? {
        if let root = try? JSONDocument.parse(response.body, name: "the error answer",
                                              selecting: .members(["errorMessage": .bounded(1), "errorCode": .bounded(1), "traceId": .bounded(1)])),
           let object = root.objectValue,
           let message = object["errorMessage"]?.scalarText {
            var details: [String] = []
            if let code = object["errorCode"]?.scalarText { details.append("errorCode \(code)") }
            if let trace = object["traceId"]?.scalarText { details.append("traceId \(trace)") }
            return scrub(message + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))"))
        }
        let text = response.bodyText(limit: 300, scrubbing: [configuration.apiKey] + Redaction.urlPasswords(configuration.baseURL))
        return text.isEmpty ? nil : scrub(text)
    }

    private func scrub(_ text: String) -> String {
        Redaction.scrub(text, secrets: [configuration.apiKey] + Redaction.urlPasswords(configuration.baseURL))
    }
}

extension Optional where Wrapped == String {
    fileprivate var orEmpty: String { self ?? "" }
}
