/// Checks and normalizes email addresses by the bulk-import API's rule (CONTRACT.md §3).
public enum EmailValidator {
    /// The address trimmed with its domain in lower case, or `nil` (`invalid_email`) when it breaks
    /// the rule.
    ///
    /// The rule, exactly as the contract states it: exactly one `@`; a local part of 1–64
    /// characters without spaces (its case is kept, other characters are not restricted); a domain
    /// of at least two dot-separated labels made of ASCII letters, digits and hyphens, no label
    /// empty or starting or ending with `-`, the last label containing two or more letters.
    /// International domains are accepted in their ASCII (`xn--`) form only.
    /// `  Jean.Dupont@Example.FR ` is `Jean.Dupont@example.fr`.
    ///
    /// - Parameter raw: the field as read.
    public static func normalize(_ raw: String) -> String? {
        let text = AmountTextScalars.trimmed(raw)
        let utf8 = text.utf8
        guard let at = utf8.firstIndex(of: 0x40) else { return nil }
        let local = text[text.startIndex..<at]
        let domain = utf8[utf8.index(after: at)...]
        guard isValidLocalPart(local), let hasUpperCase = checkDomain(domain) else { return nil }
        guard hasUpperCase else { return String(text) }
        var result = String(local)
        result.reserveCapacity(utf8.count)
        result.append("@")
        result.append(String(decoding: domain.lazy.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self))
        return result
    }

    /// 1–64 characters, none of them a space.
    private static func isValidLocalPart(_ local: Substring) -> Bool {
        var count = 0
        var asciiOnly = true
        for scalar in local.unicodeScalars {
            if AmountTextScalars.isTrimmable(scalar.value) { return false }
            if scalar.value >= 0x80 { asciiOnly = false }
            count += 1
        }
        if !asciiOnly { count = local.count }  // characters, not scalars, where it differs
        return count >= 1 && count <= 64
    }

    /// Checks the domain (it also rejects a second `@`); returns whether it has upper-case letters
    /// to fold, or `nil` when it is invalid.
    private static func checkDomain(_ domain: Substring.UTF8View.SubSequence) -> Bool? {
        var labels = 0
        var labelLength = 0
        var labelLetters = 0
        var previous: UInt8 = 0
        var hasUpperCase = false
        for byte in domain {
            switch byte {
            case 0x2E:  // .
                guard labelLength > 0, previous != 0x2D else { return nil }
                labels += 1
                labelLength = 0
                labelLetters = 0
            case 0x2D:  // -
                guard labelLength > 0 else { return nil }
                labelLength += 1
            case 0x30...0x39:
                labelLength += 1
            case 0x41...0x5A:
                hasUpperCase = true
                labelLength += 1
                labelLetters += 1
            case 0x61...0x7A:
                labelLength += 1
                labelLetters += 1
            default:
                return nil
            }
            previous = byte
        }
        guard labelLength > 0, previous != 0x2D else { return nil }
        labels += 1
        guard labels >= 2, labelLetters >= 2 else { return nil }
        return hasUpperCase
    }
}
