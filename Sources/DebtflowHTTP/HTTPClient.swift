import Foundation

/// Sends one HTTP request and returns its answer, never resending anything by itself.
///
/// Each request gets a fresh connection (CONTRACT.md §5, DESIGN.md §4): `http://` (loopback
/// only, by the URL policy) over a plain socket (``SocketHTTPExchange``), `https://` through a
/// fresh ephemeral `URLSession` (``URLSessionHTTPExchange``). With no reused connection nothing
/// can be silently resent; every resend is its caller's decision.
///
/// Against hostile servers:
/// - redirects are never followed: a 3xx comes back as the answer (see ``HTTPResponse/redirectHost``);
/// - the answer's body is read up to ``maxBodyBytes`` (64 MiB); past that the request fails with
///   ``HTTPClientError/answerTooLarge(limit:)``;
/// - ``timeoutSeconds`` bounds the whole exchange (connect, send, the whole answer), also an
///   answer that trickles in;
/// - cancelling the calling task ends the exchange at once (``HTTPClientError/cancelled(mayHaveBeenSent:)``).
///
/// The client sends no cookies, keeps no cache and stores no credentials.
public struct HTTPClient: Sendable {
    /// Which transport carries the request.
    public enum Transport: Sendable {
        /// Sockets for `http://`, URLSession for `https://`.
        case automatic
        /// URLSession whatever the scheme (tests of the https path against a loopback stub).
        case urlSession
    }

    /// The largest answer body read: 64 MiB.
    public static let defaultMaxBodyBytes = 64 << 20

    /// Seconds the whole exchange may take before it is abandoned (an ambiguous failure once the
    /// request may have left).
    public var timeoutSeconds: Double
    /// The largest answer body accepted, in bytes.
    public var maxBodyBytes: Int
    public var transport: Transport

    public init(timeoutSeconds: Double = 30, maxBodyBytes: Int = HTTPClient.defaultMaxBodyBytes,
                transport: Transport = .automatic) {
        self.timeoutSeconds = max(0.05, timeoutSeconds)
        self.maxBodyBytes = maxBodyBytes
        self.transport = transport
    }

    /// Sends `request` over a new connection and waits for the whole answer.
    ///
    /// Any HTTP status is an answer (a 500 or a 302 is returned, not thrown).
    /// - Throws: ``HTTPClientError/notSent(_:)`` when the request certainly never reached the
    ///   server (connection refused, unknown host, TLS handshake); ``HTTPClientError/ambiguous(_:)``
    ///   when it may have (time-out, reset or closed after sending, an answer that is not HTTP);
    ///   ``HTTPClientError/answerTooLarge(limit:)``; ``HTTPClientError/cancelled(mayHaveBeenSent:)``.
    public func send(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        if Task.isCancelled { throw .cancelled(mayHaveBeenSent: false) }
        let result: Result<HTTPResponse, HTTPClientError>
        if transport == .automatic && request.url.scheme?.lowercased() == "http" {
            let exchange = SocketHTTPExchange()
            let (timeoutSeconds, maxBodyBytes) = (timeoutSeconds, maxBodyBytes)
            result = await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let thread = Thread {
                        continuation.resume(returning: exchange.run(request, timeoutSeconds: timeoutSeconds,
                                                                    maxBodyBytes: maxBodyBytes))
                    }
                    thread.name = "debtflow-http"
                    thread.start()
                }
            } onCancel: {
                exchange.cancel()
            }
        } else {
            let exchange = URLSessionHTTPExchange(timeoutSeconds: timeoutSeconds, maxBodyBytes: maxBodyBytes)
            result = await withTaskCancellationHandler {
                await exchange.run(request)
            } onCancel: {
                exchange.cancel()
            }
        }
        return try result.get()
    }
}
