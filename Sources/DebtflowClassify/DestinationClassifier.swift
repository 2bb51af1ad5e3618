import DebtflowCore

/// Tells where a phone number calls and what a call there costs (CONTRACT.md §4): the zone of
/// its calling code, the zone's credits and multiplier (the table's, or the config's `rates`),
/// and whether the zone is expensive.
public struct DestinationClassifier: Sendable {
    /// What a call to one zone costs, in a table indexed by the zone (no hashing per record).
    private struct ZoneTerms: Sendable {
        /// Credits and multiplier; `nil` for `other`, which is unsupported.
        var rate: (credits: Int, multiplier: ShortText)?
        var expensive: Bool
    }

    private let terms: [ZoneTerms]

    /// - Parameters:
    ///   - rates: per-zone overrides; an override of `other` is ignored (`other` stays unsupported).
    ///   - expensive: the zones that are expensive.
    public init(rates: [DestinationZone: ZoneRate] = [:], expensive: [DestinationZone] = ClassifyOptions.defaultExpensive) {
        terms = DestinationZone.allCases.map { zone in
            guard var rate = zone.defaultRate else { return ZoneTerms(rate: nil, expensive: false) }
            if let override = rates[zone] {
                if let credits = override.credits { rate.credits = credits }
                if let multiplier = override.multiplier { rate.multiplier = multiplier }
            }
            return ZoneTerms(rate: (rate.credits, ShortText(rate.multiplier)), expensive: expensive.contains(zone))
        }
    }

    /// A classifier with the `classify` stage's options.
    public init(options: ClassifyOptions) {
        self.init(rates: options.rates, expensive: options.expensive)
    }

    /// The destination of a number with this calling code (`590`) and region (`GP`).
    public func classify(callingCode: Int, region: String) -> Destination {
        let zone = DestinationZone.zone(forCallingCode: callingCode)
        let zoneTerms = terms[Self.index(of: zone)]
        guard let rate = zoneTerms.rate else {
            return Destination(zone: zone, countryText: ShortText(region), credits: nil, multiplierText: nil, expensive: false)
        }
        return Destination(zone: zone, countryText: ShortText(region), credits: rate.credits, multiplierText: rate.multiplier,
                           expensive: zoneTerms.expensive)
    }

    /// The zone's place in `DestinationZone.allCases`, the order of `terms`.
    private static func index(of zone: DestinationZone) -> Int {
        switch zone {
        case .frMainland: 0
        case .eu: 1
        case .domTom: 2
        case .maghreb: 3
        case .other: 4
        }
    }
}
