import DebtflowCore
@testable import DebtflowNormalize
import Testing

/// The rules' own trimming (``AmountTextScalars/trimmedRange(_:)``): a text that starts and ends
/// with printable ASCII is settled at a glance; the others are trimmed scalar by scalar.
@Suite("The rules' trimming: spaces, no-break and zero-width spaces, byte-order marks")
struct AmountTextScalarsTests {
    private func trimmed(_ text: String) -> String {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { String(decoding: $0[AmountTextScalars.trimmedRange($0)], as: UTF8.self) }
    }

    @Test("every printable ASCII character at either end is kept, alone and around a space")
    func printableEnds() {
        for value in UInt8(0x21)...UInt8(0x7E) {
            let character = String(UnicodeScalar(value))
            #expect(trimmed(character) == character)
            #expect(trimmed(character + " 1") == character + " 1")
            #expect(trimmed("1 " + character) == "1 " + character)
        }
    }

    @Test("trimmable scalars are taken off either end, and a text of them alone is emptied",
          arguments: [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2009}", "\u{200B}", "\u{202F}", "\u{3000}", "\u{FEFF}"])
    func trimmableEnds(space: String) {
        #expect(trimmed(space + "12,50" + space) == "12,50")
        #expect(trimmed(space + "EUR") == "EUR")
        #expect(trimmed("EUR" + space) == "EUR")
        #expect(trimmed(space + space).isEmpty)
        // Not trimmed inside, nor a non-space scalar at an end.
        #expect(trimmed("1" + space + "2") == "1" + space + "2")
        #expect(trimmed("é" + space) == "é")
    }
}
