/// The `map` stage's options (CONTRACT.md §2): a preset, or explicit `fields` and `constants`, with
/// automatic matching of the debt keys left unmapped.
public struct MapOptions: Sendable, Equatable {
    /// A built-in mapping for a known source shape.
    public enum Preset: String, Sendable, Equatable, CaseIterable {
        /// The Sportalliance (Magicline) debtor: one debt per collection case.
        case magiclineDebtor = "magicline-debtor"
    }

    /// The preset, when the config names one; `fields` and `constants` are then ignored.
    public var preset: Preset?
    /// Debt key ← source key (`"firstname": "Prénom"`, `"phone": "contact.mobile"`). A dotted
    /// source key reaches into nested objects.
    public var fields: [String: String]
    /// Debt key ← fixed text (`"currency": "EUR"`), used when the record gives no value of its own.
    public var constants: [String: String]
    /// Whether debt keys that are neither in `fields` nor in `constants` are found from the
    /// source's own names (case, accents, spaces, `_`, `-` ignored; FR/DE/EN synonyms).
    public var automaticMatching: Bool

    public init(preset: Preset? = nil, fields: [String: String] = [:], constants: [String: String] = [:],
                automaticMatching: Bool = true) {
        self.preset = preset
        self.fields = fields
        self.constants = constants
        self.automaticMatching = automaticMatching
    }
}
