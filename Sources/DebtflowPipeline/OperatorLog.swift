import DebtflowCore
import Foundation
import Synchronization

/// Every human message of a run (warnings, errors, the summary) goes to stderr through this log, as
/// text or as JSON lines (`--log-format`). Secrets are masked in everything it prints.
public final class OperatorLog: Sendable {
    public enum Format: String, Sendable { case text, json }

    public let format: Format
    /// Secrets to mask; guarded by the `Mutex`.
    private let secrets = Mutex<[String]>([])
    /// Set while a progress line is drawn, so messages clear it first; guarded by the `Mutex`.
    private let progressLineShown = Mutex(false)

    public init(format: Format) {
        self.format = format
    }

    /// Adds values that must never be printed (tokens, keys, client secrets).
    public func addSecrets(_ values: [String]) {
        secrets.withLock { $0.append(contentsOf: values.filter { !$0.isEmpty }) }
    }

    public func info(_ message: String, fields: [(String, String)] = []) { emit("info", message, fields) }
    public func warning(_ message: String, fields: [(String, String)] = []) { emit("warning", message, fields) }

    /// `error: …` plus an optional hint, for the error that ended a command.
    public func error(_ message: String, hint: String? = nil) {
        emit("error", message, hint.map { [("hint", $0)] } ?? [])
    }

    /// Writes raw text to stderr (the progress line); not masked, so only counts may go here.
    /// As JSON, the line is a log line of its own (`"message":"progress"`), at most one every
    /// ``jsonProgressInterval``: a log collector gets whole lines, not a terminal line redrawn with
    /// escape codes four times a second.
    public func drawProgress(_ line: String) {
        switch format {
        case .text:
            progressLineShown.withLock { $0 = true }
            Self.writeStderr("\r\u{1B}[2K" + line)
        case .json:
            let now = ContinuousClock.now
            let due = lastJSONProgress.withLock { last in
                if let previous = last, now - previous < Self.jsonProgressInterval { return false }
                last = now
                return true
            }
            if due { emit("info", "progress", [("progress", line)]) }
        }
    }

    /// How often a JSON log gets a progress line.
    public static let jsonProgressInterval: Duration = .seconds(10)
    /// When the last JSON progress line was written; guarded by the `Mutex`.
    private let lastJSONProgress = Mutex<ContinuousClock.Instant?>(nil)

    public func clearProgress() {
        let shown = progressLineShown.withLock { shown in
            defer { shown = false }
            return shown
        }
        if shown { Self.writeStderr("\r\u{1B}[2K") }
    }

    /// Masks every known secret in `text`.
    public func scrub(_ text: String) -> String {
        Redaction.scrub(text, secrets: secrets.withLock { $0 })
    }

    private func emit(_ level: String, _ message: String, _ fields: [(String, String)]) {
        clearProgress()
        let message = scrub(message)
        switch format {
        case .text:
            // One entry stays one line (a hint on the next, indented): a line break or a control
            // character from data (a file name, a server's message) is shown escaped, so it
            // cannot forge a line of its own in the cron log.
            let oneLine = { (text: String) in MessageExcerpt.value(text, limit: Int.max) }
            var line = level == "info" ? oneLine(message) : "\(level): \(oneLine(message))"
            for (key, value) in fields {
                line += key == "hint" ? "\n  \(oneLine(scrub(value)))" : " \(key)=\(oneLine(scrub(value)))"
            }
            Self.writeStderr(line + "\n")
        case .json:
            var writer = JSONByteWriter(capacity: 256)
            writer.beginObject()
            writer.field("level", level)
            writer.field("message", message)
            for (key, value) in fields { writer.field(key, scrub(value)) }
            writer.endObject()
            writer.newline()
            Self.writeStderr(String(decoding: writer.bytes, as: UTF8.self))
        }
    }

    /// `summary` with every known secret masked where it holds text from the config: its inputs'
    /// paths and errors (a path pattern may be built from a variable that also holds a secret).
    /// The pipeline's name is masked when the config is read.
    public func redacted(_ summary: RunSummary) -> RunSummary {
        guard let inputs = summary.inputs else { return summary }
        var redacted = summary
        redacted.inputs = inputs.map { input in
            var input = input
            input.path = scrub(input.path)
            input.error = input.error.map(scrub)
            return input
        }
        return redacted
    }

    /// Writes the summary JSON as one log line (json format) or a readable block (text format),
    /// secrets masked (``redacted(_:)``).
    public func summary(_ summary: RunSummary) {
        let summary = redacted(summary)
        clearProgress()
        switch format {
        case .json:
            var bytes = Array(#"{"level":"info","message":"summary","summary":"#.utf8)
            bytes += summary.json
            bytes += Array("}\n".utf8)
            Self.writeStderr(String(decoding: bytes, as: UTF8.self))
        case .text:
            Self.writeStderr(Self.text(of: summary))
        }
    }

    static func text(of summary: RunSummary) -> String {
        var lines: [String] = []
        lines.append("\(summary.pipeline): \(summary.records) records (\(summary.sourceRecords) read) in \(RunSummary.formatSecondsForHumans(summary.seconds)): \(summary.valid) valid, \(summary.failed) failed, \(summary.skipped) skipped")
        if !summary.errors.isEmpty {
            lines.append("  errors: " + summary.errors.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !summary.skipReasons.isEmpty {
            lines.append("  skipped: " + summary.skipReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        if !summary.destinations.isEmpty {
            lines.append("  destinations: " + summary.destinations.sorted { $0.key < $1.key }
                .map { "\($0.key) \($0.value.count) (\($0.value.credits) credits)" }.joined(separator: ", ")
                + "; total \(summary.credits) credits per call")
        }
        if summary.withWarnings > 0 {
            lines.append("  warnings: \(summary.withWarnings) records carry one (an invalid contact dropped: drop_invalid_contact); "
                         + "see each outcome's \"warnings\"")
        }
        if let pushed = summary.pushed {
            lines.append("  pushed: \(pushed.batches) batches, \(pushed.created) created, \(pushed.failed) failed, \(pushed.skipped) skipped, \(pushed.unknown) unknown, \(pushed.retries) retries")
        }
        if let inputs = summary.inputs {
            let failed = summary.failedInputs
            lines.append("  inputs: \(inputs.count)" + (failed.isEmpty ? "" : ", \(failed.count) failed: " + failed.map { MessageExcerpt.path($0.path) }.joined(separator: ", ")))
        }
        if let stoppedBy = summary.stoppedBy { lines.append("  stopped: \(stoppedBy)") }
        if let peak = summary.peakMemoryBytes { lines.append("  peak memory: \((peak + (1 << 19)) >> 20) MB") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func writeStderr(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDERR_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

extension RunSummary {
    /// `1.23 s`, `2 min 05 s`.
    static func formatSecondsForHumans(_ seconds: Double) -> String {
        if seconds < 120 { return String(format: "%.2f s", seconds) }
        let whole = Int(seconds)
        return String(format: "%d min %02d s", whole / 60, whole % 60)
    }
}
