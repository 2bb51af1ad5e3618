import DebtflowCore

/// A pipeline config as decoded from JSON (CONTRACT.md §2): the stages in order, with every
/// option resolved (defaults applied, `${ENV}` expanded, relative paths made absolute).
public struct PipelineConfiguration: Sendable {
    public var version: Int
    public var name: String
    /// The folder the config file is in; relative paths were resolved against it.
    public var baseDirectory: String
    /// The config file's path as given on the command line (named in messages, and never to be
    /// overwritten by an output); `nil` for a config decoded from bytes.
    public var configPath: String?
    public var read: ReadStageConfiguration
    /// The stages between `read` and the sinks, as listed (only these run): empty for a
    /// conversion pipeline; `map`, `normalize`, [`classify`], `validate` for a debt pipeline.
    public var stages: [ConfiguredStage]
    public var sinks: [SinkConfiguration]
    /// Secrets found in the config (tokens, keys), to be masked in every message.
    public var secrets: [String]

    /// A pipeline without `map`: records are written as they were read.
    public var isConversion: Bool { stages.isEmpty }

    /// The options of the listed stage whose options are of type `Options` (`NormalizeOptions`),
    /// or `nil` when the config does not list that stage.
    public func options<Options>(of type: Options.Type) -> Options? {
        stages.lazy.compactMap { $0.options as? Options }.first
    }
}

/// The `read` stage.
public struct ReadStageConfiguration: Sendable {
    public enum Format: String, Sendable, CaseIterable { case csv, json, xml, magicline }
    public var format: Format
    /// Absolute path, or `-` for stdin; `nil` for `magicline`.
    public var path: String?
    /// The path as written in the config (after `${ENV}`), for messages.
    public var displayPath: String?
    /// Many inputs (CONTRACT.md §2): `read.path` was a glob or an array. Then ``path`` and
    /// ``displayPath`` are `nil`, and ``patterns`` holds the entries as written (after `${ENV}`);
    /// envelopes carry `"source"` and the summary `"inputs"`, however many files match.
    public var patterns: [String]?
    /// `if_missing`: a pattern that matches nothing is an input error (`error`), or a warning (`ok`).
    public var missingInputsAllowed = false
    /// `on_input_error`: `stop` (false) or `continue` (true).
    public var continuesAfterInputError = false

    /// True when `read.path` is a glob or an array (the many-input form).
    public var hasManyInputs: Bool { patterns != nil }
    // csv
    public var delimiter: String = "auto"
    public var encoding: String = "auto"
    public var header: Bool = true
    public var maxFieldBytes: Int = 1 << 20
    // json
    public var records: String = ""
    // xml
    public var recordElement: String?
    // magicline
    public var baseURL: String?
    public var runID: String?
    public var apiKey: String?
    public var sliceSize: Int = 100
    public var rateLimitWaitSeconds: Double = 60
    public var maxRetries: Int = 8
    public var timeoutSeconds: Double = 30
}

/// One `sink` stage.
public struct SinkConfiguration: Sendable {
    public enum Format: String, Sendable, CaseIterable { case ndjson, http }

    public struct HTTP: Sendable {
        public var url: String
        public var token: String?
        public var tokenURL: String?
        public var clientID: String?
        public var clientSecret: String?
        public var scope: String?
        public var batchSize = 500
        public var batchName: String?
        public var acceptExpensiveDestination: Bool?
        public var concurrency = 2
        public var timeoutSeconds: Double = 30
        public var maxRetries = 8
        public var onAmbiguous = "stop"
        public var resultsPath: String?
        public var journalPath: String?
    }

    public var format: Format
    public var accepts: Set<OutcomeStatus>
    /// `stages[N].sink`, for messages.
    public var jsonPath: String
    // ndjson
    public var path: String?
    public var gzip = false
    /// The ndjson path holds `{input}`: one output per input, published when that input is done.
    public var isPerInput: Bool { path?.contains(SinkConfiguration.inputPlaceholder) ?? false }
    /// The placeholder of a per-input sink path.
    public static let inputPlaceholder = "{input}"
    // http
    public var http: HTTP?
}
