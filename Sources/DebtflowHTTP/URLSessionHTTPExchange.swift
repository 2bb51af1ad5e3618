import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One request and its answer through a fresh ephemeral `URLSession`: the transport for
/// `https://` URLs (TLS needs URLSession's libcurl; the house takes no TLS library of its own).
///
/// Hardened against hostile servers (CONTRACT.md §5):
/// - redirects are refused (the delegate answers `nil`), so the 3xx answer itself comes back and
///   neither the body nor the credentials go to another host;
/// - the body is counted as it arrives and the task is cancelled past `maxBodyBytes`;
/// - the request asks for no content coding (`Accept-Encoding: identity`, in place of the one
///   libcurl would send), and an answer in one anyway is cancelled as its header arrives:
///   libcurl would inflate it on its own thread faster than the body is counted (a 4 MB gzip
///   bomb reached 4 GB of memory);
/// - one deadline bounds the whole exchange, also a body that trickles in (URLSession's own
///   time-out only measures silence between bytes);
/// - ``cancel()`` ends it at once;
/// - a fresh session per request, invalidated after, so libcurl never reuses (and never silently
///   resends on) a connection.
///
/// Known cost: on Linux, FoundationNetworking keeps a write-readiness dispatch source on the
/// socket after the request is sent (its `_SocketSources` only tears sources down when libcurl
/// unregisters the socket), so waiting for a slow answer keeps a core busy. Plain `http://` to
/// loopback avoids it through ``SocketHTTPExchange``.
///
/// `@unchecked Sendable`: every mutable field is guarded by `lock`.
final class URLSessionHTTPExchange: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private enum Stop {
        case tooLarge, timedOut, cancelled
        /// A 2xx answer came in a content coding (the message says which).
        case refused(String)
        /// Another status came with a body in a content coding: the status and headers are the
        /// answer, the body is left out (``HTTPResponseParser/answer(status:headers:body:)``).
        case bodyLeftOut(HTTPURLResponse)
    }

    private let lock = NSLock()
    private var body: [UInt8] = []
    private var stop: Stop?
    private var continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>?
    private var task: URLSessionDataTask?
    /// The request being sent (whether it has a body decides what an early stop means).
    private var request: HTTPRequest?
    private var finished = false
    private let maxBodyBytes: Int
    private let timeoutSeconds: Double

    init(timeoutSeconds: Double, maxBodyBytes: Int) {
        self.timeoutSeconds = timeoutSeconds
        self.maxBodyBytes = maxBodyBytes
    }

    /// Sends `request` and waits for the whole answer (or a failure).
    func run(_ request: HTTPRequest) async -> Result<HTTPResponse, HTTPClientError> {
        lock.withLock { self.request = request }
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        // libcurl counts whole seconds; the deadline below is the real bound.
        urlRequest.timeoutInterval = max(1, timeoutSeconds.rounded(.up))
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        urlRequest.httpShouldHandleCookies = false
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        urlRequest.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let body = request.body { urlRequest.httpBody = Data(body) }

        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = max(1, timeoutSeconds.rounded(.up))
        configuration.timeoutIntervalForResource = max(1, timeoutSeconds.rounded(.up)) + 1
        configuration.httpMaximumConnectionsPerHost = 1
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }

        return await withCheckedContinuation { continuation in
            let task = session.dataTask(with: urlRequest)
            let alreadyStopped = lock.withLock { () -> Bool in
                self.continuation = continuation
                self.task = task
                return stop != nil
            }
            if alreadyStopped {
                finish(.failure(.cancelled(mayHaveBeenSent: false)))
                return
            }
            DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds) { [weak self] in
                self?.halt(.timedOut)
            }
            task.resume()
        }
    }

    /// Ends the exchange from any thread (the run is stopping).
    func cancel() { halt(.cancelled) }

    private func halt(_ reason: Stop) {
        let task = lock.withLock { () -> URLSessionDataTask? in
            guard !finished, stop == nil else { return nil }
            stop = reason
            return self.task
        }
        task?.cancel()
    }

    private func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
        let continuation = lock.withLock { () -> CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>? in
            guard !finished else { return nil }
            finished = true
            defer { self.continuation = nil }
            return self.continuation
        }
        continuation?.resume(returning: result)
    }

    // MARK: - Delegate

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        guard let http = response as? HTTPURLResponse, http.statusCode != 204,
              let refused = HTTPResponseParser.refusedCoding(http.value(forHTTPHeaderField: "Content-Encoding")) else {
            return completionHandler(.allow)
        }
        let reason: Stop = (200..<300).contains(http.statusCode) ? .refused(refused) : .bodyLeftOut(http)
        lock.withLock { if stop == nil { stop = reason } }
        completionHandler(.cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let overLimit = lock.withLock { () -> Bool in
            guard stop == nil else { return false }
            if body.count + data.count > maxBodyBytes { return true }
            body.append(contentsOf: data)
            return false
        }
        if overLimit { halt(.tooLarge) }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (stop, body, hasBody) = lock.withLock { (self.stop, self.body, self.request?.body?.isEmpty == false) }
        // FoundationNetworking counts a request body's bytes as libcurl takes them to send
        // (`countOfBytesSent`, set before libcurl's read callback returns), which it does only
        // once the connection and the TLS session stand. A request with a body none of which
        // was taken has not left: a connection or handshake that never completed.
        let bodyNeverTaken = hasBody && task.countOfBytesSent == 0
        switch stop {
        case .tooLarge?:
            finish(.failure(.answerTooLarge(limit: maxBodyBytes)))
        case .refused(let why)?:
            finish(.failure(.ambiguous(why)))
        case .bodyLeftOut(let http)?:
            finish(.success(HTTPResponseParser.answer(status: http.statusCode, headers: Self.headers(of: http), body: [])))
        case .timedOut?:
            finish(.failure(bodyNeverTaken
                ? .notSent("could not connect and set up TLS within timeout_s (\(SocketHTTPExchange.seconds(timeoutSeconds)))")
                : .ambiguous("no complete answer within timeout_s (\(SocketHTTPExchange.seconds(timeoutSeconds)))")))
        case .cancelled?:
            finish(.failure(.cancelled(mayHaveBeenSent: !bodyNeverTaken)))
        case nil:
            if let error {
                let classified = Self.classify(error)
                if bodyNeverTaken, case .ambiguous = classified,
                   (error as NSError).domain == NSURLErrorDomain, (error as NSError).code == URLError.Code.timedOut.rawValue {
                    finish(.failure(.notSent("could not connect and set up TLS within timeout_s (\(SocketHTTPExchange.seconds(timeoutSeconds)))")))
                } else {
                    finish(.failure(classified))
                }
            } else if let http = task.response as? HTTPURLResponse {
                finish(.success(HTTPResponse(status: http.statusCode, headers: Self.headers(of: http), body: body)))
            } else {
                finish(.failure(.ambiguous("the server's answer was not HTTP")))
            }
        }
    }

    private static func headers(of response: HTTPURLResponse) -> [String: String] {
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            headers[String(describing: key)] = String(describing: value)
        }
        return headers
    }

    /// Splits URLSession's errors into "certainly never sent" (no connection, no TLS session:
    /// nothing of the request can have left) and "maybe sent" (everything else, including the
    /// codes FoundationNetworking gives to answers that are not HTTP, such as `unsupportedURL`
    /// for an HTTP/0.9 answer).
    static func classify(_ error: any Error) -> HTTPClientError {
        let nsError = error as NSError
        guard nsError.domain == NSURLErrorDomain else { return .ambiguous(nsError.localizedDescription) }
        let code = URLError.Code(rawValue: nsError.code) ?? .unknown
        switch code {
        case .cannotConnectToHost:
            return .notSent("could not connect to the server (connection refused?)")
        case .cannotFindHost, .dnsLookupFailed:
            return .notSent("unknown host")
        case .notConnectedToInternet, .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
             .clientCertificateRequired:
            return .notSent("\(nsError.localizedDescription) (URL error \(code.rawValue))")
        case .timedOut:
            return .ambiguous("no answer within timeout_s")
        case .networkConnectionLost:
            return .ambiguous("the connection was reset or dropped before a complete answer")
        case .badServerResponse:
            return .ambiguous("the connection was closed without an answer")
        case .unsupportedURL:
            return .ambiguous("the answer is not HTTP (\(nsError.localizedDescription))")
        default:
            // FoundationNetworking reports libcurl's TLS handshake failures as "unknown" with
            // libcurl's own message: those happen before any byte of the request is sent.
            let text = nsError.localizedDescription
            if Self.tlsHandshakeMarkers.contains(where: { text.contains($0) }) {
                return .notSent("TLS handshake failed: \(text)")
            }
            return .ambiguous("\(text) (URL error \(code.rawValue))")
        }
    }

    private static let tlsHandshakeMarkers = ["SSL certificate problem", "SSL_connect", "SSL: no alternative certificate",
                                              "certificate subject name", "SSL peer certificate"]
}
