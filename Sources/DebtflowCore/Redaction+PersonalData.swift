extension Redaction {
    /// `text` with every email address and phone number in it masked as ``email(_:)`` and
    /// ``phone(_:)`` mask them (`j***@example.fr`, `+336******78`): for text that debtflow did
    /// not write itself — a server's error message, an answer's body — which may echo a debt's
    /// personal data back into a log line or a message (logs never hold a full phone number or
    /// email).
    ///
    /// What counts, read on the bytes:
    /// - an email: one or more local-part characters (letters, digits, `.`, `_`, `%`, `+`, `-`,
    ///   `'`), `@`, then a domain of letters, digits, `-` and `.` holding at least one `.`;
    /// - a phone number: an optional `+`, then digits with single separators (space, `.`, `-`,
    ///   `/`, `(`, `)`) between them, **9 digits or more** (a date such as `2023-11-08` has 8),
    ///   standing alone: no letter or digit right before or after it (the digits inside an
    ///   Idempotency-Key or a reference such as `DOS123456789` are not a phone number), and no `:`
    ///   after it (a date and time, `2023-11-08 10:30`).
    /// Everything else is kept as it is.
    public static func personalData(in text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == UInt8(ascii: "@") || PersonalDataScan.isDigit($0) }) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if let email = PersonalDataScan.email(in: bytes, startingAt: index) {
                output.append(contentsOf: Redaction.email(String(decoding: bytes[email], as: UTF8.self)).utf8)
                index = email.upperBound
            } else if let phone = PersonalDataScan.phone(in: bytes, startingAt: index) {
                output.append(contentsOf: Redaction.phone(phone.compact).utf8)
                index = phone.range.upperBound
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// The byte-level matching of ``Redaction/personalData(in:)``.
enum PersonalDataScan {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte >= 0x80
    }

    static func isLocalPart(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || [UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "%"), UInt8(ascii: "+"),
                                  UInt8(ascii: "-"), UInt8(ascii: "'")].contains(byte)
    }

    static func isDomain(_ byte: UInt8) -> Bool {
        isLetterOrDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }

    static let phoneSeparators: [UInt8] = [UInt8(ascii: " "), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "/"),
                                           UInt8(ascii: "("), UInt8(ascii: ")")]

    /// The email address that starts at `start` (which must begin its local part), or `nil`.
    static func email(in bytes: [UInt8], startingAt start: Int) -> Range<Int>? {
        guard isLocalPart(bytes[start]), start == 0 || !isLocalPart(bytes[start - 1]) else { return nil }
        var at = start
        while at < bytes.count && isLocalPart(bytes[at]) { at += 1 }
        guard at > start, at < bytes.count, bytes[at] == UInt8(ascii: "@") else { return nil }
        var end = at + 1
        while end < bytes.count && isDomain(bytes[end]) { end += 1 }
        // A sentence's full stop or a dash after the address is not part of its domain.
        while end > at + 1 && (bytes[end - 1] == UInt8(ascii: ".") || bytes[end - 1] == UInt8(ascii: "-")) { end -= 1 }
        let domain = bytes[(at + 1)..<end]
        guard let dot = domain.lastIndex(of: UInt8(ascii: ".")), dot > at + 1, dot < end - 1 else { return nil }
        return start..<end
    }

    /// The phone number that starts at `start`, with its `+` and digits alone, or `nil`.
    static func phone(in bytes: [UInt8], startingAt start: Int) -> (range: Range<Int>, compact: String)? {
        guard start == 0 || !isLetterOrDigit(bytes[start - 1]) else { return nil }
        var index = start
        var compact: [UInt8] = []
        if bytes[index] == UInt8(ascii: "+") {
            compact.append(UInt8(ascii: "+"))
            index += 1
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: "(") { index += 1 }   // `(0)6 …`, `+(33) …`
        guard index < bytes.count, isDigit(bytes[index]) else { return nil }
        var end = index
        var digits = 0
        while index < bytes.count {
            if isDigit(bytes[index]) {
                compact.append(bytes[index])
                digits += 1
                index += 1
                end = index
                continue
            }
            // Between two digits: one or two separators (`06 12`, `+33 (0)6`, `(0) 6`).
            var next = index
            while next < bytes.count, next - index < 2, phoneSeparators.contains(bytes[next]) { next += 1 }
            guard next > index, next < bytes.count, isDigit(bytes[next]) else { break }
            index = next
        }
        // Standing alone, and not a date and time (`2023-11-08 10:30`: a `:` follows).
        guard digits >= 9, end == bytes.count || (!isLetterOrDigit(bytes[end]) && bytes[end] != UInt8(ascii: ":")) else { return nil }
        return (start..<end, String(decoding: compact, as: UTF8.self))
    }
}
