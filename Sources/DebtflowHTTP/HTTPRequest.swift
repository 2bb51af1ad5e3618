import DebtflowCore
import Foundation

/// One HTTP request as the client sends it: method, URL, headers and body.
///
/// A value type with no session state, so the sink can build it in one task and send it from
/// another.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    /// Header fields in the order given. Names are sent as written.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]?

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One HTTP answer: status, headers and the whole body.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header fields as received; look them up with ``header(_:)`` (case-insensitive).
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The value of the header field `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        for (key, value) in headers where key.lowercased() == wanted { return value }
        return nil
    }

    /// True for a 2xx status.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The body as text, for messages (lossy UTF-8, cut at `limit` characters). The `secrets`,
    /// and the emails and phone numbers it echoes (``Redaction/personalData(in:)``), are masked
    /// before the cut, so a cut can never leave part of one behind.
    public func bodyText(limit: Int = 500, scrubbing secrets: [String] = []) -> String {
        let text = Redaction.personalData(in: Redaction.scrub(String(decoding: body.prefix(1 << 20), as: UTF8.self), secrets: secrets))
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

extension HTTPResponse {
    /// True for a 3xx status: a redirect, which debtflow never follows.
    public var isRedirect: Bool { (300..<400).contains(status) }

    /// The host a 3xx answer points to (its `Location`), for messages; `nil` when it names none.
    /// A relative `Location` stays on the same host and is shown as `the same host (path)`.
    public var redirectHost: String? {
        guard let location = header("Location")?.trimmingCharacters(in: .whitespaces), !location.isEmpty else { return nil }
        if let url = URL(string: location), let host = url.host, !host.isEmpty {
            return url.port.map { "\(host):\($0)" } ?? host
        }
        return "the same host (\(location.prefix(100)))"
    }

    /// `HTTP 302 redirect to evil.example (not followed)`.
    public var redirectDescription: String {
        "HTTP \(status) redirect to \(redirectHost ?? "an unnamed location") (not followed: debtflow never follows redirects)"
    }
}
