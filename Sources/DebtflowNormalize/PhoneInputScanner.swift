import DebtflowCore

/// The digits of a phone number as typed, once spellings are set aside: separators, a leading
/// `+` (or `00`, which libphonenumber's parsing handles), a spreadsheet's leading `'`, an
/// extension. Digits are values 0–9, held inline (``PhoneDigits``).
///
/// A number typed with more than ``PhoneDigits/capacity`` digits keeps only its first
/// ``PhoneDigits/capacity``: it is too long to be valid either way, and its answer (which error)
/// depends only on its first digits, which are kept.
struct ScannedPhone {
    var digits: PhoneDigits
    var hasPlus: Bool
}

/// Reads a typed phone number scalar by scalar (no Foundation, no regular expressions, no heap).
///
/// Accepted: ASCII, full-width and Arabic-Indic digits; spaces (also no-break, narrow no-break and
/// the other Unicode spaces), dashes (hyphen, the Unicode dashes, minus, full-width), dots,
/// slashes, parentheses and brackets as separators; one `+` (or full-width `＋`) before the first
/// digit; one leading `'` or `’`; an extension introduced by `ext`, `ext.`, `extn`, `extension`,
/// `poste`, `x` or `#`, with or without digits after it, which is dropped. Any other letter makes
/// the number invalid (a letter O for a zero, keypad letters); so does ill-formed UTF-8 (it reads
/// as U+FFFD, an unexpected character).
enum PhoneInputScanner {
    /// More digits than this is `too many digits`, whatever follows.
    static let maximumDigits = 250

    static func scan(_ input: String) -> Result<ScannedPhone, PhoneNormalizationError> {
        var input = input
        return input.withUTF8 { scan(utf8: $0) }
    }

    /// Scans UTF-8 bytes as they are: the caller trims them first (a line break is not a separator).
    static func scan(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Result<ScannedPhone, PhoneNormalizationError> {
        var digits = PhoneDigits()
        var digitCount = 0
        var hasPlus = false
        var seenContent = false
        var index = 0
        // ASCII digits, separators and a `+` (nearly every number as typed) one byte at a time,
        // without decoding a scalar or classifying it among the Unicode ones: the same steps as
        // the loop below, which takes over at any other byte (and past ``PhoneDigits/capacity``
        // digits, below ``maximumDigits``, so that neither limit is reached here).
        while index < bytes.count && digitCount < PhoneDigits.capacity {
            let byte = bytes[index]
            let digit = byte &- 0x30
            if digit < 10 {
                digits.append(digit)
                digitCount += 1
                seenContent = true
            } else if byte == 0x2B {  // +
                guard digits.isEmpty, !hasPlus else { return .failure(misplacedPlus) }
                hasPlus = true
                seenContent = true
            } else if !isASCIISeparator(byte) {
                break
            }
            index += 1
        }
        while index < bytes.count {
            let (value, length) = UTF8Decoding.scalar(at: index, in: bytes)
            index += length
            if let digit = digitValue(value) {
                digits.append(digit)  // past the capacity only counted (see ScannedPhone)
                digitCount += 1
                seenContent = true
                if digitCount > maximumDigits { return .failure(Self.tooLong) }
                continue
            }
            if isSeparator(value) { continue }
            switch value {
            case 0x2B, 0xFF0B: // + ＋
                guard digits.isEmpty, !hasPlus else { return .failure(misplacedPlus) }
                hasPlus = true
                seenContent = true
            case 0x27, 0x2019, 0x2018: // ' ’ ‘ spreadsheet text marker
                guard !seenContent else { return .failure(unexpected) }
                seenContent = true
            case 0x23: // #
                guard !digits.isEmpty, restIsExtension(bytes, from: index) else { return .failure(extensionError) }
                return .success(ScannedPhone(digits: digits, hasPlus: hasPlus))
            default:
                guard isLetter(value) else { return .failure(unexpected) }
                // A word of ASCII letters: an extension marker, or letters where digits belong.
                let wordStart = index - length
                var wordEnd = wordStart
                while wordEnd < bytes.count, asciiLowercaseLetter(UInt32(bytes[wordEnd])) != nil { wordEnd += 1 }
                if wordEnd < bytes.count {
                    let (next, _) = UTF8Decoding.scalar(at: wordEnd, in: bytes)
                    if isLetter(next) { return .failure(letters) }
                    guard next == 0x2E || next == 0x3A || isSeparator(next) || digitValue(next) != nil else {
                        return .failure(unexpected)
                    }
                }
                guard !digits.isEmpty, isExtensionMarker(bytes, wordStart..<wordEnd) else { return .failure(letters) }
                guard restIsExtension(bytes, from: wordEnd) else { return .failure(extensionError) }
                return .success(ScannedPhone(digits: digits, hasPlus: hasPlus))
            }
        }
        guard !digits.isEmpty else {
            return .failure(PhoneNormalizationError(message: "no digits: expected a phone number"))
        }
        return .success(ScannedPhone(digits: digits, hasPlus: hasPlus))
    }

    // MARK: Errors (never echo the input)

    static let letters = PhoneNormalizationError(
        message: "letters are not allowed in a phone number: expected digits, separators and an optional extension")
    static let unexpected = PhoneNormalizationError(
        message: "unexpected character in a phone number: expected digits, spaces, dots, dashes, slashes, parentheses and a leading +")
    static let misplacedPlus = PhoneNormalizationError(message: "misplaced +: expected at most one +, before the first digit")
    static let extensionError = PhoneNormalizationError(message: "unexpected text after an extension: expected digits only")
    static let tooLong = PhoneNormalizationError(message: "too many digits: expected at most 17 digits after the country code")

    // MARK: Character classes

    /// The value of a decimal digit: ASCII, full-width, Arabic-Indic, extended Arabic-Indic.
    @inline(__always)
    static func digitValue(_ value: UInt32) -> UInt8? {
        if value >= 0x30 && value <= 0x39 { return UInt8(value - 0x30) }
        if value < 0x660 { return nil }
        if value >= 0xFF10 && value <= 0xFF19 { return UInt8(value - 0xFF10) }
        if value >= 0x660 && value <= 0x669 { return UInt8(value - 0x660) }
        if value >= 0x6F0 && value <= 0x6F9 { return UInt8(value - 0x6F0) }
        return nil
    }

    /// Spaces, dashes, dots, slashes, parentheses and brackets, ASCII or Unicode.
    @inline(__always)
    static func isSeparator(_ value: UInt32) -> Bool {
        switch value {
        case 0x20, 0x09, 0x2D, 0x2E, 0x2F, 0x28, 0x29, 0x5B, 0x5D: return true
        case 0xA0, 0xAD, 0x1680, 0x2000...0x200B, 0x2010...0x2015, 0x2060, 0x202F, 0x205F, 0x2212,
             0x3000, 0xFEFF, 0xFF0D, 0xFF0E, 0xFF0F, 0xFF08, 0xFF09, 0x30FC:
            return true
        default: return false
        }
    }

    /// ``isSeparator(_:)`` of an ASCII byte: space, tab, `-`, `.`, `/`, `(`, `)`, `[` or `]`.
    @inline(__always)
    static func isASCIISeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x2D, 0x2E, 0x2F, 0x28, 0x29, 0x5B, 0x5D: true
        default: false
        }
    }

    @inline(__always)
    static func asciiLowercaseLetter(_ value: UInt32) -> UInt8? {
        if value >= 0x61 && value <= 0x7A { return UInt8(value) }
        if value >= 0x41 && value <= 0x5A { return UInt8(value + 0x20) }
        return nil
    }

    /// ASCII letters, Latin-1 and other letters above U+00C0 (accented letters, Greek, Cyrillic…).
    static func isLetter(_ value: UInt32) -> Bool {
        if asciiLowercaseLetter(value) != nil { return true }
        if value >= 0xC0 && value <= 0x24F && value != 0xD7 && value != 0xF7 { return true }
        return value >= 0x370 && value < 0x2000 && digitValue(value) == nil
    }

    private static let extensionMarkers: [[UInt8]] = ["ext", "extn", "extension", "poste", "x", "xtn"].map { Array($0.utf8) }

    private static func isExtensionMarker(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        markers: for marker in extensionMarkers where marker.count == range.count {
            for (offset, byte) in marker.enumerated() where bytes[range.lowerBound + offset] | 0x20 != byte {
                continue markers
            }
            return true
        }
        return false
    }

    /// After an extension marker: optional `.`/`:`, separators and digits, nothing else.
    private static func restIsExtension(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Bool {
        var index = start
        while index < bytes.count {
            let (value, length) = UTF8Decoding.scalar(at: index, in: bytes)
            index += length
            if digitValue(value) != nil || isSeparator(value) || value == 0x3A || value == 0x2E { continue }
            return false
        }
        return true
    }
}
