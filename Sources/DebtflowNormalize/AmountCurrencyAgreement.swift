import DebtflowCore

/// The currency of an amount once the sign or code written inside it (``ParsedAmount/currencyHint``)
/// is settled against the record's own currency and the configured default (CONTRACT.md §4).
public struct AmountCurrencyAgreement: Sendable, Equatable {
    /// The debt's currency: the record's when it has one (also when the amount's sign disagrees,
    /// so the amount is still checked against it), else the one the amount names, else the
    /// configured default. `nil` when none can be told.
    public var currency: Currency?
    /// `invalid_currency` on field `currency` when the amount's sign or code disagrees with the
    /// record's or the configured currency, or is a bare `$` with no dollar currency to stand for.
    public var problem: RecordError?

    public init(currency: Currency?, problem: RecordError? = nil) {
        self.currency = currency
        self.problem = problem
    }
}

extension AmountParser {
    /// The currencies a bare `$` may stand for: the dollars the debts of this domain meet.
    public static let dollarCurrencyCodes: [String] = ["USD", "CAD", "AUD", "NZD", "SGD", "HKD"]

    /// Settles the currency of an amount.
    ///
    /// - A code or a sign other than `$` (`€` EUR, `£` GBP, `CHF`) must be the record's currency
    ///   when the record has one, and supplies it otherwise.
    /// - `$` names no single currency: it needs a dollar currency (``dollarCurrencyCodes``) on the
    ///   record, or else configured as the default; any other currency there (`$48` with EUR or
    ///   JPY), or none at all, is `invalid_currency`.
    /// - Without a sign or code the currency is the record's, else the configured default.
    ///
    /// - Parameters:
    ///   - hint: the amount's ``ParsedAmount/currencyHint`` (`nil` when the text names none).
    ///   - recordCurrency: the record's own currency, already read as ISO 4217.
    ///   - defaultCurrency: the configured `normalize.currency`.
    public static func currency(hint: String?, recordCurrency: Currency?,
                                defaultCurrency: Currency?) -> AmountCurrencyAgreement {
        if let recordCurrency {
            guard let hint, !agrees(hint: hint, with: recordCurrency) else {
                return AmountCurrencyAgreement(currency: recordCurrency)
            }
            return AmountCurrencyAgreement(currency: recordCurrency,
                                           problem: disagreement(hint: hint, currency: recordCurrency, source: "the currency"))
        }
        guard let hint else { return AmountCurrencyAgreement(currency: defaultCurrency) }
        guard hint == ParsedAmount.dollarSignHint else {
            guard let known = CurrencyTable.currency(forCode: hint) else {
                return AmountCurrencyAgreement(currency: nil, problem: currencyProblem("not an ISO 4217 currency code"))
            }
            return AmountCurrencyAgreement(currency: known)
        }
        guard let defaultCurrency else {
            return AmountCurrencyAgreement(currency: nil, problem: currencyProblem(
                "`$` does not say which dollar: set the record's currency or normalize.currency"))
        }
        guard isDollar(defaultCurrency) else {
            return AmountCurrencyAgreement(currency: nil, problem: disagreement(
                hint: hint, currency: defaultCurrency, source: "normalize.currency"))
        }
        return AmountCurrencyAgreement(currency: defaultCurrency)
    }

    /// ``currency(hint:recordCurrency:defaultCurrency:)`` for the mark the scanner found in the
    /// amount (a currency of ``CurrencyTable``, or `$`), the same answer: a named currency is
    /// compared with the record's as a packed code, with no `String` made for either (`normalize`'s
    /// path, once per amount). A disagreement and a `$` are settled by the text form.
    static func currency(mark: AmountCurrencyMark, recordCurrency: Currency?,
                         defaultCurrency: Currency?) -> AmountCurrencyAgreement {
        switch mark {
        case .none:
            return AmountCurrencyAgreement(currency: recordCurrency ?? defaultCurrency)
        case .currency(let named):
            guard let recordCurrency else { return AmountCurrencyAgreement(currency: named) }
            if named.hasSameCode(as: recordCurrency) { return AmountCurrencyAgreement(currency: recordCurrency) }
            return currency(hint: named.code, recordCurrency: recordCurrency, defaultCurrency: defaultCurrency)
        case .dollarSign:
            return currency(hint: ParsedAmount.dollarSignHint, recordCurrency: recordCurrency, defaultCurrency: defaultCurrency)
        }
    }

    /// Whether `currency` is one a bare `$` may stand for.
    public static func isDollar(_ currency: Currency) -> Bool {
        dollarCurrencyCodes.contains(currency.code)
    }

    /// Whether the amount's sign or code (`hint`) may be written for an amount in `currency`.
    static func agrees(hint: String, with currency: Currency) -> Bool {
        hint == ParsedAmount.dollarSignHint ? isDollar(currency) : hint == currency.code
    }

    private static func disagreement(hint: String, currency: Currency, source: String) -> RecordError {
        if hint == ParsedAmount.dollarSignHint {
            return currencyProblem("the amount is in `$` (a dollar: \(dollarCurrencyCodes.joined(separator: ", "))) "
                                   + "but \(source) is \(currency.code)")
        }
        return currencyProblem("the amount is in \(hint) but \(source) is \(currency.code)")
    }

    private static func currencyProblem(_ message: String) -> RecordError {
        RecordError(field: "currency", code: .invalidCurrency, message: message)
    }
}
