@testable import DebtflowCore
import Testing

@Suite("A phone number held as digits")
struct PhoneNumberDigitsTests {
    @Test("the E.164 text is made back from the calling code and the national number, leading zeros included",
          arguments: [("+33612345678", 33, "FR"), ("+590690123456", 590, "GP"), ("+390612345678", 39, "IT"),
                      ("+12025550123", 1, "US"), ("+80012345678", 800, "001"), ("+49301234567", 49, "DE")])
    func roundTrip(e164: String, callingCode: Int, region: String) {
        let number = PhoneNumber(e164: e164, callingCode: callingCode, region: region)
        #expect(number.e164 == e164)
        #expect(number.e164ByteCount == e164.utf8.count)
        #expect(number.callingCode == callingCode && number.region == region)
        var buffer = [UInt8](repeating: 0, count: PhoneNumber.maxE164ByteCount)
        let written = buffer.withUnsafeMutableBufferPointer { number.writeE164(into: $0) }
        #expect(written == e164.utf8.count)
        #expect(String(decoding: buffer[..<written], as: UTF8.self) == e164)
    }

    @Test("the parts give the text the E.164 form gives")
    func fromParts() {
        let italian = PhoneNumber(callingCode: 39, nationalNumber: 612_345_678, digitCount: 10, region: "IT")
        #expect(italian == PhoneNumber(e164: "+390612345678", callingCode: 39, region: "IT"))
        #expect(italian.e164 == "+390612345678")
        let longest = PhoneNumber(callingCode: 999, nationalNumber: 1_234_567_890_123_456_789,
                                  digitCount: PhoneNumber.maxNationalNumberDigits, region: "001")
        #expect(longest.e164 == "+9991234567890123456789")
        #expect(longest.e164ByteCount == PhoneNumber.maxE164ByteCount)
        let empty = PhoneNumber(callingCode: 7, nationalNumber: 0, digitCount: 0, region: "RU")
        #expect(empty.e164 == "+7")
    }

    @Test("decimal digits fill exactly their width, padded with zeros, the higher digits left out",
          arguments: [(UInt64(0), 0, ""), (7, 1, "7"), (7, 3, "007"), (42, 2, "42"), (12_345, 5, "12345"),
                      (12_345, 3, "345"), (9_876_543_210, 12, "009876543210"), (UInt64.max, 20, "18446744073709551615")])
    func decimalDigits(value: UInt64, width: Int, text: String) {
        var buffer = [UInt8](repeating: UInt8(ascii: "x"), count: width + 2)
        buffer.withUnsafeMutableBufferPointer { DecimalDigits.write(value, width: width, to: $0.baseAddress! + 1) }
        #expect(String(decoding: buffer, as: UTF8.self) == "x" + text + "x")
    }

    @Test("a debt's E.164 text written in place: inline while it fits, else in the arena")
    func debtTextWrittenInPlace() {
        let number = PhoneNumber(e164: "+33612345678", callingCode: 33, region: "FR")
        var debt = Debt()
        debt.setText(.phone, e164: number)
        #expect(debt.phone == "+33612345678")
        #expect(debt.withKeyedBytes { $0.isVerbatim(.phone) })
        var full = Debt()
        full.setText(.object, "twenty-five bytes of text")  // inline; 7 bytes left
        full.setText(.phone, e164: number)  // 12 bytes: in the arena
        #expect(full.phone == "+33612345678" && full.object == "twenty-five bytes of text")
        #expect(full.withKeyedBytes { $0.isVerbatim(.phone) })
    }
}

@Suite("A number's decimal length")
struct DecimalLengthTests {
    @Test("the length the writer reserves is the number of digits, at every power of ten",
          arguments: [(UInt64(0), 1), (9, 1), (10, 2), (99, 2), (100, 3), (999, 3), (1_000, 4), (9_999, 4), (10_000, 5),
                      (99_999, 5), (100_000, 6), (1_000_000, 7), (9_999_999_999_999_999_999, 19),
                      (10_000_000_000_000_000_000, 20), (UInt64.max, 20)])
    func length(value: UInt64, digits: Int) {
        #expect(JSONRawCursor.decimalLength(value) == digits)
        #expect(JSONRawCursor.decimalLength(value) == String(value).count)
    }
}
