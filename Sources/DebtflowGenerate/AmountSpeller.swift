/// Writes amounts in the European spellings of contract §4 (`1234.56`, `1 234,56` with no-break
/// spaces, `1.234,56`, `€12,50`, `12,50 €`, `EUR 12.50`, …), and the wrong ones.
enum AmountSpeller {
    /// What a spelled amount carries besides its value.
    struct Spelling {
        /// The text names its currency (`€`, `EUR`): the currency column may be left empty.
        var carriesCurrency = false
        /// The text is a plain JSON number (`1234.56`): JSON formats may write it unquoted.
        var isJSONNumber = false
    }

    private static let space: [UInt8] = [UInt8(ascii: " ")]
    private static let noBreakSpace: [UInt8] = [0xC2, 0xA0]
    private static let narrowNoBreakSpace: [UInt8] = [0xE2, 0x80, 0xAF]
    private static let euroSign: [UInt8] = [0xE2, 0x82, 0xAC]

    /// A realistic positive amount in cents: mostly tens to hundreds of euros, a few thousands.
    static func randomCents(rng: inout SplitMix64) -> Int {
        switch rng.below(10) {
        case 0...3: return rng.inRange(5...99) * 100 + rng.pick([0, 0, 50, 90, 99, rng.below(100)])
        case 4...7: return rng.inRange(100...999) * 100 + rng.below(100)
        case 8: return rng.inRange(1_000...9_999) * 100 + rng.below(100)
        default: return rng.inRange(10_000...250_000) * 100 + rng.below(100)
        }
    }

    /// Appends a valid spelling of `cents` (euros).
    @discardableResult
    static func appendValid(cents: Int, rng: inout SplitMix64, into out: inout [UInt8]) -> Spelling {
        var spelling = Spelling()
        switch rng.below(16) {
        case 0, 1, 2:
            appendNumber(cents, group: nil, decimal: UInt8(ascii: "."), into: &out)  // 1234.56
            spelling.isJSONNumber = true
        case 3, 4: appendNumber(cents, group: nil, decimal: UInt8(ascii: ","), into: &out)  // 1234,56
        case 5: appendNumber(cents, group: noBreakSpace, decimal: UInt8(ascii: ","), into: &out)  // 1 234,56 (NBSP)
        case 6: appendNumber(cents, group: narrowNoBreakSpace, decimal: UInt8(ascii: ","), into: &out)  // U+202F
        case 7: appendNumber(cents, group: space, decimal: UInt8(ascii: ","), into: &out)  // 1 234,56
        case 8, 9: appendNumber(cents, group: [UInt8(ascii: ".")], decimal: UInt8(ascii: ","), into: &out)  // 1.234,56
        case 10: appendNumber(cents, group: [UInt8(ascii: ",")], decimal: UInt8(ascii: "."), into: &out)  // 1,234.56
        case 11:
            out.append(contentsOf: euroSign)  // €12,50
            appendNumber(cents, group: nil, decimal: UInt8(ascii: ","), into: &out)
            spelling.carriesCurrency = true
        case 12:
            appendNumber(cents, group: noBreakSpace, decimal: UInt8(ascii: ","), into: &out)  // 12,50 €
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: euroSign)
            spelling.carriesCurrency = true
        case 13:
            out.append(contentsOf: Array("EUR ".utf8))  // EUR 12.50
            appendNumber(cents, group: nil, decimal: UInt8(ascii: "."), into: &out)
            spelling.carriesCurrency = true
        case 14:
            // Whole euros without decimals, or one decimal digit (`49,9`).
            if cents % 100 == 0 {
                appendInteger(cents / 100, group: nil, into: &out)
                spelling.isJSONNumber = true
            } else {
                appendInteger(cents / 100, group: nil, into: &out)
                out.append(UInt8(ascii: ","))
                out.append(UInt8(ascii: "0") + UInt8((cents % 100) / 10))
                if cents % 10 != 0 { out.append(UInt8(ascii: "0") + UInt8(cents % 10)) }
            }
        default:
            out.append(contentsOf: Array(" ".utf8))  // stray spaces around
            appendNumber(cents, group: nil, decimal: UInt8(ascii: ","), into: &out)
            out.append(UInt8(ascii: " "))
        }
        return spelling
    }

    /// Appends a zero or negative amount (`non_positive_amount`).
    static func appendNonPositive(rng: inout SplitMix64, into out: inout [UInt8]) {
        let cents = randomCents(rng: &rng)
        switch rng.below(6) {
        case 0: out.append(UInt8(ascii: "0"))
        case 1: out.append(contentsOf: Array("0,00".utf8))
        case 2: out.append(UInt8(ascii: "-")); appendNumber(cents, group: nil, decimal: UInt8(ascii: ","), into: &out)
        case 3:
            out.append(UInt8(ascii: "("))
            appendNumber(cents, group: nil, decimal: UInt8(ascii: "."), into: &out)
            out.append(UInt8(ascii: ")"))
        case 4: out.append(UInt8(ascii: "-")); appendNumber(cents, group: noBreakSpace, decimal: UInt8(ascii: ","), into: &out)
        default: out.append(contentsOf: Array("0.00 €".utf8))
        }
    }

    private static let garbage: [[UInt8]] = [
        "12.345", "1.234", "abc", "12,50,30", "douze euros", "12..50", "€", "1 2 3,4,5", "N/A", "#VALEUR!", "12,5O",
    ].map { Array($0.utf8) }

    /// Appends an amount that is not a number, or has more decimals than EUR (`invalid_amount`).
    static func appendInvalid(rng: inout SplitMix64, into out: inout [UInt8]) {
        out.append(contentsOf: rng.pick(garbage))
    }

    /// `cents` as `units<decimal>cc`, the units grouped by three with `group` when given.
    static func appendNumber(_ cents: Int, group: [UInt8]?, decimal: UInt8, into out: inout [UInt8]) {
        appendInteger(cents / 100, group: group, into: &out)
        out.append(decimal)
        out.append(UInt8(ascii: "0") + UInt8((cents % 100) / 10))
        out.append(UInt8(ascii: "0") + UInt8(cents % 10))
    }

    static func appendInteger(_ value: Int, group: [UInt8]?, into out: inout [UInt8]) {
        let digits = Array(String(value).utf8)
        guard let group else {
            out.append(contentsOf: digits)
            return
        }
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(contentsOf: group) }
            out.append(digit)
        }
    }

    /// `cents` as a JSON number text with two decimals (`1234.50`).
    static func jsonNumber(_ cents: Int) -> String {
        var bytes: [UInt8] = []
        appendNumber(cents, group: nil, decimal: UInt8(ascii: "."), into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
