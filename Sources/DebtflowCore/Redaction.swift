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

    /// Replaces every occurrence of each secret in `text` by `***`, also in the forms an answer
    /// may echo it in: percent-encoded (a form or query, in upper- or lowercase hex) and JSON-escaped.
    public static func scrub(_ text: String, secrets: [String]) -> String {
        var text = text
        for secret in secrets where secret.count >= 3 {
            for form in variants(of: secret) {
                text = text.replacingAll(form, with: Self.secret)
            }
        }
        return text
    }

    /// The secret as written, percent-encoded (upper- and lowercase hex), and JSON-escaped
    /// (longest first).
    static func variants(of secret: String) -> [String] {
        var forms: [String] = [secret]
        var encoded = ""
        var lowercaseEncoded = ""
        var escaped = ""
        for byte in secret.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
                lowercaseEncoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                let digits = hex.count == 1 ? "0" + hex : hex
                encoded += "%" + digits.uppercased()
                lowercaseEncoded += "%" + digits
            }
        }
        for character in secret.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "/": escaped += "\\/"
            default: escaped.unicodeScalars.append(character)
            }
        }
        for form in [encoded, lowercaseEncoded, escaped, escaped.replacingAll("\\/", with: "/")] where !forms.contains(form) {
            forms.append(form)
        }
        return forms.sorted { $0.count > $1.count }
    }

    /// Text a server sent, as a message shows it: every secret masked (``scrub(_:secrets:)``),
    /// every email and phone number it echoes masked (``personalData(in:)``), then one line of at
    /// most `limit` characters (``MessageExcerpt/value(_:limit:)``), so that an answer can neither
    /// leak a secret or a debtor's contact nor forge a log line.
    public static func serverText(_ text: String, secrets: [String], limit: Int = 300) -> String {
        MessageExcerpt.value(personalData(in: scrub(text, secrets: secrets)), limit: limit)
    }

    /// The shortest secret masked inside data (``SecretMask``): a shorter one (`Anna`, `100`)
    /// would mask a debtor's name or an amount.
    public static let shortestSecretMaskedInData = 8

    /// Secrets to overwrite inside data: decoded text (a tape's string values), where each
    /// occurrence of a secret, as written or percent-encoded, becomes as many `*`, so that the
    /// lengths, and every span into the bytes, stay as they were.
    public struct SecretMask: Sendable {
        private let forms: [[UInt8]]

        /// The forms of the `secrets` of at least ``shortestSecretMaskedInData`` characters
        /// (the JSON-escaped forms do not occur in decoded text).
        public init(secrets: [String]) {
            var forms: [[UInt8]] = []
            for secret in secrets where secret.utf8.count >= Redaction.shortestSecretMaskedInData {
                for form in Redaction.variants(of: secret) where form == secret || !form.contains("\\") {
                    forms.append(Array(form.utf8))
                }
            }
            self.forms = forms
        }

        /// No secret is long enough to be masked in data.
        public var isEmpty: Bool { forms.isEmpty }

        /// Overwrites every occurrence inside `bytes[range]` (one value: a match never runs
        /// into the next) with as many `*`. `bytes` is written (and so copied, when shared) only
        /// where something is masked.
        /// - Returns: how many occurrences were masked.
        @discardableResult
        public func apply(to bytes: inout [UInt8], in range: Range<Int>) -> Int {
            var masked = 0
            for needle in forms where range.count >= needle.count {
                let first = needle[0]
                var index = range.lowerBound
                while index <= range.upperBound - needle.count {
                    if bytes[index] == first, bytes[index..<index + needle.count].elementsEqual(needle) {
                        for position in index..<index + needle.count { bytes[position] = UInt8(ascii: "*") }
                        masked += 1
                        index += needle.count
                    } else {
                        index += 1
                    }
                }
            }
            return masked
        }
    }

    /// The URL with the password of its user info masked: `https://user:***@host/path`. Text
    /// that is not a URL with user info comes back unchanged.
    public static func url(_ text: String) -> String {
        guard let password = urlPasswordRange(text) else { return text }
        return String(text[..<password.lowerBound]) + Self.secret + String(text[password.upperBound...])
    }

    /// The password of a URL's user info (`https://user:pass@host` → `pass`), as written and
    /// percent-decoded, for scrubbing; empty when there is none.
    public static func urlPasswords(_ text: String) -> [String] {
        guard let range = urlPasswordRange(text) else { return [] }
        let raw = String(text[range])
        var forms = [raw]
        if let decoded = raw.removingPercentEncodingWithoutFoundation, decoded != raw { forms.append(decoded) }
        return forms
    }

    private static func urlPasswordRange(_ text: String) -> Range<String.Index>? {
        guard let schemeEnd = text.firstRange(of: "://") else { return nil }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = text[authorityStart...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? text.endIndex
        let authority = text[authorityStart..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return nil }
        let userInfo = authority[..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return nil }
        let password = text.index(after: colon)..<at
        return password.isEmpty ? nil : password
    }
}

extension String {
    /// `%41` → `A`; `nil` when an escape is malformed or the bytes are not UTF-8.
    fileprivate var removingPercentEncodingWithoutFoundation: String? {
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            guard byte == UInt8(ascii: "%") else { bytes.append(byte); continue }
            guard iterator.count >= 2, let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) else { return nil }
            bytes.append(value)
            iterator = iterator.dropFirst(2)
        }
        return String(validating: bytes, as: UTF8.self)
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
