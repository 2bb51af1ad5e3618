import DebtflowCore
import DebtflowGenerate
import DebtflowTestSupport
import Foundation
import Testing

@Suite("GenerateCommand")
struct GenerateCommandTests {
    @Test("parses every flag")
    func parsesFlags() throws {
        let parsed = try #require(try GenerateCommand.parse(["--rows", "10", "--format", "xml", "--gzip", "--seed", "7",
                                                             "--out", "/tmp/x.xml.gz", "--delimiter", "tab"]))
        #expect(parsed.options == GeneratorOptions(rows: 10, format: .xml, gzip: true, seed: 7, csvDelimiter: 0x09))
        #expect(parsed.outputPath == "/tmp/x.xml.gz")
    }

    @Test("defaults: csv, seed 1, no gzip, standard output")
    func defaults() throws {
        let parsed = try #require(try GenerateCommand.parse(["--rows", "3"]))
        #expect(parsed.options == GeneratorOptions(rows: 3))
        #expect(parsed.outputPath == "-")
    }

    @Test("--preset magicline and --flag=value spellings")
    func presetAndEquals() throws {
        let parsed = try #require(try GenerateCommand.parse(["--rows=5", "--format=json", "--preset", "magicline"]))
        #expect(parsed.options.shape == .magicline)
        #expect(parsed.options.rows == 5)
    }

    @Test("--preset magicline without --format writes JSON")
    func magiclineDefaultsToJSON() throws {
        let parsed = try #require(try GenerateCommand.parse(["--rows", "2", "--preset", "magicline"]))
        #expect(parsed.options.format == .json)
    }

    @Test("--help parses to nothing (the command prints the help)")
    func help() throws {
        #expect(try GenerateCommand.parse(["--rows", "3", "--help"]) == nil)
    }

    @Test("bad command lines are usage errors (exit 2)", arguments: [
        [], ["--rows"], ["--rows", "many"], ["--rows", "-1"], ["--rows", "1", "--format", "xls"],
        ["--rows", "1", "--seed", "x"], ["--rows", "1", "--bogus"], ["--rows", "1", "--format", "csv", "--preset", "magicline"],
        ["--rows", "1", "--delimiter", "::"], ["--rows", "1", "--gzip-level", "0"],
    ])
    func usageErrors(arguments: [String]) throws {
        #expect(throws: DebtflowError.self) { _ = try GenerateCommand.parse(arguments) }
        #expect(try GenerateCommand.run(arguments: arguments) == 2)
    }

    @Test("run writes the file and returns 0; an unwritable path returns 4")
    func runWrites() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("out.ndjson").path
        #expect(try GenerateCommand.run(arguments: ["--rows", "25", "--format", "ndjson", "--out", path]) == 0)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 25)
        let missing = folder.appendingPathComponent("no/such/folder/out.csv").path
        #expect(try GenerateCommand.run(arguments: ["--rows", "1", "--out", missing]) == 4)
    }

    @Test("--out /dev/null writes in place (no temporary file beside a device)")
    func devNull() throws {
        #expect(try GenerateCommand.run(arguments: ["--rows", "100", "--gzip", "--out", "/dev/null"]) == 0)
        let type = try FileManager.default.attributesOfItem(atPath: "/dev/null")[.type] as? FileAttributeType
        #expect(type == .typeCharacterSpecial)
    }
}
