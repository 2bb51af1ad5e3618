/// A current ISO 4217 currency and how many decimals its amounts carry.
///
/// Obtain one from ``CurrencyTable``: `CurrencyTable.currency(forCode: "EUR")` is
/// `Currency(code: "EUR", minorUnitDigits: 2)`, JPY has 0 digits and TND 3.
public struct Currency: Sendable, Equatable, Hashable {
    /// The three-letter ISO 4217 code in upper case (`EUR`).
    public var code: String
    /// The number of decimals of the currency's minor unit (EUR 2, JPY 0, TND 3).
    public var minorUnitDigits: Int

    /// Makes a currency value. Prefer ``CurrencyTable/currency(forCode:)``, which only returns
    /// currencies of the current ISO 4217 list.
    public init(code: String, minorUnitDigits: Int) {
        self.code = code
        self.minorUnitDigits = minorUnitDigits
    }
}
