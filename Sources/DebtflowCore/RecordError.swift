/// The contract's record error codes (CONTRACT.md §3), spelled exactly as they appear in outputs.
public enum RecordErrorCode: String, CaseIterable, Sendable, Codable {
    case required
    case invalidAmount = "invalid_amount"
    case nonPositiveAmount = "non_positive_amount"
    case invalidCurrency = "invalid_currency"
    case invalidPhone = "invalid_phone"
    case invalidEmail = "invalid_email"
    case invalidIBAN = "invalid_iban"
    case invalidDate = "invalid_date"
    case missingContact = "missing_contact"
    case expensiveDestination = "expensive_destination"
    case unsupportedDestination = "unsupported_destination"
    case invalidTimelineStartMode = "invalid_timeline_start_mode"
    case malformedRow = "malformed_row"
}

/// Why a record was skipped rather than validated (CONTRACT.md §3).
public enum SkipReason: String, CaseIterable, Sendable, Codable {
    case emptyRow = "empty_row"
    case instructionRow = "instruction_row"
    case blocked
    case noOpenCase = "no_open_case"
}

/// One problem of one record: which field, which stable code, and a message for people.
public struct RecordError: Sendable, Equatable, Error {
    /// The debt field concerned (`phone`), or `nil` for a whole-record problem (`malformed_row`).
    public var field: String?
    public var code: RecordErrorCode
    /// What was wrong and what was expected, without personal data beyond the field's name.
    public var message: String

    public init(field: String?, code: RecordErrorCode, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }
}
