import DebtflowClassify
import DebtflowCore

extension StageDescriptor {
    /// `classify` (optional): sets each debt's destination zone and credits.
    static let classify = StageDescriptor.transform(
        "classify", takes: .candidates, gives: .candidates, needsBefore: ["normalize"],
        schema: ClassifyOptions.configOptions, options: ClassifyOptions.init(config:),
        stage: { options in .refining(AnyChunkStage(ClassifyStage(options: options))) })
}

extension ClassifyOptions {
    /// The keys of ``init(config:)``.
    static let configOptions = ConfigOptions("Sets each debt's destination zone and credits from its phone number.", [
        ConfigOption("rates", .objectMap(keys: rateZones.map(\.rawValue), options: rateOptions, nullOnly: [DestinationZone.other.rawValue]), "Overrides of the credits table, by zone (not `other`: it stays unsupported)."),
        ConfigOption("expensive", .stringList(of: ConfigChoice(DestinationZone.self)), default: .array(defaultExpensive.map { .string($0.rawValue) }), "The zones whose destinations are expensive (refused unless accepted in `validate`)."),
    ])

    /// The zones `rates` may name: all but `other`, whose numbers are unsupported destinations
    /// whatever their rate (docs/rules.md).
    static let rateZones = DestinationZone.allCases.filter { $0 != .other }

    /// The keys of one zone's rate in `rates`.
    static let rateOptions = ConfigOptions("One zone's rate.", [
        ConfigOption("credits", .positiveInteger(), "Credits per call (else the table's)."),
        ConfigOption("multiplier", .nonNegativeNumber, "The price multiplier (else the table's)."),
    ], requiresOneOf: [["credits"], ["multiplier"]])

    /// The `classify` stage's options as the config writes them: `rates` by zone, `expensive` zones.
    /// - Throws: `.configuration` naming the JSON path of an unknown key, zone or a wrong value.
    init(config options: ConfigObject) throws {
        try options.rejectUnknownKeys(describedBy: Self.configOptions)
        self.init()
        let zoneNames = DestinationZone.allCases.map(\.rawValue).joined(separator: ", ")
        if let object = try options.object("rates") {
            for name in object.keys {
                guard let zone = DestinationZone(rawValue: name) else {
                    throw DebtflowError.configuration("unknown zone; expected one of: \(Self.rateZones.map(\.rawValue).joined(separator: ", "))",
                                                      path: object.child(name))
                }
                // `null` keeps the table's rate for the zone (the schema allows it), `other`'s too.
                if case .null? = object.rawValue(name) { continue }
                guard Self.rateZones.contains(zone) else {
                    throw DebtflowError.configuration("the zone `other` has no rates: its numbers are unsupported destinations "
                                                      + "(unsupported_destination), whatever their rate", path: object.child(name))
                }
                guard let rate = try object.object(name) else { continue }
                try rate.rejectUnknownKeys(describedBy: Self.rateOptions)
                // What a rate does not name keeps the table's value (docs/rules.md).
                let credits = try rate.positiveInt("credits")
                let multiplier = try rate.nonNegativeNumber("multiplier")
                guard credits != nil || multiplier != nil else {
                    throw DebtflowError.configuration("expected `credits`, `multiplier` or both", path: rate.path)
                }
                rates[zone] = ZoneRate(credits: credits, multiplier: multiplier.map(Self.decimalText))
            }
        }
        if let names = try options.stringArray("expensive") {
            expensive = try names.enumerated().map { index, name in
                guard let zone = DestinationZone(rawValue: name) else {
                    throw DebtflowError.configuration("unknown zone \(MessageExcerpt.quoted(name)); expected one of: \(zoneNames)", path: "\(options.child("expensive"))[\(index)]")
                }
                return zone
            }
        }
    }

    /// `1.2` → `"1.2"`, `4` → `"4.0"`: a multiplier as the table writes it.
    static func decimalText(_ value: Double) -> String {
        let text = String(value)
        return text.contains(".") || text.contains("e") ? text : text + ".0"
    }
}
