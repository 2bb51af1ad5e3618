import DebtflowCore
import DebtflowValidate

extension StageDescriptor {
    /// `validate`: each debt candidate becomes its one outcome.
    static let validate = StageDescriptor.transform(
        "validate", takes: .candidates, gives: .outcomes, needsBefore: ["normalize"],
        schema: ValidateOptions.configOptions, options: ValidateOptions.init(config:),
        stage: { options in .deciding(AnyChunkStage(ValidateStage(options: options))) })
}

extension ValidateOptions {
    /// The keys of ``init(config:)``.
    static let configOptions = ConfigOptions("Applies the bulk-import rules: each debt candidate becomes its one outcome (valid, failed or skipped).", [
        ConfigOption("accept_expensive_destination", .boolean, default: .bool(false), "Accept debts whose phone is in an expensive zone."),
        ConfigOption("timeline_id", .string(), "The GetBill timeline the debts join (empty: none)."),
        ConfigOption("timeline_start_mode", .choice(ConfigChoice(TimelineStartMode.self, emptyIsAbsent: true)), "When the timeline starts; only with a `timeline_id`."),
        ConfigOption("skip_instruction_rows", .boolean, default: .bool(true), "Skip rows that are instructions or totals, not debts."),
        ConfigOption("drop_invalid_contact", .boolean, default: .bool(false), "Drop an invalid phone or email with a warning when the other contact is valid."),
    ])

    /// The `validate` stage's options as the config writes them.
    /// - Throws: `.configuration` naming the JSON path of an unknown key or a wrong value.
    init(config options: ConfigObject) throws {
        try options.rejectUnknownKeys(describedBy: Self.configOptions)
        self.init()
        acceptExpensiveDestination = try options.bool("accept_expensive_destination") ?? false
        timelineID = try options.nonEmptyString("timeline_id")
        if let mode = try options.nonEmptyString("timeline_start_mode") {
            guard let known = TimelineStartMode(rawValue: mode) else {
                throw DebtflowError.configuration("expected \"immediate\" or \"next_day\", found \(MessageExcerpt.quoted(mode))", path: options.child("timeline_start_mode"))
            }
            // Kept without a configured timeline: it applies to a record's own `timeline_id`, and
            // to no record without one (the contract's example writes it next to
            // `"${TIMELINE_ID:-}"`, which may be empty).
            timelineStartMode = known
        }
        skipInstructionRows = try options.bool("skip_instruction_rows") ?? true
        dropInvalidContact = try options.bool("drop_invalid_contact") ?? false
    }
}
