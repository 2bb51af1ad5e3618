import DebtflowCore

/// The `classify` stage's options (CONTRACT.md §2, §4).
public struct ClassifyOptions: Sendable, Equatable {
    /// Per-zone overrides of the §4 table (`{"dom_tom": {"credits": 90}}`).
    public var rates: [DestinationZone: ZoneRate]
    /// The zones whose numbers fail with `expensive_destination` unless accepted.
    public var expensive: [DestinationZone]

    /// The contract's expensive zones (CONTRACT.md §2): the DOM-TOM and the Maghreb.
    public static let defaultExpensive: [DestinationZone] = [.domTom, .maghreb]

    public init(rates: [DestinationZone: ZoneRate] = [:], expensive: [DestinationZone] = defaultExpensive) {
        self.rates = rates
        self.expensive = expensive
    }
}

/// An override of one zone's rate; a `nil` part keeps the table's value.
public struct ZoneRate: Sendable, Equatable {
    /// Credits per call.
    public var credits: Int?
    /// The multiplier as it is to be written (`"4.0"`), a JSON number's text.
    public var multiplier: String?

    public init(credits: Int? = nil, multiplier: String? = nil) {
        self.credits = credits
        self.multiplier = multiplier
    }
}
