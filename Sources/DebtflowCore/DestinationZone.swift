/// The destination zones of CONTRACT.md §4 and the calling codes that belong to them.
public enum DestinationZone: String, Sendable, CaseIterable {
    case frMainland = "fr_mainland"
    case eu
    case domTom = "dom_tom"
    case maghreb
    /// Everything else (UK, Switzerland, Monaco, US, …): `unsupported_destination`.
    case other

    /// The zone of a calling code (`33` → `fr_mainland`, `590` → `dom_tom`, `44` → `other`).
    public static func zone(forCallingCode code: Int) -> DestinationZone {
        guard code >= 0, code < zoneByCallingCode.count else { return .other }
        return zoneByCallingCode[code]
    }

    /// The §4 table's rate: credits per call and multiplier; `nil` for `other`.
    public var defaultRate: (credits: Int, multiplier: String)? {
        switch self {
        case .frMainland: return (25, "1.0")
        case .eu: return (30, "1.2")
        case .domTom: return (100, "4.0")
        case .maghreb: return (125, "5.0")
        case .other: return nil
        }
    }

    /// The zone of every calling code (they have 1 to 3 digits), indexed by the code: no hashing
    /// per record.
    private static let zoneByCallingCode: [DestinationZone] = {
        var table = [DestinationZone](repeating: .other, count: 1000)
        table[33] = .frMainland
        // The other 26 EU member states.
        for code in [30, 31, 32, 34, 351, 352, 353, 356, 357, 358, 359, 36, 370, 371, 372, 385, 386, 39, 40,
                     420, 421, 43, 45, 46, 48, 49] {
            table[code] = .eu
        }
        for code in [590, 594, 596, 262, 508, 681, 687, 689] { table[code] = .domTom }
        for code in [212, 213, 216] { table[code] = .maghreb }
        return table
    }()
}
