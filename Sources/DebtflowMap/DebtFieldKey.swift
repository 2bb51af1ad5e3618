/// The debt keys `map` fills in ``DebtflowCore/DebtCandidate/raw``: the bulk-import API's keys,
/// plus `country_code` (the record's own region for national phone numbers).
public enum DebtFieldKey {
    /// Every key a mapping may target, in the order the debt object writes them.
    public static let all: [String] = [
        "firstname", "lastname", "amount", "currency", "phone", "email", "temp_id", "internal_id",
        "timeline_id", "timeline_start_mode", "accept_expensive_destination", "civility", "birthdate",
        "object", "invoice_date", "due_date", "iban", "company", "street_address", "street_number",
        "postal_code", "city", "country", "country_code",
    ]

    /// Whether `key` is a debt key a mapping may target.
    public static func isKnown(_ key: String) -> Bool { all.contains(key) }
}
