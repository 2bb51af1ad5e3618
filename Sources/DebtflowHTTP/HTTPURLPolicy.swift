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
    ///   than `http`/`https`, or plain `http` to a host that is not loopback.
    public static func validate(_ text: String, jsonPath: String? = nil) throws(DebtflowError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host,
              !host.isEmpty else {
            throw .configuration("not an absolute http(s) URL: \(text)", path: jsonPath)
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
