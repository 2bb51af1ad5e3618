/// An amount as ``AmountParser`` scans it, before its digits are written out as text
/// (``ParsedAmount``): above zero, with at most 18 significant digits.
struct ScannedAmount: Equatable {
    /// The digits' value, decimals included (`12,50` is 1250).
    var magnitude: UInt64
    /// How many of the value's last digits are decimals.
    var fractionDigits: Int
    /// As ``ParsedAmount/currencyHint``.
    var currencyHint: String?
}
