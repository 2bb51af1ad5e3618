import DebtflowCore

/// One kind of stage (`read`, `map`, `normalize`, …) as the config knows it: how its options are
/// decoded, what the stage is made of, and which stages it needs around it.
///
/// ``StageDescriptor/all`` is the one table of kinds the config decoder reads. Adding a stage
/// kind is its module plus one descriptor (a file in this module that decodes the module's options
/// type straight from the config and makes the stage).
struct StageDescriptor: Sendable {
    /// What a stage takes from, or gives to, the stream.
    enum Element: String, Sendable {
        case records = "records"
        case candidates = "debt candidates"
        case outcomes = "outcomes"
    }

    /// Where a stage goes in the list.
    enum Role: Sendable {
        /// The one `read`, first.
        case source
        /// Between the source and the sinks, taking and giving chunks.
        case transform(takes: Element, gives: Element)
        /// The `sink`s, last, one or more.
        case sink
    }

    /// What decoding a stage's options gave.
    enum Decoded {
        case read(ReadStageConfiguration)
        case transform(ConfiguredStage)
        case sink(SinkConfiguration)
    }

    /// The key that names the stage in the config (`{"normalize": {…}}`).
    let kind: String
    let role: Role
    /// Kinds that must come earlier in the list (`classify` needs `normalize`).
    let needsBefore: [String]
    /// Kinds that must come later in the list (`map` needs `normalize` and `validate`).
    let needsAfter: [String]
    /// The stage's options as the config writes them: the decoder's allowed keys and what
    /// `debtflow schema` writes both come from here.
    let schema: StageOptions
    /// Decodes the stage's options object (its JSON path is the object's `path`); relative paths
    /// resolve against `baseDirectory`. (The secrets it holds are found by the options'
    /// ``ConfigOption/secret`` marks, not here.)
    let decode: @Sendable (_ object: ConfigObject, _ baseDirectory: String) throws -> Decoded

    /// A transform stage whose options type `Options` is decoded straight from the config and
    /// made into a stage by `make`.
    static func transform<Options: Sendable>(
        _ kind: String, takes: Element, gives: Element, needsBefore: [String] = [], needsAfter: [String] = [],
        schema: ConfigOptions, options decodeOptions: @escaping @Sendable (ConfigObject) throws -> Options,
        stage make: @escaping @Sendable (Options) -> StageLink
    ) -> StageDescriptor {
        StageDescriptor(kind: kind, role: .transform(takes: takes, gives: gives), needsBefore: needsBefore,
                        needsAfter: needsAfter, schema: .fixed(schema)) { object, _ in
            let options = try decodeOptions(object)
            return .transform(ConfiguredStage(kind: kind, jsonPath: object.path, options: options,
                                              makeLink: { make(options) }))
        }
    }
}

extension StageDescriptor {
    /// Every stage kind, in the order they run.
    static let all: [StageDescriptor] = [.read, .map, .normalize, .classify, .validate, .sink]

    /// The descriptor of `kind`, if there is one.
    static func named(_ kind: String) -> StageDescriptor? {
        all.first { $0.kind == kind }
    }
}
