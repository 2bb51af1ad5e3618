import DebtflowCore
import DebtflowNormalize
import Testing

/// The amount scanner reads the most common texts (digits, or digits, the decimal sign and
/// digits) in one pass over their bytes; every other text goes through the full scan. A space
/// on each side sends any text through the full scan (its grammar trims them), so the two
/// readings of each text below must agree: value, decimals, or the very same error.
@Suite("amounts: plain decimals read as the full scan reads them")
struct AmountPlainDecimalTests {
    static let texts: [String] = [
        "5", "0", "00", "0.00", "000,0", "0.05", "007", "1250", "12.50", "207,46", "9.50", "12.5", "1.5",
        "1234567.891", "12.345", "1.234", "1,234", "1.234.567", "1,234,567", "12,5,3", "12.", ".5", "12..5",
        "1.2,3", "1,2.3", "1.234,56", "1,234.56",
        String(repeating: "9", count: 18), String(repeating: "9", count: 19),
        "0" + String(repeating: "9", count: 18), "0." + String(repeating: "1", count: 18),
        "0." + String(repeating: "1", count: 19), "12\u{0}50", "12 50", "12a",
        "1\u{A0}234", "+12", "12€", "-12", "12,50 EUR",
    ]

    @Test("same reading as with a space on each side, under every policy", arguments: texts)
    func plainAsFull(text: String) {
        for policy in DecimalSeparatorPolicy.allCases {
            let plain = AmountParser.parse(text, decimal: policy)
            let full = AmountParser.parse(" \(text) ", decimal: policy)
            #expect(plain == full, "\(policy.rawValue): \(text.debugDescription)")
        }
    }

    @Test("plain decimals read as their value and decimals")
    func values() throws {
        let euro = try #require(CurrencyTable.currency(forCode: "EUR"))
        let cases: [(String, DecimalSeparatorPolicy, Int64)] = [
            ("207,46", .auto, 20746), ("9.50", .auto, 950), ("0012.5", .auto, 1250), ("1250", .auto, 125000),
            ("12,5", .comma, 1250), ("12.5", .dot, 1250), ("0.05", .auto, 5),
        ]
        for (text, policy, minorUnits) in cases {
            let parsed = try AmountParser.parse(text, decimal: policy).get()
            #expect(try AmountParser.minorUnits(parsed, currency: euro).get().minorUnits == minorUnits, "\(text)")
        }
    }

    @Test("a NUL byte is never a decimal sign, even when no sign is chosen")
    func nulByte() {
        #expect(AmountParser.parse("12\u{0}50", decimal: .auto).amountFailureCode == .invalidAmount)
        #expect(AmountParser.parse("1.2.3\u{0}4", decimal: .auto).amountFailureCode == .invalidAmount)
    }
}

/// The euro written next to a plain decimal (`€207,46`, `207,46 €`, `207,46€`, `EUR 9.50`) is read
/// in one pass too; a space on each side sends the text through the full scan, so both readings
/// must agree, the currency the text names included. Texts near those forms but not them go
/// through the full scan either way.
@Suite("amounts: a plain decimal marked with the euro read as the full scan reads it")
struct AmountEuroMarkedDecimalTests {
    static let texts: [String] = [
        "€207,46", "207,46 €", "207,46€", "EUR 9.50", "€5", "5€", "5 €", "EUR 5", "€0", "0 €", "EUR 0,00",
        "€1.234,56", "1,234.56 €", "EUR 12.", "€.5", "€12..5", "€-12", "-12 €", "€ 12", "12  €", "EUR12.50",
        "eur 12.50", "EUR  12.50", "EUR 12.50 €", "€12.50 EUR", "€€12", "12 € €", "€", "EUR ", " €", "€12 $",
        "€" + String(repeating: "9", count: 18), String(repeating: "9", count: 19) + " €", "£12", "12 £", "USD 12",
    ]

    @Test("same reading as with a space on each side, under every policy", arguments: texts)
    func markedAsFull(text: String) {
        for policy in DecimalSeparatorPolicy.allCases {
            let marked = AmountParser.parse(text, decimal: policy)
            let full = AmountParser.parse(" \(text) ", decimal: policy)
            #expect(marked == full, "\(policy.rawValue): \(text.debugDescription)")
        }
    }

    @Test("the euro's forms name EUR")
    func namesEuro() throws {
        for text in ["€207,46", "207,46 €", "207,46€", "EUR 207,46"] {
            let parsed = try AmountParser.parse(text, decimal: .auto).get()
            #expect(parsed.currencyHint == "EUR", "\(text)")
            #expect(parsed.digits == "20746" && parsed.fractionDigits == 2, "\(text)")
        }
    }
}
