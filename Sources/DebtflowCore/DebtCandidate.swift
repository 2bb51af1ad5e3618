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
    /// Fixed slots (``DebtRawFields``), read by key name or, faster, by ``DebtRawKey``.
    public var raw: DebtRawFields
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
    /// The normalized phone (E.164, calling code, region), set by `normalize` for `classify`.
    public var phoneNumber: PhoneNumber? = nil
    /// The debt fields whose source text is not blank, as `normalize` found them while it trimmed
    /// them (`amount`, `phone`, `email`, …): `validate` reads this instead of trimming again.
    public var nonBlankFields = DebtRawKeySet()
    /// Every error met so far; a record collects all of its errors.
    public var errors: [RecordError]
    /// Set when the record is to be skipped; it then collects no errors.
    public var skipReason: SkipReason?
    /// Non-fatal notes for the operator (a dropped invalid contact).
    public var warnings: [String]

    public init(provenance: Provenance, data: RecordObject, raw: DebtRawFields = DebtRawFields(),
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

extension DebtCandidate {
    /// A candidate whose source texts are given by key name; names that are not debt keys are
    /// ignored (nothing reads them).
    public init(provenance: Provenance, data: RecordObject, raw: [String: String],
                metadata: RecordObject? = nil, tempID: String? = nil, phoneRegion: String? = nil) {
        self.init(provenance: provenance, data: data, raw: DebtRawFields(raw), metadata: metadata,
                  tempID: tempID, phoneRegion: phoneRegion)
    }
}

/// The debt keys whose source text `map` finds: the bulk-import API's keys, plus `country_code`
/// (the record's own region for national phone numbers), in the order the debt object writes them.
public enum DebtRawKey: Int, CaseIterable, Sendable {
    case firstname, lastname, amount, currency, phone, email, tempID, internalID, timelineID,
         timelineStartMode, acceptExpensiveDestination, civility, birthdate, object, invoiceDate,
         dueDate, iban, company, streetAddress, streetNumber, postalCode, city, country, countryCode

    /// The key's JSON name (`first name` → `firstname`, `tempID` → `temp_id`).
    public var name: String { Self.names[rawValue] }

    /// The key named `name`, or `nil` when it is not a debt key.
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: index)
    }

    private static let names: [String] = [
        "firstname", "lastname", "amount", "currency", "phone", "email", "temp_id", "internal_id",
        "timeline_id", "timeline_start_mode", "accept_expensive_destination", "civility", "birthdate",
        "object", "invoice_date", "due_date", "iban", "company", "street_address", "street_number",
        "postal_code", "city", "country", "country_code",
    ]
}

/// The source text of each debt field of one record, in one fixed slot per ``DebtRawKey``.
///
/// A record's per-field lookups are array indexing, not hashing (DESIGN.md §3): `map` fills the
/// slots once, `normalize` and `validate` read them. The slots are one small array allocated on
/// the first write, so copying a candidate copies one reference.
public struct DebtRawFields: Sendable, Equatable {
    private var slots: [String?] = []

    public init() {}

    /// Fields from key names; names that are not debt keys are ignored.
    public init(_ dictionary: [String: String]) {
        for (name, text) in dictionary { self[name] = text }
    }

    /// Whether no field has a text.
    public var isEmpty: Bool { !slots.contains { $0 != nil } }

    /// The text of `key`, or `nil` when the record gave none.
    @inline(__always)
    public subscript(key: DebtRawKey) -> String? {
        get { slots.isEmpty ? nil : slots[key.rawValue] }
        set {
            if slots.isEmpty {
                guard newValue != nil else { return }
                slots = Array(repeating: nil, count: DebtRawKey.allCases.count)
            }
            slots[key.rawValue] = newValue
        }
    }

    /// The text of the key named `name` (`"firstname"`, `"due_date"`); `nil` for a name that is
    /// not a debt key, and setting one does nothing.
    public subscript(name: String) -> String? {
        get { DebtRawKey(name: name).flatMap { self[$0] } }
        set { if let key = DebtRawKey(name: name) { self[key] = newValue } }
    }

    /// The fields that have a text, by key name.
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        for key in DebtRawKey.allCases { if let text = self[key] { result[key.name] = text } }
        return result
    }

    public static func == (lhs: DebtRawFields, rhs: DebtRawFields) -> Bool {
        DebtRawKey.allCases.allSatisfy { lhs[$0] == rhs[$0] }
    }
}
