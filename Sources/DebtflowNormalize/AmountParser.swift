import DebtflowCore

/// Reads amounts as sources write them and turns them into integer minor units (CONTRACT.md §4).
///
/// Accepted: `1234.56`, `1234,56`, `1 234,56` (ASCII, no-break U+00A0, narrow no-break U+202F or
/// thin U+2009 spaces grouping thousands), `1.234,56`, `1,234.56`, `€12,50`, `12,50 €`,
/// `EUR 12.50`, `12.50 EUR`, `12,50 euros`. Errors are `invalid_amount` (unreadable text, more than
/// 18 digits, more decimals than the currency has) and `non_positive_amount` (zero, `-12`, `12-`,
/// `(12.50)`); their messages never repeat the field's text.
public enum AmountParser {
    /// Reads an amount's text.
    ///
    /// See ``DecimalSeparatorPolicy`` for how the decimal sign is chosen; the other of `.` and `,`
    /// then groups thousands, as spaces do, and every group after the first must have three digits.
    /// A currency sign or code in the text becomes ``ParsedAmount/currencyHint``.
    ///
    /// - Parameters:
    ///   - raw: the field as read.
    ///   - decimal: the decimal separator policy (config `normalize.decimal`).
    /// - Returns: the amount, or a `RecordError` on field `amount`: `invalid_amount` for text that
    ///   is not an amount (`12,5,3`, `abc`, empty) or has more than 18 digits (leading zeros of the
    ///   whole part not counted);
    ///   `non_positive_amount` for zero or a negative amount.
    public static func parse(_ raw: String, decimal: DecimalSeparatorPolicy) -> Result<ParsedAmount, RecordError> {
        var text = raw
        return text.withUTF8 { parse(utf8: $0, decimal: decimal) }
    }

    /// ``parse(_:decimal:)`` over a field's UTF-8 bytes, trimmed or not (spaces around the amount
    /// are part of its grammar); ill-formed UTF-8 is `invalid_amount`. Nothing is allocated for
    /// an amount of up to 15 digits.
    public static func parse(utf8 raw: UnsafeBufferPointer<UInt8>, decimal: DecimalSeparatorPolicy) -> Result<ParsedAmount, RecordError> {
        scan(utf8: raw, decimal: decimal).map { scanned in
            ParsedAmount(isNegative: false, digits: digitText(scanned.magnitude, fractionDigits: scanned.fractionDigits),
                         fractionDigits: scanned.fractionDigits, currencyHint: scanned.currencyHint)
        }
    }

    /// ``parse(utf8:decimal:)`` without writing the digits out as text: what `normalize` reads,
    /// which goes on to ``minorUnits(_:currency:)-(ScannedAmount,_)`` (the digits were a `String`
    /// made from the value and read back into one).
    static func scan(utf8 raw: UnsafeBufferPointer<UInt8>, decimal: DecimalSeparatorPolicy) -> Result<ScannedAmount, RecordError> {
        switch scanKeepingMark(utf8: raw, decimal: decimal) {
        case .amount(let amount): .success(amount)
        case .refused(let error, _), .nonPositiveBesideUnknownCode(let error): .failure(error)
        }
    }

    /// An amount as ``scanKeepingMark(utf8:decimal:)`` reads it.
    enum AmountScan {
        /// The amount, above zero (its currency mark in ``ScannedAmount/mark``).
        case amount(ScannedAmount)
        /// The amount's error, and the currency its text names all the same (`-12,50 €`: EUR).
        case refused(RecordError, mark: AmountCurrencyMark)
        /// A number zero or below beside letters that are no currency code (`-12.50 FRF`): both
        /// `non_positive_amount` and this `invalid_currency` (a record collects all its errors).
        case nonPositiveBesideUnknownCode(RecordError)
    }

    /// ``scan(utf8:decimal:)``, and the currency the text names even when the amount is refused
    /// (`-12,50 €` is `non_positive_amount`, and its currency is still EUR: the debt's currency
    /// is not then reported missing as well). A three-letter code that is no current ISO 4217
    /// code (`12.50 FRF`) is `invalid_currency`, on the field `currency`.
    static func scanKeepingMark(utf8 raw: UnsafeBufferPointer<UInt8>, decimal: DecimalSeparatorPolicy) -> AmountScan {
        let scanner: AmountScanner
        do {
            scanner = try AmountScanner.scan(utf8: raw, policy: decimal)
        } catch .unknownCurrencyCode(let code, let nonPositive) {
            let error = RecordError(field: "currency", code: .invalidCurrency,
                                    message: "the amount names \(code), which is not a current ISO 4217 currency code")
            return nonPositive ? .nonPositiveBesideUnknownCode(error) : .refused(error, mark: .none)
        } catch {
            return .refused(invalidAmount(error), mark: .none)
        }
        guard !scanner.isNegative, scanner.magnitude > 0 else { return .refused(nonPositive, mark: scanner.mark) }
        return .amount(ScannedAmount(magnitude: scanner.magnitude, fractionDigits: scanner.fractionDigits, mark: scanner.mark))
    }

    /// The amount in the currency's minor units: `12.5` EUR is 1250 with 2 digits, `1234` JPY is
    /// 1234 with 0 digits, `12.5` TND is 12500 with 3 digits.
    ///
    /// Decimals beyond the currency's are `invalid_amount` (`12.345` EUR), except zeros. Under
    /// `decimal: auto` only zeros in a fraction of at most two digits (`1234.00` JPY is 1234, as
    /// exports write every amount with two decimals): a fraction of three digits past the
    /// currency's (`1,000` JPY, `1.000 €`, `25.000` EUR) reads as a thousands group as much as
    /// decimals, and is refused rather than shrunk a thousandfold. Under a configured decimal
    /// sign the separator is known, and zeros are accepted however many (`25.000` EUR is 25.00).
    ///
    /// - Parameters:
    ///   - amount: a parsed amount.
    ///   - currency: the debt's currency.
    ///   - decimal: how the amount's decimal sign was read.
    /// - Returns: the amount, or a `RecordError` on field `amount`: `invalid_amount` for decimals
    ///   the currency does not have, a result over 18 digits or malformed `digits`;
    ///   `non_positive_amount` for zero or a negative amount.
    public static func minorUnits(_ amount: ParsedAmount, currency: Currency,
                                  decimal: DecimalSeparatorPolicy = .auto) -> Result<MinorUnitAmount, RecordError> {
        var magnitude: UInt64 = 0
        var significant = 0
        for byte in amount.digits.utf8 {
            guard byte >= 0x30 && byte <= 0x39 else { return .failure(invalidAmount(.malformed)) }
            if magnitude == 0 && byte == 0x30 { continue }
            significant += 1
            guard significant <= AmountScanner.maximumDigits else { return .failure(invalidAmount(.tooManyDigits)) }
            magnitude = magnitude * 10 + UInt64(byte - 0x30)
        }
        guard amount.fractionDigits >= 0, amount.fractionDigits <= amount.digits.utf8.count,
              !amount.digits.isEmpty else { return .failure(invalidAmount(.malformed)) }
        guard !amount.isNegative, magnitude > 0 else { return .failure(nonPositive) }
        return minorUnits(ScannedAmount(magnitude: magnitude, fractionDigits: amount.fractionDigits, mark: .none),
                          currency: currency, decimal: decimal)
    }

    /// ``minorUnits(_:currency:)-(ParsedAmount,_)`` of a scanned amount (its value is above zero
    /// and has at most 18 significant digits).
    static func minorUnits(_ amount: ScannedAmount, currency: Currency,
                           decimal: DecimalSeparatorPolicy = .auto) -> Result<MinorUnitAmount, RecordError> {
        var magnitude = amount.magnitude
        let digits = currency.minorUnitDigits
        if amount.fractionDigits > digits {
            let extra = amount.fractionDigits - digits
            guard extra <= AmountScanner.maximumDigits, magnitude % powerOfTen(extra) == 0 else {
                return .failure(tooManyDecimals(currency))
            }
            guard decimal != .auto || amount.fractionDigits <= 2 else { return .failure(thousandsGroupOrDecimals(currency)) }
            magnitude /= powerOfTen(extra)
        } else if amount.fractionDigits < digits {
            let (scaled, overflow) = magnitude.multipliedReportingOverflow(by: powerOfTen(digits - amount.fractionDigits))
            guard !overflow else { return .failure(invalidAmount(.tooManyDigits)) }
            magnitude = scaled
        }
        guard magnitude < powerOfTen(AmountScanner.maximumDigits) else { return .failure(invalidAmount(.tooManyDigits)) }
        return .success(MinorUnitAmount(minorUnits: Int64(magnitude), digits: digits))
    }

    // MARK: - Errors

    static let field = "amount"

    static let nonPositive = RecordError(
        field: field, code: .nonPositiveAmount,
        message: "expected an amount greater than zero (zero, a minus sign and parentheses are not accepted)")

    static func invalidAmount(_ problem: AmountScanProblem) -> RecordError {
        let message: String
        switch problem {
        case .empty:
            message = "expected an amount such as 1234.56, the field is empty"
        case .malformed:
            message = "expected an amount such as 1234.56, 1 234,56, 1.234,56, 1,234.56 or €12,50"
        case .tooManyDigits:
            message = "expected an amount of at most 18 digits (in minor units)"
        case .unknownCurrencyWord, .unknownCurrencyCode:   // (the latter is caught before: invalid_currency)
            message = "expected digits with at most a currency sign (€, £, $) or a current ISO 4217 code"
        case .conflictingCurrencies:
            message = "expected one currency in the amount, found two different ones"
        }
        return RecordError(field: field, code: .invalidAmount, message: message)
    }

    static func thousandsGroupOrDecimals(_ currency: Currency) -> RecordError {
        RecordError(field: field, code: .invalidAmount,
                    message: "expected at most \(currency.minorUnitDigits) decimals for \(currency.code); "
                        + "three digits after the sign may be a thousands group (one thousand, not one): "
                        + "write the amount without it, or set normalize.decimal")
    }

    static func tooManyDecimals(_ currency: Currency) -> RecordError {
        RecordError(field: field, code: .invalidAmount,
                    message: "expected at most \(currency.minorUnitDigits) decimals for \(currency.code)")
    }

    // MARK: - Helpers

    /// 10^exponent for 0...19.
    @inline(__always)
    static func powerOfTen(_ exponent: Int) -> UInt64 {
        var result: UInt64 = 1
        for _ in 0..<exponent { result &*= 10 }
        return result
    }

    /// `magnitude` as digits, padded with zeros so that one whole digit precedes the decimals.
    static func digitText(_ magnitude: UInt64, fractionDigits: Int) -> String {
        let text = String(magnitude)
        let missing = fractionDigits + 1 - text.utf8.count
        return missing > 0 ? String(repeating: "0", count: missing) + text : text
    }
}
