import DebtflowCore

/// Normalizes typed phone numbers to E.164 (CONTRACT.md §4 "Phones").
///
/// Validity is libphonenumber's (metadata version `PhoneNormalizer.metadataVersion`): a number
/// must be in an assigned range of its country, not only of the right length. On top of it, the
/// contract's rules: French national numbers follow the national plan with the overseas prefixes
/// mapped to +590/+594/+596/+262; shorter national strings are not French; letters make a number
/// invalid; many spellings are accepted (see `PhoneInputScanner`). The tables are decoded once per
/// process; a call works on Unicode scalars and digit values, without Foundation or regular
/// expressions.
public struct PhoneNormalizer: Sendable {
    /// The libphonenumber metadata version the tables were generated from.
    public static let metadataVersion = PhoneMetadataTables.version

    private let store: PhoneMetadataStore
    private let parser: PhoneNumberParser

    /// Creates a normalizer (the shared tables are decoded on first use).
    public init() {
        store = PhoneMetadataStore.shared
        parser = PhoneNumberParser(store: store)
    }

    /// Whether national numbers of `region` (two letters, any case) can be read: libphonenumber
    /// knows the region. (`XX` does not exist: a default region of `XX` would fail every
    /// national number, so the config and the `phone` command refuse it.)
    public static func knowsRegion(_ region: String) -> Bool {
        PhoneMetadataStore.shared.region(region.uppercased()) != nil
    }

    /// Every region ``knowsRegion(_:)`` knows, upper case and sorted (`AC`, `AD`, …, `ZW`): the
    /// names the config schema lists. Read from the same region records the metadata store
    /// indexes (each record's first field, its code), without decoding the rest.
    public static let knownRegions: [String] = PhoneMetadataTables.regions
        .map { String($0.prefix { $0 != "|" }) }
        .filter { PhoneMetadataStore.slot($0) != nil }
        .sorted()

    /// Normalizes one typed phone number.
    ///
    /// - Parameters:
    ///   - input: The number as typed (`06 90 12 34 56`, `+33 (0)6 12 34 56 78`, `'0612345678`…),
    ///     already trimmed: surrounding white space is not a separator.
    ///   - defaultRegion: The region for national numbers (ISO 3166 alpha-2, any case): `FR`, or
    ///     the record's own country.
    /// - Returns: The number in E.164 with its calling code and region, or an error whose message
    ///   says what was expected (it never repeats the number).
    public func normalize(_ input: String, defaultRegion: String = "FR") -> Result<PhoneNumber, PhoneNormalizationError> {
        var input = input
        return input.withUTF8 { normalize(utf8: $0, defaultRegion: defaultRegion) }
    }

    /// Normalizes one typed phone number given as UTF-8 bytes (a field's span), as
    /// ``normalize(_:defaultRegion:)`` does, without a heap allocation on the way: the digits are
    /// held inline (``PhoneDigits``), and the number as integers (no E.164 text is made).
    /// The bytes are taken as they are (trimmed by the caller); ill-formed UTF-8 is an unexpected
    /// character.
    public func normalize(utf8 input: UnsafeBufferPointer<UInt8>,
                          defaultRegion: String = "FR") -> Result<PhoneNumber, PhoneNormalizationError> {
        normalize(utf8: input, defaultRegion: DefaultRegion(code: Self.uppercasedRegion(defaultRegion)))
    }

    /// A default region settled once, for many numbers read with it (the `normalize` stage's
    /// configured region): its code upper-cased, whether the French plan applies, its metadata
    /// looked up. Settled per number, these cost about 190 instructions a phone.
    public struct DefaultRegion: Sendable {
        /// The code, upper-cased and without spaces (`FR`).
        let code: String
        /// Whether national numbers follow the French plan (``PhoneFrenchNumberingPlan``).
        let frenchPlan: Bool
        /// The region's metadata when ``isLookedUp`` (`nil`: libphonenumber does not know it).
        let metadata: PhoneRegionMetadata?
        /// Whether ``metadata`` was looked up; else it is looked up when a number needs it (a
        /// record's own region: a French national number, most of them, does not).
        let isLookedUp: Bool

        /// A region not looked up yet.
        init(code: String) {
            self.code = code
            frenchPlan = PhoneFrenchNumberingPlan.applies(toDefaultRegion: code)
            metadata = nil
            isLookedUp = false
        }

        /// A region looked up in `store`.
        init(code: String, store: PhoneMetadataStore) {
            self.code = code
            frenchPlan = PhoneFrenchNumberingPlan.applies(toDefaultRegion: code)
            metadata = store.region(code)
            isLookedUp = true
        }
    }

    /// `region` (two letters, any case) settled for ``normalize(utf8:defaultRegion:)-(_,DefaultRegion)``.
    public func defaultRegion(_ region: String) -> DefaultRegion {
        DefaultRegion(code: Self.uppercasedRegion(region), store: store)
    }

    /// ``normalize(utf8:defaultRegion:)-(_,String)`` with a default region settled once
    /// (``defaultRegion(_:)``).
    public func normalize(utf8 input: UnsafeBufferPointer<UInt8>,
                          defaultRegion settled: DefaultRegion) -> Result<PhoneNumber, PhoneNormalizationError> {
        let phone: ScannedPhone
        switch PhoneInputScanner.scan(utf8: input) {
        case .success(let scanned): phone = scanned
        case .failure(let error): return .failure(error)
        }
        let regionCode = settled.code
        let frenchPlan = settled.frenchPlan

        if frenchPlan, let nsn = PhoneFrenchNumberingPlan.nationalSignificantNumber(of: phone) {
            return frenchNational(nsn)
        }
        // Looked up only here when not settled: a French national number (most of them) does not need it.
        let region = settled.isLookedUp ? settled.metadata : store.region(regionCode)
        let parsed = parser.parse(phone.digits, hasPlus: phone.hasPlus, defaultRegion: region)
        if case .success(let number) = parsed, let result = validated(number.callingCode, number.nationalNumber[...]) {
            return .success(result)
        }
        if frenchPlan && !phone.hasPlus, let result = frenchCallingCodeWithoutPlus(phone.digits) {
            return .success(result)
        }
        return .failure(error(for: parsed, phone: phone, regionCode: regionCode, region: region, frenchPlan: frenchPlan))
    }

    // MARK: Steps

    /// The E.164 number when libphonenumber counts it valid, with `region_code_for_number`'s region.
    private func validated(_ callingCode: Int, _ nsn: Slice<PhoneDigits>) -> PhoneNumber? {
        guard let region = store.regionForNumber(callingCode: callingCode, nationalNumber: nsn),
              region.valid.matchesWhole(nsn) else { return nil }
        return Self.phoneNumber(region: region, nsn: nsn)
    }

    /// A French national number: overseas prefixes first, then the mainland plan, then the
    /// overseas regions' own ranges.
    private func frenchNational(_ nsn: Slice<PhoneDigits>) -> Result<PhoneNumber, PhoneNormalizationError> {
        if let overseas = PhoneFrenchNumberingPlan.overseasCallingCode(nsn) {
            if let result = validated(overseas, nsn) { return .success(result) }
            let name = store.mainRegion(callingCode: overseas)?.region ?? "+\(overseas)"
            return .failure(PhoneNormalizationError(
                message: "not a valid number for \(name) (+\(overseas)): expected a number in an assigned range"))
        }
        if let result = validated(33, nsn) { return .success(result) }
        for code in PhoneFrenchNumberingPlan.fallbackRegions {
            guard let region = store.region(code), region.valid.matchesWhole(nsn) else { continue }
            if let result = validated(region.callingCode, nsn) { return .success(result) }
        }
        return .failure(PhoneNormalizationError(
            message: "not a valid number for FR: expected a number in an assigned French range (mainland or overseas)"))
    }

    /// `33612345678`, `590690123456`: a French or overseas calling code written without `+`.
    private func frenchCallingCodeWithoutPlus(_ digits: PhoneDigits) -> PhoneNumber? {
        for code in PhoneFrenchNumberingPlan.callingCodesWithoutPlus where digits.starts(with: code) {
            if case .success(let number) = parser.parse(digits, hasPlus: true, defaultRegion: nil),
               let result = validated(number.callingCode, number.nationalNumber[...]) {
                return result
            }
        }
        return nil
    }

    private func error(for parsed: Result<PhoneNumberParser.Parsed, PhoneNumberParser.Failure>, phone: ScannedPhone,
                       regionCode: String, region: PhoneRegionMetadata?, frenchPlan: Bool) -> PhoneNormalizationError {
        switch parsed {
        case .failure(.invalidCallingCode):
            return PhoneNormalizationError(message: "unknown country calling code: expected + and an assigned calling code")
        case .failure(.tooShortAfterInternationalPrefix):
            return PhoneNormalizationError(message: "too few digits after the international prefix: expected a country code and a number")
        case .failure(.missingRegion):
            return PhoneNormalizationError(
                message: "unknown default region '\(regionCode.prefix(3))': expected + and a calling code")
        case .failure(.tooShort), .failure(.tooLong), .success:
            break
        }
        if case .success(let number) = parsed, number.callingCodeWritten {
            let name = store.mainRegion(callingCode: number.callingCode)?.region ?? "?"
            return PhoneNormalizationError(
                message: "not a valid number for +\(number.callingCode) (\(name)): expected a number in an assigned range")
        }
        if phone.hasPlus {
            return PhoneNormalizationError(
                message: "not a valid number: expected + followed by a country code and a national number of the right length")
        }
        if frenchPlan {
            // (Written in one piece: the commonest phone error, a French number of the wrong length.)
            return PhoneNormalizationError(
                message: MessageText.joined("not a valid number for ", regionCode, ": expected 10 digits starting with 0, or + and a country code"))
        }
        if let region {
            let lengths: String
            switch (region.possibleLengths.first, region.possibleLengths.last) {
            case let (low?, high?) where low == high: lengths = " of \(low) digits (after the trunk prefix)"
            case let (low?, high?): lengths = " of \(low) to \(high) digits (after the trunk prefix)"
            default: lengths = ""
            }
            return PhoneNormalizationError(
                message: "not a valid number for \(regionCode): expected a national number\(lengths) in an assigned range, or + and a country code")
        }
        return PhoneNormalizationError(message: "not a valid phone number: expected + and a country code")
    }

    // MARK: Helpers

    /// The number of `region`'s calling code and the national significant number `nsn`, held
    /// as integers (no E.164 text is made here: ``DebtflowCore/PhoneNumber/writeE164(into:)``).
    private static func phoneNumber(region: PhoneRegionMetadata, nsn: Slice<PhoneDigits>) -> PhoneNumber {
        // (A valid national number has at most 17 digits: libphonenumber's longest.)
        precondition(nsn.count <= PhoneNumber.maxNationalNumberDigits, "a valid national number of more than 19 digits")
        let value = nsn.withDigits { digits in
            var value: UInt64 = 0
            for digit in digits { value = value &* 10 &+ UInt64(digit) }
            return value
        }
        return PhoneNumber(callingCode: region.callingCode, nationalNumber: value, digitCount: nsn.count, region: region.region)
    }

    private static func uppercasedRegion(_ region: String) -> String {
        // Looked for in the text's bytes (`withUTF8`: a region is a small string, copied to the
        // stack), not through `region.utf8`, whose iterator cost about 130 instructions per
        // phone for two letters.
        var text = region
        let needsChange = text.withUTF8 { bytes in
            bytes.contains { byte in byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") || byte == 0x20 }
        }
        guard needsChange else { return region }
        var bytes: [UInt8] = []
        for byte in region.utf8 where byte != 0x20 {
            bytes.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 0x20 : byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
