/// A record on its way to becoming a debt: what `map` found, what `normalize`, `classify` and
/// `validate` made of it, and every error met so far.
///
/// `map` fills ``raw`` (the source's text per debt field) and ``data``; `normalize` fills
/// ``debt`` from ``raw`` and adds errors; `classify` sets ``destination``; `validate` turns the
/// candidate into an ``Outcome``.
public struct DebtCandidate: Sendable, Equatable {
    public var provenance: Provenance
    /// The record as read, for the `data` of failed and skipped envelopes.
    public var data: RecordObject
    /// The source text of each debt field, keyed by the debt's JSON key (`firstname`, `phone`,
    /// `amount`, `accept_expensive_destination`, `country_code`, …).
    public var raw: [String: String]
    /// Structured metadata found by the mapping (the preset's `debtorId`, `debtId`s).
    public var metadata: RecordObject?
    /// Stable id of the record within the input: its own id when it has one.
    public var tempID: String?
    /// The region for the record's national phone numbers before the config default
    /// (the person's `countryCode`, or a mapped `country_code`).
    public var phoneRegion: String?
    /// The debt as normalized so far.
    public var debt: Debt
    public var destination: Destination?
    /// The calling code of the normalized phone (`33`, `590`), set by `normalize` for `classify`.
    public var phoneCallingCode: Int? = nil
    /// The ISO 3166 region of the normalized phone (`FR`, `GP`), set by `normalize` for `classify`.
    public var phoneCountry: String? = nil
    /// Every error met so far; a record collects all of its errors.
    public var errors: [RecordError]
    /// Set when the record is to be skipped; it then collects no errors.
    public var skipReason: SkipReason?
    /// Non-fatal notes for the operator (a dropped invalid contact).
    public var warnings: [String]

    public init(provenance: Provenance, data: RecordObject, raw: [String: String] = [:],
                metadata: RecordObject? = nil, tempID: String? = nil, phoneRegion: String? = nil) {
        self.provenance = provenance
        self.data = data
        self.raw = raw
        self.metadata = metadata
        self.tempID = tempID
        self.phoneRegion = phoneRegion
        self.debt = Debt()
        self.destination = nil
        self.errors = []
        self.skipReason = nil
        self.warnings = []
    }
}
