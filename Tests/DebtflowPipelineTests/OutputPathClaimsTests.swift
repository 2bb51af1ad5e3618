import DebtflowCore
@testable import DebtflowPipeline
import DebtflowTestSupport
import Foundation
import Testing

@Suite("Output path claims and record locators")
struct OutputPathClaimsTests {
    /// A folder with `in.csv`, a hard link `hard.csv` and a symbolic link `soft.csv` to it.
    private func folder() throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-claims")
        try Data("a\n1\n".utf8).write(to: folder.appendingPathComponent("in.csv"))
        try FileManager.default.linkItem(atPath: folder.appendingPathComponent("in.csv").path,
                                         toPath: folder.appendingPathComponent("hard.csv").path)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("soft.csv").path, withDestinationPath: "in.csv")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sub"), withIntermediateDirectories: false)
        return folder
    }

    private func claims(_ folder: URL, outputs: [String]) -> OutputPathClaims {
        var claims = OutputPathClaims()
        claims.input(.configFile, folder.appendingPathComponent("p.json").path)
        claims.input(.config(jsonPath: "stages[0].read.path"), folder.appendingPathComponent("in.csv").path)
        for (index, output) in outputs.enumerated() {
            let path = output.hasPrefix("/") || output == "-" ? output : folder.appendingPathComponent(output).path
            claims.output(.config(jsonPath: "stages[\(index + 1)].sink.path"), path)
        }
        return claims
    }

    @Test("an output on an input, the config or another output is refused naming both", arguments: [
        (["in.csv"], "stages[1].sink.path", "stages[0].read.path"),
        (["sub/../in.csv"], "stages[1].sink.path", "stages[0].read.path"),
        (["hard.csv"], "stages[1].sink.path", "through a hard link"),
        (["soft.csv"], "stages[1].sink.path", "stages[0].read.path"),
        (["p.json"], "stages[1].sink.path", "the pipeline config"),
        (["o.ndjson", "sub/../o.ndjson"], "stages[2].sink.path", "also the output of stages[1].sink.path"),
    ])
    func conflicts(outputs: [String], later: String, earlier: String) throws {
        let folder = try folder()
        try Data("{}".utf8).write(to: folder.appendingPathComponent("p.json"))
        let error = try #require(throws: DebtflowError.self) { try claims(folder, outputs: outputs).verify() }
        #expect(error.kind == .configuration)
        #expect(error.location?.jsonPath == later)
        #expect(error.message.contains(earlier), "\(error.message)")
    }

    @Test("stdin, stdout, this process's descriptors and devices are streams that never conflict", arguments: [
        ["-", "-"], ["/dev/null", "/dev/null"], ["/dev/stdout", "/dev/fd/1", "-"], ["a.ndjson", "b.ndjson", "sub/a.ndjson"],
    ])
    func noConflict(outputs: [String]) throws {
        let folder = try folder()
        var claims = claims(folder, outputs: outputs)
        claims.input(.config(jsonPath: "stages[0].read.path"), "-")
        try claims.verify()
    }

    @Test("a command-line output (--summary) that clashes is a usage error naming the option")
    func optionRole() throws {
        let folder = try folder()
        var claims = claims(folder, outputs: ["o.ndjson"])
        claims.output(.option("--summary"), folder.appendingPathComponent("o.ndjson").path)
        let error = try #require(throws: DebtflowError.self) { try claims.verify() }
        #expect(error.kind == .usage)
        #expect(error.message.hasPrefix("--summary: "))
    }

    @Test("JSON records paths with an empty key are refused", arguments: [
        ("", true), ("result", true), ("data.items", true), (".", false), ("data.", false), (".data", false), ("a..b", false),
    ])
    func recordsPaths(records: String, accepted: Bool) {
        #expect((RecordLocatorRules.recordsPathProblem(records) == nil) == accepted)
    }

    @Test("XML record names must be possible element local names", arguments: [
        ("debtor", true), ("_x", true), ("débiteur", true), ("a-b.c_1", true), ("Client·Nom", true),
        ("1debtor", false), ("two words", false), ("ns:debtor", false), ("-x", false), ("a>b", false), ("", false),
        (String(repeating: "x", count: 50_001), false),
    ])
    func recordNames(name: String, accepted: Bool) {
        #expect((RecordLocatorRules.recordElementProblem(name) == nil) == accepted)
    }

    @Test("a path holding a NUL byte or longer than PATH_MAX is refused")
    func pathText() {
        #expect(PathText.problem("/tmp/a.ndjson") == nil)
        #expect(PathText.problem("a\u{0}b")?.contains("NUL") == true)
        #expect(PathText.problem(String(repeating: "a", count: 5000))?.contains("longer than the system allows") == true)
    }

    @Test("values quoted in messages are cut after 64 characters, control characters escaped")
    func excerpts() {
        #expect(MessageExcerpt.quoted("csv") == "\"csv\"")
        #expect(MessageExcerpt.value(String(repeating: "x", count: 100)) == String(repeating: "x", count: 64) + "…")
        #expect(MessageExcerpt.value("a\u{0}b\n") == "a\\u{0}b\\u{a}")
    }
}
