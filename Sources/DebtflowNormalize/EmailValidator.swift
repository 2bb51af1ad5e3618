import DebtflowCore

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
        var text = raw
        return text.withUTF8 { bytes in normalize(utf8: bytes)?.string(input: raw, bytes: bytes) }
    }

    /// ``normalize(_:)`` over a field's UTF-8 bytes, trimmed or not (it trims them itself): the
    /// trimmed input's own range when it is already normal, new text only when the domain has
    /// upper-case letters to lower; `nil` when the address breaks the rule. Ill-formed UTF-8 in
    /// the local part counts as a character (U+FFFD); the domain must be ASCII.
    public static func normalize(utf8 input: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        var lowered: String?
        return normalize(utf8: input) { lowered = String(decoding: $0, as: UTF8.self) }?.text(rewritten: lowered)
    }

    /// ``normalize(utf8:)`` handing the lowered address to `rewritten` (bytes valid during that
    /// call only) instead of making a `String` of it.
    public static func normalize(utf8 input: UnsafeBufferPointer<UInt8>,
                                 rewritten: (UnsafeBufferPointer<UInt8>) -> Void) -> NormalizedBytes? {
        let range = AmountTextScalars.trimmedRange(input)
        let text = UnsafeBufferPointer(rebasing: input[range])
        guard let at = text.firstIndex(of: 0x40) else { return nil }
        let local = UnsafeBufferPointer(rebasing: text[..<at])
        let domain = UnsafeBufferPointer(rebasing: text[(at + 1)...])
        guard isValidLocalPart(local), let hasUpperCase = checkDomain(domain) else { return nil }
        guard hasUpperCase else { return .input(range) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count) { buffer in
            for index in 0..<text.count {
                let byte = text[index]
                buffer[index] = index > at && byte >= 0x41 && byte <= 0x5A ? byte + 0x20 : byte
            }
            rewritten(UnsafeBufferPointer(buffer))
        }
        return .rewritten
    }

    /// 1–64 characters, none of them a space.
    static func isValidLocalPart(_ local: UnsafeBufferPointer<UInt8>) -> Bool {
        // An ASCII local part (nearly every address) is a character a byte: one test for a
        // space a byte, without decoding scalars. A byte above 0x7F sends it to the general loop.
        var ascii = 0
        while ascii < local.count {
            let byte = local[ascii]
            if byte >= 0x80 { break }
            if byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) { return false }
            ascii += 1
        }
        if ascii == local.count { return local.count >= 1 && local.count <= 64 }
        var count = 0
        var asciiOnly = true
        var index = 0
        while index < local.count {
            let (value, length) = UTF8Decoding.scalar(at: index, in: local)
            index += length
            if AmountTextScalars.isTrimmable(value) { return false }
            if value >= 0x80 { asciiOnly = false }
            count += 1
        }
        // Characters, not scalars, where it differs (rare: a non-ASCII local part).
        if !asciiOnly { count = String(decoding: local, as: UTF8.self).count }
        return count >= 1 && count <= 64
    }

    /// Checks the domain (it also rejects a second `@`); returns whether it has upper-case letters
    /// to fold, or `nil` when it is invalid.
    private static func checkDomain(_ domain: UnsafeBufferPointer<UInt8>) -> Bool? {
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
