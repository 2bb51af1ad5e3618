import DebtflowCore

/// What libphonenumber knows of one region: a reference to the region's ``Entry`` in the store's
/// permanent table (``PhoneMetadataStore/shared``, kept for the life of the process). Taking one
/// copies a word; reading its tables, which are ``PermanentTable``s too, counts no reference.
struct PhoneRegionMetadata: @unchecked Sendable {
    /// One region as decoded from the generated tables.
    struct Entry {
        /// `"FR"`, `"GP"`, or `"001"` for a non-geographic calling code.
        let region: String
        let callingCode: Int
        /// The calling code's digits (values 0–9).
        let callingCodeDigits: PermanentTable<UInt8>
        /// The general description's possible lengths, ascending.
        let possibleLengths: PermanentTable<Int>
        let localOnlyLengths: PermanentTable<Int>
        let nationalPrefixRules: PermanentTable<PhonePrefixRule>
        let internationalPrefixRules: PermanentTable<PhonePrefixRule>
        /// Numbers of this region that libphonenumber counts as valid (any number type).
        let valid: PhoneDigitAutomaton
        /// A full match of the general description's pattern (libphonenumber's "viable" test).
        let general: PhoneDigitAutomaton
        /// A prefix match of `leading_digits`, for regions sharing a calling code.
        let leadingDigits: PhoneDigitAutomaton
        let hasLeadingDigits: Bool

        init(record: String) {
            let fields = Substring(record).parts(separatedBy: UInt8(ascii: "|"))
            region = String(fields[0])
            callingCode = Int(fields[1]) ?? 0
            callingCodeDigits = PermanentTable(fields[1].utf8.map { $0 - UInt8(ascii: "0") })
            possibleLengths = PermanentTable(fields[2].parts(separatedBy: UInt8(ascii: ","), omittingEmpty: true).compactMap { Int($0) })
            localOnlyLengths = PermanentTable(fields[3].parts(separatedBy: UInt8(ascii: ","), omittingEmpty: true).compactMap { Int($0) })
            nationalPrefixRules = PhonePrefixRule.list(fields[4])
            internationalPrefixRules = PhonePrefixRule.list(fields[5])
            valid = PhoneDigitAutomaton(encoded: fields[6])
            general = PhoneDigitAutomaton(encoded: fields[7])
            leadingDigits = PhoneDigitAutomaton(encoded: fields[8])
            hasLeadingDigits = !fields[8].isEmpty
        }
    }

    /// The entry, in the store's ``PermanentTable``: memory that is never freed and never written
    /// after the store is made, which is why a reference to it can cross tasks
    /// (`@unchecked Sendable`). Only the store makes one (the initializer is `fileprivate`).
    private let entry: UnsafePointer<Entry>

    /// The region whose entry is at `entry`, in the store's permanent table.
    fileprivate init(_ entry: UnsafePointer<Entry>) { self.entry = entry }

    var region: String { entry.pointee.region }
    var callingCode: Int { entry.pointee.callingCode }
    var callingCodeDigits: PermanentTable<UInt8> { entry.pointee.callingCodeDigits }
    var possibleLengths: PermanentTable<Int> { entry.pointee.possibleLengths }
    var nationalPrefixRules: PermanentTable<PhonePrefixRule> { entry.pointee.nationalPrefixRules }
    var internationalPrefixRules: PermanentTable<PhonePrefixRule> { entry.pointee.internationalPrefixRules }
    var valid: PhoneDigitAutomaton { entry.pointee.valid }
    var general: PhoneDigitAutomaton { entry.pointee.general }
    var leadingDigits: PhoneDigitAutomaton { entry.pointee.leadingDigits }
    var hasLeadingDigits: Bool { entry.pointee.hasLeadingDigits }

    /// libphonenumber's `_test_number_length` for the UNKNOWN type (general description).
    func testLength(_ length: Int) -> PhoneLengthCheck {
        let localOnlyLengths = entry.pointee.localOnlyLengths
        let possibleLengths = entry.pointee.possibleLengths
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

    private let regions: PermanentTable<PhoneRegionMetadata.Entry>
    /// Two-letter region code (`(first - A) * 26 + (second - A)`) → index in `regions`, or -1.
    private let indexByRegion: PermanentTable<Int32>
    /// Calling code (0…999) → the range of its regions in `regionIndicesByCallingCode`.
    private let callingCodeRanges: PermanentTable<Range<Int32>>
    /// Region indices grouped by calling code, the main region first (libphonenumber's order).
    private let regionIndicesByCallingCode: PermanentTable<Int32>

    private init() {
        let regions = PhoneMetadataTables.regions.map(PhoneRegionMetadata.Entry.init(record:))
        var indexByRegion = [Int32](repeating: -1, count: 26 * 26)
        var byKey: [String: Int] = [:]
        for (index, region) in regions.enumerated() {
            if let slot = Self.slot(region.region) { indexByRegion[slot] = Int32(index) }
            byKey["\(region.callingCode):\(region.region)"] = index
        }
        var ranges = [Range<Int32>](repeating: 0..<0, count: 1000)
        var flat: [Int32] = []
        for entry in Substring(PhoneMetadataTables.callingCodes).parts(separatedBy: UInt8(ascii: ";"), omittingEmpty: true) {
            let parts = entry.parts(separatedBy: UInt8(ascii: ":"), omittingEmpty: true)
            guard parts.count == 2, let code = Int(parts[0]), code < 1000 else { continue }
            let start = Int32(flat.count)
            flat += parts[1].parts(separatedBy: UInt8(ascii: ","), omittingEmpty: true).compactMap { byKey["\(code):\($0)"] }.map { Int32($0) }
            ranges[code] = start..<Int32(flat.count)
        }
        self.regions = PermanentTable(regions)
        self.indexByRegion = PermanentTable(indexByRegion)
        self.callingCodeRanges = PermanentTable(ranges)
        self.regionIndicesByCallingCode = PermanentTable(flat)
    }

    /// The slot of a two-letter uppercase region code, or nil.
    @inline(__always)
    static func slot(_ code: String) -> Int? {
        var utf8 = code.utf8.makeIterator()
        guard let first = utf8.next(), let second = utf8.next(), utf8.next() == nil,
              first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z"),
              second >= UInt8(ascii: "A"), second <= UInt8(ascii: "Z") else { return nil }
        return Int(first - UInt8(ascii: "A")) * 26 + Int(second - UInt8(ascii: "A"))
    }

    /// The metadata of a region (`"FR"`, uppercase), or nil when libphonenumber does not know it.
    func region(_ code: String) -> PhoneRegionMetadata? {
        guard let slot = Self.slot(code) else { return nil }
        let index = indexByRegion[slot]
        return index < 0 ? nil : self.region(at: Int(index))
    }

    /// The region at `index` of ``regions``.
    @inline(__always)
    private func region(at index: Int) -> PhoneRegionMetadata {
        PhoneRegionMetadata(regions.address(of: index))
    }

    private func indices(_ callingCode: Int) -> Range<Int32> {
        guard callingCode >= 0, callingCode < callingCodeRanges.count else { return 0..<0 }
        return callingCodeRanges[callingCode]
    }

    /// Whether the calling code is assigned.
    func isKnownCallingCode(_ code: Int) -> Bool {
        !indices(code).isEmpty
    }

    /// The main region of a calling code (`region_code_for_country_code`): its metadata is used
    /// for parsing numbers written with that code.
    func mainRegion(callingCode: Int) -> PhoneRegionMetadata? {
        let range = indices(callingCode)
        guard !range.isEmpty else { return nil }
        return region(at: Int(regionIndicesByCallingCode[Int(range.lowerBound)]))
    }

    /// libphonenumber's `region_code_for_number`: the only region of the calling code, or the
    /// first whose leading digits match, or (for regions without leading digits) the first where
    /// the number is valid.
    func regionForNumber(callingCode: Int, nationalNumber: Slice<PhoneDigits>) -> PhoneRegionMetadata? {
        let range = indices(callingCode)
        guard !range.isEmpty else { return nil }
        if range.count == 1 { return region(at: Int(regionIndicesByCallingCode[Int(range.lowerBound)])) }
        for position in range {
            let region = region(at: Int(regionIndicesByCallingCode[Int(position)]))
            if region.hasLeadingDigits {
                if region.leadingDigits.matchesPrefix(nationalNumber) { return region }
            } else if region.valid.matchesWhole(nationalNumber) {
                return region
            }
        }
        return nil
    }
}
