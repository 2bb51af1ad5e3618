import DebtflowCore
import Foundation

/// Which URLs debtflow may talk to (DESIGN.md §4): HTTPS everywhere, plain HTTP only to loopback
/// (`127.0.0.0/8`, `localhost`, `::1`), so a token or a debtor's data never crosses a network in
/// clear text.
public enum HTTPURLPolicy {
    /// Parses `text` and checks it against the policy.
    /// - Parameters:
    ///   - text: the URL as configured.
    ///   - jsonPath: where the URL is in the pipeline config (`stages[5].sink.url`), for the message.
    /// - Returns: the parsed URL.
    /// - Throws: ``DebtflowError`` of kind `.configuration` for an unparsable URL, a scheme other
    ///   than `http`/`https`, a port outside 1–65535, or plain `http` to a host that is not
    ///   loopback. Messages show the URL with its password (if any) masked.
    public static func validate(_ text: String, jsonPath: String? = nil) throws(DebtflowError) -> URL {
        let shown = Redaction.url(text)
        guard !text.contains(where: { $0.isWhitespace || $0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } == true }) else {
            throw .configuration("a URL may not hold spaces or control characters: \(shown)", path: jsonPath)
        }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
              !host.isEmpty else {
            throw .configuration("not an absolute http(s) URL: \(shown)", path: jsonPath)
        }
        if let port = url.port, !(1...65535).contains(port) {
            throw .configuration("port \(port) is not a TCP port (1-65535): \(shown)", path: jsonPath)
        }
        if let portText = explicitPortText(text), Int(portText).map({ (1...65535).contains($0) }) != true {
            throw .configuration("port \(portText.isEmpty ? "(empty)" : portText) is not a TCP port (1-65535): \(shown)", path: jsonPath)
        }
        switch scheme {
        case "https":
            return url
        case "http":
            guard isLoopback(host: host) else {
                throw .configuration(
                    "plain http is only allowed to loopback (127.0.0.1, localhost, ::1); use https for \(host)",
                    path: jsonPath)
            }
            return url
        default:
            throw .configuration("unsupported URL scheme \(scheme): use https (or http to loopback)", path: jsonPath)
        }
    }

    /// The text after the authority's last `:` when the authority gives a port (`host:99999`),
    /// so ports that `URL` itself rejects or wraps are reported too.
    static func explicitPortText(_ text: String) -> String? {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let start = schemeEnd.upperBound
        let end = text[start...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? text.endIndex
        var authority = text[start..<end]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            authority = authority[authority.index(after: close)...]
            guard authority.hasPrefix(":") else { return nil }
            return String(authority.dropFirst())
        }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        return String(authority[authority.index(after: colon)...])
    }

    /// True for `localhost`, `::1` and any `127.x.y.z`.
    public static func isLoopback(host: String) -> Bool {
        var host = host.lowercased()
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            guard let value = Int(part), !part.isEmpty, part.count <= 3 else { return false }
            return (0...255).contains(value)
        }
    }
}
