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
    public enum Format: String, Sendable { case ndjson, http }

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
    // http
    public var http: HTTP?
}
