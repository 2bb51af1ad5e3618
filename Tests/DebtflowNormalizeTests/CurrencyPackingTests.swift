import DebtflowNormalize
import Testing

/// A currency keeps its code as bytes packed in one integer (no `String` to count references of):
/// the code reads back as it was given, and equal codes make equal, equally hashed currencies.
@Suite("currency codes packed in one integer")
struct CurrencyPackingTests {
    @Test("the code reads back as given, as text and as bytes", arguments: ["EUR", "JPY", "TND", "X", "ABCDEFGH", ""])
    func roundTrip(code: String) {
        let currency = Currency(code: code, minorUnitDigits: 2)
        #expect(currency.code == code)
        #expect(currency.withCodeBytes { Array($0) } == Array(code.utf8))
    }

    @Test("setting the code replaces it whole")
    func setCode() {
        var currency = Currency(code: "EURO", minorUnitDigits: 2)
        currency.code = "GBP"
        #expect(currency.code == "GBP")
        #expect(currency == Currency(code: "GBP", minorUnitDigits: 2))
    }

    @Test("equality and hashing follow the code and the digits")
    func equality() {
        let euro = Currency(code: "EUR", minorUnitDigits: 2)
        #expect(euro == CurrencyTable.currency(forCode: "EUR"))
        #expect(euro != Currency(code: "EUR", minorUnitDigits: 3))
        #expect(euro != Currency(code: "EUS", minorUnitDigits: 2))
        #expect(Set([euro, Currency(code: "EUR", minorUnitDigits: 2), Currency(code: "USD", minorUnitDigits: 2)]).count == 2)
    }
}
