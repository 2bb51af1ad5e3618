import DebtflowCore

// The options of `read` and `sink` per format, and of the config's top level: the decoder's
// allowed keys (`PipelineConfigurationDecoder.decodeRead`, `decodeSink`, `decodeRoot`) and what
// `debtflow schema` writes.

extension ReadStageConfiguration.Format {
    /// Every key of a `read` stage of this format, `format` included.
    var configOptions: ConfigOptions {
        let format = ConfigOption("format", .choice(ConfigChoice(Self.self)), required: true,
                                  "Where records come from: a CSV, JSON (or NDJSON) or XML file, or the Magicline (Sportalliance) debtors API.")
        let path = ConfigOption("path", .pathOrPatterns, required: true,
                                "The input: a file (plain or gzip, detected from its bytes), a glob (`*`, `?`, `[…]`) or an array of them, relative to the config's folder; `-` is stdin. Matches are read in byte-wise sorted order, each once.")
        let ifMissing = ConfigOption("if_missing", .choice(ConfigChoice(["error", "ok"])), default: .string("error"),
                                     "A pattern that matches no file: an input error (`error`), or a warning and nothing read from it (`ok`).")
        let onInputError = ConfigOption("on_input_error", .choice(ConfigChoice(["stop", "continue"])), default: .string("stop"),
                                        "An unreadable or corrupt input: stop the run (`stop`), or leave its outputs unpublished, read the others, and exit 3 at the end (`continue`).")
        switch self {
        case .csv:
            return ConfigOptions("Reads a CSV file: one record per row, keyed by the header.", [
                format, path, ifMissing, onInputError,
                ConfigOption("delimiter", .choice(ConfigChoice(["auto", ",", ";", "\t", "|", "tab", "\\t", "comma", "semicolon", "pipe"],
                                                               alsoMatching: "^[\\u0000-\\u0009\\u000B\\u000C\\u000E-\\u0021\\u0023-\\u007F]$")),
                             default: .string("auto"), "The field separator: detected among `,` `;` tab `|` (`auto`), or one ASCII character."),
                ConfigOption("encoding", .choice(ConfigChoice(["auto", "utf-8", "windows-1252", "utf8", "cp1252", "windows1252", "latin-1", "latin1", "iso-8859-1"],
                                                              caseInsensitive: true)),
                             default: .string("auto"), "The text encoding: UTF-8, else Windows-1252 (`auto`), or one of them."),
                ConfigOption("header", .boolean, default: .bool(true), "Whether the first row holds the column names (else the keys are \"1\", \"2\", …)."),
                ConfigOption("max_field_bytes", .positiveInteger(), default: .number("1048576"), "The longest field in bytes; a longer one is an input error."),
            ])
        case .json:
            return ConfigOptions("Reads a JSON document or NDJSON: one record per object.", [
                format, path, ifMissing, onInputError,
                ConfigOption("records", .string(), default: .string(""), "Where the array of records is: `\"\"` for the top-level array (or one object per line, NDJSON), or the key it is under (`\"result\"`)."),
            ])
        case .xml:
            return ConfigOptions("Reads an XML document: one record per `record` element.", [
                format, path, ifMissing, onInputError,
                ConfigOption("record", .string(nonEmpty: true), required: true, "The element name of one record (`debtor`)."),
            ])
        case .magicline:
            return ConfigOptions("Pulls a debt-collection run from the Magicline (Sportalliance) debtors API, page by page.", [
                format,
                ConfigOption("base_url", .string(nonEmpty: true), required: true, "The API's base URL (HTTPS; plain HTTP only to loopback)."),
                ConfigOption("run_id", .integerOrString, required: true, "The debt-collection run to pull."),
                ConfigOption("api_key", .string(), "The API key (a secret: write `${NAME}`; never printed)."),
                ConfigOption("slice_size", .positiveInteger(), default: .number("100"), "Debtors per page."),
                ConfigOption("rate_limit_wait_s", .nonNegativeNumber, default: .number("60"), "Seconds to wait after a 429 without Retry-After."),
                ConfigOption("max_retries", .positiveInteger(), default: .number("8"), "Attempts per page before the run stops (exit 3)."),
                ConfigOption("timeout_s", .seconds(maximum: 86400), default: .number("30"), "Seconds one page request may take (above 0, at most a day)."),
            ])
        }
    }
}

extension SinkConfiguration.Format {
    /// Every key of a `sink` stage of this format, `format` included.
    var configOptions: ConfigOptions {
        let format = ConfigOption("format", .choice(ConfigChoice(Self.self)), required: true,
                                  "Where outcomes go: an NDJSON file, or the GetBill bulk-import API.")
        let outputPath = { (key: String, summary: String) in ConfigOption(key, .string(), summary) }
        switch self {
        case .ndjson:
            return ConfigOptions("Writes the outcomes it accepts as NDJSON, published (renamed into place) when the run finishes.", [
                format,
                ConfigOption("path", .string(nonEmpty: true), required: true, "The output file, relative to the config's folder; `-` is stdout."),
                ConfigOption("gzip", .boolean, default: .bool(false), "Write gzip."),
                ConfigOption("accept", .stringList(of: ConfigChoice(OutcomeStatus.self), nonEmpty: true), default: .array([.string("valid")]),
                             "Which outcomes this sink receives (a conversion pipeline's sinks receive every record)."),
            ])
        case .http:
            return ConfigOptions("Pushes valid debts to the GetBill bulk-import API in batches.", [
                format,
                ConfigOption("url", .string(nonEmpty: true), required: true, "The bulk-import endpoint (HTTPS; plain HTTP only to loopback)."),
                ConfigOption("token", .string(), "A bearer token (a secret: write `${NAME}`); or `token_url` + `client_id` + `client_secret`."),
                ConfigOption("token_url", .string(), "The OAuth2 token endpoint (client credentials)."),
                ConfigOption("client_id", .string(), "The OAuth2 client id."),
                ConfigOption("client_secret", .string(), "The OAuth2 client secret (a secret: write `${NAME}`)."),
                ConfigOption("scope", .string(), "The OAuth2 scope."),
                ConfigOption("batch_size", .positiveInteger(maximum: 1000), default: .number("500"), "Debts per batch."),
                ConfigOption("batch_name", .string(), "The name batches carry."),
                ConfigOption("accept_expensive_destination", .boolean, "Sent at batch level when set."),
                ConfigOption("concurrency", .positiveInteger(maximum: 16), default: .number("2"), "Batches in flight at once."),
                ConfigOption("timeout_s", .seconds(maximum: 86400), default: .number("30"), "Seconds one whole batch exchange may take (above 0, at most a day)."),
                ConfigOption("max_retries", .positiveInteger(), default: .number("8"), "Attempts per batch before the run stops (exit 4)."),
                ConfigOption("on_ambiguous", .choice(ConfigChoice(["stop", "retry"])), default: .string("stop"),
                             "What to do when a batch's fate is unknown (the connection died after sending)."),
                outputPath("results", "The per-debt results file (NDJSON)."),
                outputPath("journal", "The journal of batches sent; enables `--resume`."),
                ConfigOption("accept", .stringList(of: ConfigChoice(["valid"]), nonEmpty: true), default: .array([.string("valid")]),
                             "An http sink pushes valid debts only."),
            ], requiresOneOf: [["token"], ["token_url", "client_id", "client_secret"]])
        }
    }
}

extension PipelineConfigurationDecoder {
    /// The keys of the config's top level.
    static let rootOptions = ConfigOptions("A debtflow pipeline config (CONTRACT.md §2): stages run in the order given, `read` first, one or more `sink`s last.", [
        ConfigOption("$schema", .freeText, "The JSON Schema editors check this file against (`debtflow.schema.json`); ignored by debtflow."),
        ConfigOption("version", .integerConstant(1), required: true, "The config format's version."),
        ConfigOption("name", .string(), default: .string("pipeline"), "The pipeline's name, in messages, the summary and metrics."),
        ConfigOption("description", .freeText, "What the pipeline does, for people; ignored by debtflow."),
        ConfigOption("stages", .stages, required: true, "The stages in order: `read`, then `map` → `normalize` → [`classify`] → `validate` for debts (or nothing, to convert), then one or more `sink`s."),
    ])
}
