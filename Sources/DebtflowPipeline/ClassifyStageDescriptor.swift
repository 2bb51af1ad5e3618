import DebtflowClassify
import DebtflowCore

extension StageDescriptor {
    /// `classify` (optional): sets each debt's destination zone and credits.
    static let classify = StageDescriptor.transform(
        "classify", takes: .candidates, gives: .candidates, needsBefore: ["normalize"],
        options: ClassifyOptions.init(config:),
        stage: { options in .refining(AnyChunkStage(ClassifyStage(options: options))) })
}

extension ClassifyOptions {
    /// The `classify` stage's options as the config writes them: `rates` by zone, `expensive` zones.
    /// - Throws: `.configuration` naming the JSON path of an unknown key, zone or a wrong value.
    init(config options: ConfigObject) throws {
        try options.rejectUnknownKeys(allowed: ["rates", "expensive"])
        self.init()
        let zoneNames = DestinationZone.allCases.map(\.rawValue).joined(separator: ", ")
        if let object = try options.object("rates") {
            for name in object.keys {
                guard let zone = DestinationZone(rawValue: name) else {
                    throw DebtflowError.configuration("unknown zone; expected one of: \(zoneNames)", path: object.child(name))
                }
                guard let rate = try object.object(name) else { continue }
                try rate.rejectUnknownKeys(allowed: ["credits", "multiplier"])
                guard let credits = try rate.positiveInt("credits") else {
                    throw DebtflowError.configuration("required: expected a positive integer", path: rate.child("credits"))
                }
                let multiplier = try rate.nonNegativeNumber("multiplier") ?? Double(credits) / 25
                rates[zone] = ZoneRate(credits: credits, multiplier: Self.decimalText(multiplier))
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
