import DebtflowCore

/// Tells where a phone number calls and what a call there costs (CONTRACT.md §4): the zone of
/// its calling code, the zone's credits and multiplier (the table's, or the config's `rates`),
/// and whether the zone is expensive.
public struct DestinationClassifier: Sendable {
    private let rates: [DestinationZone: (credits: Int, multiplier: String)]
    private let expensiveZones: Set<DestinationZone>

    /// - Parameters:
    ///   - rates: per-zone overrides; an override of `other` is ignored (`other` stays unsupported).
    ///   - expensive: the zones that are expensive.
    public init(rates: [DestinationZone: ZoneRate] = [:], expensive: [DestinationZone] = ClassifyOptions.defaultExpensive) {
        var table: [DestinationZone: (credits: Int, multiplier: String)] = [:]
        for zone in DestinationZone.allCases {
            guard var rate = zone.defaultRate else { continue }
            if let override = rates[zone] {
                if let credits = override.credits { rate.credits = credits }
                if let multiplier = override.multiplier { rate.multiplier = multiplier }
            }
            table[zone] = rate
        }
        self.rates = table
        self.expensiveZones = Set(expensive)
    }

    /// A classifier with the `classify` stage's options.
    public init(options: ClassifyOptions) {
        self.init(rates: options.rates, expensive: options.expensive)
    }

    /// The destination of a number with this calling code (`590`) and region (`GP`).
    public func classify(callingCode: Int, region: String) -> Destination {
        let zone = DestinationZone.zone(forCallingCode: callingCode)
        guard let rate = rates[zone] else {
            return Destination(zone: zone.rawValue, country: region, credits: nil, multiplier: nil, expensive: false)
        }
        return Destination(zone: zone.rawValue, country: region, credits: rate.credits, multiplier: rate.multiplier,
                           expensive: expensiveZones.contains(zone))
    }
}
