import DebtflowCore
import DebtflowHTTP
import DebtflowRead
import DebtflowSink

// `sink`, the outputs: the descriptor, the stage as the config lists it, each format's keys (what
// the decoder allows and what `debtflow schema` writes), their decoding straight into the sink's
// own options type, and the sink made from it. A new format is its sink and options type in
// DebtflowSink, plus a case, its keys, its decoding and one case of `makeSink` here.

extension StageDescriptor {
    /// `sink`: NDJSON files or the HTTP push, last, one or more.
    static let sink = StageDescriptor(
        kind: "sink", role: .sink, needsBefore: [], needsAfter: [],
        schema: .byFormat(summary: "An output, last (one or more): its options depend on `format`.",
                          SinkConfiguration.Format.allCases.map { ($0.rawValue, $0.configOptions) })
    ) { object, baseDirectory in
        .sink(try SinkConfiguration(config: object, baseDirectory: baseDirectory))
    }
}

/// One `sink` stage: where it was written, and its sink's own options, decoded straight from the
/// config.
public struct SinkConfiguration: Sendable, Equatable {
    /// The `format` names, in the order the schema lists them.
    public enum Format: String, Sendable, CaseIterable { case ndjson, http }

    /// The sink and its options.
    public enum Output: Sendable, Equatable {
        case ndjson(NDJSONSinkOptions)
        case http(HTTPSinkConfiguration)
    }

    public var output: Output
    /// `stages[N].sink`, for messages.
    public var jsonPath: String

    public init(output: Output, jsonPath: String) {
        self.output = output
        self.jsonPath = jsonPath
    }

    /// The `format` the config named.
    public var format: Format {
        switch output {
        case .ndjson: .ndjson
        case .http: .http
        }
    }

    /// The outcomes the sink receives (`accept`).
    public var accepts: Set<OutcomeStatus> {
        switch output {
        case .ndjson(let options): options.accepts
        case .http(let configuration): configuration.accepts
        }
    }

    /// An ndjson sink's output path (absolute, or `-`); `nil` for an http sink.
    public var path: String? {
        if case .ndjson(let options) = output { return options.path }
        return nil
    }

    /// An http sink's options; `nil` for an ndjson sink.
    public var http: HTTPSinkConfiguration? {
        if case .http(let configuration) = output { return configuration }
        return nil
    }

    /// The ndjson path holds `{input}`: one output per input, published when that input is done.
    public var isPerInput: Bool { path?.contains(SinkConfiguration.inputPlaceholder) ?? false }
    /// The placeholder of a per-input sink path.
    public static let inputPlaceholder = "{input}"
}

extension SinkConfiguration.Format {
    /// The format sends debts, so its pipeline must map records to debts (a `map` stage): an
    /// `http` sink. The decoder and the schema both take the rule from here.
    var needsDebts: Bool { self == .http }

    /// Every key of a `sink` stage of this format, `format` included.
    var configOptions: ConfigOptions {
        switch self {
        case .ndjson: NDJSONSinkOptions.configOptions
        case .http: HTTPSinkConfiguration.configOptions
        }
    }
}

extension SinkConfiguration {
    /// `format`, the first key of every format.
    static let formatOption = ConfigOption("format", .choice(ConfigChoice(Format.self)), required: true,
                                           "Where outcomes go: an NDJSON file, or the GetBill bulk-import API.")

    /// A `sink` stage as the config writes it: its `format`, and the sink's options decoded into
    /// the sink's own options type. Relative paths resolve against `baseDirectory`.
    /// - Throws: `.configuration` naming the JSON path of an unknown key or a wrong value.
    init(config options: ConfigObject, baseDirectory: String) throws {
        let formatText = try options.string("format") ?? ""
        guard let format = Format(rawValue: formatText) else {
            throw DebtflowError.configuration("expected \"ndjson\" or \"http\"" + (formatText.isEmpty ? "" : ", found \(MessageExcerpt.quoted(formatText))"), path: options.child("format"))
        }
        let accepts = try Self.accepts(options)
        try options.rejectUnknownKeys(describedBy: format.configOptions, context: format.rawValue)
        switch format {
        case .ndjson:
            let path = PathText.resolve(try options.requiredFilePath("path"), against: baseDirectory)
            self.init(output: .ndjson(NDJSONSinkOptions(path: path, gzip: try options.bool("gzip") ?? false, accepts: accepts)),
                      jsonPath: options.path)
        case .http:
            if accepts != [.valid] {
                throw DebtflowError.configuration("an http sink pushes valid debts only; expected [\"valid\"]", path: options.child("accept"))
            }
            self.init(output: .http(try HTTPSinkConfiguration(config: options, baseDirectory: baseDirectory)),
                      jsonPath: options.path)
        }
    }

    /// `accept`: which outcomes the sink receives (`["valid"]` when absent).
    private static func accepts(_ options: ConfigObject) throws -> Set<OutcomeStatus> {
        guard let list = try options.stringArray("accept") else { return [.valid] }
        guard !list.isEmpty else {
            throw DebtflowError.configuration("expected at least one of \"valid\", \"failed\", \"skipped\"", path: options.child("accept"))
        }
        var accepts: Set<OutcomeStatus> = []
        for (index, item) in list.enumerated() {
            guard let status = OutcomeStatus(rawValue: item) else {
                throw DebtflowError.configuration("expected \"valid\", \"failed\" or \"skipped\", found \(MessageExcerpt.quoted(item))", path: "\(options.child("accept"))[\(index)]")
            }
            accepts.insert(status)
        }
        return accepts
    }
}

extension NDJSONSinkOptions {
    /// Every key of an `ndjson` sink: `format`, then the sink's.
    static let configOptions = ConfigOptions(
        "Writes the outcomes it accepts as NDJSON, published (renamed into place) when the run finishes.",
        [SinkConfiguration.formatOption] + [
            ConfigOption("path", .outputFile(.sinkOutput), required: true,
                         "The output file, relative to the config's folder; `-` is stdout; `{input}` in the file name writes one file per input."),
            ConfigOption("gzip", .boolean, default: .bool(false), "Write gzip."),
            ConfigOption("accept", .stringList(of: ConfigChoice(OutcomeStatus.self), nonEmpty: true), default: .array([.string("valid")]),
                         "Which outcomes this sink receives (a conversion pipeline's sinks receive every record)."),
        ])
}

extension HTTPSinkConfiguration {
    /// Every key of an `http` sink: `format`, then the sink's.
    static let configOptions = ConfigOptions(
        "Pushes valid debts to the GetBill bulk-import API in batches.",
        [SinkConfiguration.formatOption] + [
            ConfigOption("url", .string(nonEmpty: true), required: true, secret: .urlPassword, "The bulk-import endpoint (HTTPS; plain HTTP only to loopback)."),
            ConfigOption("token", .string(), secret: .value, "A bearer token (a secret: write `${NAME}`); or `token_url` + `client_id` + `client_secret`."),
            ConfigOption("token_url", .string(), secret: .urlPassword, "The OAuth2 token endpoint (client credentials)."),
            ConfigOption("client_id", .string(), "The OAuth2 client id."),
            ConfigOption("client_secret", .string(), secret: .value, "The OAuth2 client secret (a secret: write `${NAME}`)."),
            ConfigOption("scope", .string(), "The OAuth2 scope."),
            ConfigOption("batch_size", .positiveInteger(maximum: HTTPSinkConfiguration.maximumBatchSize), default: .number("500"), "Debts per batch."),
            ConfigOption("batch_name", .string(), "The name batches carry."),
            ConfigOption("accept_expensive_destination", .boolean, "Sent at batch level when set."),
            ConfigOption("concurrency", .positiveInteger(maximum: 16), default: .number("2"), "Batches in flight at once."),
            ConfigOption("timeout_s", .seconds(maximum: 86400), default: .number("30"), "Seconds one whole batch exchange may take (above 0, at most a day)."),
            ConfigOption("max_retries", .positiveInteger(), default: .number("8"), "Attempts per batch before the run stops (exit 4)."),
            ConfigOption("on_ambiguous", .choice(ConfigChoice(HTTPSinkConfiguration.AmbiguousPolicy.self)),
                         default: .string(HTTPSinkConfiguration.AmbiguousPolicy.stop.rawValue),
                         "What to do when a batch's fate is unknown (the connection died after sending)."),
            ConfigOption("results", .outputFile(.runRecord), "The per-debt results file (NDJSON)."),
            ConfigOption("journal", .outputFile(.runRecord), "The journal of batches sent; enables `--resume`."),
            ConfigOption("accept", .stringList(of: ConfigChoice(["valid"]), nonEmpty: true), default: .array([.string("valid")]),
                         "An http sink pushes valid debts only."),
        ], requiresOneOf: [["token"], ["token_url", "client_id", "client_secret"]], excludesTogether: [["token", "token_url"]])

    /// An `http` sink's options (`url`, the credentials, `batch_size`, …, `results`, `journal`).
    /// The rules of ``validate(jsonPath:)`` are checked again when the sink is made.
    /// - Throws: `.configuration` naming the JSON path of a missing or wrong value.
    init(config options: ConfigObject, baseDirectory: String) throws {
        let url = try options.requiredString("url")
        _ = try HTTPURLPolicy.validate(url, jsonPath: options.child("url"))
        let token = try options.nonEmptyString("token")
        let tokenURL = try options.nonEmptyString("token_url")
        let clientID = try options.nonEmptyString("client_id")
        let clientSecret = try options.nonEmptyString("client_secret")
        let scope = try options.nonEmptyString("scope")
        if let tokenURL {
            _ = try HTTPURLPolicy.validate(tokenURL, jsonPath: options.child("token_url"))
        }
        let authentication: Authentication
        if let token {
            guard tokenURL == nil else {
                throw DebtflowError.configuration("give either `token` or `token_url` with client credentials, not both", path: options.child("token_url"))
            }
            authentication = .bearer(token: token)
        } else {
            guard let tokenURL, let clientID, let clientSecret else {
                let missing = [("token_url", tokenURL), ("client_id", clientID), ("client_secret", clientSecret)].first { $0.1 == nil }?.0 ?? "token"
                throw DebtflowError.configuration("required: give `token`, or `token_url` + `client_id` + `client_secret` (+ `scope`)", path: options.child(missing))
            }
            authentication = .clientCredentials(tokenURL: tokenURL, clientID: clientID, clientSecret: clientSecret, scope: scope)
        }
        self.init(url: url, authentication: authentication)
        batchSize = try options.positiveInt("batch_size", max: Self.maximumBatchSize) ?? batchSize
        batchName = try options.nonEmptyString("batch_name")
        acceptExpensiveDestination = try options.bool("accept_expensive_destination")
        concurrency = try options.positiveInt("concurrency", max: 16) ?? concurrency
        timeoutSeconds = try options.positiveSeconds("timeout_s") ?? timeoutSeconds
        maxRetries = try options.positiveInt("max_retries") ?? maxRetries
        onAmbiguous = try options.oneOf("on_ambiguous", AmbiguousPolicy.self, default: .stop)
        // Records kept for `--resume` and for the operator: files, never a stream (`-` would
        // otherwise be a file named `-` in whatever folder the run started in).
        for key in ["results", "journal"] where try options.filePath(key) == "-" {
            throw DebtflowError.configuration("expected the path of a file (`-` is not one: the \(key == "journal" ? "journal is" : "results are") kept for --resume and for you to read)",
                                              path: options.child(key))
        }
        resultsPath = try options.filePath("results").map { PathText.resolve($0, against: baseDirectory) }
        journalPath = try options.filePath("journal").map { PathText.resolve($0, against: baseDirectory) }
        accepts = [.valid]
    }
}

extension PipelineAssembler {
    /// The sink of one `sink` stage, handed the sink's options as decoded; its output's temporary
    /// file is created here. With `--dry-run` it publishes nothing.
    /// - Throws: `.sink` when an output cannot be opened; `.configuration` for http options the
    ///   sink refuses, naming the stage.
    func makeSink(_ sink: SinkConfiguration, plan: InputPlan?, interruption: InterruptionFlag) throws -> any OutcomeSink {
        let read = configuration.read
        let log = self.log
        switch sink.output {
        case .ndjson(var ndjson):
            // A conversion's sinks receive every record (each is a `valid` outcome).
            if configuration.isConversion { ndjson.accepts = [.valid] }
            let file: any NDJSONLineSink
            if sink.isPerInput {
                let template = ndjson.path
                if !read.hasManyInputs, let only = plan?.inputs.first {
                    // A single path: one output, named after it, written as before.
                    file = try NDJSONFileSink(options: ndjson, path: Self.perInputPath(template, input: only.path),
                                              isInterrupted: { interruption.isSet }, notice: { log.warning($0) },
                                              finishingKilledPublish: !options.dryRun)
                } else {
                    file = PerInputNDJSONSink(options: ndjson, outputPath: { Self.perInputPath(template, input: $0) },
                                              notice: { log.warning($0) }, finishingKilledPublish: !options.dryRun)
                }
            } else {
                file = try NDJSONFileSink(options: ndjson, includeSource: read.hasManyInputs,
                                          isInterrupted: { interruption.isSet }, notice: { log.warning($0) },
                                          finishingKilledPublish: !options.dryRun)
            }
            return options.dryRun ? DryRunSink(wrapping: file) : file
        case .http(let http):
            return try makeHTTPSink(sink, http, plan: plan)
        }
    }

    /// The starts of positional temp_ids tonight's inputs would give with other inputs beside
    /// them (``DebtflowSink/HTTPSinkRunOptions/foreignIDPrefixes``): for an input known by its
    /// path, its file name; for one known by its file name, its path (when it has a folder).
    private func foreignIDPrefixes(_ plan: InputPlan?) -> Set<String> {
        guard let plan, configuration.read.hasManyInputs else { return [] }
        let byPath = plan.pathsSharingFileNames
        var prefixes = Set<String>()
        var given = Set<String>()
        for input in plan.matched {
            let known = byPath.contains(input.path)
            given.insert(Provenance.idPrefix(of: input.path, byPath: known))
            prefixes.insert(Provenance.idPrefix(of: input.path, byPath: !known))
        }
        // A prefix tonight's inputs give themselves is not foreign (`x.csv` in the config's own
        // folder beside `in/a/x.csv` is `x.csv#` either way).
        return prefixes.subtracting(given)
    }

    private func makeHTTPSink(_ sink: SinkConfiguration, _ configuration: HTTPSinkConfiguration, plan: InputPlan?) throws -> HTTPPushSink {
        let dryRunOutput = options.dryRun ? Self.dryRunOutputPath(of: sink) : nil
        let log = self.log
        do {
            return try HTTPPushSink(
                configuration: configuration,
                options: HTTPSinkRunOptions(dryRun: options.dryRun, resume: options.resume, retryUnknown: options.retryUnknown,
                                            dryRunOutputPath: dryRunOutput, foreignIDPrefixes: foreignIDPrefixes(plan)),
                diagnostics: { line in log.warning(line) })
        } catch {
            var error = error
            if error.kind == .configuration, error.location?.jsonPath == nil || error.location?.jsonPath == "sink" {
                error.location = .init(jsonPath: sink.jsonPath)
            }
            throw error
        }
    }
}
