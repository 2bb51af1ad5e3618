import DebtflowCore
import Testing

@Suite("JSON numbers in exponent form, written out")
struct JSONNumberTextTests {
    private func plain(_ text: String) -> String? {
        var text = text
        return text.withUTF8(JSONNumberText.plainDecimal)
    }

    @Test("an exponent is written out exactly, with no binary floating point", arguments: [
        ("4.74e1", "47.4"), ("1E+2", "100"), ("1.0E7", "10000000"), ("25e-2", "0.25"), ("-1.5E3", "-1500"),
        ("0.5e1", "5"), ("5e-1", "0.5"), ("12.345e0", "12.345"), ("1e-3", "0.001"), ("0e5", "0"),
        ("123456789.123456789e3", "123456789123.456789"), ("-0.07E1", "-0.7"),
    ])
    func writtenOut(text: String, expected: String) {
        #expect(plain(text) == expected)
    }

    @Test("no exponent, not a number, or too long written out: nil (the text is left as it is)", arguments: [
        "47.4", "100", "1e400", "1e41", "1e", "1e+", "e5", "1.e5", ".5e1", "1.5e1x", "1,5e1", "--1e2", "1e2.5",
    ])
    func leftAsItIs(text: String) {
        #expect(plain(text) == nil)
    }
}
