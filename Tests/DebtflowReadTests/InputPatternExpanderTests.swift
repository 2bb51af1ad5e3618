import DebtflowCore
import DebtflowRead
import DebtflowTestSupport
import Foundation
import Testing

@Suite("Input pattern expander")
struct InputPatternExpanderTests {
    private func folder(with names: [String]) throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory()
        for name in names {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("x\n".utf8).write(to: url)
        }
        return folder
    }

    @Test("matches are sorted byte-wise (not by Swift's String order), relative to the config's folder")
    func sortedBytewise() throws {
        let base = try folder(with: ["in/a.csv", "in/B.csv", "in/é.csv", "in/Z10.csv", "in/Z9.csv", "in/e\u{301}.csv"])
        let expansion = try InputPatternExpander(patterns: ["in/*.csv"], baseDirectory: base.path).expand()
        #expect(expansion.inputs.map(\.path) == ["in/B.csv", "in/Z10.csv", "in/Z9.csv", "in/a.csv", "in/e\u{301}.csv", "in/é.csv"])
        #expect(expansion.inputs.allSatisfy { $0.absolutePath.hasPrefix(base.path + "/in/") })
        #expect(expansion.unmatched.isEmpty)
    }

    @Test("a path with [ but no * or ? that names an existing file is that file; otherwise [ ] is a pattern")
    func bracketsInAFileName() throws {
        let base = try folder(with: ["in/export[1].csv", "in/export1.csv", "in/export2.csv"])
        let literal = try InputPatternExpander(patterns: ["in/export[1].csv"], baseDirectory: base.path).expand()
        #expect(literal.inputs.map(\.path) == ["in/export[1].csv"])
        let pattern = try InputPatternExpander(patterns: ["in/export[12].csv"], baseDirectory: base.path).expand()
        #expect(pattern.inputs.map(\.path) == ["in/export1.csv", "in/export2.csv"])
        let star = try InputPatternExpander(patterns: ["in/export[1]*.csv"], baseDirectory: base.path).expand()
        #expect(star.inputs.map(\.path) == ["in/export1.csv"], "with * it stays a pattern")
    }

    @Test("each file once across overlapping patterns and spellings (./, //, a symlink)")
    func deduplicated() throws {
        let base = try folder(with: ["in/a.csv", "in/b.csv"])
        try FileManager.default.createSymbolicLink(atPath: base.path + "/in/link.csv", withDestinationPath: base.path + "/in/b.csv")
        let expansion = try InputPatternExpander(patterns: ["in/*.csv", "./in/a.csv", "in//a.csv", "in/[ab].csv"],
                                                 baseDirectory: base.path).expand()
        #expect(expansion.inputs.map(\.path) == ["in/a.csv", "in/b.csv"])
    }

    @Test("folders and dot files are not matched; a missing folder or an empty match is unmatched, not an error")
    func foldersAndHidden() throws {
        let base = try folder(with: ["in/a.csv", "in/.a.csv.tmp-1-2", "in/sub/x.csv"])
        let expansion = try InputPatternExpander(patterns: ["in/*", "nowhere/*.csv", "in/*.xml"], baseDirectory: base.path).expand()
        #expect(expansion.inputs.map(\.path) == ["in/a.csv"])
        #expect(expansion.unmatched == ["nowhere/*.csv", "in/*.xml"])
    }

    @Test("the config's folder is taken literally even when its name holds glob characters")
    func escapedBase() throws {
        let parent = try TestSupport.makeTemporaryDirectory()
        let base = parent.appendingPathComponent("exports [2026] *")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: base.appendingPathComponent("a.csv"))
        let expansion = try InputPatternExpander(patterns: ["*.csv"], baseDirectory: base.path).expand()
        #expect(expansion.inputs.map(\.path) == ["a.csv"])
    }

    @Test("an absolute pattern gives absolute matched paths")
    func absolutePattern() throws {
        let base = try folder(with: ["in/a.csv"])
        let expansion = try InputPatternExpander(patterns: [base.path + "/in/?.csv"], baseDirectory: "/elsewhere").expand()
        #expect(expansion.inputs.map(\.path) == [base.path + "/in/a.csv"])
    }

    @Test("a missing literal path is kept for the opener to report, or unmatched when missing inputs are allowed")
    func missingLiteral() throws {
        let base = try folder(with: [])
        let expander = InputPatternExpander(patterns: ["gone.csv"], baseDirectory: base.path)
        #expect(try expander.expand().inputs.map(\.path) == ["gone.csv"])
        #expect(try expander.expand(keepMissingLiterals: false).unmatched == ["gone.csv"])
    }

    @Test("{input} is the file name without .gz and its last extension",
          arguments: [("exports/2026-11-28.xml.gz", "2026-11-28"), ("a.csv", "a"), ("a.b.csv", "a.b"), ("noext", "noext"),
                      ("x.GZ", "x"), (".hidden.csv", ".hidden"), ("/abs/dir/f.ndjson", "f")])
    func stem(_ path: String, _ expected: String) {
        #expect(MatchedInput.stem(of: path) == expected)
    }
}
