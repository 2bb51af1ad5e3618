/// A port of the parts of libphonenumber's `parse` that turn digits into a calling code and a
/// national significant number: the `+` or international prefix, the default region's calling
/// code written without `+`, and the national prefix (trunk `0`, carrier codes, transform rules),
/// each with libphonenumber's own checks. Works on digit values 0–9, driven by the generated
/// tables instead of regular expressions.
struct PhoneNumberParser {
    let store: PhoneMetadataStore

    /// A parsed number: calling code and national significant number (not yet validated).
    struct Parsed {
        var callingCode: Int
        var nationalNumber: PhoneDigits
        /// Whether the calling code was written (`+`, an international prefix, or the default
        /// region's code without `+`) rather than taken from the default region.
        var callingCodeWritten: Bool
    }

    enum Failure: Error {
        case invalidCallingCode
        case tooShortAfterInternationalPrefix
        case missingRegion
        case tooShort
        case tooLong
    }

    static let minimumNationalLength = 2
    static let maximumNationalLength = 17

    /// libphonenumber's `parse(number, defaultRegion)` on already scanned digits.
    func parse(_ digits: PhoneDigits, hasPlus: Bool, defaultRegion: PhoneRegionMetadata?) -> Result<Parsed, Failure> {
        var callingCode: Int
        var national: PhoneDigits
        switch extractCallingCode(digits[...], hasPlus: hasPlus, defaultRegion: defaultRegion) {
        case .success(let found):
            (callingCode, national) = found
        case .failure(.invalidCallingCode) where hasPlus:
            // libphonenumber strips the plus and tries again.
            switch extractCallingCode(digits[...], hasPlus: false, defaultRegion: defaultRegion) {
            case .success(let found):
                guard found.0 != 0 else { return .failure(.invalidCallingCode) }
                (callingCode, national) = found
            case .failure(let failure):
                return .failure(failure)
            }
        case .failure(let failure):
            return .failure(failure)
        }
        var metadata = defaultRegion
        let callingCodeWritten = callingCode != 0
        if callingCodeWritten {
            metadata = store.mainRegion(callingCode: callingCode)
        } else {
            guard let region = defaultRegion else { return .failure(.missingRegion) }
            national = digits
            callingCode = region.callingCode
        }
        guard national.count >= Self.minimumNationalLength else { return .failure(.tooShort) }
        if let metadata {
            let potential = stripNationalPrefix(national, metadata: metadata)
            switch metadata.testLength(potential.count) {
            case .tooShort, .possibleLocalOnly, .invalidLength: break
            case .possible, .tooLong: national = potential
            }
        }
        guard national.count >= Self.minimumNationalLength else { return .failure(.tooShort) }
        guard national.count <= Self.maximumNationalLength else { return .failure(.tooLong) }
        return .success(Parsed(callingCode: callingCode, nationalNumber: national, callingCodeWritten: callingCodeWritten))
    }

    /// `_maybe_extract_country_code`: (0, no digits) when the number has no calling code of its own.
    func extractCallingCode(_ digits: Slice<PhoneDigits>, hasPlus: Bool,
                            defaultRegion: PhoneRegionMetadata?) -> Result<(Int, PhoneDigits), Failure> {
        guard !digits.isEmpty else { return .success((0, PhoneDigits())) }
        var full = digits
        var international = hasPlus
        if !hasPlus, let defaultRegion {
            for rule in defaultRegion.internationalPrefixRules {
                guard let match = rule.match(full) else { continue }
                // A calling code never starts with 0: then it was not an international prefix.
                if match.end < full.endIndex, full[match.end] == 0 { break }
                full = full[match.end...]
                international = true
                break
            }
        }
        if international {
            guard full.count > Self.minimumNationalLength else { return .failure(.tooShortAfterInternationalPrefix) }
            guard let (code, rest) = splitCallingCode(full) else { return .failure(.invalidCallingCode) }
            return .success((code, PhoneDigits(rest)))
        }
        if let region = defaultRegion, full.starts(with: region.callingCodeDigits) {
            let afterCode = PhoneDigits(full.dropFirst(region.callingCodeDigits.count))
            let potential = stripNationalPrefix(afterCode, metadata: region)
            if (!region.general.matchesWhole(full) && region.general.matchesWhole(potential[...]))
                || region.testLength(full.count) == .tooLong {
                return .success((region.callingCode, potential))
            }
        }
        return .success((0, PhoneDigits()))
    }

    /// `_extract_country_code`: the first 1, 2 or 3 digits that are an assigned calling code.
    func splitCallingCode(_ digits: Slice<PhoneDigits>) -> (Int, Slice<PhoneDigits>)? {
        guard let first = digits.first, first != 0 else { return nil }
        var code = 0
        var index = digits.startIndex
        while index < digits.endIndex, index - digits.startIndex < 3 {
            code = code * 10 + Int(digits[index])
            index += 1
            if store.isKnownCallingCode(code) { return (code, digits[index...]) }
        }
        return nil
    }

    /// `_maybe_strip_national_prefix_carrier_code`: the number without its national prefix (or
    /// transformed by the region's rule), unless that would turn a viable number into one that
    /// is not.
    func stripNationalPrefix(_ number: PhoneDigits, metadata: PhoneRegionMetadata) -> PhoneDigits {
        guard !number.isEmpty else { return number }
        for rule in metadata.nationalPrefixRules {
            guard let match = rule.match(number[...]) else { continue }
            let viableOriginal = metadata.general.matchesWhole(number[...])
            let candidate: PhoneDigits
            if rule.template != nil {
                candidate = rule.transform(number[...], match: match)
            } else {
                candidate = PhoneDigits(number[match.end...])
            }
            if viableOriginal && !metadata.general.matchesWhole(candidate[...]) { return number }
            return candidate
        }
        return number
    }
}
