// IBAN lengths per country, from the SWIFT IBAN Registry as shipped in the PyPI package
// schwifty 2026.10.1 (MIT), file schwifty/iban_registry/generated.json
// (sha256 84b9555e5b3e3c2b3009fafa85193dcb7de9b9766d8d434553a654adffa15895): the 105 countries of
// the official registry, without schwifty's "aspirational" additions. Copied by hand; update it
// from a newer registry in the same way.

/// The length of an IBAN in each country of the SWIFT IBAN Registry.
enum IBANCountryLengths {
    /// Entries of four ASCII bytes: the ISO 3166 country code, then the IBAN length in two digits.
    private static let packed = """
        AD24AE23AL28AT20AX18AZ28BA20BE16BG22BH22BI27BL27BR29BY28CH21CR22CY28CZ24DE22DJ27DK18DO28EE20EG29\
        ES24FI18FK18FO18FR27GB22GE22GF27GG22GI23GL18GP27GR27GT28HN28HR21HU28IE22IL23IM22IQ23IS26IT27JE22\
        JO30KW30KZ20LB28LC32LI21LT20LU20LV21LY25MC27MD24ME22MF27MK19MN20MQ27MR27MT31MU30NC27NI28NL18NO15\
        OM23PF27PK24PL28PM27PS29PT25QA29RE27RO24RS22RU33SA24SC31SD18SE24SI19SK24SM27SO23ST25SV28TF27TL23\
        TN24TR26UA29VA22VG24WF27XK20YE30YT27
        """

    /// One slot per two-letter code (26²): the IBAN length, or 0 for a country not in the registry.
    private static let lengths: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 26 * 26)
        let bytes = Array(packed.utf8)
        precondition(bytes.count % 4 == 0, "IBANCountryLengths.packed is malformed")
        var offset = 0
        while offset < bytes.count {
            let slot = Int(bytes[offset] - 0x41) * 26 + Int(bytes[offset + 1] - 0x41)
            table[slot] = (bytes[offset + 2] - 0x30) * 10 + (bytes[offset + 3] - 0x30)
            offset += 4
        }
        return table
    }()

    /// The registry's IBAN length for a country (two upper-case ASCII letters), or `nil` when the
    /// country is not in the registry.
    static func length(country first: UInt8, _ second: UInt8) -> Int? {
        guard first >= 0x41, first <= 0x5A, second >= 0x41, second <= 0x5A else { return nil }
        let length = lengths[Int(first - 0x41) * 26 + Int(second - 0x41)]
        return length == 0 ? nil : Int(length)
    }
}
