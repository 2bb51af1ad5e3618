@testable import DebtflowGenerate
import Foundation
import Testing

@Suite("PhoneSpeller")
struct PhoneSpellerTests {
    /// The French national significant number (9 digits, no trunk 0) of a mainland spelling.
    static func nationalDigits(_ spelling: String) -> String {
        var text = spelling
        for marker in [" poste", " ext.", " #", " x"] {
            if let range = text.range(of: marker) { text = String(text[..<range.lowerBound]) }
        }
        var digits = text.replacingOccurrences(of: "(0)", with: "").filter(\.isASCII).filter(\.isNumber)
        for prefix in ["0033", "33", "0"] where digits.count > 9 && digits.hasPrefix(prefix) {
            digits.removeFirst(prefix.count)
        }
        return digits
    }

    @Test("French mainland numbers are 9 national digits outside the overseas blocks (0262/0263/0269/0590/0594/0596/0639/069x)")
    func mainlandAvoidsOverseasBlocks() {
        var rng = SplitMix64(seed: 77)
        let overseas = ["262", "263", "269", "590", "594", "596", "639", "69"]
        for _ in 0..<20_000 {
            let spelling = PhoneSpeller.string(.frenchMainland, rng: &rng)
            let digits = Self.nationalDigits(spelling)
            #expect(digits.count == 9, "\(spelling)")
            #expect(!overseas.contains { digits.hasPrefix($0) }, "\(spelling)")
            #expect(["1", "2", "3", "4", "5", "6", "7"].contains(digits.first.map(String.init) ?? ""), "\(spelling)")
        }
    }

    @Test("international-only spellings always carry a country code")
    func internationalOnly() {
        var rng = SplitMix64(seed: 5)
        for category in [PhoneSpeller.Category.frenchMainland, .overseas] {
            for _ in 0..<2_000 {
                let spelling = PhoneSpeller.string(category, internationalOnly: true, rng: &rng)
                #expect(spelling.hasPrefix("+") || spelling.hasPrefix("00"), "\(spelling)")
            }
        }
    }

    @Test("overseas numbers use the overseas departments' ranges")
    func overseasRanges() {
        var rng = SplitMix64(seed: 6)
        for _ in 0..<2_000 {
            let digits = PhoneSpeller.string(.overseas, rng: &rng).filter(\.isNumber)
            let national = ["00590", "00594", "00596", "00262", "590", "594", "596", "262"]
                .first { digits.hasPrefix($0) && digits.count > 10 }.map { String(digits.dropFirst($0.count)) }
                ?? String(digits.dropFirst())
            #expect(["690", "5909", "6960", "6941", "692", "6392"].contains { national.hasPrefix($0) }, "\(digits)")
        }
    }
}
