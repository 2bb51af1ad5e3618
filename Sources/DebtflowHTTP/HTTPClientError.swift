/// Why a request got no HTTP answer, split by what it means for a retry.
///
/// - ``notSent``: the request never left (connection refused, DNS failure, bad URL): safe to
///   send again.
/// - ``ambiguous``: the request may have reached the server but no answer came (time-out,
///   connection dropped after sending): sending it again might apply it twice.
///
/// Messages never hold secrets: the client never puts header values into them.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case notSent(String)
    case ambiguous(String)

    /// The failure's message.
    public var message: String {
        switch self {
        case .notSent(let message), .ambiguous(let message): return message
        }
    }

    /// True when the request certainly did not reach the server.
    public var isNotSent: Bool {
        if case .notSent = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .notSent(let message): return "not sent: \(message)"
        case .ambiguous(let message): return "no answer: \(message)"
        }
    }
}
