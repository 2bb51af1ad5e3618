import DebtflowCore
@testable import DebtflowPipeline
import DebtflowTestSupport
import Foundation
import Testing

@Suite("Run metrics")
struct RunMetricsTests {
    private func metrics(exitCode: Int32, summary: RunSummary?, pipeline: String = "nightly") -> RunMetrics {
        RunMetrics(pipeline: pipeline, exitCode: exitCode, summary: summary, finishedAt: 1_700_000_000.25,
                   durationSeconds: 12.3456, peakMemoryBytes: 48_000_000)
    }

    @Test("success is 1 for exit 0 and 1 only", arguments: [(Int32(0), 1), (1, 1), (2, 0), (3, 0), (4, 0), (130, 0)])
    func success(exitCode: Int32, expected: Int) {
        #expect(metrics(exitCode: exitCode, summary: nil).text.contains("debtflow_last_run_success{pipeline=\"nightly\"} \(expected)\n"))
    }

    @Test("a summary's counts become labelled samples; every contract code and reason is written, zero included")
    func counts() {
        var summary = RunSummary(pipeline: "nightly")
        summary.valid = 7
        summary.failed = 2
        summary.skipped = 1
        summary.errors = ["invalid_phone": 2, "required": 1]
        summary.skipReasons = ["blocked": 1]
        summary.credits = 175
        var pushed = RunSummary.PushTotals()
        pushed.created = 6
        pushed.unknown = 1
        summary.pushed = pushed
        let text = metrics(exitCode: 1, summary: summary).text
        for line in [
            "debtflow_records{pipeline=\"nightly\",status=\"valid\"} 7",
            "debtflow_records{pipeline=\"nightly\",status=\"failed\"} 2",
            "debtflow_errors{pipeline=\"nightly\",code=\"invalid_phone\"} 2",
            "debtflow_errors{pipeline=\"nightly\",code=\"required\"} 1",
            "debtflow_errors{pipeline=\"nightly\",code=\"malformed_row\"} 0",
            "debtflow_skipped{pipeline=\"nightly\",reason=\"blocked\"} 1",
            "debtflow_skipped{pipeline=\"nightly\",reason=\"no_open_case\"} 0",
            "debtflow_credits{pipeline=\"nightly\"} 175",
            "debtflow_pushed{pipeline=\"nightly\",result=\"created\"} 6",
            "debtflow_pushed{pipeline=\"nightly\",result=\"unknown\"} 1",
            "debtflow_last_run_timestamp_seconds{pipeline=\"nightly\"} 1700000000.250",
            "debtflow_last_run_duration_seconds{pipeline=\"nightly\"} 12.346",
            "debtflow_peak_rss_bytes{pipeline=\"nightly\"} 48000000",
        ] {
            #expect(text.contains(line + "\n"), "\(line)")
        }
        #expect(text.components(separatedBy: "# TYPE debtflow_errors gauge\n").count == 2, "one TYPE line per family")
        #expect(text.hasSuffix("\n"))
    }

    @Test("a many-input run counts its inputs read through and failed (one series per result, never per file); a single path has none")
    func inputs() {
        var summary = RunSummary(pipeline: "nightly")
        summary.inputs = [RunSummary.InputTotals(path: "in/a.csv"), RunSummary.InputTotals(path: "in/b.csv", error: "in/b.csv: truncated"),
                          RunSummary.InputTotals(path: "in/c.csv")]
        let text = metrics(exitCode: 3, summary: summary).text
        #expect(text.contains("# TYPE debtflow_inputs gauge\n"))
        #expect(text.contains("debtflow_inputs{pipeline=\"nightly\",result=\"read\"} 2\n"), "\(text)")
        #expect(text.contains("debtflow_inputs{pipeline=\"nightly\",result=\"failed\"} 1\n"), "\(text)")
        #expect(!text.contains("a.csv"))

        summary.inputs = []
        #expect(metrics(exitCode: 0, summary: summary).text.contains("debtflow_inputs{pipeline=\"nightly\",result=\"read\"} 0\n"),
                "no input tonight (if_missing: ok) is 0 read")
        summary.inputs = nil
        #expect(!metrics(exitCode: 0, summary: summary).text.contains("debtflow_inputs"))
    }

    @Test("without a summary only the run-level gauges are written")
    func noSummary() {
        let text = metrics(exitCode: 130, summary: nil).text
        #expect(text.contains("debtflow_last_run_exit_code{pipeline=\"nightly\"} 130\n"))
        #expect(!text.contains("debtflow_records"))
        #expect(!text.contains("debtflow_pushed"))
    }

    @Test("label values escape backslash, double quote and line feed", arguments: [
        ("plain", "plain"), ("a\"b", "a\\\"b"), ("a\\b", "a\\\\b"), ("a\nb", "a\\nb"), ("é €", "é €"),
    ])
    func labelEscaping(value: String, escaped: String) {
        #expect(PrometheusTextWriter.escapeLabelValue(value) == escaped)
        #expect(metrics(exitCode: 0, summary: nil, pipeline: value).text.contains("{pipeline=\"\(escaped)\"}"))
    }

    @Test("the file is published whole with mode 0644 and no temporary file beside it")
    func file() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let path = folder.appendingPathComponent("debtflow.prom").path
        let previous = umask(0o077)
        defer { umask(previous) }
        try RunMetricsFile.write(metrics(exitCode: 0, summary: nil), to: path)
        #expect(try TestSupport.permissions(of: URL(fileURLWithPath: path)) == 0o644)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["debtflow.prom"])
        #expect(RunMetricsFile.problem(path: path) == nil)
        #expect(RunMetricsFile.problem(path: folder.appendingPathComponent("no/such.prom").path)?.contains("does not exist") == true)
        #expect(RunMetricsFile.problem(path: "-") != nil)
    }

    @Test("a config's name is read on its own when the full decoding fails", arguments: [
        (#"{"version":1,"name":"nightly","stages":"oops"}"#, "nightly" as String?),
        (#"{"version":7,"stages":[]}"#, "pipeline"),
        (#"{"name":"${SITE:-paris}-nightly"}"#, "paris-nightly"),
        (#"{"name":"${UNSET_VARIABLE_FOR_TEST}"}"#, nil),
        (#"{"name":42}"#, nil),
        ("[1,2]", nil),
        ("{not json", nil),
    ])
    func nameProbe(config: String, expected: String?) throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let path = folder.appendingPathComponent("p.json").path
        try Data(config.utf8).write(to: URL(fileURLWithPath: path))
        #expect(PipelineConfigurationDecoder(environment: [:]).pipelineName(fileAt: path) == expected)
    }
}
