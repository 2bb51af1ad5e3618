import DebtflowTestSupport
import Foundation
import Testing

/// The README's "A five-minute tour" shell block works as written on a fresh clone (no `out/`
/// folder yet, no demo run before it): each command exits 0 or 1 and the run leaves its outputs.
/// Runs with the release binary when `DEBTFLOW_RELEASE_BIN` is set (Scripts/test.sh).
@Suite("README five-minute tour")
struct ReadmeTourTests {
    private let binary: URL = ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"].map { URL(fileURLWithPath: $0) }
        ?? TestSupport.debtflowBinary

    /// The command lines of the first ```sh block after the tour's heading (comments stripped).
    private func tourCommands(readme: String) throws -> [String] {
        let tour = try #require(readme.range(of: "## A five-minute tour"))
        let rest = readme[tour.upperBound...]
        let open = try #require(rest.range(of: "```sh\n"))
        let close = try #require(rest[open.upperBound...].range(of: "```"))
        return rest[open.upperBound..<close.lowerBound].split(separator: "\n").map { line in
            String(line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                .trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
    }

    @Test("every tour command runs as written in a fresh copy of the repository")
    func tourRunsAsWritten() throws {
        let root = TestSupport.packageRoot
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = try tourCommands(readme: readme)
        #expect(commands.contains { $0.contains("debtflow run") })

        // A fresh clone: the shipped pipelines and samples, no out/ folder.
        let clone = try TestSupport.makeTemporaryDirectory("debtflow-tour")
        for folder in ["pipelines", "samples"] {
            try FileManager.default.copyItem(at: root.appendingPathComponent(folder),
                                             to: clone.appendingPathComponent(folder))
        }
        let bin = clone.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: bin.appendingPathComponent("debtflow"), withDestinationURL: binary)
        // The tour writes to /tmp/out; tests running at once each get their own folder instead.
        let out = clone.appendingPathComponent("tmp-out").path
        let path = "\(bin.path):\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")"

        // One shell, as a reader types them (an `export` carries to the next line); each command
        // must exit 0 or 1 (the sample has rejects), else the script stops naming it.
        let script = commands.enumerated().map { index, command in
            command.replacingOccurrences(of: "/tmp/out", with: out)
                + " || [ $? -eq 1 ] || { echo \"tour command \(index + 1) failed\" >&2; exit 9; }"
        }.joined(separator: "\n")
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/bash"), ["-c", script],
                                         environment: ["PATH": path, "OUT": ""], currentDirectory: clone, timeout: 60)
        #expect(result.status == 0 || result.status == 1, "the tour exited \(result.status):\n\(commands.joined(separator: "\n"))\n\(result.stderrText)")
        for file in ["valid.ndjson", "rejects.ndjson", "summary.json"] {
            #expect(FileManager.default.fileExists(atPath: "\(out)/\(file)"), "the tour's run left no \(file)")
        }
    }
}
