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
}
