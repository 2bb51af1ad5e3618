import DebtflowCore
import DebtflowNormalize
import Testing

/// CONTRACT.md §4 "Phones", bullet by bullet. Expected numbers were checked against
/// libphonenumber (`phonenumbers` 9.0.43).
@Suite("Phone normalization follows the contract")
struct PhoneNormalizerSpecTests {
    let normalizer = PhoneNormalizer()

    func number(_ input: String, _ region: String = "FR") -> PhoneNumber? {
        try? normalizer.normalize(input, defaultRegion: region).get()
    }

    func error(_ input: String, _ region: String = "FR") -> String? {
        if case .failure(let error) = normalizer.normalize(input, defaultRegion: region) { return error.message }
        return nil
    }

    @Test("0690123456 is Guadeloupe: +590690123456, not +33690123456")
    func guadeloupeMobile() {
        #expect(number("0690123456") == PhoneNumber(e164: "+590690123456", callingCode: 590, region: "GP"))
        #expect(number("06 90 12 34 56")?.e164 == "+590690123456")
    }

    @Test("overseas prefixes map to their calling codes and regions", arguments: [
        ("0691 22 12 34", "+590691221234", "GP"),
        ("0594 10 12 34", "+594594101234", "GF"),
        ("0694 20 12 34", "+594694201234", "GF"),
        ("0596 30 12 34", "+596596301234", "MQ"),
        ("0696 20 12 34", "+596696201234", "MQ"),
        ("0697 27 12 34", "+596697271234", "MQ"),
        ("0262 16 12 34", "+262262161234", "RE"),
        ("0692 12 34 56", "+262692123456", "RE"),
        ("0693 10 12 34", "+262693101234", "RE"),
        ("0269 61 12 34", "+262269611234", "YT"),
        ("0639 01 23 45", "+262639012345", "YT"),
    ])
    func overseasPrefixes(input: String, e164: String, region: String) {
        let result = number(input)
        #expect(result?.e164 == e164)
        #expect(result?.region == region)
    }

    @Test("0596… is Martinique even though the mainland pattern also matches 596…")
    func martiniqueBeatsMainland() {
        #expect(number("0596 30 12 34")?.region == "MQ")
        // Written with +33 it stays what it says: a mainland-pattern +33 number.
        #expect(number("+33 5 96 30 12 34")?.e164 == "+33596301234")
    }

    @Test("a +590 number outside Guadeloupe's ranges gets libphonenumber's region (Saint-Barthélemy)")
    func sharedCallingCodeRegion() {
        #expect(number("0590 27 12 34") == PhoneNumber(e164: "+590590271234", callingCode: 590, region: "BL"))
    }

    @Test("shorter national strings are not French: 41 12 34 is invalid, not Saint-Pierre")
    func shortStringsAreNotFrench() {
        #expect(number("41 12 34") == nil)
        #expect(number("411234") == nil)
        #expect(number("+508 41 12 34")?.region == "PM")
    }

    @Test("letters among the digits make the number invalid", arguments: [
        "O612345678", "06 12 34 56 7O", "0800-FLOWERS", "06 12 AB 34 56", "tel 0612345678", "06 12 34 56 78 ab",
    ])
    func lettersAreInvalid(input: String) {
        #expect(number(input) == nil)
        #expect(error(input)?.contains("letters") == true)
    }

    @Test("every accepted spelling of 06 12 34 56 78 gives +33612345678", arguments: [
        "0612345678", "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "06/12/34/56/78", "(06) 12 34 56 78",
        "06\u{00A0}12\u{00A0}34\u{00A0}56\u{00A0}78", "06\u{202F}12\u{202F}34\u{202F}56\u{202F}78",
        "06–12–34–56–78", "０６１２３４５６７８", "+33 6 12 34 56 78", "+33612345678", "＋３３６１２３４５６７８",
        "0033 6 12 34 56 78", "0033 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78", "33612345678", "612345678",
        "'0612345678", "’06 12 34 56 78", "06 12 34 56 78 poste 12", "06 12 34 56 78 ext. 5", "0612345678x123",
        "06 12 34 56 78 #12", "06 12 34 56 78 ext", "06 12 34 56 78 #", "  06 12 34 56 78  ",
    ])
    func spellings(input: String) {
        #expect(number(input) == PhoneNumber(e164: "+33612345678", callingCode: 33, region: "FR"))
    }

    @Test("overseas calling codes are accepted without +", arguments: [
        ("590690123456", "+590690123456"), ("596696201234", "+596696201234"), ("262692123456", "+262692123456"),
        ("00590 690 12 34 56", "+590690123456"), ("+590 690 12 34 56", "+590690123456"),
    ])
    func overseasCodesWithoutPlus(input: String, e164: String) {
        #expect(number(input)?.e164 == e164)
    }

    @Test("a trunk 0 after the country code is dropped for +33 and kept where numbers begin with 0 (Italy)")
    func trunkZero() {
        #expect(number("+39 06 1234 5678") == PhoneNumber(e164: "+390612345678", callingCode: 39, region: "IT"))
        #expect(number("+49 (0)30 1234567")?.e164 == "+49301234567")
    }

    @Test("a national number of another default region follows that region's plan", arguments: [
        ("030 1234567", "DE", "+49301234567"), ("0470 12 34 56", "BE", "+32470123456"),
        ("06 1234 5678", "IT", "+390612345678"), ("020 7946 0958", "GB", "+442079460958"),
        ("0661 23 45 67", "MA", "+212661234567"), ("0612345678", "de", "+49612345678"),
    ])
    func otherDefaultRegions(input: String, region: String, e164: String) {
        #expect(number(input, region)?.e164 == e164)
    }

    @Test("shared calling codes get libphonenumber's region", arguments: [
        ("+1 650 253 0000", "US"), ("+1 416 555 0123", "CA"), ("+44 20 7946 0958", "GB"), ("+44 1481 256789", "GG"),
        ("+7 912 345 6789", "RU"), ("+7 701 123 4567", "KZ"), ("+212 6 61 23 45 67", "MA"), ("+377 93 15 15 15", "MC"),
    ])
    func sharedCallingCodes(input: String, region: String) {
        #expect(number(input)?.region == region)
    }

    @Test("a number must be in an assigned range, not only of the right length")
    func assignedRanges() {
        #expect(number("+33690123456") == nil) // 69x is not a mainland mobile range
        #expect(number("0612345678") != nil)
        #expect(number("+33 1 00 00 00 00") != nil)
        #expect(number("+44 1632 960000") == nil) // Ofcom drama range: right length, unassigned
    }

    @Test("errors say what was expected and never repeat the number", arguments: [
        ("41 12 34", "FR"), ("0612345", "FR"), ("+33 6 90 12 34 56", "FR"), ("O612345678", "FR"),
        ("+999 1234 5678", "FR"), ("12345", "DE"), ("06 12 34 56 78 +", "FR"),
    ])
    func errorMessages(input: String, region: String) throws {
        let message = try #require(error(input, region))
        #expect(message.contains("expected"))
        let digits = String(input.unicodeScalars.filter { $0.properties.numericType != nil }.map(Character.init))
        #expect(!message.contains(digits))
        #expect(!message.contains(input))
    }

    @Test("a French national number of the wrong length says 10 digits starting with 0 were expected")
    func frenchLengthMessage() {
        #expect(error("41 12 34") == "not a valid number for FR: expected 10 digits starting with 0, or + and a country code")
    }

    @Test("a number written with its country code is judged against that country's ranges", arguments: [
        "+33 6 90 12 34 56", "0033 6 90 12 34 56", "33690123456",
    ])
    func writtenCallingCodeMessage(input: String) {
        #expect(error(input) == "not a valid number for +33 (FR): expected a number in an assigned range")
    }

    @Test("empty and punctuation-only inputs are invalid", arguments: ["", " ", "+", "--", "()", "'"])
    func emptyInputs(input: String) {
        #expect(number(input) == nil)
    }

    @Test("the metadata version is recorded")
    func metadataVersion() {
        #expect(PhoneNormalizer.metadataVersion == "9.0.43")
    }
}

@Suite("A default region settled once")
struct PhoneDefaultRegionTests {
    let normalizer = PhoneNormalizer()

    @Test("numbers read with a settled region get what the region's name gives them, numbers and errors alike",
          arguments: ["FR", "fr", "GP", "DE", " de", "IT", "XX", ""])
    func settledIsTheSame(region: String) {
        let settled = normalizer.defaultRegion(region)
        for input in ["06 12 34 56 78", "0690123456", "+33 6 12 34 56 78", "030 1234567", "06 1234 5678", "0612",
                      "+999 123", "33612345678", "0033 6 12 34 56 78", "12 34", "06 12 34 56 7a"] {
            var bytes = Array(input.utf8)
            let fromSettled = bytes.withUnsafeMutableBufferPointer { normalizer.normalize(utf8: UnsafeBufferPointer($0), defaultRegion: settled) }
            #expect(fromSettled == normalizer.normalize(input, defaultRegion: region), "\(input) in '\(region)'")
        }
    }
}
