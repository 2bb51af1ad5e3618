import DebtflowTestSupport
import Foundation
import Testing

/// One run of `Tests/Goldens/cases.tsv`: a config, an input, extra environment and flags.
struct GoldenCase: Sendable, CustomTestStringConvertible {
    var name: String
    var config: String
    var input: String
    var environment: [String: String]
    var arguments: [String]

    var testDescription: String { name }

    static let folder = TestSupport.packageRoot.appendingPathComponent("Tests/Goldens")

    /// Every case in `cases.tsv` (written by `Scripts/make_goldens.sh`).
    static var all: [GoldenCase] {
        guard let text = try? String(contentsOf: folder.appendingPathComponent("cases.tsv"), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            var environment: [String: String] = [:]
            if columns[3] != "-" {
                for pair in columns[3].split(separator: " ") {
                    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                    environment[parts[0]] = parts.count > 1 ? parts[1] : ""
                }
            }
            return GoldenCase(name: columns[0], config: columns[1], input: columns[2], environment: environment,
                              arguments: columns[4] == "-" ? [] : columns[4].split(separator: " ").map(String.init))
        }
    }
}

/// The outputs of every shipped pipeline (and of the golden configs for generic JSON and XML
/// debts) on every sample and on generated inputs, compared byte for byte with the files
/// committed before the stage refactor (`Scripts/make_goldens.sh` writes them). Data files are
/// compared whole; gzip outputs after decompression; the summary without `seconds` and
/// `peak_rss_mb`. Runs the release binary (`DEBTFLOW_RELEASE_BIN`, as `Scripts/test.sh` sets it).
@Suite("Golden outputs", .enabled(if: ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"] != nil))
struct GoldenOutputTests {
    let binary = URL(fileURLWithPath: ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"] ?? "/nonexistent")

    @Test("the golden cases are there")
    func casesExist() {
        #expect(GoldenCase.all.count >= 20)
    }

    @Test("a pipeline's outputs are byte-identical to the committed goldens", arguments: GoldenCase.all)
    func outputsMatch(_ golden: GoldenCase) throws {
        let root = TestSupport.packageRoot
        let out = try TestSupport.makeTemporaryDirectory("golden")
        defer { try? FileManager.default.removeItem(at: out) }
        let summary = out.appendingPathComponent(".summary.json")
        var environment = golden.environment
        environment["INPUT"] = root.appendingPathComponent(golden.input).path
        environment["OUT"] = out.path
        let result = try TestSupport.run(binary, ["run", root.appendingPathComponent(golden.config).path] + golden.arguments
                                         + ["--progress", "never", "--summary", summary.path], environment: environment)
        let expected = GoldenCase.folder.appendingPathComponent("outputs/\(golden.name)")
        let expectedStatus = try String(contentsOf: expected.appendingPathComponent("exit-code"), encoding: .utf8)
        #expect(String(result.status) == expectedStatus.trimmingCharacters(in: .whitespacesAndNewlines), "\(result.stderrText)")

        let goldenFiles = try FileManager.default.contentsOfDirectory(atPath: expected.path)
            .filter { $0 != "exit-code" && $0 != "summary.json" }.sorted()
        let produced = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(produced == goldenFiles.map { $0.hasSuffix(".ungz.gz") ? String($0.dropLast(".ungz.gz".count)) : String($0.dropLast(".gz".count)) }.sorted())
        for file in goldenFiles {
            let want = try gunzip(expected.appendingPathComponent(file))
            let name = file.hasSuffix(".ungz.gz") ? String(file.dropLast(".ungz.gz".count)) : String(file.dropLast(".gz".count))
            let producedURL = out.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: producedURL.path) else { continue }
            let got = file.hasSuffix(".ungz.gz") ? try gunzip(producedURL) : try Data(contentsOf: producedURL)
            #expect(got == want, "\(golden.name)/\(name): \(Self.firstDifference(got, want))")
        }

        let wantSummary = try Self.summaryObject(Data(contentsOf: expected.appendingPathComponent("summary.json")))
        let gotSummary = try Self.summaryObject(Data(contentsOf: summary))
        #expect(gotSummary == wantSummary, "\(golden.name)/summary.json differs")
    }

    private func gunzip(_ url: URL) throws -> Data {
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-dc", url.path])
        #expect(result.status == 0, "gzip -dc \(url.path): \(result.stderrText)")
        return result.stdout
    }

    /// The summary without its timings, as a comparable object.
    private static func summaryObject(_ data: Data) throws -> NSDictionary {
        var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        object["seconds"] = nil
        object["peak_rss_mb"] = nil
        return object as NSDictionary
    }

    /// The first line where two outputs differ, for the failure message.
    private static func firstDifference(_ got: Data, _ want: Data) -> String {
        let gotLines = String(decoding: got, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let wantLines = String(decoding: want, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(gotLines.count, wantLines.count) {
            let left = index < gotLines.count ? String(gotLines[index]) : "<end>"
            let right = index < wantLines.count ? String(wantLines[index]) : "<end>"
            if left != right { return "line \(index + 1): got \(left.prefix(300)) — expected \(right.prefix(300))" }
        }
        return "same lines (\(got.count) vs \(want.count) bytes)"
    }
}
