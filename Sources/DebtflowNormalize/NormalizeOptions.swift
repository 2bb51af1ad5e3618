/// The `normalize` stage's options (CONTRACT.md §2).
public struct NormalizeOptions: Sendable, Equatable {
    /// The default region for national phone numbers (`FR`), used when the record has no country
    /// code of its own.
    public var region: String
    /// The currency of records that give none (neither a currency field nor a sign in the amount).
    public var currency: String?
    /// How the decimal separator of amounts is found.
    public var decimal: DecimalSeparatorPolicy

    public init(region: String = "FR", currency: String? = nil, decimal: DecimalSeparatorPolicy = .auto) {
        self.region = region
        self.currency = currency
        self.decimal = decimal
    }
}
