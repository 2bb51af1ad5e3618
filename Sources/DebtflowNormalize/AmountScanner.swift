import DebtflowCore

/// Why an amount's text could not be read (turned into `invalid_amount` by ``AmountParser``).
enum AmountScanProblem: Error, Equatable {
    case empty
    case malformed
    case tooManyDigits
    case unknownCurrencyWord
    /// Three letters that are no current ISO 4217 code (`FRF`, uppercased): the amount names a
    /// currency, and it is not one (`invalid_currency`); `nonPositive`: the number read beside
    /// them is zero or below (`-12.50 FRF`: `non_positive_amount` too).
    case unknownCurrencyCode(String, nonPositive: Bool)
    case conflictingCurrencies
}

/// The currency an amount's own text names.
enum AmountCurrencyMark: Equatable {
    case none
    case currency(Currency)
    case dollarSign

    /// The mark as ``ParsedAmount/currencyHint`` spells it: the code, `$`, or `nil`.
    var hint: String? {
        switch self {
        case .none: nil
        case .currency(let currency): currency.code
        case .dollarSign: ParsedAmount.dollarSignHint
        }
    }
}

/// A one-pass reader of amount text over Unicode scalars (CONTRACT.md §4).
///
/// The text is `prefix number suffix`. Prefix and suffix hold spaces, at most one sign (`-`, `+`
/// in front only, U+2212 minus, or accounting parentheses around the number) and currency marks
/// (`€`, `£`, `$`, a current ISO code, `euro`/`euros`, any case). The number is digits with at
/// most one decimal separator and one kind of thousands grouping (`.`, `,` or a space), every
/// group after the first exactly three digits, and at most 18 digits in all (leading zeros of
/// the whole part not counted). The value is accumulated as an integer; nothing
/// goes through `Double` or `Decimal`.
struct AmountScanner {
    /// The most digits an amount may have, not counting leading zeros of its whole part:
    /// 10^18 - 1 fits `Int64`.
    static let maximumDigits = 18

    private enum Phase { case prefix, number, suffix }
    private static let dot: UInt32 = 0x2E
    private static let comma: UInt32 = 0x2C
    /// Stands for any grouping space in `pending` and `groupingSign`.
    private static let space: UInt32 = 0x20

    private let decimalSign: UInt32
    private var phase = Phase.prefix
    private(set) var magnitude: UInt64 = 0
    private(set) var fractionDigits = 0
    private(set) var isNegative = false
    private(set) var mark = AmountCurrencyMark.none
    private var significantDigits = 0
    private var signSeen = false
    private var parenthesisOpened = false
    private var parenthesisClosed = false
    private var pending: UInt32 = 0
    private var decimalSeen = false
    private var groupingSign: UInt32 = 0
    private var groupSize = 0
    private var word: UInt64 = 0
    private var wordLength = 0
    private var sawAnything = false
    /// Three letters that are no current ISO 4217 code, as read (`FRF`, one byte each), or 0.
    /// (Bytes, not a `String`: the scanner stays a trivial value, made and dropped per amount.)
    private var unknownCodeLetters: UInt64 = 0

    /// Reads UTF-8 `text` under `policy`; ill-formed UTF-8 reads as U+FFFD, which is malformed.
    /// - Throws: the first ``AmountScanProblem`` found.
    static func scan(utf8 text: UnsafeBufferPointer<UInt8>, policy: DecimalSeparatorPolicy) throws(AmountScanProblem) -> AmountScanner {
        let decimalSign = decimalSign(of: text, policy: policy)
        if let plain = plainDecimal(text, decimalSign: decimalSign) { return plain }
        if let marked = euroMarkedDecimal(text, decimalSign: decimalSign) { return marked }
        var scanner = AmountScanner(decimalSign: decimalSign)
        var index = 0
        while index < text.count {
            let (value, length) = UTF8Decoding.scalar(at: index, in: text)
            index += length
            try scanner.consume(value)
        }
        try scanner.finish()
        return scanner
    }

    private init(decimalSign: UInt32) {
        self.decimalSign = decimalSign
    }

    /// The scan of the most common amount text, in one pass over its bytes without decoding
    /// scalars: digits, or digits, the decimal sign and digits (`207,46`, `9.50`, `1250`), with
    /// at most 18 significant digits. `nil` for any other text (signs, currency marks, grouping,
    /// spaces, too many digits), which the full scan reads.
    private static func plainDecimal(_ text: UnsafeBufferPointer<UInt8>, decimalSign: UInt32) -> AmountScanner? {
        guard let first = text.first, let last = text.last, first &- 0x30 < 10, last &- 0x30 < 10 else { return nil }
        var scanner = AmountScanner(decimalSign: decimalSign)
        scanner.phase = .number
        scanner.sawAnything = true
        for byte in text {
            let digit = byte &- 0x30
            if digit < 10 {
                if scanner.decimalSeen {
                    scanner.fractionDigits += 1
                } else if scanner.magnitude == 0 && digit == 0 {
                    continue  // leading zeros of the whole part do not count
                }
                scanner.significantDigits += 1
                guard scanner.significantDigits <= maximumDigits else { return nil }
                scanner.magnitude = scanner.magnitude * 10 + UInt64(digit)
            } else if decimalSign != 0, UInt32(byte) == decimalSign, !scanner.decimalSeen {
                scanner.decimalSeen = true
            } else {
                return nil
            }
        }
        return scanner
    }

    /// EUR, as the full scan finds it for `€` and for the code `EUR`.
    private static let euro = CurrencyTable.lookup(0x45, 0x55, 0x52)

    /// The scan of a plain decimal (``plainDecimal(_:decimalSign:)``) with the euro written next
    /// to it as exports write it: `€207,46`, `207,46 €`, `207,46€` or `EUR 9.50` (about one
    /// amount in five of W2's generated input), marked EUR: what the full scan reads in those
    /// texts, without decoding their scalars one by one (about 700 instructions an amount).
    /// `nil` for any other text, which the full scan reads.
    private static func euroMarkedDecimal(_ text: UnsafeBufferPointer<UInt8>, decimalSign: UInt32) -> AmountScanner? {
        let count = text.count
        guard count >= 4, let euro else { return nil }
        let number: UnsafeBufferPointer<UInt8>
        if text[0] == 0xE2 && text[1] == 0x82 && text[2] == 0xAC {  // `€` first
            number = UnsafeBufferPointer(rebasing: text[3...])
        } else if text[count - 3] == 0xE2 && text[count - 2] == 0x82 && text[count - 1] == 0xAC {  // `€` last
            number = UnsafeBufferPointer(rebasing: text[..<(text[count - 4] == 0x20 ? count - 4 : count - 3)])
        } else if text[0] == 0x45 && text[1] == 0x55 && text[2] == 0x52 && text[3] == 0x20 {  // `EUR ` first
            number = UnsafeBufferPointer(rebasing: text[4...])
        } else {
            return nil
        }
        guard var scanner = plainDecimal(number, decimalSign: decimalSign) else { return nil }
        scanner.mark = .currency(euro)
        return scanner
    }

    /// The decimal sign for `text`: the policy's, or under `auto` the rightmost of `.` and `,`
    /// when both appear, a lone one, and none (0) when the only sign present repeats.
    private static func decimalSign(of text: UnsafeBufferPointer<UInt8>, policy: DecimalSeparatorPolicy) -> UInt32 {
        switch policy {
        case .comma: return comma
        case .dot: return dot
        case .auto: break
        }
        // `.` and `,` are ASCII: their bytes are never part of another scalar.
        var dots = 0, commas = 0
        var last: UInt32 = 0
        for byte in text {
            if byte == 0x2E { dots += 1; last = dot } else if byte == 0x2C { commas += 1; last = comma }
        }
        if dots > 0 && commas > 0 { return last }
        if dots == 1 { return dot }
        if commas == 1 { return comma }
        return 0
    }

    private mutating func consume(_ value: UInt32) throws(AmountScanProblem) {
        if wordLength > 0 && CurrencyTable.upperLetter(value) == nil { try finishWord() }
        switch phase {
        case .prefix:
            if isDigit(value) {
                phase = .number
                try digit(value)
            } else {
                try affix(value, leading: true)
            }
        case .number:
            if isDigit(value) {
                try digit(value)
            } else if value == Self.dot || value == Self.comma {
                guard pending == 0 else { throw .malformed }
                pending = value
            } else if AmountTextScalars.isGroupingSpace(value) {
                if pending == 0 {
                    pending = Self.space
                } else {
                    try finishNumber()  // a second space ends the number; punctuation then space is malformed
                    phase = .suffix
                }
            } else {
                try finishNumber()
                phase = .suffix
                try affix(value, leading: false)
            }
        case .suffix:
            try affix(value, leading: false)
        }
    }

    @inline(__always)
    private func isDigit(_ value: UInt32) -> Bool { value >= 0x30 && value <= 0x39 }

    private mutating func digit(_ value: UInt32) throws(AmountScanProblem) {
        sawAnything = true
        if pending != 0 { try commitSeparator() }
        groupSize += 1
        if decimalSeen { fractionDigits += 1 }
        let digit = UInt64(value - 0x30)
        if decimalSeen || magnitude > 0 || digit > 0 {  // leading zeros of the whole part do not count
            significantDigits += 1
            if significantDigits <= Self.maximumDigits { magnitude = magnitude * 10 + digit }
        }
    }

    /// Applies the separator met between two digits.
    private mutating func commitSeparator() throws(AmountScanProblem) {
        let separator = pending
        pending = 0
        if separator == decimalSign {
            guard !decimalSeen else { throw .malformed }
            if groupingSign != 0 && groupSize != 3 { throw .malformed }
            decimalSeen = true
        } else {
            guard !decimalSeen else { throw .malformed }
            if groupingSign == 0 {
                guard groupSize <= 3 else { throw .malformed }
                groupingSign = separator
            } else {
                guard separator == groupingSign, groupSize == 3 else { throw .malformed }
            }
        }
        groupSize = 0
    }

    private mutating func finishNumber() throws(AmountScanProblem) {
        guard pending == 0 || pending == Self.space else { throw .malformed }
        pending = 0
        if groupingSign != 0 && !decimalSeen && groupSize != 3 { throw .malformed }
    }

    /// A scalar before or after the number.
    private mutating func affix(_ value: UInt32, leading: Bool) throws(AmountScanProblem) {
        if AmountTextScalars.isTrimmable(value) { return }
        sawAnything = true
        if let upper = CurrencyTable.upperLetter(value) {
            guard wordLength < 5 else { throw .unknownCurrencyWord }
            word = word << 8 | UInt64(upper)
            wordLength += 1
            return
        }
        switch value {
        case 0x2D, 0x2212:  // hyphen-minus, minus sign
            guard !signSeen, !parenthesisOpened else { throw .malformed }
            signSeen = true
            isNegative = true
        case 0x2B:  // plus
            guard leading, !signSeen, !parenthesisOpened else { throw .malformed }
            signSeen = true
        case 0x28:  // (
            guard leading, !signSeen, !parenthesisOpened else { throw .malformed }
            parenthesisOpened = true
            isNegative = true
        case 0x29:  // )
            guard !leading, parenthesisOpened, !parenthesisClosed else { throw .malformed }
            parenthesisClosed = true
        case 0x20AC:
            try setMark(CurrencyTable.lookup(0x45, 0x55, 0x52).map(AmountCurrencyMark.currency) ?? .none)
        case 0xA3:
            try setMark(CurrencyTable.lookup(0x47, 0x42, 0x50).map(AmountCurrencyMark.currency) ?? .none)
        case 0x24:
            try setMark(.dollarSign)
        default:
            throw .malformed
        }
    }

    private mutating func finishWord() throws(AmountScanProblem) {
        let letters = word
        let length = wordLength
        word = 0
        wordLength = 0
        let currency: Currency?
        switch length {
        case 3:
            currency = CurrencyTable.lookup(UInt8(truncatingIfNeeded: letters >> 16),
                                            UInt8(truncatingIfNeeded: letters >> 8),
                                            UInt8(truncatingIfNeeded: letters))
            if currency == nil {
                // Three letters that are no current code: the amount names a currency that is
                // not one, when the rest is an amount (else the text is no amount at all).
                if unknownCodeLetters == 0 { unknownCodeLetters = letters }
                return
            }
        case 4 where letters == CurrencyTable.euroWord, 5 where letters == CurrencyTable.eurosWord:
            currency = CurrencyTable.lookup(0x45, 0x55, 0x52)
        default:
            currency = nil
        }
        guard let currency else { throw .unknownCurrencyWord }
        try setMark(.currency(currency))
    }

    private mutating func setMark(_ newMark: AmountCurrencyMark) throws(AmountScanProblem) {
        if mark != .none && mark != newMark { throw .conflictingCurrencies }
        mark = newMark
    }

    private mutating func finish() throws(AmountScanProblem) {
        if wordLength > 0 { try finishWord() }
        switch phase {
        case .prefix: throw sawAnything ? .malformed : .empty
        case .number: try finishNumber()
        case .suffix: break
        }
        guard parenthesisOpened == parenthesisClosed else { throw .malformed }
        if significantDigits > Self.maximumDigits { throw .tooManyDigits }
        if unknownCodeLetters != 0 {
            let letters = unknownCodeLetters
            throw .unknownCurrencyCode(String(decoding: [UInt8(truncatingIfNeeded: letters >> 16), UInt8(truncatingIfNeeded: letters >> 8),
                                                         UInt8(truncatingIfNeeded: letters)], as: UTF8.self),
                                       nonPositive: isNegative || magnitude == 0)
        }
    }
}
