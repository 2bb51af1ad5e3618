import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// Peak memory must not grow with the input (DESIGN.md §2). Runs the release binary (built by
/// `Scripts/test.sh`, passed as `DEBTFLOW_RELEASE_BIN`) on generated gzip CSV through a
/// deliberately slow sink: stdout into a pipe that this test drains slowly, so back-pressure must
/// hold the reader back.
@Suite("Flat memory", .enabled(if: ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"] != nil))
struct FlatMemoryTests {
    let binary = URL(fileURLWithPath: ProcessInfo.processInfo.environment["DEBTFLOW_RELEASE_BIN"] ?? "/nonexistent")

    /// Runs `config` with stdout drained at most `bytesPerSecond`; returns the summary.
    private func runSlowly(config: URL, summary: URL, bytesPerSecond: Int) throws -> (status: Int32, summary: [String: Any], bytesOut: Int) {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", config.path, "--summary", summary.path, "--progress", "never"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var total = 0
        let start = Date()
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            total += count
            // Throttle: stay below bytesPerSecond on average.
            let ahead = Double(total) / Double(bytesPerSecond) - Date().timeIntervalSince(start)
            if ahead > 0 { usleep(useconds_t(ahead * 1_000_000)) }
        }
        process.waitUntilExit()
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: summary)) as? [String: Any] ?? [:]
        return (process.terminationStatus, object, total)
    }

    private func generate(rows: Int, into file: URL) throws {
        let result = try TestSupport.run(binary, ["generate", "--rows", String(rows), "--format", "csv", "--gzip", "--seed", "7", "--out", file.path], timeout: 300)
        #expect(result.status == 0, "\(result.stderrText)")
    }

    @Test("peak RSS on 1M rows through a slow sink stays within a few MB of the peak on 100k rows")
    func flat() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-memory")
        defer { try? FileManager.default.removeItem(at: folder) }
        var peaks: [Int: Int] = [:]
        for rows in [100_000, 1_000_000] {
            let input = folder.appendingPathComponent("in-\(rows).csv.gz")
            try generate(rows: rows, into: input)
            let config = folder.appendingPathComponent("p-\(rows).json")
            try Data(#"{"version":1,"name":"memory","stages":[{"read":{"format":"csv","path":"\#(input.path)"}},{"sink":{"format":"ndjson","path":"-"}}]}"#.utf8).write(to: config)
            let run = try runSlowly(config: config, summary: folder.appendingPathComponent("s-\(rows).json"), bytesPerSecond: 60 << 20)
            #expect(run.status == 0 || run.status == 1)
            #expect(run.summary["source_records"] as? Int ?? 0 >= rows, "every row was read")
            peaks[rows] = run.summary["peak_rss_mb"] as? Int ?? Int.max
            print("flat memory: \(rows) rows → peak RSS \(peaks[rows]!) MB, \(run.bytesOut >> 20) MB written")
        }
        let small = try #require(peaks[100_000]), large = try #require(peaks[1_000_000])
        #expect(large <= small + 16, "peak RSS grew from \(small) MB to \(large) MB with 10× the input")
        #expect(large < 256, "peak RSS \(large) MB (a sanity bound; flatness is the check above)")
    }
}
