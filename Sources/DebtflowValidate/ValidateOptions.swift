import DebtflowCore

/// The `validate` stage's options (CONTRACT.md §2).
public struct ValidateOptions: Sendable, Equatable {
    /// Accept phones in expensive zones for every record (else only records that accept it
    /// themselves pass).
    public var acceptExpensiveDestination: Bool
    /// The timeline every debt is attached to; empty means none.
    public var timelineID: String?
    /// `immediate` or `next_day`; applies only when a timeline id is in effect.
    public var timelineStartMode: TimelineStartMode?
    /// Skip instruction rows (first non-empty cell starting with `*`, or a cell containing
    /// "champs obligatoires").
    public var skipInstructionRows: Bool
    /// When true, an invalid phone (email) is dropped with a warning if the email (phone) is valid.
    public var dropInvalidContact: Bool

    public init(acceptExpensiveDestination: Bool = false, timelineID: String? = nil, timelineStartMode: TimelineStartMode? = nil,
                skipInstructionRows: Bool = true, dropInvalidContact: Bool = false) {
        self.acceptExpensiveDestination = acceptExpensiveDestination
        self.timelineID = timelineID
        self.timelineStartMode = timelineStartMode
        self.skipInstructionRows = skipInstructionRows
        self.dropInvalidContact = dropInvalidContact
    }
}
