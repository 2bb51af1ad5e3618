/// The keys of a debt as the bulk-import API names them (CONTRACT.md §3), plus `country_code`
/// (the record's own region for national phone numbers, found by `map`, not part of the debt),
/// in the order the debt object writes them.
///
/// The one list of debt keys: `map`'s targets and synonyms, the candidate's slots
/// (``DebtRawFields``), the debt's JSON (``JSONByteWriter/debt(_:)``) and the sandbox's copy of a
/// debt all derive from it. A new key is a case here and its name in ``literal`` (the compiler
/// asks for it). A text key needs nothing more: ``Debt`` stores every text key in one table (give
/// it a `String` property there for the old API). A key whose value is not a text also needs its
/// case in ``isText``, ``Debt/subscript(_:)`` and ``JSONByteWriter/debt(_:)``. ``Debt`` and
/// ``DebtRawFields`` keep a span per key in ``slotCount`` inline slots: a 25th key needs it raised.
public enum DebtKey: Int, CaseIterable, Sendable {
    case firstname, lastname, amount, currency, phone, email, tempID, internalID, timelineID,
         timelineStartMode, acceptExpensiveDestination, civility, birthdate, object, invoiceDate,
         dueDate, iban, company, streetAddress, streetNumber, postalCode, city, country, countryCode

    /// The key's JSON name as a constant (`firstname`, `temp_id`), written without an escaping scan
    /// (``JSONByteWriter/key(literal:)``).
    public var literal: StaticString {
        switch self {
        case .firstname: "firstname"
        case .lastname: "lastname"
        case .amount: "amount"
        case .currency: "currency"
        case .phone: "phone"
        case .email: "email"
        case .tempID: "temp_id"
        case .internalID: "internal_id"
        case .timelineID: "timeline_id"
        case .timelineStartMode: "timeline_start_mode"
        case .acceptExpensiveDestination: "accept_expensive_destination"
        case .civility: "civility"
        case .birthdate: "birthdate"
        case .object: "object"
        case .invoiceDate: "invoice_date"
        case .dueDate: "due_date"
        case .iban: "iban"
        case .company: "company"
        case .streetAddress: "street_address"
        case .streetNumber: "street_number"
        case .postalCode: "postal_code"
        case .city: "city"
        case .country: "country"
        case .countryCode: "country_code"
        }
    }

    /// The key's JSON name (`tempID` → `temp_id`).
    public var name: String { Self.names[rawValue] }

    /// The key named `name`, or `nil` when it is not a debt key.
    public init?(name: String) {
        guard let index = Self.names.firstIndex(of: name) else { return nil }
        self.init(rawValue: index)
    }

    /// Whether a debt's value for the key is a text (every key but `amount`,
    /// `accept_expensive_destination` and `country_code`, which a debt does not carry).
    @inlinable @inline(__always)
    public var isText: Bool { self != .amount && self != .acceptExpensiveDestination && self != .countryCode }

    /// The key of raw value `rawValue`, which must be a key's (`0 ..< allCases.count`): a bit's
    /// index in a mask of keys, as the debt writer walks them. A key is stored as its raw value
    /// (the cases are numbered from 0 in order, and a case without payload is its tag), so this
    /// is that byte, checked against the count: `init(rawValue:)` is a call per key, not inlined.
    @inline(__always)
    init(keyIndex rawValue: Int) {
        precondition(rawValue >= 0 && rawValue < Self.caseCount, "DebtKey: no key of raw value \(rawValue)")
        self = unsafeBitCast(UInt8(truncatingIfNeeded: rawValue), to: DebtKey.self)
    }

    /// How many keys there are (``init(keyIndex:)``'s bound; a test checks it is `allCases.count`).
    static let caseCount = 24

    /// How many keys the inline span tables of ``Debt`` and ``DebtRawFields`` hold (a test checks
    /// that every key has a slot).
    public static let slotCount = 24

    /// Every key, in order (stored once: `allCases` makes a new array on each call).
    public static let ordered: [DebtKey] = allCases

    /// The names, by raw value.
    private static let names: [String] = allCases.map { $0.literal.description }
}

extension Debt {
    /// The value of one debt key.
    public enum FieldValue: Sendable, Equatable {
        case text(String)
        /// `amount`: a JSON number with the currency's decimals.
        case amount(MinorUnitAmount)
        /// `accept_expensive_destination`: a JSON boolean.
        case flag(Bool)
    }

    /// The value of `key`; `nil` when the debt has none (and for `country_code`, which a debt
    /// does not carry).
    public subscript(key: DebtKey) -> FieldValue? {
        switch key {
        case .amount: amount.map(FieldValue.amount)
        case .acceptExpensiveDestination: acceptExpensiveDestination.map(FieldValue.flag)
        case .countryCode: nil
        default: text(key).map(FieldValue.text)
        }
    }
}
