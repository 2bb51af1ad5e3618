/// Why a request got no usable HTTP answer, split by what it means for a retry.
///
/// - ``notSent``: the request certainly never reached the server (connection refused, DNS
///   failure, TLS handshake failure): safe to send again.
/// - ``ambiguous``: the request's bytes may have reached the server but no complete answer came
///   (time-out, connection reset or dropped after sending, an answer that is not HTTP): sending it
///   again might apply it twice.
/// - ``answerTooLarge``: the answer's body passed the client's limit; the request was sent, so it
///   is ambiguous too.
/// - ``cancelled``: the caller's task was cancelled (the run is stopping); ambiguous when any
///   byte of the request may have left.
///
/// Messages never hold secrets: the client never puts header values or URL passwords into them.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case notSent(String)
    case ambiguous(String)
    case answerTooLarge(limit: Int)
    case cancelled(mayHaveBeenSent: Bool)

    /// The failure's message.
    public var message: String {
        switch self {
        case .notSent(let message), .ambiguous(let message): return message
        case .answerTooLarge(let limit): return "the answer's body is larger than \(HTTPClientError.bytes(limit))"
        case .cancelled(let sent):
            return sent ? "the run was interrupted while waiting for the answer" : "the run was interrupted before sending"
        }
    }

    /// True when the request certainly did not reach the server.
    public var isNotSent: Bool {
        switch self {
        case .notSent, .cancelled(mayHaveBeenSent: false): return true
        case .ambiguous, .answerTooLarge, .cancelled(mayHaveBeenSent: true): return false
        }
    }

    /// True when the caller's task was cancelled.
    public var isCancelled: Bool {
        if case .cancelled = self { return true }
        return false
    }

    public var description: String {
        isNotSent ? "not sent: \(message)" : "no answer: \(message)"
    }

    /// `64 MiB`, `1 KiB`, `100 bytes`.
    static func bytes(_ count: Int) -> String {
        if count >= 1 << 20 && count % (1 << 20) == 0 { return "\(count >> 20) MiB" }
        if count >= 1 << 10 && count % (1 << 10) == 0 { return "\(count >> 10) KiB" }
        return "\(count) bytes"
    }
}
