/// What libphonenumber knows of one region, decoded from the generated tables.
final class PhoneRegionMetadata: Sendable {
    /// `"FR"`, `"GP"`, or `"001"` for a non-geographic calling code.
    let region: String
    let callingCode: Int
    /// The calling code's digits (values 0–9).
    let callingCodeDigits: [UInt8]
    /// The general description's possible lengths, ascending.
    let possibleLengths: [Int]
    let localOnlyLengths: [Int]
    let nationalPrefixRules: [PhonePrefixRule]
    let internationalPrefixRules: [PhonePrefixRule]
    /// Numbers of this region that libphonenumber counts as valid (any number type).
    let valid: PhoneDigitAutomaton
    /// A full match of the general description's pattern (libphonenumber's "viable" test).
    let general: PhoneDigitAutomaton
    /// A prefix match of `leading_digits`, for regions sharing a calling code.
    let leadingDigits: PhoneDigitAutomaton
    let hasLeadingDigits: Bool

    init(record: String) {
        let fields = record.split(separator: "|", omittingEmptySubsequences: false)
        region = String(fields[0])
        callingCode = Int(fields[1]) ?? 0
        callingCodeDigits = fields[1].utf8.map { $0 - UInt8(ascii: "0") }
        possibleLengths = fields[2].split(separator: ",").compactMap { Int($0) }
        localOnlyLengths = fields[3].split(separator: ",").compactMap { Int($0) }
        nationalPrefixRules = PhonePrefixRule.list(fields[4])
        internationalPrefixRules = PhonePrefixRule.list(fields[5])
        valid = PhoneDigitAutomaton(encoded: fields[6])
        general = PhoneDigitAutomaton(encoded: fields[7])
        leadingDigits = PhoneDigitAutomaton(encoded: fields[8])
        hasLeadingDigits = !fields[8].isEmpty
    }

    /// libphonenumber's `_test_number_length` for the UNKNOWN type (general description).
    func testLength(_ length: Int) -> PhoneLengthCheck {
        if localOnlyLengths.contains(length) { return .possibleLocalOnly }
        guard let minimum = possibleLengths.first, let maximum = possibleLengths.last else { return .tooLong }
        if minimum == length { return .possible }
        if minimum > length { return .tooShort }
        if maximum < length { return .tooLong }
        return possibleLengths.dropFirst().contains(length) ? .possible : .invalidLength
    }
}

/// libphonenumber's `ValidationResult`.
enum PhoneLengthCheck {
    case possible, possibleLocalOnly, tooShort, tooLong, invalidLength
}

/// All regions and calling codes, decoded once from `PhoneMetadataTables` on first use.
final class PhoneMetadataStore: Sendable {
    /// The one decoded copy (a `static let`: decoded lazily and thread-safely once).
    static let shared = PhoneMetadataStore()

    let regions: [PhoneRegionMetadata]
    /// Region code → index in `regions` (geographic regions only).
    private let indexByRegion: [String: Int]
    /// Calling code → indices in `regions`, the main region first (libphonenumber's order).
    private let indicesByCallingCode: [Int: [Int]]

    private init() {
        let regions = PhoneMetadataTables.regions.map(PhoneRegionMetadata.init(record:))
        var indexByRegion: [String: Int] = [:]
        var byKey: [String: Int] = [:]
        for (index, region) in regions.enumerated() {
            if region.region != "001" { indexByRegion[region.region] = index }
            byKey["\(region.callingCode):\(region.region)"] = index
        }
        var indicesByCallingCode: [Int: [Int]] = [:]
        for entry in PhoneMetadataTables.callingCodes.split(separator: ";") {
            let parts = entry.split(separator: ":")
            guard parts.count == 2, let code = Int(parts[0]) else { continue }
            indicesByCallingCode[code] = parts[1].split(separator: ",").compactMap { byKey["\(code):\($0)"] }
        }
        self.regions = regions
        self.indexByRegion = indexByRegion
        self.indicesByCallingCode = indicesByCallingCode
    }

    /// The metadata of a region (`"FR"`), or nil when libphonenumber does not know it.
    func region(_ code: String) -> PhoneRegionMetadata? {
        indexByRegion[code].map { regions[$0] }
    }

    /// Whether the calling code is assigned.
    func isKnownCallingCode(_ code: Int) -> Bool {
        indicesByCallingCode[code] != nil
    }

    /// The main region of a calling code (`region_code_for_country_code`): its metadata is used
    /// for parsing numbers written with that code.
    func mainRegion(callingCode: Int) -> PhoneRegionMetadata? {
        indicesByCallingCode[callingCode]?.first.map { regions[$0] }
    }

    /// libphonenumber's `region_code_for_number`: the only region of the calling code, or the
    /// first whose leading digits match, or (for regions without leading digits) the first where
    /// the number is valid.
    func regionForNumber(callingCode: Int, nationalNumber: ArraySlice<UInt8>) -> PhoneRegionMetadata? {
        guard let indices = indicesByCallingCode[callingCode], !indices.isEmpty else { return nil }
        if indices.count == 1 { return regions[indices[0]] }
        for index in indices {
            let region = regions[index]
            if region.hasLeadingDigits {
                if region.leadingDigits.matchesPrefix(nationalNumber) { return region }
            } else if region.valid.matchesWhole(nationalNumber) {
                return region
            }
        }
        return nil
    }
}
