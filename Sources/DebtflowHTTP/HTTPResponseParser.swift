/// Reads an HTTP/1.1 answer from the bytes of a connection, fed as they arrive, whatever their
/// split: the status line and header fields, then a body framed by `Content-Length`, by
/// `Transfer-Encoding: chunked`, or by the end of the connection. Interim `1xx` answers
/// (`100 Continue`) are skipped.
///
/// Bounded: the header block may hold at most ``maxHeaderBytes``, the body at most the limit
/// given; past either the answer is refused (the caller treats it as ambiguous, since the request
/// was sent). Anything that does not start like `HTTP/1.x NNN` is "not HTTP", and so is a 2xx
/// body in a content coding (``refusedCoding(_:)``): requests ask for none. Another status keeps
/// its meaning, its coded body left out (``answer(status:headers:body:)``).
struct HTTPResponseParser {
    /// Why the bytes are not an acceptable answer.
    enum Failure: Error, Equatable {
        /// Not an HTTP/1.x answer (garbage, or a malformed header block or chunk framing).
        case notHTTP(String)
        /// The body passed the limit.
        case tooLarge
    }

    /// The most bytes the status line and header fields may take.
    static let maxHeaderBytes = 64 * 1024

    private enum Framing {
        case length(Int)
        case chunked
        case untilClose
    }

    private enum ChunkState {
        case size
        case data(remaining: Int)
        case dataEnd
        case trailer
    }

    let maxBodyBytes: Int
    private var pending: [UInt8] = []
    private var status: Int?
    private var headers: [String: String] = [:]
    private var framing: Framing?
    private var body: [UInt8] = []
    private var chunkState = ChunkState.size
    private(set) var complete: HTTPResponse?

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// True once any byte arrived.
    private(set) var receivedAnything = false

    /// Takes the next bytes of the connection.
    /// - Returns: the answer once it is complete (later bytes are ignored).
    mutating func feed(_ bytes: ArraySlice<UInt8>) throws(Failure) -> HTTPResponse? {
        if let complete { return complete }
        if !bytes.isEmpty { receivedAnything = true }
        if framing == nil {
            pending.append(contentsOf: bytes)
            try readHead()
            guard framing != nil else { return nil }
            let rest = pending
            pending = []
            try readBody(rest[...])
        } else {
            try readBody(bytes)
        }
        return complete
    }

    /// The answer when the connection ended: complete only when its body runs to the end of the
    /// connection (no `Content-Length`, not chunked); `nil` when it was cut short.
    mutating func finishAtEndOfStream() -> HTTPResponse? {
        if let complete { return complete }
        guard let status, case .untilClose? = framing else { return nil }
        complete = Self.answer(status: status, headers: headers, body: body)
        return complete
    }

    // MARK: - Head

    private mutating func readHead() throws(Failure) {
        while framing == nil {
            try checkLooksLikeHTTP()
            guard let end = Self.find([13, 10, 13, 10], in: pending) else {
                if pending.count > Self.maxHeaderBytes {
                    throw .notHTTP("the answer's header block is larger than \(Self.maxHeaderBytes / 1024) KiB")
                }
                return
            }
            guard end <= Self.maxHeaderBytes else {
                throw .notHTTP("the answer's header block is larger than \(Self.maxHeaderBytes / 1024) KiB")
            }
            let head = String(decoding: pending[0..<end], as: UTF8.self)
            pending.removeFirst(end + 4)
            var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
            let statusLine = lines.removeFirst()
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3,
                  let code = Int(parts[1]), (100...599).contains(code) else {
                throw .notHTTP("the answer does not start with an HTTP status line")
            }
            var fields: [String: String] = [:]
            for line in lines where !line.isEmpty {
                guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                    throw .notHTTP("the answer has a malformed header field")
                }
                let name = String(line[..<colon])
                let value = String(line[line.index(after: colon)...]).trimmingSpaces
                if let earlier = fields[name] { fields[name] = earlier + ", " + value } else { fields[name] = value }
            }
            if code < 200 { continue } // 100 Continue and other interim answers
            status = code
            headers = fields
            framing = try Self.framing(status: code, headers: fields, maxBodyBytes: maxBodyBytes)
        }
    }

    /// Fails as soon as the first bytes cannot begin `HTTP/1.`.
    private func checkLooksLikeHTTP() throws(Failure) {
        let prefix = Array("HTTP/1.".utf8)
        let count = min(prefix.count, pending.count)
        guard pending[0..<count].elementsEqual(prefix[0..<count]) else {
            throw .notHTTP("the answer is not HTTP")
        }
    }

    /// Why an answer whose `Content-Encoding` is `value` is not read, or `nil` for none or
    /// `identity`. Every request says `Accept-Encoding: identity`: a compressed body was not asked
    /// for, and inflating it could turn a few MiB on the wire into GiBs in memory.
    static func refusedCoding(_ value: String?) -> String? {
        guard isCoded(value) else { return nil }
        return "the answer is compressed (Content-Encoding: \(String((value ?? "").trimmingSpaces.prefix(40)))) although "
            + "the request asked for none (Accept-Encoding: identity); not read"
    }

    /// Whether a `Content-Encoding` of `value` names a coding (not none, not `identity`).
    static func isCoded(_ value: String?) -> Bool {
        guard let value else { return false }
        let coding = value.trimmingSpaces.lowercased()
        return !coding.isEmpty && coding != "identity"
    }

    /// The answer as handed on: a status other than 2xx whose body is in a content coding keeps
    /// its status and headers (a 503 is retried, a 401 refreshes the token, a 3xx names its
    /// host), without the body, which debtflow does not read in that form.
    static func answer(status: Int, headers: [String: String], body: [UInt8]) -> HTTPResponse {
        guard !(200..<300).contains(status),
              isCoded(headers.first(where: { $0.key.lowercased() == "content-encoding" })?.value) else {
            return HTTPResponse(status: status, headers: headers, body: body)
        }
        return HTTPResponse(status: status, headers: headers, body: [])
    }

    private static func framing(status: Int, headers: [String: String], maxBodyBytes: Int) throws(Failure) -> Framing {
        if status == 204 || status == 304 { return .length(0) }
        let lowercased = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        if (200..<300).contains(status), let refused = refusedCoding(lowercased["content-encoding"]) { throw .notHTTP(refused) }
        if let coding = lowercased["transfer-encoding"], coding.lowercased().contains("chunked") { return .chunked }
        if let text = lowercased["content-length"] {
            let values = Set(text.split(separator: ",").map { String($0).trimmingSpaces })
            guard values.count == 1, let value = values.first, let length = Int(value), length >= 0 else {
                throw .notHTTP("the answer has an invalid Content-Length")
            }
            guard length <= maxBodyBytes else { throw .tooLarge }
            return .length(length)
        }
        return .untilClose
    }

    // MARK: - Body

    private mutating func readBody(_ bytes: ArraySlice<UInt8>) throws(Failure) {
        guard let framing, let status else { return }
        switch framing {
        case .length(let length):
            body.append(contentsOf: bytes.prefix(length - body.count))
            if body.count == length { complete = Self.answer(status: status, headers: headers, body: body) }
        case .untilClose:
            guard body.count + bytes.count <= maxBodyBytes else { throw .tooLarge }
            body.append(contentsOf: bytes)
        case .chunked:
            try readChunks(bytes)
        }
    }

    private mutating func readChunks(_ bytes: ArraySlice<UInt8>) throws(Failure) {
        var input = bytes
        while complete == nil && !input.isEmpty {
            switch chunkState {
            case .size, .dataEnd, .trailer:
                guard let newline = input.firstIndex(of: 10) else {
                    pending.append(contentsOf: input)
                    if pending.count > 4096 { throw .notHTTP("the answer's chunked framing is malformed") }
                    return
                }
                pending.append(contentsOf: input[input.startIndex..<newline])
                input = input[(newline + 1)...]
                var line = pending
                pending = []
                if line.last == 13 { line.removeLast() }
                try takeChunkLine(line)
            case .data(let remaining):
                let take = min(remaining, input.count)
                guard body.count + take <= maxBodyBytes else { throw .tooLarge }
                body.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                chunkState = remaining - take == 0 ? .dataEnd : .data(remaining: remaining - take)
            }
        }
    }

    private mutating func takeChunkLine(_ line: [UInt8]) throws(Failure) {
        switch chunkState {
        case .size:
            let sizeText = String(decoding: line.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self).trimmingSpaces
            guard !sizeText.isEmpty, sizeText.count <= 15, let size = Int(sizeText, radix: 16), size >= 0 else {
                throw .notHTTP("the answer's chunked framing is malformed")
            }
            if size == 0 {
                chunkState = .trailer
            } else {
                guard body.count + size <= maxBodyBytes else { throw .tooLarge }
                chunkState = .data(remaining: size)
            }
        case .dataEnd:
            guard line.isEmpty else { throw .notHTTP("the answer's chunked framing is malformed") }
            chunkState = .size
        case .trailer:
            if line.isEmpty, let status { complete = Self.answer(status: status, headers: headers, body: body) }
        case .data:
            break
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
