import DebtflowCore
import DebtflowNormalize
import Foundation
import Testing

/// The oracle corpus: >= 1,000 inputs in mixed spellings whose expected answers come from
/// libphonenumber (Python `phonenumbers`, pinned) with the contract's French rules on top
/// (Scripts/generate_phone_corpus.py).
@Suite("Phone normalization agrees with the libphonenumber oracle corpus")
struct PhoneCorpusTests {
    struct Case: CustomStringConvertible {
        let line: Int
        let input: String
        let region: String
        let valid: Bool
        let e164: String
        let country: String
        var description: String { "line \(line): \(input.debugDescription) [\(region)]" }
    }

    static func loadCorpus() throws -> [Case] {
        let url = try #require(Bundle.module.url(forResource: "phone_corpus", withExtension: "tsv", subdirectory: "Fixtures"))
        let text = try String(contentsOf: url, encoding: .utf8)
        var cases: [Case] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.hasPrefix("#") || line.isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5 else { continue }
            cases.append(Case(line: index + 1, input: fields[0], region: fields[1], valid: fields[2] == "true",
                              e164: fields[3], country: fields[4]))
        }
        return cases
    }

    @Test("the corpus holds at least 1,000 inputs, valid and invalid")
    func corpusIsLargeAndMixed() throws {
        let cases = try Self.loadCorpus()
        #expect(cases.count >= 1_000)
        #expect(cases.filter(\.valid).count >= 500)
        #expect(cases.filter { !$0.valid }.count >= 200)
    }

    @Test("every corpus input gets the oracle's validity, E.164 and region")
    func everyLineMatches() throws {
        let normalizer = PhoneNormalizer()
        var mismatches: [String] = []
        for item in try Self.loadCorpus() {
            let result = normalizer.normalize(item.input, defaultRegion: item.region)
            switch result {
            case .success(let number):
                if !item.valid || number.e164 != item.e164 || number.region != item.country {
                    mismatches.append("\(item): got \(number.e164) \(number.region), expected "
                        + (item.valid ? "\(item.e164) \(item.country)" : "invalid"))
                }
            case .failure(let error):
                if item.valid {
                    mismatches.append("\(item): got error '\(error.message)', expected \(item.e164) \(item.country)")
                }
            }
        }
        let report = mismatches.prefix(40).joined(separator: "\n")
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches:\n\(report)")
    }
}
