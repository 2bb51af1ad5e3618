/// The one error type of a run: anything that stops a run early is thrown as a `DebtflowError`.
///
/// Record-level problems are not errors of the run: they are ``RecordError`` values carried by
/// the record's outcome. Messages never hold secrets (tokens, API keys): print `***`.
public struct DebtflowError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; it decides the exit code (see ``ExitCode/for(_:)``).
    public enum Kind: String, Sendable, Equatable {
        /// Bad command line (exit 2).
        case usage
        /// Bad pipeline config: unknown key, wrong type, unset variable, impossible wiring (exit 2).
        case configuration
        /// The input is unreadable or corrupt (exit 3).
        case input
        /// The push target or the output disk failed (exit 4).
        case sink
        /// SIGINT or SIGTERM stopped the run cleanly (exit 130).
        case interrupted
    }

    /// Where a problem was found; every part is optional.
    public struct Location: Sendable, Equatable {
        public var file: String?
        public var line: Int?
        public var column: Int?
        public var byteOffset: Int64?
        public var record: Int?
        /// A JSON path in the pipeline config (`stages[2].sink.batch_size`).
        public var jsonPath: String?

        public init(file: String? = nil, line: Int? = nil, column: Int? = nil, byteOffset: Int64? = nil,
                    record: Int? = nil, jsonPath: String? = nil) {
            self.file = file
            self.line = line
            self.column = column
            self.byteOffset = byteOffset
            self.record = record
            self.jsonPath = jsonPath
        }

        /// `data.csv:13:4 (byte 1022)`, `pipeline.json: stages[2].sink.batch_size`.
        public var description: String {
            var parts: [String] = []
            if let file {
                var text = file
                if let line {
                    text += ":\(line)"
                    if let column { text += ":\(column)" }
                }
                parts.append(text)
            } else if let line {
                parts.append("line \(line)" + (column.map { ", column \($0)" } ?? ""))
            }
            if let record { parts.append("record \(record)") }
            if let byteOffset { parts.append("byte \(byteOffset)") }
            var text = parts.joined(separator: " ")
            if let jsonPath { text += text.isEmpty ? jsonPath : ": \(jsonPath)" }
            return text
        }
    }

    public var kind: Kind
    /// What went wrong and, where it helps, how to fix it.
    public var message: String
    public var location: Location?
    /// The underlying failure, as text (a system error, a libxml2 message).
    public var cause: String?

    public init(_ kind: Kind, _ message: String, location: Location? = nil, cause: String? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
        self.cause = cause
    }

    public static func usage(_ message: String) -> DebtflowError { DebtflowError(.usage, message) }

    public static func configuration(_ message: String, path: String? = nil, file: String? = nil) -> DebtflowError {
        DebtflowError(.configuration, message, location: Location(file: file, jsonPath: path))
    }

    public static func input(_ message: String, location: Location? = nil, cause: String? = nil) -> DebtflowError {
        DebtflowError(.input, message, location: location, cause: cause)
    }

    public static func sink(_ message: String, location: Location? = nil, cause: String? = nil) -> DebtflowError {
        DebtflowError(.sink, message, location: location, cause: cause)
    }

    public static var interrupted: DebtflowError { DebtflowError(.interrupted, "interrupted; stopped cleanly") }

    /// `data.csv:13: unterminated quoted field (cause)`.
    public var description: String {
        var text = ""
        if let location {
            let where_ = location.description
            if !where_.isEmpty { text = where_ + ": " }
        }
        text += message
        if let cause, !cause.isEmpty { text += " (\(cause))" }
        return text
    }
}

/// The contract's exit codes (CONTRACT.md §1), decided in this one place.
public enum ExitCode: Int32, Sendable {
    /// Finished; every record accounted for; none failed.
    case success = 0
    /// Finished; some records failed validation or were rejected by the server.
    case recordsFailed = 1
    /// Usage or configuration error: nothing read, nothing written.
    case usage = 2
    /// Input unreadable or corrupt.
    case input = 3
    /// Push target unreachable, credentials refused, or disk full.
    case sink = 4
    /// Interrupted after a clean stop.
    case interrupted = 130

    /// The exit code for an error that ended a run. Errors other than ``DebtflowError`` are
    /// treated as input errors (the reader is where unexpected system errors come from).
    public static func `for`(_ error: any Error) -> ExitCode {
        guard let error = error as? DebtflowError else { return .input }
        switch error.kind {
        case .usage, .configuration: return .usage
        case .input: return .input
        case .sink: return .sink
        case .interrupted: return .interrupted
        }
    }

    /// The exit code of a run that finished: 1 when any record failed, else 0.
    public static func forFinishedRun(failedRecords: Int) -> ExitCode {
        failedRecords > 0 ? .recordsFailed : .success
    }
}
