/// An amount as read from text, before its currency is known: a digit string and where its
/// decimals begin, never a binary floating-point number.
///
/// `1 234,50 €` reads as `digits: "123450", fractionDigits: 2, currencyHint: "EUR"`.
public struct ParsedAmount: Sendable, Equatable {
    /// Whether the amount is below zero. ``AmountParser/parse(_:decimal:)`` reports negative
    /// amounts as `non_positive_amount` and so only returns `false` here; the field lets a caller
    /// build a signed amount, which ``AmountParser/minorUnits(_:currency:)`` rejects.
    public var isNegative: Bool
    /// All digits, without separators or signs. Leading zeros of the whole part are dropped down to
    /// one (`0.05` is `"005"`), so `digits.count - fractionDigits` is the number of whole digits.
    public var digits: String
    /// How many of the trailing `digits` are decimals.
    public var fractionDigits: Int
    /// The currency named inside the text: an ISO 4217 code (`"EUR"` from `€`, `euro`, `EUR`;
    /// `"GBP"` from `£`; any current code written next to the number), or
    /// ``dollarSignHint`` for a bare `$`, which names no single currency. `nil` when the text
    /// names none.
    ///
    /// A caller uses a code hint when the record has no currency of its own. The dollar hint is
    /// usable only together with a configured default currency (`normalize.currency`): use the
    /// default then, and treat it as no currency at all otherwise (`invalid_currency` / `required`).
    public var currencyHint: String?

    /// The ``currencyHint`` of an amount written with a bare `$` sign.
    public static let dollarSignHint = "$"

    public init(isNegative: Bool, digits: String, fractionDigits: Int, currencyHint: String?) {
        self.isNegative = isNegative
        self.digits = digits
        self.fractionDigits = fractionDigits
        self.currencyHint = currencyHint
    }
}
