import DebtflowCore
import DebtflowJSON
import DebtflowRead
import Foundation
import Testing

/// JSONTestSuite (Nicolas Seriot, MIT licence; Fixtures/JSONTestSuite/LICENSE) through
/// `JSONDocument.parse`: `y_` must be accepted, `n_` rejected, `i_` as documented in
/// docs/json-xml.md.
@Suite("JSONTestSuite conformance")
struct JSONTestSuiteTests {
    static let folder = JSONXMLFixtures.directory.appendingPathComponent("JSONTestSuite/test_parsing")

    static func files(_ prefix: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".json") }.sorted()
    }

    /// The documented `i_` outcomes: numbers of any size are accepted (kept as exact text), so are
    /// a UTF-8 byte-order mark and 500 nested arrays (under the 512 depth limit); every string
    /// that is not valid UTF-8 or holds an escaped lone surrogate is rejected.
    static func isAccepted(implementationDefined name: String) -> Bool {
        name.hasPrefix("i_number_")
            || name == "i_structure_500_nested_arrays.json"
            || name == "i_structure_UTF-8_BOM_empty_object.json"
    }

    static func parse(_ name: String) throws -> RecordValue {
        let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(name)))
        return try JSONDocument.parse(bytes, name: name)
    }

    @Test("the suite is present: 95 y_, 188 n_, 35 i_ documents")
    func suiteIsPresent() {
        #expect(Self.files("y_").count == 95)
        #expect(Self.files("n_").count == 188)
        #expect(Self.files("i_").count == 35)
    }

    @Test("every y_ document is accepted", arguments: files("y_"))
    func acceptsValidDocuments(name: String) {
        #expect(throws: Never.self) { _ = try Self.parse(name) }
    }

    @Test("every n_ document is rejected with an input error", arguments: files("n_"))
    func rejectsInvalidDocuments(name: String) {
        let error = JSONXMLFixtures.inputError { _ = try Self.parse(name) }
        #expect(error?.kind == .input, "\(name) was accepted or failed the wrong way: \(String(describing: error))")
    }

    @Test("every i_ document has its documented outcome", arguments: files("i_"))
    func implementationDefinedOutcomes(name: String) {
        let error = JSONXMLFixtures.inputError { _ = try Self.parse(name) }
        if Self.isAccepted(implementationDefined: name) {
            #expect(error == nil, "\(name) should be accepted: \(String(describing: error))")
        } else {
            #expect(error?.kind == .input, "\(name) should be rejected as input error")
        }
    }

    @Test("a huge number is kept as its exact text")
    func hugeNumberKeptExactly() throws {
        #expect(try Self.parse("i_number_too_big_neg_int.json") == .array([.number("-123123123123123123123123123123")]))
        #expect(try Self.parse("i_number_huge_exp.json").arrayValue?.first?.scalarText?.hasSuffix("69999999006") == true)
    }
}
