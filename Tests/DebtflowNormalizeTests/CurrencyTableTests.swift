import DebtflowCore
import DebtflowNormalize
import Testing

@Suite("ISO 4217 currency table")
struct CurrencyTableTests {
    @Test("an exact current code gives the currency with its minor-unit digits",
          arguments: [("EUR", 2), ("USD", 2), ("GBP", 2), ("CHF", 2), ("JPY", 0), ("KRW", 0), ("XOF", 0),
                      ("TND", 3), ("BHD", 3), ("KWD", 3), ("CLF", 4), ("MAD", 2), ("DZD", 2), ("XPF", 0)])
    func exactCode(code: String, digits: Int) {
        #expect(CurrencyTable.currency(forCode: code) == Currency(code: code, minorUnitDigits: digits))
    }

    @Test("withdrawn, unit-less and non-codes are not currencies",
          arguments: ["FRF", "DEM", "XEU", "ITL", "ESP", "HRK", "SLL", "VEF", "ANG",
                      "XTS", "XXX", "XAU", "XAG", "XDR", "eur", "Eur", "EURO", "EU", "", "€", " EUR"])
    func notACode(code: String) {
        #expect(CurrencyTable.currency(forCode: code) == nil)
    }

    @Test("a source's currency field is trimmed and read without regard to case",
          arguments: [("EUR", "EUR"), (" eur ", "EUR"), ("Eur", "EUR"), ("\u{00A0}chf\u{202F}", "CHF"),
                      ("€", "EUR"), (" € ", "EUR"), ("euro", "EUR"), ("Euro", "EUR"), ("EUROS", "EUR"),
                      ("euros\t", "EUR"), ("£", "GBP"), ("gbp", "GBP"), ("jpy", "JPY"), ("tnd", "TND")])
    func normalizes(raw: String, code: String) {
        #expect(CurrencyTable.normalize(raw)?.code == code)
    }

    @Test("withdrawn codes, ambiguous signs and other text are invalid_currency",
          arguments: ["FRF", "frf", "DEM", " dem ", "XEU", "xts", "XXX", "$", "¥", "", "   ", "eu", "eurs",
                      "euross", "€ EUR", "E U R", "EUR.", "€€", "dollar", "français"])
    func rejects(raw: String) {
        #expect(CurrencyTable.normalize(raw) == nil)
    }

    @Test("the table holds the current list: sorted unique upper-case codes with 0 to 4 digits")
    func tableShape() {
        let all = CurrencyTable.allCurrencies
        #expect(all.count > 150)
        #expect(all.map(\.code) == all.map(\.code).sorted())
        #expect(Set(all.map(\.code)).count == all.count)
        for currency in all {
            #expect(currency.code.utf8.count == 3 && currency.code.utf8.allSatisfy { $0 >= 0x41 && $0 <= 0x5A })
            #expect((0...4).contains(currency.minorUnitDigits))
            #expect(CurrencyTable.currency(forCode: currency.code) == currency)
        }
        #expect(CurrencyTable.listPublishedDate == "2026-01-01")
    }
}
