import DebtflowCore

/// One key of a config object as the config writes it: the values it takes, whether it is
/// required, its default and what it does.
///
/// Each stage descriptor carries the options of its stage (``StageDescriptor/options``); the
/// decoder takes its allowed keys from them, and `debtflow schema` (``ConfigSchema``) writes them
/// as JSON Schema, so the keys the decoder accepts and the keys the schema describes are one list.
struct ConfigOption: Sendable {
    let key: String
    let value: ConfigValue
    let isRequired: Bool
    /// The default as JSON, when the option has one (shown by editors).
    let defaultValue: RecordValue?
    /// One or two sentences for an editor's hover text.
    let summary: String
    /// Whether the value, or a part of it, must never be printed; `nil` for most options.
    let secret: ConfigSecret?

    init(_ key: String, _ value: ConfigValue, required: Bool = false, default defaultValue: RecordValue? = nil,
         secret: ConfigSecret? = nil, _ summary: String) {
        self.key = key
        self.value = value
        self.isRequired = required
        self.defaultValue = defaultValue
        self.secret = secret
        self.summary = summary
    }
}

/// What of an option's value is a secret (CONTRACT.md §1: printed as `***`, never logged).
///
/// The mark on the option is the one place that says so: the decoder collects the values to mask
/// from it (``PipelineConfigurationDecoder/secretValues(in:interpolation:)``), for the run's log
/// and for config errors alike.
enum ConfigSecret: Sendable {
    /// The whole value (a token, an API key, a client secret).
    case value
    /// The password of the URL the value holds, if it has one (`https://user:password@host/`).
    case urlPassword
}

/// The JSON values a config key takes, as ``ConfigObject``'s readers accept them: strings are
/// expanded for `${NAME}` when read, so wherever the decoder expands, a string holding a
/// reference is accepted as well (the value is only known when the run starts).
indirect enum ConfigValue: Sendable {
    /// A string kept as written, never expanded (`$schema`, `description`: not read by the decoder).
    case freeText
    /// A string, expanded; an empty one reads as absent unless `nonEmpty` (then it is an error).
    /// With `pattern`, the decoder refuses the texts the pattern does not match.
    case string(nonEmpty: Bool = false, pattern: ConfigPattern? = nil)
    /// A file the stage writes, relative to the config's folder, expanded (``OutputFileRole``).
    case outputFile(OutputFileRole)
    /// One of `names` (or, with `caseInsensitive`, any spelling of them; or a text matching
    /// `alsoMatching`), expanded first. `emptyIsAbsent`: an empty string reads as not given.
    case choice(ConfigChoice)
    /// `true`/`false`, or a string holding a variable reference that expands to `"true"`,
    /// `"false"` or `""` (absent). A literal string (`"true"`) is a wrong type.
    case boolean
    /// An integer of 1 or more (at most `maximum`), or a string holding a variable reference that
    /// expands to one. A literal string (`"10"`) is a wrong type.
    case positiveInteger(maximum: Int? = nil)
    /// A finite number of 0 or more, or a string holding a variable reference that expands to one.
    case nonNegativeNumber
    /// A number of seconds above 0 and at most `maximum`, or a string holding a variable
    /// reference that expands to one (`ConfigObject.positiveSeconds`, the `timeout_s` of feat/http).
    case seconds(maximum: Int)
    /// An integer or a string (`run_id`).
    case integerOrString
    /// Exactly this integer (`version`: 1), never a string.
    case integerConstant(Int)
    /// An array of strings, each expanded (and, when `of` is given, one of its names); with
    /// `nonEmpty`, at least one.
    case stringList(of: ConfigChoice? = nil, nonEmpty: Bool = false)
    /// A path or glob, or a non-empty array of them (`read.path`).
    case pathOrPatterns
    /// An object whose values are strings (`map.fields`: target ← source key), its keys among
    /// `keys` when given.
    case stringMap(keys: [String]? = nil)
    /// An object whose values are strings, numbers or booleans (`map.constants`), its keys among
    /// `keys` when given.
    case scalarMap(keys: [String]? = nil)
    /// An object keyed by `keys` (any subset) whose values are objects of `options`, or `null`
    /// (`classify.rates`); the keys of `nullOnly` may only be `null` (`rates.other`: no rate,
    /// but `null`, "the table's", is accepted).
    case objectMap(keys: [String], options: ConfigOptions, nullOnly: [String] = [])
    /// The `stages` array: one single-key object per stage (written from ``StageDescriptor/all``).
    case stages
}

/// A regular expression (ECMA-262, as JSON Schema writes them) a string option's text must match,
/// with one text it does not match (for the tests that feed the decoder and the schema the same
/// wrong value).
struct ConfigPattern: Sendable {
    let regex: String
    let counterexample: String
}

/// What a file the stage writes may be: the decoder's rules, which the schema writes as well.
enum OutputFileRole: Sendable {
    /// An ndjson sink's `path`: required, `-` is stdout, and `{input}` (one output per input) may be
    /// in its file name, not in a folder.
    case sinkOutput
    /// An http sink's `results` and `journal`: optional (empty reads as not given), one file per
    /// run kept for `--resume`, so never `-` and never `{input}`.
    case runRecord
}

/// A closed set of names for a string option.
struct ConfigChoice: Sendable {
    let names: [String]
    var caseInsensitive = false
    /// Any other text the decoder accepts (a regular expression; `delimiter`: one ASCII character).
    var alsoMatching: String?
    /// An empty string reads as not given (options read with `nonEmptyString` first).
    var emptyIsAbsent = false
    /// Spaces around a name are ignored (with `caseInsensitive`: a currency, which the currency
    /// table trims).
    var trimsSpaces = false

    init(_ names: [String], caseInsensitive: Bool = false, alsoMatching: String? = nil, emptyIsAbsent: Bool = false,
         trimsSpaces: Bool = false) {
        self.names = names
        self.caseInsensitive = caseInsensitive
        self.alsoMatching = alsoMatching
        self.emptyIsAbsent = emptyIsAbsent
        self.trimsSpaces = trimsSpaces
    }

    /// The raw values of a Swift enum, in declaration order.
    init<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type, emptyIsAbsent: Bool = false) where Choice.RawValue == String {
        self.init(Choice.allCases.map(\.rawValue), emptyIsAbsent: emptyIsAbsent)
    }
}

/// The options of one config object (a stage's options, one format of `read` or `sink`, the top
/// level).
struct ConfigOptions: Sendable {
    /// What the object is, for the schema's description.
    let summary: String
    let options: [ConfigOption]
    /// Groups of keys of which at least one must be present in full (an http sink's `token`, or
    /// `token_url` + `client_id` + `client_secret`); empty when no such rule.
    var requiresOneOf: [[String]] = []
    /// Groups of keys that must not all be given at once (an http sink's `token` and `token_url`);
    /// empty when no such rule.
    var excludesTogether: [[String]] = []

    init(_ summary: String, _ options: [ConfigOption], requiresOneOf: [[String]] = [], excludesTogether: [[String]] = []) {
        self.summary = summary
        self.options = options
        self.requiresOneOf = requiresOneOf
        self.excludesTogether = excludesTogether
    }

    /// The keys the decoder accepts, in the order described.
    var keys: [String] { options.map(\.key) }

    /// The option named `key`.
    func option(_ key: String) -> ConfigOption? { options.first { $0.key == key } }
}

/// How a stage's options are described: one set, or one set per `format` (`read`, `sink`).
enum StageOptions: Sendable {
    case fixed(ConfigOptions)
    /// Each format's complete options (`format` itself included), in the order of the formats.
    case byFormat(summary: String, [(format: String, options: ConfigOptions)])
}
