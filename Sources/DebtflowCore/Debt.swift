/// An amount as an integer count of minor units with the currency's number of decimals:
/// `1234.50` EUR is `MinorUnitAmount(minorUnits: 123450, digits: 2)`. Never a `Double`.
public struct MinorUnitAmount: Sendable, Equatable, Hashable {
    public var minorUnits: Int64
    public var digits: Int

    public init(minorUnits: Int64, digits: Int) {
        self.minorUnits = minorUnits
        self.digits = digits
    }

    /// The decimal text with exactly `digits` decimals (`1234.50`, `1234`, `12.500`, `-0.05`).
    public var decimalText: String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard digits > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = magnitude / scale
        var fraction = String(magnitude % scale)
        if fraction.count < digits { fraction = String(repeating: "0", count: digits - fraction.count) + fraction }
        return (negative ? "-" : "") + String(whole) + "." + fraction
    }
}

/// The call destination of a debt's phone number and what a call there costs (CONTRACT.md §4).
public struct Destination: Sendable, Equatable {
    /// `fr_mainland`, `eu`, `dom_tom`, `maghreb` or `other` (written as its raw value).
    public var zone: DestinationZone
    /// ISO 3166 region of the number (`FR`, `GP`, `DE`).
    public var country: String
    /// Credits per call; `nil` for an unsupported zone.
    public var credits: Int?
    /// Cost multiplier as written in the table (`"1.0"`, `"1.2"`); `nil` for an unsupported zone.
    public var multiplier: String?
    public var expensive: Bool

    public init(zone: DestinationZone, country: String, credits: Int?, multiplier: String?, expensive: Bool) {
        self.zone = zone
        self.country = country
        self.credits = credits
        self.multiplier = multiplier
        self.expensive = expensive
    }
}

/// A debt exactly as the GetBill bulk-import API takes it (CONTRACT.md §3). Optional keys stay
/// `nil` and are left out of the JSON.
public struct Debt: Sendable, Equatable {
    public var firstname: String?
    public var lastname: String?
    public var amount: MinorUnitAmount?
    public var currency: String?
    public var phone: String?
    public var email: String?
    public var tempID: String?
    public var internalID: String?
    public var timelineID: String?
    public var timelineStartMode: String?
    public var acceptExpensiveDestination: Bool?
    public var civility: String?
    public var birthdate: String?
    public var object: String?
    public var invoiceDate: String?
    public var dueDate: String?
    public var iban: String?
    public var company: String?
    public var streetAddress: String?
    public var streetNumber: String?
    public var postalCode: String?
    public var city: String?
    public var country: String?
    public var metadata: RecordObject?

    public init() {}
}
