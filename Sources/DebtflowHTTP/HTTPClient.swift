import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Sends one HTTP request and returns its answer, never resending anything by itself.
///
/// Each request gets a fresh ephemeral `URLSession` (so a fresh connection), which is invalidated
/// once the answer is in: libcurl, under URLSession, may silently resend a POST on a reused
/// connection that dies before answering, and with no reused connection that cannot happen
/// (CONTRACT.md §5, DESIGN.md §4). Every resend is its caller's decision.
///
/// The client sends no cookies, keeps no cache and stores no credentials.
public struct HTTPClient: Sendable {
    /// Seconds without progress after which a request is abandoned (an ambiguous failure).
    /// Whole seconds, at least 1: URLSession on Linux (libcurl) rounds shorter ones down to none.
    public var timeoutSeconds: Double

    public init(timeoutSeconds: Double = 30) {
        self.timeoutSeconds = max(1, timeoutSeconds.rounded(.up))
    }

    /// Sends `request` over a new connection and waits for the whole answer.
    ///
    /// Any HTTP status is an answer (a 500 is returned, not thrown).
    /// - Throws: ``HTTPClientError/notSent(_:)`` when the request certainly never reached the
    ///   server (connection refused, unknown host); ``HTTPClientError/ambiguous(_:)`` when it may
    ///   have (time-out, connection lost, malformed answer).
    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        urlRequest.timeoutInterval = timeoutSeconds
        urlRequest.cachePolicy = .reloadIgnoringLocalCacheData
        urlRequest.httpShouldHandleCookies = false
        for header in request.headers {
            urlRequest.setValue(header.value, forHTTPHeaderField: header.name)
        }
        if let body = request.body { urlRequest.httpBody = Data(body) }

        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeoutSeconds
        configuration.timeoutIntervalForResource = max(timeoutSeconds * 4, timeoutSeconds + 30)
        configuration.httpMaximumConnectionsPerHost = 1
        configuration.urlCache = nil
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }

        let result: Result<HTTPResponse, HTTPClientError> = await withCheckedContinuation { continuation in
            let task = session.dataTask(with: urlRequest) { data, response, error in
                if let error {
                    continuation.resume(returning: .failure(Self.classify(error)))
                    return
                }
                guard let http = response as? HTTPURLResponse else {
                    continuation.resume(returning: .failure(.ambiguous("the server's answer was not HTTP")))
                    return
                }
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields {
                    headers[String(describing: key)] = String(describing: value)
                }
                continuation.resume(returning: .success(
                    HTTPResponse(status: http.statusCode, headers: headers, body: data.map { [UInt8]($0) } ?? [])))
            }
            task.resume()
        }
        return try result.get()
    }

    /// Splits URLSession's errors into "never sent" and "maybe sent".
    static func classify(_ error: any Error) -> HTTPClientError {
        let nsError = error as NSError
        guard nsError.domain == NSURLErrorDomain else { return .ambiguous(nsError.localizedDescription) }
        let code = URLError.Code(rawValue: nsError.code) ?? .unknown
        switch code {
        case .cannotConnectToHost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .badURL,
             .unsupportedURL, .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
             .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .clientCertificateRejected,
             .clientCertificateRequired, .cannotLoadFromNetwork, .internationalRoamingOff, .dataNotAllowed:
            return .notSent(describe(code, nsError))
        case .timedOut:
            return .ambiguous("timed out waiting for the answer")
        case .networkConnectionLost, .badServerResponse:
            return .ambiguous("the connection was dropped before an answer came")
        default:
            return .ambiguous(describe(code, nsError))
        }
    }

    private static func describe(_ code: URLError.Code, _ error: NSError) -> String {
        switch code {
        case .cannotConnectToHost: return "could not connect to the server (connection refused?)"
        case .cannotFindHost, .dnsLookupFailed: return "unknown host"
        default: return "\(error.localizedDescription) (URL error \(code.rawValue))"
        }
    }
}
