/// An amount as ``AmountParser`` scans it, before its digits are written out as text
/// (``ParsedAmount``): above zero, with at most 18 significant digits.
struct ScannedAmount: Equatable {
    /// The digits' value, decimals included (`12,50` is 1250).
    var magnitude: UInt64
    /// How many of the value's last digits are decimals.
    var fractionDigits: Int
    /// The currency sign or code the text holds (``ParsedAmount/currencyHint``'s currency, kept
    /// as a value: `normalize` compares it with the record's currency without making a `String`).
    var mark: AmountCurrencyMark

    /// As ``ParsedAmount/currencyHint``.
    var currencyHint: String? { mark.hint }
}
