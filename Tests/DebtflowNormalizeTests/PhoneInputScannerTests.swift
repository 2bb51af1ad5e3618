import DebtflowCore
@testable import DebtflowNormalize
import Testing

/// The scanner's ASCII loop (digits, ASCII separators and `+`, one byte at a time) against its
/// general loop (scalar by scalar): a Unicode hyphen (U+2010, a separator) in front of a number
/// makes the general loop read all of it, so both must give the same answer.
@Suite("PhoneInputScanner: the ASCII loop and the general one agree")
struct PhoneInputScannerTests {
    /// The scan of `text`'s bytes: its digits and `+`, or its error.
    private func scan(_ text: String) -> Result<[UInt8], PhoneNormalizationError> {
        var text = text
        return text.withUTF8 { bytes in
            PhoneInputScanner.scan(utf8: bytes).map { scanned in (scanned.hasPlus ? [UInt8(ascii: "+")] : []) + Array(scanned.digits) }
        }
    }

    @Test("the same answer through either loop", arguments: [
        "06 12 34 56 78", "+33 (0)6 12 34 56 78", "0690123456", "+33-6.12/34[56]78", "\t06 12", "06+12 34",
        "++33 6", "+", "06 12 34 56 78 poste 12", "06 12 34 56 78 x", "06 12 # 5", "O6 12 34 56 78",
        "06 12 34\u{00A0}56 78", "06 12 34 5６ 78", "'0612345678", "06 12 34 56 78'", "06;12",
        String(repeating: "1", count: PhoneDigits.capacity - 1) + " 2 3",
        "+" + String(repeating: "9", count: PhoneDigits.capacity + 10),
        String(repeating: "1", count: PhoneInputScanner.maximumDigits + 1) + " abc",
    ])
    func sameAnswer(text: String) {
        #expect(scan(text) == scan("\u{2010}" + text), "\(text)")
    }

    @Test("ASCII numbers as typed")
    func asciiNumbers() {
        #expect(scan("+33 (0)6 12-34.56/78") == .success([UInt8(ascii: "+"), 3, 3, 0, 6, 1, 2, 3, 4, 5, 6, 7, 8]))
        #expect(scan("06+12") == .failure(PhoneInputScanner.misplacedPlus))
        #expect(scan("++33") == .failure(PhoneInputScanner.misplacedPlus))
        #expect(scan("06 12 ext. 5") == .success([0, 6, 1, 2]))
        #expect(scan("06 12 abc") == .failure(PhoneInputScanner.letters))
    }
}
