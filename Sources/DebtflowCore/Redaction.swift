/// Masks personal data and secrets for logs and messages (CONTRACT.md §1; DEVELOPERS.md: logs never
/// hold a full phone number, email or token).
public enum Redaction {
    /// What a secret prints as.
    public static let secret = "***"

    /// `+336******78`: the first 4 and last 2 characters of a phone number, the rest masked.
    public static func phone(_ phone: String) -> String {
        let characters = Array(phone)
        guard characters.count > 6 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(4)) + String(repeating: "*", count: characters.count - 6)
            + String(characters.suffix(2))
    }

    /// `j***@example.fr`: the first character of the local part, the domain kept.
    public static func email(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@") else { return String(repeating: "*", count: email.count) }
        let local = email[..<at]
        return (local.first.map(String.init) ?? "") + "***" + email[at...]
    }

    /// Replaces every occurrence of each secret in `text` by `***`.
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var text = text
        for secret in secrets where secret.count >= 3 {
            text = text.replacingAll(secret, with: Self.secret)
        }
        return text
    }
}

extension String {
    /// Replaces every occurrence of `target`, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
