/// The contract's French rules on top of libphonenumber (CONTRACT.md §4 "Phones"): a French
/// national number (10 digits with a leading 0, or 9 digits whose 0 a spreadsheet dropped)
/// follows the national numbering plan, overseas departments included.
enum PhoneFrenchNumberingPlan {
    /// Default regions whose national numbers follow the French plan: mainland France and the
    /// overseas departments and collectivities that share its 0-prefixed national numbers.
    static func applies(toDefaultRegion region: String) -> Bool {
        switch region {
        case "FR", "GP", "GF", "MQ", "RE", "YT", "BL", "MF": return true
        default: return false
        }
    }

    /// Whether scanned digits are a French national number: no `+`, and 10 digits with a leading
    /// 0 (not `00`, an international prefix) or 9 digits not starting with 0.
    static func nationalSignificantNumber(of phone: ScannedPhone) -> Slice<PhoneDigits>? {
        guard !phone.hasPlus else { return nil }
        let digits = phone.digits
        if digits.count == 10, digits[0] == 0, digits[1] != 0 { return digits[1...] }
        if digits.count == 9, digits[0] != 0 { return digits[...] }
        return nil
    }

    /// The overseas calling code for a national number's first three significant digits
    /// (0590/0690/0691 → 590, 0594/0694 → 594, 0596/0696/0697 → 596, 0262/0263/0692/0693 and
    /// 0269/0639 → 262), or nil for the mainland plan.
    static func overseasCallingCode(_ nsn: Slice<PhoneDigits>) -> Int? {
        var index = nsn.startIndex
        let first = Int(nsn[index]); index += 1
        let second = Int(nsn[index]); index += 1
        let prefix = first * 100 + second * 10 + Int(nsn[index])
        switch prefix {
        case 590, 690, 691: return 590
        case 594, 694: return 594
        case 596, 696, 697: return 596
        case 262, 263, 692, 693, 269, 639: return 262
        default: return nil
        }
    }

    /// The regions tried, in order, for a national number valid nowhere in mainland France.
    static let fallbackRegions = ["GP", "MQ", "GF", "RE", "YT"]

    /// Calling codes accepted without `+` when the default region follows the French plan.
    static let callingCodesWithoutPlus: [[UInt8]] = [[3, 3], [5, 9, 0], [5, 9, 4], [5, 9, 6], [2, 6, 2]]
}
