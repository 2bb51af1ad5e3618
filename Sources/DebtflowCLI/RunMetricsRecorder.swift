import DebtflowCore
import DebtflowPipeline
import Foundation
import Synchronization

/// Collects what `--metrics PATH` reports while `debtflow run` goes on, and writes the file once,
/// on whichever exit comes first: the command's return, a thrown error, or a second signal.
final class RunMetricsRecorder: Sendable {
    private struct State {
        var pipeline: String?
        var summary: RunSummary?
        var written = false
        /// The path was checked against the run's inputs, config and outputs.
        var verified = false
    }

    let path: String
    private let configPath: String
    private let startedAt = ContinuousClock.now
    /// Guards the pipeline name, the summary and whether the file was written; held while writing,
    /// so a second signal waits for a write under way instead of exiting in the middle of it.
    private let state = Mutex(State())

    /// - Throws: `.usage` (exit 2, before anything is read) when `path` cannot be written.
    init(path: String, configPath: String) throws {
        if let problem = RunMetricsFile.problem(path: path) {
            throw DebtflowError.usage("--metrics: \(problem)")
        }
        self.path = path
        self.configPath = configPath
    }

    /// The decoded config's name, the `pipeline` label.
    func setPipeline(_ name: String) {
        state.withLock { $0.pipeline = name }
    }

    /// What the run counted (its summary, or the partial one of a run stopped early).
    func setSummary(_ summary: RunSummary) {
        state.withLock { $0.summary = summary }
    }

    /// The path is none of the run's inputs, config or other outputs (checked once the config
    /// was decoded): from here on the file is written whatever it holds.
    func markVerified() {
        state.withLock { $0.verified = true }
    }

    /// Never writes the file: its path is an input, the config or another output of the run.
    func discard() {
        state.withLock { $0.written = true }
    }

    /// Writes the file for `exitCode`, unless it was already written. Before the config was
    /// decoded the name is read from the config on its own; when even that fails (a config that
    /// is missing or not JSON), the name is the one the file at `path` already holds (the last
    /// night's), else the config file's name without its extension: the night's failure replaces
    /// the last night's figures under the same label, so the alert on
    /// `debtflow_last_run_success == 0` fires (a stale `1` left in place would hide it).
    /// - Returns: false when the file could not be written (the reason is on stderr).
    @discardableResult
    func finish(exitCode: Int32, log: OperatorLog) -> Bool {
        state.withLock { state in
            guard !state.written else { return true }
            state.written = true
            // An exit before the path was checked (a mistyped option, a config that is not JSON)
            // replaces only a metrics file: the path might be an input, the config or last
            // night's data.
            if !state.verified && !RunMetricsFile.mayReplace(atPath: path) {
                log.warning("--metrics: \(path) is not a metrics file; left as it was")
                return false
            }
            let pipeline = state.pipeline ?? PipelineConfigurationDecoder().pipelineName(fileAt: configPath)
                ?? RunMetricsFile.pipelineLabel(inFileAt: path) ?? Self.fileStem(configPath)
            var summary = state.summary
            // Nothing was read before a usage or configuration error: every count is a true zero.
            if summary == nil && exitCode == ExitCode.usage.rawValue { summary = RunSummary(pipeline: pipeline) }
            let elapsed = ContinuousClock.now - startedAt
            let metrics = RunMetrics(
                pipeline: pipeline, exitCode: exitCode, summary: summary,
                finishedAt: Date().timeIntervalSince1970,
                durationSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                peakMemoryBytes: RunMetrics.currentPeakMemoryBytes())
            do {
                try RunMetricsFile.write(metrics, to: path)
                return true
            } catch {
                log.error("--metrics: \((error as? DebtflowError)?.description ?? "\(error)")", hint: nil)
                return false
            }
        }
    }

    /// `pipeline` for `/etc/debtflow/pipeline.json`.
    static func fileStem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return name }
        return String(name[..<dot])
    }
}
