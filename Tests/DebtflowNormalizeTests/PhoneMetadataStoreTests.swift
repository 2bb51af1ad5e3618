@testable import DebtflowNormalize
import Testing

/// The phone metadata, kept in ``DebtflowCore/PermanentTable``s, read through its store.
@Suite("Phone metadata read through its store")
struct PhoneMetadataStoreTests {
    @Test("a region's metadata read through the store is the region asked for")
    func regionsThroughTheStore() throws {
        let store = PhoneMetadataStore.shared
        let france = try #require(store.region("FR"))
        #expect(france.region == "FR")
        #expect(france.callingCode == 33)
        #expect(Array(france.callingCodeDigits) == [3, 3])
        let guadeloupe = try #require(store.mainRegion(callingCode: 590))
        #expect(guadeloupe.region == "GP")
        #expect(store.region("ZZ") == nil)
    }

    @Test("every region of the generated tables is decoded, with its lengths and calling codes")
    func everyRegionDecoded() throws {
        let store = PhoneMetadataStore.shared
        let records = PhoneMetadataTables.regions
        #expect(records.count > 200)
        for record in records {
            let name = String(record.prefix { $0 != "|" })
            guard name.count == 2 else { continue }
            let region = try #require(store.region(name), "\(name)")
            #expect(region.region == name)
            #expect(!region.possibleLengths.isEmpty, "\(name)")
            #expect(store.isKnownCallingCode(region.callingCode), "\(name)")
        }
        // Lengths as the tables write them: "9" for France, "8,9,10" style lists elsewhere.
        #expect(Array(try #require(store.region("FR")).possibleLengths) == [9])
        #expect(store.mainRegion(callingCode: 1)?.region == "US")
        #expect(store.mainRegion(callingCode: 262)?.region == "RE")
    }

    @Test("the tables' fields split on their separator byte, empty fields kept unless asked")
    func partsSplitOnBytes() {
        #expect(Substring("FR|33||9").parts(separatedBy: UInt8(ascii: "|")) == ["FR", "33", "", "9"])
        #expect(Substring("|").parts(separatedBy: UInt8(ascii: "|")) == ["", ""])
        #expect(Substring("8,,10,").parts(separatedBy: UInt8(ascii: ","), omittingEmpty: true) == ["8", "10"])
        #expect(Substring("").parts(separatedBy: UInt8(ascii: ",")) == [""])
        #expect(Substring("é|ü").parts(separatedBy: UInt8(ascii: "|")) == ["é", "ü"])
    }
}
