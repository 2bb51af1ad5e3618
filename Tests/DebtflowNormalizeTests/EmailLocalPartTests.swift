import DebtflowCore
@testable import DebtflowNormalize
import Testing

/// ``EmailValidator``'s local-part rule (1–64 characters, no space) through its ASCII loop and,
/// for a part with a byte above 0x7F, its general loop, against the rule read character by
/// character.
@Suite("Email local part: the ASCII loop and the general one")
struct EmailLocalPartTests {
    /// The rule as the contract states it, on a `String`.
    private func reference(_ local: String) -> Bool {
        !local.unicodeScalars.contains { AmountTextScalars.isTrimmable($0.value) } && (1...64).contains(local.count)
    }

    private func check(_ local: String) -> Bool {
        var local = local
        return local.withUTF8 { EmailValidator.isValidLocalPart($0) }
    }

    @Test("ASCII parts of every length around the bounds, with and without a space")
    func asciiLengths() {
        for length in [0, 1, 2, 8, 63, 64, 65, 100] {
            let plain = String(repeating: "a", count: length)
            #expect(check(plain) == reference(plain), "\(length)")
            for space in [" ", "\t", "\n", "\r", "\u{0B}", "\u{0C}"] where length > 0 {
                for position in [0, length / 2, length] {
                    var spaced = plain
                    spaced.insert(contentsOf: space, at: spaced.index(spaced.startIndex, offsetBy: position))
                    #expect(!check(spaced), "\(length) \(position)")
                }
            }
        }
    }

    @Test("non-ASCII parts are counted in characters", arguments: [
        "é", "jean.\u{E9}", String(repeating: "é", count: 64), String(repeating: "é", count: 65),
        String(repeating: "a", count: 63) + "é", String(repeating: "a", count: 64) + "é", "e\u{301}",
        "jean\u{00A0}dupont", "jean\u{2009}", "\u{FEFF}a", "日本",
    ])
    func nonASCII(local: String) {
        #expect(check(local) == reference(local), "\(local)")
    }
}
