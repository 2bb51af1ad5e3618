import DebtflowCore
import DebtflowValidate

extension StageDescriptor {
    /// `validate`: each debt candidate becomes its one outcome.
    static let validate = StageDescriptor.transform(
        "validate", takes: .candidates, gives: .outcomes, needsBefore: ["normalize"],
        options: ValidateOptions.init(config:),
        stage: { options in .deciding(AnyChunkStage(ValidateStage(options: options))) })
}

extension ValidateOptions {
    /// The `validate` stage's options as the config writes them.
    /// - Throws: `.configuration` naming the JSON path of an unknown key or a wrong value.
    init(config options: ConfigObject) throws {
        try options.rejectUnknownKeys(allowed: ["accept_expensive_destination", "timeline_id", "timeline_start_mode",
                                                "skip_instruction_rows", "drop_invalid_contact"])
        self.init()
        acceptExpensiveDestination = try options.bool("accept_expensive_destination") ?? false
        timelineID = try options.nonEmptyString("timeline_id")
        if let mode = try options.nonEmptyString("timeline_start_mode") {
            guard let known = TimelineStartMode(rawValue: mode) else {
                throw DebtflowError.configuration("expected \"immediate\" or \"next_day\", found \(MessageExcerpt.quoted(mode))", path: options.child("timeline_start_mode"))
            }
            // Only meaningful with a timeline: without one it is ignored (the contract's example
            // writes it next to `"${TIMELINE_ID:-}"`).
            timelineStartMode = timelineID == nil ? nil : known
        }
        skipInstructionRows = try options.bool("skip_instruction_rows") ?? true
        dropInvalidContact = try options.bool("drop_invalid_contact") ?? false
    }
}
