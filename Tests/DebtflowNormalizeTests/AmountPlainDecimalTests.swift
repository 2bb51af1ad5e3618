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
