/// Makes IBANs with correct ISO 13616 check digits (mod 97), in the spellings found in exports
/// (grouped by four, compact, lower case), and wrong ones (one digit changed: always caught by
/// the checksum).
enum IBANMaker {
    /// Country, and the BBAN's length in digits (all-digit BBANs keep the arithmetic simple).
    private static let countries: [(String, Int)] = [("FR", 23), ("FR", 23), ("FR", 23), ("DE", 18), ("BE", 12), ("IT", 0)]

    /// A valid IBAN, compact and upper case.
    static func valid(rng: inout SplitMix64) -> [UInt8] {
        let (country, length) = rng.pick(countries)
        var bban: [UInt8] = []
        if country == "IT" {
            // Italy: a check letter, 5-digit ABI, 5-digit CAB, 12-character account.
            bban.append(UInt8(ascii: "A") + UInt8(rng.below(26)))
            for _ in 0..<22 { bban.append(UInt8(ascii: "0") + UInt8(rng.below(10))) }
        } else {
            for _ in 0..<length { bban.append(UInt8(ascii: "0") + UInt8(rng.below(10))) }
        }
        let countryBytes = Array(country.utf8)
        let check = checkDigits(country: countryBytes, bban: bban)
        return countryBytes + [UInt8(ascii: "0") + UInt8(check / 10), UInt8(ascii: "0") + UInt8(check % 10)] + bban
    }

    /// The two check digits: 98 − (BBAN + country + "00" as a number, letters as 10…35) mod 97.
    static func checkDigits(country: [UInt8], bban: [UInt8]) -> Int {
        98 - mod97(bban + country + [UInt8(ascii: "0"), UInt8(ascii: "0")])
    }

    /// The number formed by `characters` (digits, and letters A=10 … Z=35) modulo 97.
    static func mod97(_ characters: [UInt8]) -> Int {
        var remainder = 0
        for byte in characters {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                remainder = (remainder * 10 + Int(byte - UInt8(ascii: "0"))) % 97
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                remainder = (remainder * 100 + Int(byte - UInt8(ascii: "A")) + 10) % 97
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                remainder = (remainder * 100 + Int(byte - UInt8(ascii: "a")) + 10) % 97
            default: continue
            }
        }
        return remainder
    }

    /// Whether `iban` (spaces allowed) passes the mod-97 check.
    static func isValid(_ iban: [UInt8]) -> Bool {
        let compact = iban.filter { $0 != UInt8(ascii: " ") }
        guard compact.count > 4 else { return false }
        return mod97(Array(compact[4...]) + Array(compact[0..<4])) == 1
    }

    /// A valid IBAN in a random spelling.
    static func appendValid(rng: inout SplitMix64, into out: inout [UInt8]) {
        appendSpelled(valid(rng: &rng), rng: &rng, into: &out)
    }

    /// An IBAN whose checksum fails (one BBAN digit changed).
    static func appendInvalid(rng: inout SplitMix64, into out: inout [UInt8]) {
        var iban = valid(rng: &rng)
        let index = iban.count - 1 - rng.below(8)
        let digit = Int(iban[index] - UInt8(ascii: "0"))
        iban[index] = UInt8(ascii: "0") + UInt8((digit + 1 + rng.below(9)) % 10)
        appendSpelled(iban, rng: &rng, into: &out)
    }

    private static func appendSpelled(_ iban: [UInt8], rng: inout SplitMix64, into out: inout [UInt8]) {
        switch rng.below(4) {
        case 0, 1:
            for (index, byte) in iban.enumerated() {
                if index > 0 && index % 4 == 0 { out.append(UInt8(ascii: " ")) }
                out.append(byte)
            }
        case 2: out.append(contentsOf: iban)
        default: out.append(contentsOf: iban.map { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") ? $0 + 32 : $0 })
        }
    }
}
