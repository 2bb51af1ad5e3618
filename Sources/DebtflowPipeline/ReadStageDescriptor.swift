import DebtflowCore
import DebtflowHTTP
import DebtflowRead

// `read`, the one source: its descriptor, the stage as the config lists it, each format's keys
// (what the decoder allows and what `debtflow schema` writes), their decoding straight into the
// reader's own options type, and the reader made from it. A new format is its reader and options
// type in DebtflowRead, plus a case, its keys, its decoding and one line of `makeSource` here.

extension StageDescriptor {
    /// `read`: the one source, first (CSV, JSON, XML files or the Magicline pager).
    static let read = StageDescriptor(
        kind: "read", role: .source, needsBefore: [], needsAfter: [],
        schema: .byFormat(summary: "The one source, first: its options depend on `format`.",
                          ReadStageConfiguration.Format.allCases.map { ($0.rawValue, $0.configOptions) })
    ) { object, baseDirectory in
        .read(try ReadStageConfiguration(config: object, baseDirectory: baseDirectory))
    }
}

/// The `read` stage: which files it reads (none for the paged API), and its reader's own options,
/// decoded straight from the config (no copy of them is kept here).
public struct ReadStageConfiguration: Sendable, Equatable {
    /// The `format` names, in the order the schema lists them.
    public enum Format: String, Sendable, CaseIterable { case csv, json, xml, magicline }

    /// How records are read: the options type of the reader that reads them.
    public enum Reader: Sendable, Equatable {
        case csv(CSVReaderOptions)
        case json(JSONReaderOptions)
        case xml(XMLReaderOptions)
        /// The paged API; its options hold the URL, run and key (there is no input file).
        case magicline(MagiclineSourceConfiguration)
    }

    /// The reader and its options.
    public var reader: Reader
    /// Absolute path, or `-` for stdin; `nil` for `magicline` and for many inputs.
    public var path: String?
    /// The path as written in the config (after `${ENV}`), for messages.
    public var displayPath: String?
    /// Many inputs (CONTRACT.md §2): `read.path` was a glob or an array. Then ``path`` and
    /// ``displayPath`` are `nil`, and ``patterns`` holds the entries as written (after `${ENV}`);
    /// envelopes carry `"source"` and the summary `"inputs"`, however many files match.
    public var patterns: [String]?
    /// `if_missing`: what a pattern that matches nothing is.
    public var ifMissing: MissingInputPolicy = .error
    /// `on_input_error`: what an unreadable or corrupt input does to the run.
    public var onInputError: InputErrorPolicy = .stop

    public init(reader: Reader) {
        self.reader = reader
    }

    /// The `format` the config named.
    public var format: Format {
        switch reader {
        case .csv: .csv
        case .json: .json
        case .xml: .xml
        case .magicline: .magicline
        }
    }

    /// True when `read.path` is a glob or an array (the many-input form).
    public var hasManyInputs: Bool { patterns != nil }
    /// `if_missing: ok`: a pattern that matches nothing is a warning.
    public var missingInputsAllowed: Bool { ifMissing == .ok }
    /// `on_input_error: continue`: a failed input is reported and the others are read.
    public var continuesAfterInputError: Bool { onInputError == .continue }
}

/// `if_missing` of a `read` stage: a pattern that matches no file.
public enum MissingInputPolicy: String, Sendable, Equatable, CaseIterable {
    /// An input error (exit 3).
    case error
    /// A warning, and nothing read from it.
    case ok
}

/// `on_input_error` of a `read` stage: an unreadable or corrupt input.
public enum InputErrorPolicy: String, Sendable, Equatable, CaseIterable {
    /// The run stops (exit 3).
    case stop
    /// Its outputs are left unpublished, the other inputs are read, and the run exits 3 at the end.
    case `continue`
}

extension ReadStageConfiguration.Format {
    /// Every key of a `read` stage of this format, `format` included.
    var configOptions: ConfigOptions {
        switch self {
        case .csv: CSVReaderOptions.configOptions
        case .json: JSONReaderOptions.configOptions
        case .xml: XMLReaderOptions.configOptions
        case .magicline: MagiclineSourceConfiguration.configOptions
        }
    }
}

extension ReadStageConfiguration {
    /// `format`, the first key of every format.
    static let formatOption = ConfigOption("format", .choice(ConfigChoice(Format.self)), required: true,
                                           "Where records come from: a CSV, JSON (or NDJSON) or XML file, or the Magicline (Sportalliance) debtors API.")

    /// The keys of a format that reads files, after `format`: `path`, `if_missing`, `on_input_error`.
    static let inputOptions: [ConfigOption] = [
        ConfigOption("path", .pathOrPatterns, required: true,
            "The input: a file (plain or gzip, detected from its bytes), a glob (`*`, `?`, `[…]`) or an array of them, relative to the config's folder; `-` is stdin. Matches are read in byte-wise sorted order, each once."),
        ConfigOption("if_missing", .choice(ConfigChoice(MissingInputPolicy.self)), default: .string(MissingInputPolicy.error.rawValue),
            "A pattern that matches no file: an input error (`error`), or a warning and nothing read from it (`ok`)."),
        ConfigOption("on_input_error", .choice(ConfigChoice(InputErrorPolicy.self)), default: .string(InputErrorPolicy.stop.rawValue),
            "An unreadable or corrupt input: stop the run (`stop`), or leave its outputs unpublished, read the others, and exit 3 at the end (`continue`)."),
    ]

    /// The `read` stage as the config writes it: its `format`, the reader's options (decoded into
    /// the reader's own options type), and for a file format `path`, `if_missing` and
    /// `on_input_error`. Relative paths resolve against `baseDirectory`.
    /// - Throws: `.configuration` naming the JSON path of an unknown key or a wrong value.
    init(config options: ConfigObject, baseDirectory: String) throws {
        let formatText = try options.string("format") ?? ""
        guard let format = Format(rawValue: formatText) else {
            throw DebtflowError.configuration("expected one of \"csv\", \"json\", \"xml\", \"magicline\"" + (formatText.isEmpty ? "" : ", found \(MessageExcerpt.quoted(formatText))"), path: options.child("format"))
        }
        try options.rejectUnknownKeys(describedBy: format.configOptions, context: format.rawValue)
        switch format {
        case .csv: self.init(reader: .csv(try CSVReaderOptions(config: options)))
        case .json: self.init(reader: .json(try JSONReaderOptions(config: options)))
        case .xml: self.init(reader: .xml(try XMLReaderOptions(config: options)))
        case .magicline:
            // The paged API reads no file: no path, if_missing or on_input_error.
            self.init(reader: .magicline(try MagiclineSourceConfiguration(config: options)))
            return
        }
        ifMissing = try options.oneOf("if_missing", MissingInputPolicy.self, default: .error)
        onInputError = try options.oneOf("on_input_error", InputErrorPolicy.self, default: .stop)
        if case .array? = options.rawValue("path") {
            let patterns = try options.stringArray("path") ?? []
            guard !patterns.isEmpty else {
                throw DebtflowError.configuration("expected a path, a glob, or a non-empty array of them", path: options.child("path"))
            }
            for (index, pattern) in patterns.enumerated() {
                let problem = pattern.isEmpty ? "expected a non-empty path or glob"
                    : pattern == "-" ? "`-` (stdin) can only be the one input, not an entry of an array"
                    : PathText.problem(pattern)
                if let problem { throw DebtflowError.configuration(problem, path: "\(options.child("path"))[\(index)]") }
            }
            self.patterns = patterns
            return
        }
        let path = try options.requiredFilePath("path")
        if InputPatternExpander.isPattern(path) {
            patterns = [path]
            return
        }
        displayPath = path
        self.path = PathText.resolve(path, against: baseDirectory)
    }

    /// The reader of this stage, handed the reader's options as decoded, on its input (opened
    /// here; named in messages as the config wrote it).
    /// - Parameters:
    ///   - baseDirectory: the config's folder.
    ///   - input: one matched input of a many-input read (else the read's own path).
    ///   - readsAhead: whether a CSV or JSON input is read (and inflated) on a thread of its own
    ///     (``ReadAheadByteSource``): for a conversion pipeline, whose light transform leaves a core
    ///     free. (The XML reader always reads ahead.)
    /// - Throws: `.input` when the input cannot be opened.
    ///   - notice: where a `magicline` read says that it waits (a 429's wait, a long retry).
    ///   - limit: `--limit N`: a file reader's chunks hold at most N records, so that it parses
    ///     no further than the run reads (a syntax error past the N-th record is not met).
    func makeSource(baseDirectory: String, input: MatchedInput? = nil, readsAhead: Bool = false, limit: Int? = nil,
                    notice: @escaping @Sendable (String) -> Void = { _ in }) throws -> any RecordSource {
        let chunkSize = min(Chunk<Record>.preferredSize, max(limit ?? .max, 1))
        return switch reader {
        case .csv(let options):
            CSVRecordReader(source: try openInput(baseDirectory: baseDirectory, input: input, readsAhead: readsAhead), options: options,
                            chunkSize: chunkSize)
        case .json(let options):
            JSONRecordReader(source: try openInput(baseDirectory: baseDirectory, input: input, readsAhead: readsAhead), options: options,
                             chunkSize: chunkSize)
        case .xml(let options):
            XMLRecordReader(source: try openInput(baseDirectory: baseDirectory, input: input), options: options, chunkSize: chunkSize)
        case .magicline(let configuration): try MagiclineDebtorSource(configuration: configuration, notice: notice)
        }
    }

    /// The path `input` is read from: its matched path, else the configured one, else `-`.
    func inputPath(_ input: MatchedInput?) -> String {
        input?.path ?? displayPath ?? path ?? "-"
    }

    /// `debtflow check`'s line for an input: a file is opened (its first bytes looked at: gzip, or
    /// an archive refused); a stream (a FIFO, a device) is not, since that would take its bytes
    /// from the run; nor is stdin, unless `deep` (`check --deep` reads what is piped to it).
    /// - Throws: `.input` when a file cannot be opened or holds an archive.
    func reach(baseDirectory: String, input: MatchedInput? = nil, deep: Bool = false) throws -> String {
        let inputPath = inputPath(input)
        if let kind = ByteSources.streamKind(of: inputPath, relativeTo: baseDirectory) {
            if deep && inputPath == "-" {
                return "input -: \(kind), read through below (--deep reads what is piped to it; a run would get none of it)"
            }
            return "input \(inputPath): \(kind), not opened (reading from it would take its data from the run)"
                + (deep ? "; --deep does not read it through either" : "")
        }
        let source = try makeSource(baseDirectory: baseDirectory, input: input)
        return "input \(source.name): reachable"
    }

    private func openInput(baseDirectory: String, input: MatchedInput?, readsAhead: Bool = false) throws -> any ByteSource {
        let source = try ByteSources.open(path: inputPath(input), relativeTo: baseDirectory)
        return readsAhead ? ReadAheadByteSource(source) : source
    }
}

extension CSVReaderOptions {
    /// Every key of a `csv` read: `format`, the input's keys, then the reader's.
    static let configOptions = ConfigOptions(
        "Reads a CSV file: one record per row, keyed by the header.",
        [ReadStageConfiguration.formatOption] + ReadStageConfiguration.inputOptions + [
            ConfigOption("delimiter", .choice(ConfigChoice(["auto", ",", ";", "\t", "|", "tab", "\\t", "comma", "semicolon", "pipe"],
                                                           alsoMatching: "^[\\u0000-\\u0009\\u000B\\u000C\\u000E-\\u0021\\u0023-\\u007F]$")),
                         default: .string("auto"), "The field separator: detected among `,` `;` tab `|` (`auto`), or one ASCII character."),
            ConfigOption("encoding", .choice(ConfigChoice(["auto", "utf-8", "windows-1252", "utf8", "cp1252", "windows1252", "latin-1", "latin1", "iso-8859-1"],
                                                          caseInsensitive: true)),
                         default: .string("auto"), "The text encoding: UTF-8, else Windows-1252 (`auto`), or one of them."),
            ConfigOption("header", .boolean, default: .bool(true), "Whether the first row holds the column names (else the keys are \"1\", \"2\", …)."),
            ConfigOption("max_field_bytes", .positiveInteger(), default: .number("16777216"), "The longest field in bytes (16 MiB, the record limit, by default); a longer one is an input error."),
        ])

    /// A `csv` read's `delimiter`, `encoding`, `header` and `max_field_bytes`.
    /// - Throws: `.configuration` naming the JSON path of a wrong value.
    init(config options: ConfigObject) throws {
        let delimiterText = try options.string("delimiter") ?? "auto"
        guard let delimiter = CSVDelimiter(configValue: delimiterText) else {
            throw DebtflowError.configuration("expected \"auto\", one ASCII character (\",\", \";\", \"\\t\", \"|\", …) or one of the words "
                                              + "\"tab\", \"comma\", \"semicolon\", \"pipe\", found \(MessageExcerpt.quoted(delimiterText))", path: options.child("delimiter"))
        }
        let encodingText = try options.string("encoding") ?? "auto"
        guard let encoding = TextEncodingChoice(configValue: encodingText) else {
            throw DebtflowError.configuration("expected \"auto\", \"utf-8\" or \"windows-1252\", found \(MessageExcerpt.quoted(encodingText))", path: options.child("encoding"))
        }
        let header = try options.bool("header") ?? true
        let maxFieldBytes = try options.positiveInt("max_field_bytes") ?? CSVReaderOptions().maxFieldBytes
        self.init(delimiter: delimiter, encoding: encoding, header: header, maxFieldBytes: maxFieldBytes)
    }
}

extension JSONReaderOptions {
    /// Every key of a `json` read: `format`, the input's keys, then the reader's.
    static let configOptions = ConfigOptions(
        "Reads a JSON document or NDJSON: one record per object.",
        [ReadStageConfiguration.formatOption] + ReadStageConfiguration.inputOptions + [
            ConfigOption("records", .string(pattern: ConfigPattern(regex: "^([^.]+(\\.[^.]+)*)?$", counterexample: "data..items")), default: .string(""), "Where the array of records is: `\"\"` for the top-level array (or one object per line, NDJSON), or the key it is under (`\"result\"`)."),
        ])

    /// A `json` read's `records`.
    /// - Throws: `.configuration` naming the JSON path of a wrong value.
    init(config options: ConfigObject) throws {
        let records = try options.string("records") ?? ""
        if let problem = RecordLocatorRules.recordsPathProblem(records) {
            throw DebtflowError.configuration(problem, path: options.child("records"))
        }
        self.init(recordsPath: records)
    }
}

extension XMLReaderOptions {
    /// Every key of an `xml` read: `format`, the input's keys, then the reader's.
    static let configOptions = ConfigOptions(
        "Reads an XML document: one record per `record` element.",
        [ReadStageConfiguration.formatOption] + ReadStageConfiguration.inputOptions + [
            ConfigOption("record", .string(nonEmpty: true), required: true, "The element name of one record (`debtor`)."),
        ])

    /// An `xml` read's `record`.
    /// - Throws: `.configuration` naming the JSON path of a missing or wrong value.
    init(config options: ConfigObject) throws {
        let record = try options.requiredString("record")
        if let problem = RecordLocatorRules.recordElementProblem(record) {
            throw DebtflowError.configuration(problem, path: options.child("record"))
        }
        self.init(recordElement: record)
    }
}

extension MagiclineSourceConfiguration {
    /// Every key of a `magicline` read: `format`, then the pager's (it reads no file).
    static let configOptions = ConfigOptions(
        "Pulls a debt-collection run from the Magicline (Sportalliance) debtors API, page by page.",
        [ReadStageConfiguration.formatOption] + [
            ConfigOption("base_url", .string(nonEmpty: true), required: true, secret: .urlPassword, "The API's base URL (HTTPS; plain HTTP only to loopback)."),
            ConfigOption("run_id", .integerOrString, required: true, "The debt-collection run to pull."),
            ConfigOption("api_key", .string(), required: true, secret: .value, "The API key (a secret: write `${NAME}`; never printed)."),
            ConfigOption("slice_size", .positiveInteger(), default: .number("100"), "Debtors per page."),
            ConfigOption("rate_limit_wait_s", .nonNegativeNumber, default: .number("60"), "Seconds to wait after a 429 without Retry-After."),
            ConfigOption("max_retries", .positiveInteger(), default: .number("8"), "Attempts per page before the run stops (exit 3)."),
            ConfigOption("timeout_s", .seconds(maximum: 86400), default: .number("30"), "Seconds one page request may take (above 0, at most a day)."),
        ])

    /// A `magicline` read's `base_url`, `run_id`, `api_key`, `slice_size`, `rate_limit_wait_s`,
    /// `max_retries` and `timeout_s`.
    /// An absent key is left empty (``validate(jsonPath:)`` names it when the run starts).
    /// - Throws: `.configuration` naming the JSON path of a missing or wrong value.
    init(config options: ConfigObject) throws {
        let baseURL = try options.requiredString("base_url")
        _ = try HTTPURLPolicy.validate(baseURL, jsonPath: options.child("base_url"))
        // The debtors path is added after it: a query or a fragment would swallow it
        // (`…/v1?x=1/debt-collection/…`, a 404 at run time).
        if baseURL.contains("?") || baseURL.contains("#") {
            throw DebtflowError.configuration("a base URL ends with its path (`https://TENANT.open-api.magicline.com/v1`), "
                                              + "with no `?` query or `#` fragment: debtflow adds /debt-collection/{run_id}/debtors "
                                              + "and its own query (given: \(Redaction.url(String(baseURL.prefix { $0 != "?" && $0 != "#" })))"
                                              + " and a query or fragment, not shown: it may hold a key)", path: options.child("base_url"))
        }
        guard let runID = try options.intOrString("run_id"), !runID.isEmpty else {
            throw DebtflowError.configuration("required: expected an integer or a string", path: options.child("run_id"))
        }
        let apiKey = try options.nonEmptyString("api_key")
        self.init(baseURL: baseURL, runID: runID, apiKey: apiKey ?? "")
        sliceSize = try options.positiveInt("slice_size") ?? sliceSize
        rateLimitWaitSeconds = try options.nonNegativeNumber("rate_limit_wait_s") ?? rateLimitWaitSeconds
        maxRetries = try options.positiveInt("max_retries") ?? maxRetries
        timeoutSeconds = try options.positiveSeconds("timeout_s") ?? timeoutSeconds
    }
}
