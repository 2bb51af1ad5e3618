import DebtflowCore
import DebtflowNormalize
import Testing

/// One accepted spelling: the text, the policy, and what it must read as.
struct AmountCase: Sendable, CustomTestStringConvertible {
    var text: String
    var policy: DecimalSeparatorPolicy
    var digits: String
    var fractionDigits: Int
    var hint: String?
    var testDescription: String { "\(policy.rawValue): \(text.debugDescription)" }

    init(_ text: String, _ policy: DecimalSeparatorPolicy, _ digits: String, _ fractionDigits: Int,
         _ hint: String? = nil) {
        (self.text, self.policy, self.digits, self.fractionDigits, self.hint) = (text, policy, digits, fractionDigits, hint)
    }

    /// A case under the `auto` policy.
    init(_ text: String, _ digits: String, _ fractionDigits: Int, _ hint: String? = nil) {
        self.init(text, .auto, digits, fractionDigits, hint)
    }
}

@Suite("Amount parsing")
struct AmountParserTests {
    static let contractSpellings: [AmountCase] = [
        AmountCase("1234.56", "123456", 2),
        AmountCase("1234,56", "123456", 2),
        AmountCase("1 234,56", "123456", 2),
        AmountCase("1\u{00A0}234,56", "123456", 2),
        AmountCase("1\u{202F}234,56", "123456", 2),
        AmountCase("1\u{2009}234,56", "123456", 2),
        AmountCase("1.234,56", "123456", 2),
        AmountCase("1,234.56", "123456", 2),
        AmountCase("€12,50", "1250", 2, "EUR"),
        AmountCase("12,50 €", "1250", 2, "EUR"),
        AmountCase("12,50\u{00A0}€", "1250", 2, "EUR"),
        AmountCase("EUR 12.50", "1250", 2, "EUR"),
        AmountCase("12.50 EUR", "1250", 2, "EUR"),
        AmountCase("12.50EUR", "1250", 2, "EUR"),
        AmountCase("eur 12.50", "1250", 2, "EUR"),
        AmountCase("12,50 euros", "1250", 2, "EUR"),
        AmountCase("12,50 Euro", "1250", 2, "EUR"),
        AmountCase("€ 1 234,56", "123456", 2, "EUR"),
        AmountCase("£3.20", "320", 2, "GBP"),
        AmountCase("3.20 £", "320", 2, "GBP"),
        AmountCase("12.50 CHF", "1250", 2, "CHF"),
        AmountCase("JPY 1,234,567", "1234567", 0, "JPY"),
        AmountCase("$5.00", "500", 2, ParsedAmount.dollarSignHint),
        AmountCase("€12,50 EUR", "1250", 2, "EUR"),
    ]

    static let autoPolicy: [AmountCase] = [
        AmountCase("1.234.567", "1234567", 0),
        AmountCase("1,234,567", "1234567", 0),
        AmountCase("1.234.567,89", "123456789", 2),
        AmountCase("1,234,567.89", "123456789", 2),
        AmountCase("1 234 567,89", "123456789", 2),
        AmountCase("1 234.5", "12345", 1),
        AmountCase("1.5", "15", 1),
        AmountCase("1,5", "15", 1),
        AmountCase("1.234", "1234", 3),
        AmountCase("1,234", "1234", 3),
        AmountCase("1234", "1234", 0),
        AmountCase("0.05", "005", 2),
        AmountCase("007,50", "750", 2),
        AmountCase("+12.50", "1250", 2),
        AmountCase("  12.50\t", "1250", 2),
        AmountCase("999999999999999999", "999999999999999999", 0),
        AmountCase("00000000000000000000001.5", "15", 1),
        AmountCase("0.000000000000000001", "0000000000000000001", 18),
    ]

    static let explicitPolicies: [AmountCase] = [
        AmountCase("1.234,56", .comma, "123456", 2),
        AmountCase("1 234,56", .comma, "123456", 2),
        AmountCase("1234,5", .comma, "12345", 1),
        AmountCase("1.234", .comma, "1234", 0),
        AmountCase("1.234.567", .comma, "1234567", 0),
        AmountCase("12", .comma, "12", 0),
        AmountCase("1,234.56", .dot, "123456", 2),
        AmountCase("1 234.56", .dot, "123456", 2),
        AmountCase("1234.5", .dot, "12345", 1),
        AmountCase("1,234", .dot, "1234", 0),
        AmountCase("1,234,567", .dot, "1234567", 0),
        AmountCase("12,50 €", .comma, "1250", 2, "EUR"),
    ]

    @Test("the contract's spellings read as digits, decimals and currency hint",
          arguments: contractSpellings + autoPolicy + explicitPolicies)
    func reads(_ example: AmountCase) throws {
        let parsed = try AmountParser.parse(example.text, decimal: example.policy).get()
        #expect(parsed == ParsedAmount(isNegative: false, digits: example.digits,
                                       fractionDigits: example.fractionDigits, currencyHint: example.hint))
    }

    @Test("text that is not an amount is invalid_amount on field amount",
          arguments: ["12,5,3", "abc", "1 2 3,4.5.6", "", "   ", "12.", ",50", ".50", "1..2", "1,,2", "12 50",
                      "1.234.56", "1,234,56.7", "1,234.567,89", "12EUR50", "€12 £",
                      "€12 USD", "(12.50", "12.50)", "--12", "+-12", "12+", "1e5", "12 . 50", "1 234  567", "FRF", "12 abcd",
                      "1234 567", "12.34.567,8", "1_234", "١٢", "1234567890123456789", "0.0000000000000000001", "1234567890.123456789",
                      "12,-", "- 12 -", "€", "EUR", "12.50 EUR EUR USD"])
    func invalid(text: String) {
        let result = AmountParser.parse(text, decimal: .auto)
        #expect(result.amountFailureCode == .invalidAmount)
        #expect(result.amountFailureField == "amount")
    }

    @Test("under a configured decimal sign, zeros past the currency's decimals are accepted however many: the sign is known")
    func zerosUnderAConfiguredSign() throws {
        let eur = try #require(CurrencyTable.currency(forCode: "EUR"))
        let jpy = try #require(CurrencyTable.currency(forCode: "JPY"))
        for (text, currency, policy, expected) in [("25.000", eur, DecimalSeparatorPolicy.dot, "25.00"), ("1.000", jpy, .dot, "1"),
                                                    ("25,000", eur, .comma, "25.00")] {
            let parsed = try AmountParser.parse(text, decimal: policy).get()
            #expect(try AmountParser.minorUnits(parsed, currency: currency, decimal: policy).get().decimalText == expected, "\(text)")
        }
        let auto = try AmountParser.parse("1.000", decimal: .auto).get()
        let refused = AmountParser.minorUnits(auto, currency: jpy, decimal: .auto)
        #expect(refused.amountFailureCode == .invalidAmount)
        if case .failure(let error) = refused { #expect(error.message.contains("thousands group")) }
    }

    @Test("an amount naming three letters that are no current ISO 4217 code is invalid_currency on field currency",
          arguments: ["12.50 FRF", "FRF 12.50", "12.50 XEU", "12abc", "-12 FRF"])
    func unknownCodeInAmount(text: String) {
        let result = AmountParser.parse(text, decimal: .auto)
        #expect(result.amountFailureCode == .invalidCurrency)
        #expect(result.amountFailureField == "currency")
        // The message names the letters read, so that `120 TTC` points at the amount's text.
        if case .failure(let error) = result {
            #expect(["FRF", "XEU", "ABC"].contains { error.message.contains($0) }, "\(error.message)")
        }
    }

    @Test("an explicit policy makes the other sign a grouping sign, so misplaced groups are invalid",
          arguments: [("1,234.56", DecimalSeparatorPolicy.comma), ("12.5", .comma), ("1.234,5.6", .comma),
                      ("1.234,56", .dot), ("12,50", .dot), ("1.2.3", .dot)])
    func explicitPolicyMismatch(text: String, policy: DecimalSeparatorPolicy) {
        #expect(AmountParser.parse(text, decimal: policy).amountFailureCode == .invalidAmount)
    }

    @Test("zero, negative and parenthesised amounts are non_positive_amount",
          arguments: ["0", "0,00", "0.000", "€0", "-12", "-12.50", "12-", "12.50-", "−12", "-€5", "€-5",
                      "(12.50)", "(€12.50)", "(12,50 €)", "-0", "EUR -1 234,56"])
    func nonPositive(text: String) {
        for policy in DecimalSeparatorPolicy.allCases where AmountParser.parse(text, decimal: policy).amountFailureCode != .invalidAmount {
            #expect(AmountParser.parse(text, decimal: policy).amountFailureCode == .nonPositiveAmount, "\(policy)")
            #expect(AmountParser.parse(text, decimal: policy).amountFailureField == "amount")
        }
        #expect(AmountParser.parse(text, decimal: .auto).amountFailureCode == .nonPositiveAmount)
    }

    @Test("error messages do not repeat the field's text")
    func messagesDoNotEchoInput() {
        for text in ["Jean Dupont 12", "-4711", "(4711)", "47118888888888888888888"] {
            guard case .failure(let error) = AmountParser.parse(text, decimal: .auto) else {
                Issue.record("\(text) should fail")
                continue
            }
            #expect(!error.message.contains("Jean") && !error.message.contains("4711"))
            #expect(!error.message.isEmpty)
        }
    }
}

/// One conversion to minor units: text, currency, and the expected integer and decimal text.
struct MinorUnitCase: Sendable, CustomTestStringConvertible {
    var text: String
    var currency: String
    var minorUnits: Int64
    var decimalText: String
    var testDescription: String { "\(text) \(currency)" }
    init(_ text: String, _ currency: String, _ minorUnits: Int64, _ decimalText: String) {
        (self.text, self.currency, self.minorUnits, self.decimalText) = (text, currency, minorUnits, decimalText)
    }
}

@Suite("Amounts in minor units")
struct AmountMinorUnitsTests {
    static let conversions: [MinorUnitCase] = [
        MinorUnitCase("1 234,5", "EUR", 123_450, "1234.50"),
        MinorUnitCase("1234.56", "EUR", 123_456, "1234.56"),
        MinorUnitCase("12", "EUR", 1200, "12.00"),
        MinorUnitCase("0.05", "EUR", 5, "0.05"),
        MinorUnitCase("1234", "JPY", 1234, "1234"),
        MinorUnitCase("1.234.567", "JPY", 1_234_567, "1234567"),
        MinorUnitCase("1234,00", "JPY", 1234, "1234"),
        MinorUnitCase("12.5", "TND", 12_500, "12.500"),
        MinorUnitCase("12,345", "TND", 12_345, "12.345"),
        MinorUnitCase("0.0001", "CLF", 1, "0.0001"),
        MinorUnitCase("999999999999999999", "JPY", 999_999_999_999_999_999, "999999999999999999"),
        MinorUnitCase("9999999999999999.99", "EUR", 999_999_999_999_999_999, "9999999999999999.99"),
    ]

    @Test("amounts become integer minor units with the currency's digits", arguments: conversions)
    func converts(_ example: MinorUnitCase) throws {
        let currency = try #require(CurrencyTable.currency(forCode: example.currency))
        let parsed = try AmountParser.parse(example.text, decimal: .auto).get()
        let amount = try AmountParser.minorUnits(parsed, currency: currency).get()
        #expect(amount == MinorUnitAmount(minorUnits: example.minorUnits, digits: currency.minorUnitDigits))
        #expect(amount.decimalText == example.decimalText)
    }

    @Test("more decimals than the currency has, or more than 18 digits, is invalid_amount",
          arguments: [("12.345", "EUR"), ("12.5", "JPY"), ("1.234", "JPY"), ("0,01", "JPY"), ("1.2345", "TND"), ("0.00001", "CLF"),
                      // Three decimals past the currency's, even zeros: a thousands group as much as a fraction
                      // (under `decimal: auto`; a configured decimal sign accepts them, below).
                      ("12.340", "EUR"), ("1,000", "JPY"), ("1.000", "EUR"), ("25.000", "EUR"), ("$1,000", "USD"),
                      ("99999999999999999", "TND"), ("10000000000000000", "EUR"),
                      ("0.000000000000000001", "EUR")])
    func invalid(text: String, code: String) throws {
        let currency = try #require(CurrencyTable.currency(forCode: code))
        let parsed = try AmountParser.parse(text, decimal: .auto).get()
        let result = AmountParser.minorUnits(parsed, currency: currency)
        #expect(result.amountFailureCode == .invalidAmount)
        #expect(result.amountFailureField == "amount")
    }

    @Test("a negative or zero amount built by a caller is non_positive_amount",
          arguments: [ParsedAmount(isNegative: true, digits: "1250", fractionDigits: 2, currencyHint: nil),
                      ParsedAmount(isNegative: false, digits: "000", fractionDigits: 2, currencyHint: nil)])
    func nonPositive(amount: ParsedAmount) throws {
        let euro = try #require(CurrencyTable.currency(forCode: "EUR"))
        #expect(AmountParser.minorUnits(amount, currency: euro).amountFailureCode == .nonPositiveAmount)
    }

    @Test("digits that are not digits are invalid_amount",
          arguments: [ParsedAmount(isNegative: false, digits: "12a", fractionDigits: 0, currencyHint: nil),
                      ParsedAmount(isNegative: false, digits: "", fractionDigits: 0, currencyHint: nil),
                      ParsedAmount(isNegative: false, digits: "12", fractionDigits: 3, currencyHint: nil)])
    func malformedDigits(amount: ParsedAmount) throws {
        let euro = try #require(CurrencyTable.currency(forCode: "EUR"))
        #expect(AmountParser.minorUnits(amount, currency: euro).amountFailureCode == .invalidAmount)
    }
}

extension Result where Failure == RecordError {
    var amountFailureCode: RecordErrorCode? {
        if case .failure(let error) = self { return error.code }
        return nil
    }

    var amountFailureField: String? {
        if case .failure(let error) = self { return error.field }
        return nil
    }
}

@Suite("Amount currency agreement")
struct AmountCurrencyAgreementTests {
    /// One amount text, the record's currency, the configured default, and the expected outcome:
    /// the currency code when it agrees, `nil` when it is `invalid_currency`.
    struct Case: Sendable, CustomTestStringConvertible {
        var amount: String
        var record: String?
        var configured: String?
        var expected: String?
        var testDescription: String {
            "\(amount.debugDescription) record \(record ?? "-") configured \(configured ?? "-") → \(expected ?? "invalid_currency")"
        }
    }

    static let cases: [Case] = [
        // A dollar sign with a currency that is not a dollar disagrees (today both were valid).
        Case(amount: "$48", record: "EUR", configured: nil, expected: nil),
        Case(amount: "48 $", record: "JPY", configured: nil, expected: nil),
        Case(amount: "$48", record: "GBP", configured: "USD", expected: nil),
        Case(amount: "$48", record: nil, configured: "EUR", expected: nil),
        Case(amount: "$48", record: nil, configured: nil, expected: nil),
        // A dollar sign with a dollar currency, on the record or configured.
        Case(amount: "$48", record: "USD", configured: nil, expected: "USD"),
        Case(amount: "48 $", record: "CAD", configured: "EUR", expected: "CAD"),
        Case(amount: "$48", record: "AUD", configured: nil, expected: "AUD"),
        Case(amount: "$48", record: "NZD", configured: nil, expected: "NZD"),
        Case(amount: "$48", record: "SGD", configured: nil, expected: "SGD"),
        Case(amount: "$48", record: "HKD", configured: nil, expected: "HKD"),
        Case(amount: "$48", record: nil, configured: "CAD", expected: "CAD"),
        // Other signs and codes must be the record's currency, and supply it when it has none.
        Case(amount: "£48", record: "EUR", configured: nil, expected: nil),
        Case(amount: "€48", record: "EUR", configured: nil, expected: "EUR"),
        Case(amount: "48 USD", record: "CAD", configured: nil, expected: nil),
        Case(amount: "€48", record: nil, configured: "USD", expected: "EUR"),
        Case(amount: "48", record: nil, configured: "JPY", expected: "JPY"),
        Case(amount: "48", record: "CHF", configured: "EUR", expected: "CHF"),
    ]

    @Test("a sign or code in the amount must agree with the record's or configured currency; $ is a dollar only",
          arguments: cases)
    func agreement(_ example: Case) throws {
        let parsed = try AmountParser.parse(example.amount, decimal: .auto).get()
        let agreement = AmountParser.currency(hint: parsed.currencyHint,
                                              recordCurrency: example.record.flatMap(CurrencyTable.currency(forCode:)),
                                              defaultCurrency: example.configured.flatMap(CurrencyTable.currency(forCode:)))
        if let expected = example.expected {
            #expect(agreement.problem == nil)
            #expect(agreement.currency?.code == expected)
        } else {
            let problem = try #require(agreement.problem)
            #expect(problem.code == .invalidCurrency)
            #expect(problem.field == "currency")
        }
    }

    @Test("the message says which currency the sign stands for and which one it disagrees with")
    func message() {
        let euro = CurrencyTable.currency(forCode: "EUR")
        let agreement = AmountParser.currency(hint: ParsedAmount.dollarSignHint, recordCurrency: euro, defaultCurrency: nil)
        #expect(agreement.problem?.message == "the amount is in `$` (a dollar: USD, CAD, AUD, NZD, SGD, HKD) but the currency is EUR")
        #expect(agreement.currency == euro, "the record's currency stays, so the amount is still checked")
    }
}
