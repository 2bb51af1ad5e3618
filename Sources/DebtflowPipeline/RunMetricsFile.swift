import DebtflowCore
import DebtflowSink
import Foundation

/// The `--metrics PATH` file: published whole (a temporary file in the same folder, renamed into
/// place) so node_exporter never scrapes half a file. Mode 0644: the figures hold no personal data
/// and the collector usually runs as another user.
public enum RunMetricsFile {
    /// What is wrong with `path` as a metrics file, checked before the run reads anything.
    public static func problem(path: String) -> String? {
        if path == "-" || path.isEmpty {
            return "expected the path of a file (node_exporter's textfile collector reads *.prom files from its folder)"
        }
        let target: OutputTarget
        do {
            target = try OutputTarget.resolve(path, folderLabel: "folder")
        } catch {
            return error.message
        }
        // Written at the very end, when no signal is handled any more: a FIFO without a reader
        // would hold the run there for ever.
        if case .stream(_, .fifo) = target {
            return "\(MessageExcerpt.path(path)) is a FIFO; expected the path of a file (node_exporter's textfile collector reads *.prom files from its folder)"
        }
        return nil
    }

    /// Whether a file at `path` may be replaced by a metrics file before the run's own paths were
    /// checked: there is none, or it is one (it starts as ``RunMetrics/text`` does).
    public static func mayReplace(atPath path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return errno == ENOENT }
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 16)) ?? Data()
        return head.starts(with: Array("# HELP debtflow_".utf8))
    }

    /// The `pipeline` label the metrics file at `path` holds (an earlier run's), unescaped; `nil`
    /// when there is no such file or label.
    public static func pipelineLabel(inFileAt path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), data.count < 1 << 20 else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let start = text.range(of: "pipeline=\"") else { return nil }
        var value = ""
        var escaped = false
        for character in text[start.upperBound...] {
            if escaped {
                value.append(character == "n" ? "\n" : character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                return value.isEmpty ? nil : value
            } else if character == "\n" {
                return nil
            } else {
                value.append(character)
            }
        }
        return nil
    }

    /// Writes `metrics` to `path` atomically.
    /// - Throws: `.sink` when the file cannot be created, written or renamed into place.
    public static func write(_ metrics: RunMetrics, to path: String) throws {
        let file = try AtomicFile(path: path, mode: 0o644)
        do {
            try file.write(Array(metrics.text.utf8))
            try file.publish()
        } catch {
            file.discard()
            throw error
        }
    }
}

extension PipelineConfiguration {
    /// Fails when `claim`'s path is the same file as an input, the config or another output of the
    /// run (``OutputPathClaims``), so that a file written on every exit (`--metrics`) is known safe
    /// before any exit. A clash among the other paths is not this claim's: the assembler reports it.
    /// - Throws: `.usage` naming the claim's option (exit 2).
    public func verifyOutput(_ claim: OutputPathClaims.Claim, besides others: [OutputPathClaims.Claim], dryRun: Bool) throws {
        guard (try? pathClaims(additionalOutputs: others, dryRun: dryRun).verify()) != nil else { return }
        try pathClaims(additionalOutputs: others + [claim], dryRun: dryRun).verify()
    }
}
