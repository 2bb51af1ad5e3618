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
/// - A page's `result` array is handed on in chunks of at most ``debtorsPerChunk`` debtors (empty
///   pages are skipped), so a page of millions of tiny debtors does not become one chunk; records
///   are numbered 1, 2, … across pages, and their provenance source is the debtors URL (without
///   the key, which travels in a header).
/// - A debtor with more than `maxDebtorBytes` (16 MiB) of text is an input error naming it: the
///   record size limit of every reader.
/// - A page without `hasNext` (the API always gives it) is an input error, not the last page.
/// - A debtor given again whole (the same `debtorId`, of the same JSON kind, and the same content:
///   pages that overlap) is read once: the repeat is left out and said on stderr. A page that
///   gives only repeats counts as empty. Two debtors under one id that differ are both read.
/// - A 429 waits `rate_limit_wait_s` (or the answer's `Retry-After` when longer) and asks again;
///   5xx, time-outs, unsent requests and a 2xx body that is not whole JSON (a connection closed
///   mid-page) back off and ask again (GET is safe to repeat), up to `max_retries` per page.
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
    /// The most debtors one chunk holds.
    public static let debtorsPerChunk = 500

    private let configuration: MagiclineSourceConfiguration
    private let client: HTTPClient
    private var nextOffset: String? = "0"
    private var seenOffsets: Set<String> = []
    private var recordCount = 0
    private var pageCount = 0
    private var bytesReceived: Int64 = 0
    /// The offsets asked for since the last page that held debtors.
    private var emptyRun: [String] = []
    /// The debtors of the last page not handed on yet.
    private var pending: RecordView.Children.Iterator?
    /// The offset `pending`'s page was asked with, and whether it gave any debtor not read before.
    private var pendingOffset = ""
    private var pendingGaveDebtors = false
    /// The debtors read so far, by id and content: one given again whole (overlapping pages) is
    /// not read twice.
    private var debtorsRead = Set<DebtorIdentity>()

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
        while true {
            if pending != nil {
                if let chunk = nextChunkOfPendingDebtors() { return chunk }
                try endPendingPage()
            }
            guard let offset = nextOffset else { return nil }
            let page = try await fetchPage(offset: offset)
            seenOffsets.insert(offset)
            pageCount += 1
            let at = "page \(pageCount) (offset \(offset))"
            if page.hasNext {
                guard let following = page.offset else {
                    throw DebtflowError.input("\(name): \(at) says hasNext but gives no offset")
                }
                guard !seenOffsets.contains(following) else {
                    throw DebtflowError.input("\(name): \(at) sends offset \(following) back, which was asked before; "
                                              + "stopping rather than reading the same debtors again")
                }
                nextOffset = following
            } else {
                nextOffset = nil
            }
            pending = page.debtors.makeIterator()
            pendingOffset = offset
            pendingGaveDebtors = false
        }
    }

    /// Up to ``debtorsPerChunk`` debtors of the page being handed on, leaving out those given
    /// before, whole; `nil` when the page has none left.
    private func nextChunkOfPendingDebtors() -> Chunk<Record>? {
        guard var iterator = pending else { return nil }
        var records: [Record] = []
        var repeats = 0
        var shownRepeats: [String] = []
        while records.count < Self.debtorsPerChunk, let debtor = iterator.next() {
            if let identity = DebtorIdentity(debtor), !debtorsRead.insert(identity).inserted {
                repeats += 1
                if shownRepeats.count < 3 { shownRepeats.append(DebtorIdentity.shownID(of: debtor)) }
                continue
            }
            recordCount += 1
            records.append(Record(provenance: Provenance(source: name, record: recordCount), view: debtor))
        }
        pending = iterator
        if repeats > 0 {
            notice("\(name)?offset=\(pendingOffset): \(repeats) debtor(s) given before, the same in every field "
                   + "(debtorId \(shownRepeats.joined(separator: ", "))\(repeats > 3 ? ", …" : "")); each is read once")
        }
        guard !records.isEmpty else { return nil }
        pendingGaveDebtors = true
        return Chunk(records, inputBytesConsumed: bytesReceived)
    }

    /// Closes the page handed on: a page that gave no debtor (empty, or only repeats) is one
    /// more empty page in a row.
    /// - Throws: `.input` after ``maxConsecutiveEmptyPages`` such pages that still say `hasNext`.
    private func endPendingPage() throws(DebtflowError) {
        pending = nil
        guard !pendingGaveDebtors else {
            emptyRun = []
            return
        }
        emptyRun.append(pendingOffset)
        if nextOffset != nil && emptyRun.count >= Self.maxConsecutiveEmptyPages {
            let last = emptyRun.suffix(3).joined(separator: ", ")
            throw .input("\(name): \(emptyRun.count) empty pages in a row (no debtor not read before) still say hasNext "
                         + "(last offsets asked: \(last); next: \(nextOffset ?? "none")); stopping rather than paging forever")
        }
    }

    /// Asks for the first page as the run will (the configured `slice_size`: an API that refuses
    /// the size refuses it here too), to prove the API is reachable, takes the key and answers a
    /// debtors page (`debtflow check`). Reads nothing for the run.
    /// - Throws: ``DebtflowError`` `.input` as ``nextChunk()`` does.
    public func probe() async throws {
        _ = try await fetchPage(offset: "0")
    }

    private struct Page {
        /// The page's debtors: the `result` elements on the page's one tape.
        var debtors: RecordView.Children
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
            // The last try's page was not whole JSON (said so when the retries run out).
            var cutShort = false
            var wait: Double
            do {
                let response = try await client.send(request)
                bytesReceived += Int64(response.body.count)
                switch response.status {
                case 200..<300:
                    // A body that is not whole JSON is most often a page cut short (a connection
                    // closed before the end, with no Content-Length to tell): asked again.
                    let root: RecordView
                    do {
                        root = try JSONDocument.parseTape(response.body, name: "the answer")
                    } catch {
                        let why = (error as? DebtflowError)?.description ?? "\(error)"
                        // Over a size limit, the same answer would break it again: not asked again.
                        if let error = error as? DebtflowError, JSONTokenizer.isSizeLimit(error) {
                            throw DebtflowError.input("\(at): the answer is over a limit of the JSON reader "
                                                      + "(\(MessageExcerpt.value(why, limit: 300))); not a page this pager reads")
                        }
                        problem = "the answer is not valid JSON (\(MessageExcerpt.value(why, limit: 300)))"
                        wait = configuration.backoff.delay(forRetry: retries + 1)
                        cutShort = true
                        break
                    }
                    return try parsePage(maskingSecrets(in: root, at: at), at: at)
                case 300..<400:
                    throw DebtflowError.input("\(at): \(response.redirectDescription); the API key was not sent there. "
                                              + "Set `base_url` to the address the API really answers on")
                case 429:
                    problem = "HTTP 429 (rate limit)" + apiError(response).map { ": \($0)" }.orEmpty
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
                if cutShort {
                    throw .input("\(at): \(problem), \(configuration.maxRetries + 1) times in a row")
                }
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

    /// The page whose answer parsed to `root` (the whole page on one tape: the debtors are views
    /// of it, no tree per debtor).
    private func parsePage(_ root: RecordView, at: String) throws(DebtflowError) -> Page {
        guard root.kind == .object, let result = root["result"], result.kind == .array else {
            throw .input("\(at): the answer has no `result` array")
        }
        // A key given twice (`"hasNext":false,…,"hasNext":true`) is not chosen between: taking the
        // first could end the pull early, silently.
        for name in ["result", "hasNext", "offset"] {
            let count = root.children.reduce(0) { count, member in count + (member.withKeyBytes { $0.elementsEqual(name.utf8) } ? 1 : 0) }
            if count > 1 {
                throw .input("\(at): the answer gives `\(name)` \(count) times; stopping rather than choosing one")
            }
        }
        for (index, element) in result.children.enumerated() {
            guard element.kind == .object else { throw .input("\(at): result[\(index)] is not an object") }
            let size = Self.textBytes(of: element)
            if size > configuration.maxDebtorBytes {
                throw .input("\(at): result[\(index)] (debtorId \(DebtorIdentity.shownID(of: element))) holds \(size) bytes of text, "
                             + "more than \(configuration.maxDebtorBytes) (the record size limit); not a debtor this pager reads")
            }
        }
        let hasNext: Bool
        switch root["hasNext"]?.kind {
        case .true?: hasNext = true
        case .false?: hasNext = false
        case nil, .null?:
            throw .input("\(at): the answer has no `hasNext` (the API gives it on every page); stopping rather than "
                         + "taking this page for the last")
        default: throw .input("\(at): `hasNext` is not a boolean")
        }
        return Page(debtors: result.children, hasNext: hasNext, offset: root["offset"]?.scalarText)
    }

    /// The bytes of a debtor's text: every key and scalar value of its subtree, as read.
    static func textBytes(of element: RecordView) -> Int {
        let nodes = element.tape.nodes
        var total = 0
        for position in element.index..<max(Int(nodes[element.index].end), element.index + 1) {
            let node = nodes[position]
            total += Int(node.key.length)
            if node.kind == .string || node.kind == .number { total += Int(node.value.length) }
        }
        return total
    }

    /// `errorMessage (errorCode, traceId …)` from an error body, else the body's start.
    private func apiError(_ response: HTTPResponse) -> String? {
        if let root = try? JSONDocument.parse(response.body, name: "the error answer",
                                              selecting: .members(["errorMessage": .bounded(1), "errorCode": .bounded(1), "traceId": .bounded(1)])),
           let object = root.objectValue,
           let message = object["errorMessage"]?.scalarText {
            // One line, whatever the server sent: the message cut at 300 characters, code and
            // trace id at 64.
            var details: [String] = []
            if let code = object["errorCode"]?.scalarText {
                details.append("errorCode \(Redaction.serverText(code, secrets: secrets, limit: MessageExcerpt.valueLimit))")
            }
            if let trace = object["traceId"]?.scalarText {
                details.append("traceId \(Redaction.serverText(trace, secrets: secrets, limit: MessageExcerpt.valueLimit))")
            }
            return Redaction.serverText(message, secrets: secrets) + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))")
        }
        // (`bodyText` masks the secrets already.)
        let text = response.bodyText(limit: 300, scrubbing: secrets)
        return text.isEmpty ? nil : MessageExcerpt.value(text, limit: 300)
    }

    private func scrub(_ text: String) -> String {
        Redaction.scrub(text, secrets: secrets)
    }

    /// `root` with the API key (and a `base_url` password) masked wherever a string of the page
    /// echoes it, a debtor's field included (as many `*`, inside that string only: the page's
    /// shape and its other values are untouched), and said on stderr: what the page gives reaches
    /// no output with the key in it. Numbers and member names are left as they are.
    private func maskingSecrets(in root: RecordView, at: String) -> RecordView {
        guard !secretMask.isEmpty else { return root }
        var bytes = Array(root.tape.bytes)
        var masked = 0
        for node in root.tape.nodes where node.kind == .string {
            masked += secretMask.apply(to: &bytes, in: Int(node.value.offset)..<node.value.end)
        }
        guard masked > 0 else { return root }
        notice("\(at): the page echoes the API key (or the URL's password) in \(masked) place(s); masked there before it is read")
        return RecordView(tape: RecordTape(bytes: bytes, nodes: Array(root.tape.nodes)), index: root.index)
    }

    /// The API key and any password in `base_url`.
    private var secrets: [String] { [configuration.apiKey] + Redaction.urlPasswords(configuration.baseURL) }
    /// The secrets as they are masked inside a page's strings.
    private lazy var secretMask = Redaction.SecretMask(secrets: secrets)
}

extension Optional where Wrapped == String {
    fileprivate var orEmpty: String { self ?? "" }
}

/// A debtor as the pager tells repeats apart: its `debtorId` (text and JSON kind: `"1"` is not
/// `1`) and its whole content, each kept as a 64-bit fingerprint (16 bytes a debtor). Debtors
/// without a non-empty id are never taken for repeats. For two different debtors to be taken for
/// one, both fingerprints would have to collide (a chance of about n²/2¹²⁹ in n debtors).
struct DebtorIdentity: Hashable {
    let id: UInt64
    let content: UInt64

    init?(_ debtor: RecordView) {
        guard let idView = debtor["debtorId"], idView.kind == .string || idView.kind == .number,
              let id = idView.scalarText, !id.isEmpty else { return nil }
        var idHasher = Hasher()
        idHasher.combine(idView.kind.rawValue)
        idHasher.combine(id)
        self.id = UInt64(truncatingIfNeeded: idHasher.finalize())
        // Its content whatever the order of an object's members (a page that repeats a debtor
        // may write its keys in another order); the order of a list's elements counts.
        let tape = debtor.tape
        content = tape.nodes.withUnsafeBufferPointer { nodes in
            tape.bytes.withUnsafeBufferPointer { bytes in Self.contentHash(at: debtor.index, nodes: nodes, bytes: bytes) }
        }
    }

    /// A value's fingerprint: its kind and text; a list's elements in order; an object's members
    /// (each its key and its value's fingerprint) as a set, added up.
    private static func contentHash(at index: Int, nodes: UnsafeBufferPointer<RecordNode>, bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let node = nodes[index]
        var hasher = Hasher()
        hasher.combine(node.kind.rawValue)
        switch node.kind {
        case .string, .number:
            hasher.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[Int(node.value.offset)..<node.value.end])))
        case .true, .false, .null:
            break
        case .array, .object:
            var members: UInt64 = 0
            var count = 0
            var child = index + 1
            while child < Int(node.end) {
                let value = contentHash(at: child, nodes: nodes, bytes: bytes)
                if node.kind == .array {
                    hasher.combine(value)
                } else {
                    var member = Hasher()
                    let key = nodes[child].key
                    member.combine(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[Int(key.offset)..<key.end])))
                    member.combine(value)
                    members &+= UInt64(truncatingIfNeeded: member.finalize())
                }
                count += 1
                child = max(Int(nodes[child].end), child + 1)
            }
            hasher.combine(members)
            hasher.combine(count)
        }
        return UInt64(truncatingIfNeeded: hasher.finalize())
    }

    /// A debtor's id as a message shows it (`7`, `"7"`).
    static func shownID(of debtor: RecordView) -> String {
        guard let idView = debtor["debtorId"], let id = idView.scalarText else { return "" }
        return idView.kind == .number ? MessageExcerpt.value(id) : MessageExcerpt.quoted(id)
    }
}
