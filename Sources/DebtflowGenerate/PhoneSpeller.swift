/// Writes phone numbers the way people type them into spreadsheets: French national and
/// international spellings, overseas departments, EU, Maghreb and other countries, and invalid
/// ones. Every valid number is drawn from an assigned range (libphonenumber's metadata), so
/// that a validator following the contract accepts it.
enum PhoneSpeller {
    /// Where a generated number belongs (contract §4 zones), or `invalid`.
    enum Category: CaseIterable {
        case frenchMainland, overseas, europe, maghreb, other, invalid
    }

    private static let nbsp: [UInt8] = [0xC2, 0xA0]

    /// Appends a number of `category` in one of its usual spellings.
    /// - Parameter internationalOnly: only spellings with a `+` or `00` country code, for records
    ///   whose own country is not France (their national numbers would be read in that country).
    static func append(_ category: Category, internationalOnly: Bool = false, rng: inout SplitMix64,
                       into out: inout [UInt8]) {
        switch category {
        case .frenchMainland: appendFrenchMainland(internationalOnly: internationalOnly, rng: &rng, into: &out)
        case .overseas: appendOverseas(internationalOnly: internationalOnly, rng: &rng, into: &out)
        case .europe: appendInternational(rng.pick(europe), rng: &rng, into: &out)
        case .maghreb: appendInternational(rng.pick(maghreb), rng: &rng, into: &out)
        case .other: appendInternational(rng.pick(others), rng: &rng, into: &out)
        case .invalid: appendInvalid(internationalOnly: internationalOnly, rng: &rng, into: &out)
        }
    }

    /// A string version, for the magicline shape.
    static func string(_ category: Category, internationalOnly: Bool = false, rng: inout SplitMix64) -> String {
        var bytes: [UInt8] = []
        append(category, internationalOnly: internationalOnly, rng: &rng, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: France

    /// A French national significant number (9 digits, no trunk 0): mobile 06/07 or landline.
    private static func frenchNSN(rng: inout SplitMix64) -> [UInt8] {
        var nsn: [UInt8] = []
        if rng.chance(perMille: 800) {
            if rng.chance(perMille: 750) {
                nsn = [UInt8(ascii: "6"), UInt8(ascii: "0") + rng.pick([0, 1, 2, 4, 5, 6, 7, 8])]
            } else {
                nsn = [UInt8(ascii: "7"), UInt8(ascii: "0") + UInt8(rng.inRange(3...9))]
            }
        } else {
            // Landlines 01–05, avoiding the overseas blocks inside them (0262/0263/0269 Réunion and
            // Mayotte, 0590/0594/0596 Guadeloupe, Guiana, Martinique).
            let first = rng.pick([1, 2, 3, 4, 5] as [UInt8])
            let second: UInt8 = switch first {
            case 2: rng.pick([0, 1, 2, 3, 4, 5, 7, 8, 9])
            case 4: UInt8(rng.inRange(1...9))
            case 5: UInt8(rng.inRange(0...8))
            default: UInt8(rng.below(10))
            }
            nsn = [UInt8(ascii: "0") + first, UInt8(ascii: "0") + second]
        }
        for _ in 0..<7 { nsn.append(UInt8(ascii: "0") + UInt8(rng.below(10))) }
        return nsn
    }

    private static func appendFrenchMainland(internationalOnly: Bool, rng: inout SplitMix64, into out: inout [UInt8]) {
        let nsn = frenchNSN(rng: &rng)
        let zero = UInt8(ascii: "0")
        switch internationalOnly ? rng.pick([2, 3, 10, 13]) : rng.below(14) {
        case 0, 1: appendGrouped([zero] + nsn, firstGroup: 2, separator: [UInt8(ascii: " ")], into: &out)  // 06 12 34 56 78
        case 2:
            out.append(contentsOf: Array("+33 ".utf8))
            appendGrouped(nsn, firstGroup: 1, separator: [UInt8(ascii: " ")], into: &out)              // +33 6 12 34 56 78
        case 3: out.append(contentsOf: Array("0033".utf8)); out.append(contentsOf: nsn)                // 0033612345678
        case 4: out.append(contentsOf: nsn)                                                            // 612345678 (lost 0)
        case 5: appendGrouped([zero] + nsn, firstGroup: 2, separator: [UInt8(ascii: ".")], into: &out)  // 06.12.34.56.78
        case 6: out.append(zero); out.append(contentsOf: nsn)                                          // 0612345678
        case 7: appendGrouped([zero] + nsn, firstGroup: 2, separator: [UInt8(ascii: "-")], into: &out)  // 06-12-34-56-78
        case 8: out.append(UInt8(ascii: "'")); out.append(zero); out.append(contentsOf: nsn)            // '0612345678
        case 9:
            appendGrouped([zero] + nsn, firstGroup: 2, separator: [UInt8(ascii: " ")], into: &out)
            out.append(contentsOf: Array(rng.pick([" poste 12", " poste 204", " ext. 3", " #15", " x"]).utf8))
        case 10:
            out.append(contentsOf: Array("+33 (0)".utf8))
            appendGrouped(nsn, firstGroup: 1, separator: [UInt8(ascii: " ")], into: &out)              // +33 (0)6 12 …
        case 11: out.append(contentsOf: Array("33".utf8)); out.append(contentsOf: nsn)                 // 33612345678
        case 12: appendGrouped([zero] + nsn, firstGroup: 2, separator: nbsp, into: &out)               // no-break spaces
        default: out.append(contentsOf: Array("+33".utf8)); out.append(contentsOf: nsn)                // +33612345678
        }
    }

    // MARK: Overseas departments (DOM)

    /// (calling code, prefix of the national number, random digits to add).
    private static let overseasRanges: [(String, String, Int)] = [
        ("590", "690", 6),    // Guadeloupe mobile
        ("590", "59091", 4),  // Guadeloupe landline
        ("596", "6960", 5),   // Martinique mobile
        ("594", "6941", 5),   // French Guiana mobile
        ("262", "692", 6),    // Réunion mobile
        ("262", "6392", 5),   // Mayotte mobile
    ]

    private static func appendOverseas(internationalOnly: Bool, rng: inout SplitMix64, into out: inout [UInt8]) {
        let (code, prefix, count) = rng.pick(overseasRanges)
        var nsn = Array(prefix.utf8)
        for _ in 0..<count { nsn.append(UInt8(ascii: "0") + UInt8(rng.below(10))) }
        let national = [UInt8(ascii: "0")] + nsn
        switch internationalOnly ? rng.inRange(3...4) : rng.below(6) {
        case 0: appendGrouped(national, firstGroup: 4, separator: [UInt8(ascii: " ")], into: &out)  // 0690 12 34 56
        case 1: appendGrouped(national, firstGroup: 2, separator: [UInt8(ascii: " ")], into: &out)  // 06 90 12 34 56
        case 2: out.append(contentsOf: national)                                                     // 0690123456
        case 3:
            out.append(contentsOf: Array("+\(code) ".utf8))
            appendGrouped(nsn, firstGroup: 3, separator: [UInt8(ascii: " ")], into: &out)             // +590 690 12 34 56
        case 4: out.append(contentsOf: Array("00\(code)".utf8)); out.append(contentsOf: nsn)        // 00590690123456
        default: out.append(contentsOf: Array(code.utf8)); out.append(contentsOf: nsn)              // 590690123456
        }
    }

    // MARK: International

    /// A calling code and a national-number pattern: `d` is a random digit, spaces group.
    private struct Pattern {
        let code: String
        let pattern: String
        /// The country writes a trunk `0` that international callers drop (`+49 (0)151 …`).
        let hasDroppedTrunkZero: Bool
        init(_ code: String, _ pattern: String, trunkZero: Bool = false) {
            self.code = code
            self.pattern = pattern
            hasDroppedTrunkZero = trunkZero
        }
    }

    private static let europe: [Pattern] = [
        Pattern("49", "151 dddd dddd", trunkZero: true), Pattern("49", "176 dddd dddd", trunkZero: true),
        Pattern("32", "47d dd dd dd", trunkZero: true), Pattern("39", "06 dddd dddd"), Pattern("39", "347 ddd dddd"),
        Pattern("34", "6dd dd dd dd"), Pattern("31", "6 2ddd dddd", trunkZero: true), Pattern("351", "91d ddd ddd"),
        Pattern("352", "621 ddd ddd"),
    ]
    private static let maghreb: [Pattern] = [
        Pattern("212", "6 1d dd dd dd", trunkZero: true), Pattern("212", "7 0d dd dd dd", trunkZero: true),
        Pattern("213", "55d dd dd dd", trunkZero: true), Pattern("213", "66d dd dd dd", trunkZero: true),
        Pattern("216", "2d ddd ddd"), Pattern("216", "98 ddd ddd"),
    ]
    private static let others: [Pattern] = [
        Pattern("44", "7400 dddddd", trunkZero: true), Pattern("41", "79 ddd dd dd", trunkZero: true),
        Pattern("1", "212 555 01dd"), Pattern("1", "514 555 01dd"), Pattern("377", "6 dd dd dd dd"),
        Pattern("61", "412 ddd ddd", trunkZero: true),
    ]

    private static func appendInternational(_ pattern: Pattern, rng: inout SplitMix64, into out: inout [UInt8]) {
        var grouped: [UInt8] = []
        for byte in pattern.pattern.utf8 {
            grouped.append(byte == UInt8(ascii: "d") ? UInt8(ascii: "0") + UInt8(rng.below(10)) : byte)
        }
        let compact = grouped.filter { $0 != UInt8(ascii: " ") }
        switch rng.below(pattern.hasDroppedTrunkZero ? 5 : 4) {
        case 0, 1: out.append(contentsOf: Array("+\(pattern.code) ".utf8)); out.append(contentsOf: grouped)
        case 2: out.append(contentsOf: Array("00\(pattern.code)".utf8)); out.append(contentsOf: compact)
        case 3: out.append(contentsOf: Array("+\(pattern.code)".utf8)); out.append(contentsOf: compact)
        default: out.append(contentsOf: Array("+\(pattern.code) (0)".utf8)); out.append(contentsOf: grouped)
        }
    }

    // MARK: Invalid

    private static let invalidSpellings: [[UInt8]] = [
        "0612", "06 12 34 56", "O6 12 34 56 78", "06 12 34 56 78 90", "41 12 34", "+33 6 12", "0800-FLEURS",
        "00 00 00 00 00", "n/a", "tél. bureau", "123", "+49 12", "06-12-34-5X-78", "+33 0 00 00 00 00", "#REF!",
    ].map { Array($0.utf8) }

    /// Invalid in any region (not only in France): for records whose own country is elsewhere.
    private static let invalidEverywhere: [[UInt8]] = [
        "0612", "+33 6 12", "n/a", "123", "#REF!", "+49 12", "+33 0 00 00 00 00", "tél. bureau",
    ].map { Array($0.utf8) }

    private static func appendInvalid(internationalOnly: Bool, rng: inout SplitMix64, into out: inout [UInt8]) {
        if internationalOnly {
            out.append(contentsOf: rng.pick(invalidEverywhere))
        } else if rng.chance(perMille: 700) {
            out.append(contentsOf: rng.pick(invalidSpellings))
        } else {
            // A French number missing digits: 7 or 8 digits after the 0.
            out.append(contentsOf: Array("06".utf8))
            for _ in 0..<rng.inRange(5...6) { out.append(UInt8(ascii: "0") + UInt8(rng.below(10))) }
        }
    }

    // MARK: Helpers

    /// `digits` as a first group of `firstGroup` digits, then pairs, joined by `separator`.
    private static func appendGrouped(_ digits: [UInt8], firstGroup: Int, separator: [UInt8], into out: inout [UInt8]) {
        var index = 0
        var groupSize = firstGroup
        while index < digits.count {
            if index > 0 { out.append(contentsOf: separator) }
            let end = min(index + groupSize, digits.count)
            out.append(contentsOf: digits[index..<end])
            index = end
            groupSize = 2
        }
    }
}
