import DebtflowCore
import DebtflowMap
import DebtflowNormalize

extension StageDescriptor {
    /// `map`: records become debt candidates; `normalize` and `validate` must follow.
    static let map = StageDescriptor.transform(
        "map", takes: .records, gives: .candidates, needsAfter: ["normalize", "validate"],
        schema: MapOptions.configOptions, options: MapOptions.init(config:),
        stage: { options in .mapping(AnyChunkStage(MapStage(options: options))) })
}

extension MapOptions {
    /// What `constants` may set: the debt keys.
    static let constantTargets = DebtKey.ordered.map(\.name)
    /// What `fields` may map: the debt keys, and `metadata` (an object).
    static let fieldTargets = constantTargets + ["metadata"]

    /// The keys of ``init(config:)``.
    static let configOptions = ConfigOptions("Turns records into debt candidates: a preset, or fields and constants; unmapped debt keys are found from the source's own names.", [
        ConfigOption("preset", .choice(ConfigChoice(Preset.self)), "A built-in mapping for a known source shape; `fields` and `constants` are then ignored."),
        ConfigOption("fields", .stringMap(keys: fieldTargets),
                     "Debt key ← source key (`\"phone\": \"contact.mobile\"`); dotted keys reach nested fields; `metadata` names an object."),
        ConfigOption("constants", .scalarMap(keys: constantTargets),
                     "Debt key ← fixed value (`\"currency\": \"EUR\"`), used when a record gives none."),
    ])

    /// The `map` stage's options as the config writes them: `preset`, or `fields` and `constants`.
    /// - Throws: `.configuration` naming the JSON path of an unknown key or a wrong value.
    init(config options: ConfigObject) throws {
        try options.rejectUnknownKeys(describedBy: Self.configOptions)
        var preset: Preset?
        if let name = try options.string("preset") {
            guard let known = Preset(rawValue: name) else {
                throw DebtflowError.configuration("unknown preset; expected \"magicline-debtor\"", path: options.child("preset"))
            }
            preset = known
        }
        var fields: [String: String] = [:]
        for (target, source) in try options.stringMap("fields") ?? [] {
            guard Self.fieldTargets.contains(target) else {
                throw Self.unknownDebtKey(target, path: "\(options.child("fields")).\(target)", expected: Self.fieldTargets)
            }
            fields[target] = source
        }
        var constants: [String: String] = [:]
        if let object = try options.object("constants") {
            for key in object.keys {
                guard Self.constantTargets.contains(key) else {
                    throw Self.unknownDebtKey(key, path: object.child(key), expected: Self.constantTargets)
                }
                guard let text = try object.scalarText(key) else {
                    throw DebtflowError.configuration("expected a string, number or boolean", path: object.child(key))
                }
                try Self.checkConstant(key, text, path: object.child(key))
                constants[key] = text
            }
        }
        self.init(preset: preset, fields: fields, constants: constants)
    }

    /// A constant whose value every record would fail on is refused as the same option of a later
    /// stage is: `currency` must be a current ISO 4217 code (as `normalize.currency`), and
    /// `timeline_start_mode` one of its modes.
    private static func checkConstant(_ key: String, _ value: String, path: String) throws {
        switch key {
        case "currency" where CurrencyTable.normalize(value) == nil:
            throw DebtflowError.configuration("\(MessageExcerpt.quoted(value)) is not a current ISO 4217 currency code (such as "
                                              + "\"EUR\"; withdrawn codes like FRF are refused as in records)", path: path)
        case "timeline_start_mode" where TimelineStartMode(rawValue: value) == nil:
            throw DebtflowError.configuration("expected one of \(TimelineStartMode.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")), "
                                              + "found \(MessageExcerpt.quoted(value))", path: path)
        default:
            break
        }
    }

    /// A `fields` or `constants` key that is no debt key: a typo would otherwise leave the debt
    /// key unmapped, and every record would fail `required` without saying why.
    private static func unknownDebtKey(_ name: String, path: String, expected: [String]) -> DebtflowError {
        DebtflowError.configuration("\"\(name)\" is not a debt key; expected one of \(expected.joined(separator: ", "))", path: path)
    }
}
