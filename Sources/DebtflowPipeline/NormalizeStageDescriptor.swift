import DebtflowCore
import DebtflowNormalize

extension StageDescriptor {
    /// `normalize`: a debt candidate's texts become the debt's values.
    static let normalize = StageDescriptor.transform(
        "normalize", takes: .candidates, gives: .candidates, needsBefore: ["map"],
        schema: NormalizeOptions.configOptions, options: NormalizeOptions.init(config:),
        stage: { options in .refining(AnyChunkStage(NormalizeStage(options: options))) })
}

extension NormalizeOptions {
    /// The keys of ``init(config:)``.
    static let configOptions = ConfigOptions("Turns a debt candidate's texts into the debt's values (phones in E.164, amounts, currency).", [
        ConfigOption("region", .choice(ConfigChoice(PhoneNormalizer.knownRegions, caseInsensitive: true, emptyIsAbsent: true)), default: .string("FR"),
                     "The default region (ISO 3166 alpha-2, one the phone rules know) for national phone numbers."),
        ConfigOption("currency", .choice(ConfigChoice(CurrencyTable.acceptedNames, caseInsensitive: true, emptyIsAbsent: true, trimsSpaces: true)),
                     "The currency (a current ISO 4217 code, or `€`, `£`, `euro`, `euros`) of records that name none."),
        ConfigOption("decimal", .choice(ConfigChoice(DecimalSeparatorPolicy.self)), default: .string("auto"), "The decimal separator of amounts: decided per amount (`auto`), `,` or `.`."),
    ])

    /// The `normalize` stage's options as the config writes them: `region`, `currency`, `decimal`.
    /// - Throws: `.configuration` naming the JSON path of an unknown key or a wrong value.
    init(config options: ConfigObject) throws {
        try options.rejectUnknownKeys(describedBy: Self.configOptions)
        self.init()
        if let region = try options.nonEmptyString("region") {
            guard region.count == 2, region.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw DebtflowError.configuration("expected a two-letter region code such as \"FR\", found \(MessageExcerpt.quoted(region))", path: options.child("region"))
            }
            guard PhoneNormalizer.knowsRegion(region) else {
                throw DebtflowError.configuration("\(MessageExcerpt.quoted(region)) is not a region the phone rules know (ISO 3166 "
                                                  + "alpha-2, such as \"FR\", \"BE\", \"GP\")", path: options.child("region"))
            }
            self.region = region.uppercased()
        }
        currency = try options.nonEmptyString("currency")
        if let currency, CurrencyTable.normalize(currency) == nil {
            throw DebtflowError.configuration("\(MessageExcerpt.quoted(currency)) is not a current ISO 4217 currency code (such as "
                                              + "\"EUR\"; withdrawn codes like FRF are refused as in records)", path: options.child("currency"))
        }
        decimal = try options.oneOf("decimal", DecimalSeparatorPolicy.self, default: .auto)
    }
}
