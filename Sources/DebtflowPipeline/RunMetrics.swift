import DebtflowCore
import Foundation

/// The figures of one run in the Prometheus text exposition format (version 0.0.4), for
/// node_exporter's textfile collector (`debtflow run --metrics PATH`, CONTRACT.md §1).
///
/// Every series is a gauge (the file describes the last run, it does not accumulate) labelled
/// `pipeline="NAME"`. A many-input run also has `debtflow_inputs{result}` (`read`, `failed`):
/// one series per result, not per file, so the series stay the same from night to night. Every
/// status, error code and skip reason of the contract is written, zero included, so an alert
/// rule finds its series on every night. Without a summary (a run killed by a
/// second signal before it could count) only the run-level gauges are written.
public struct RunMetrics: Sendable {
    public var pipeline: String
    public var exitCode: Int32
    /// What the run counted, as far as it got; `nil` when nothing was counted.
    public var summary: RunSummary?
    /// When the run ended, in seconds since the Unix epoch.
    public var finishedAt: Double
    /// Wall-clock seconds from the start of the command to its end.
    public var durationSeconds: Double
    /// The process's peak resident memory, when it could be measured.
    public var peakMemoryBytes: Int?

    public init(pipeline: String, exitCode: Int32, summary: RunSummary?, finishedAt: Double, durationSeconds: Double,
                peakMemoryBytes: Int?) {
        self.pipeline = pipeline
        self.exitCode = exitCode
        self.summary = summary
        self.finishedAt = finishedAt
        self.durationSeconds = durationSeconds
        self.peakMemoryBytes = peakMemoryBytes
    }

    /// The process's peak resident set size now (`VmHWM`), as the run's summary measures it.
    public static func currentPeakMemoryBytes() -> Int? {
        PipelineRoles.peakMemoryBytes()
    }

    /// 1 when the run finished (exit 0, or 1: some records failed, which the reports name); else 0.
    public var succeeded: Bool { exitCode == 0 || exitCode == 1 }

    /// The file's text: `# HELP` and `# TYPE` before each family, one sample per line, ending in a newline.
    public var text: String {
        var output = PrometheusTextWriter(commonLabels: [("pipeline", pipeline)])
        output.gauge("debtflow_last_run_success", help: "1 if the last run finished (exit 0 or 1), else 0.",
                     value: succeeded ? 1 : 0)
        output.gauge("debtflow_last_run_exit_code",
                     help: "Exit code of the last run (0 ok, 1 records failed, 2 config, 3 input, 4 sink, 130 interrupted).",
                     value: Int(exitCode))
        output.gauge("debtflow_last_run_timestamp_seconds", help: "When the last run ended, in seconds since the Unix epoch.",
                     value: Self.decimal(finishedAt))
        output.gauge("debtflow_last_run_duration_seconds", help: "Wall-clock duration of the last run in seconds.",
                     value: Self.decimal(durationSeconds))
        if let summary {
            output.gauge("debtflow_source_records", help: "Records the reader yielded in the last run (debtors, with the magicline-debtor preset).",
                         value: summary.sourceRecords)
            output.gauges("debtflow_records", help: "Outcomes of the last run by status.", label: "status",
                          [("valid", summary.valid), ("failed", summary.failed), ("skipped", summary.skipped)])
            output.gauges("debtflow_errors", help: "Record errors of the last run by code (a failed record can have several).",
                          label: "code", Self.counts(summary.errors, known: RecordErrorCode.allCases.map(\.rawValue)))
            output.gauges("debtflow_skipped", help: "Skipped records of the last run by reason.", label: "reason",
                          Self.counts(summary.skipReasons, known: SkipReason.allCases.map(\.rawValue)))
            output.gauge("debtflow_credits", help: "Sum of credits per call over the valid debts of the last run.",
                         value: summary.credits)
            if let inputs = summary.inputs {
                let failed = inputs.count { $0.error != nil }
                output.gauges("debtflow_inputs", help: "Inputs of the last run (read.path a glob or an array): read through, or failed (not published).",
                              label: "result", [("read", inputs.count - failed), ("failed", failed)])
            }
            if let pushed = summary.pushed {
                output.gauges("debtflow_pushed", help: "Debts the http sink pushed in the last run, by the server's answer.",
                              label: "result", [("created", pushed.created), ("failed", pushed.failed),
                                                ("skipped", pushed.skipped), ("unknown", pushed.unknown)])
                output.gauge("debtflow_push_batches", help: "Batches the http sink sent in the last run.", value: pushed.batches)
                output.gauge("debtflow_push_retries", help: "Batch retries of the http sink in the last run.", value: pushed.retries)
            }
        }
        if let peakMemoryBytes {
            output.gauge("debtflow_peak_rss_bytes", help: "Peak resident memory of the last run in bytes.", value: peakMemoryBytes)
        }
        return output.text
    }

    /// Known keys first (zero when absent), in their order, then any others sorted.
    private static func counts(_ counts: [String: Int], known: [String]) -> [(String, Int)] {
        known.map { ($0, counts[$0] ?? 0) } + counts.filter { !known.contains($0.key) }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// A non-negative decimal with millisecond precision (`12.345`).
    private static func decimal(_ value: Double) -> String {
        String(format: "%.3f", max(0, value))
    }
}

/// Writes metric families in the Prometheus text format, escaping label values and help text as
/// the format requires.
struct PrometheusTextWriter {
    private let commonLabels: [(String, String)]
    private(set) var text = ""

    init(commonLabels: [(String, String)]) {
        self.commonLabels = commonLabels
    }

    mutating func gauge(_ name: String, help: String, value: Int) {
        gauge(name, help: help, value: String(value))
    }

    mutating func gauge(_ name: String, help: String, value: String) {
        header(name, help: help)
        sample(name, labels: commonLabels, value: value)
    }

    /// One family whose samples differ by the value of `label`.
    mutating func gauges(_ name: String, help: String, label: String, _ values: [(String, Int)]) {
        header(name, help: help)
        for (labelValue, value) in values {
            sample(name, labels: commonLabels + [(label, labelValue)], value: String(value))
        }
    }

    private mutating func header(_ name: String, help: String) {
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) gauge\n"
    }

    private mutating func sample(_ name: String, labels: [(String, String)], value: String) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " \(value)\n"
    }

    /// Label values escape `\`, `"` and line feeds.
    static func escapeLabelValue(_ value: String) -> String {
        var escaped = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// Help text escapes `\` and line feeds.
    static func escapeHelp(_ help: String) -> String {
        help.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
