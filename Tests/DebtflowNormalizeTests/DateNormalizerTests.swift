import DebtflowCore
import DebtflowNormalize
import Testing

@Suite("Date normalization")
struct DateNormalizerTests {
    @Test("the three accepted forms are written YYYY-MM-DD",
          arguments: [("2024-01-15", "2024-01-15"), ("15/01/2024", "2024-01-15"), ("15.01.2024", "2024-01-15"),
                      (" 15/01/2024 ", "2024-01-15"), ("31/12/1999", "1999-12-31"), ("01.01.2000", "2000-01-01"),
                      ("1970-06-30", "1970-06-30"), ("31/01/2024", "2024-01-31"), ("30/04/2024", "2024-04-30")])
    func accepts(raw: String, expected: String) {
        #expect(DateNormalizer.normalize(raw) == expected)
    }

    @Test("29 February exists in leap years only (every 4th, not every 100th, every 400th)",
          arguments: [("29/02/2024", "2024-02-29"), ("2000-02-29", "2000-02-29"), ("29.02.1996", "1996-02-29")])
    func leapDays(raw: String, expected: String) {
        #expect(DateNormalizer.normalize(raw) == expected)
    }

    @Test("impossible dates are invalid_date",
          arguments: ["31/02/2024", "30/02/2024", "29/02/2023", "29/02/1900", "2100-02-29", "31/04/2024",
                      "31.06.2024", "31/09/2024", "31/11/2024", "32/01/2024", "00/01/2024", "2024-00-10",
                      "2024-13-01", "15/13/2024", "0000-01-01"])
    func impossible(raw: String) {
        #expect(DateNormalizer.normalize(raw) == nil)
    }

    @Test("other spellings are invalid_date",
          arguments: ["", "   ", "2024/01/15", "15-01-2024", "1/2/2024", "2024-1-5", "15/01/24", "15/01.2024",
                      "2024-01-15T10:00:00", "20240115", "abcd-ef-gh", "15 01 2024", "2024-01-1a", "+2024-01-1",
                      "２０２４-01-15"])
    func otherSpellings(raw: String) {
        #expect(DateNormalizer.normalize(raw) == nil)
    }

    /// `normalize(utf8:)` of `bytes`, and of the same bytes with a space on each side (read by
    /// the general path after trimming; the exact ten bytes by the word test), its range taken
    /// back to the unpadded text.
    private func bothPaths(_ bytes: [UInt8]) -> (exact: NormalizedText?, padded: NormalizedText?) {
        let exact = bytes.withUnsafeBufferPointer { DateNormalizer.normalize(utf8: $0) }
        let padded = ([0x20] + bytes + [0x20]).withUnsafeBufferPointer { DateNormalizer.normalize(utf8: $0) }
        guard case .input(let range)? = padded else { return (exact, padded) }
        return (exact, .input(range.lowerBound - 1..<range.upperBound - 1))
    }

    @Test("exact YYYY-MM-DD, DD/MM/YYYY and DD.MM.YYYY (read as two words) answer as the trimmed general path: every day, month and year edge")
    func wordDatesAsGeneralPath() {
        for form in ["iso", "/", "."] {
            var checked = 0
            for year in ["0000", "0001", "1900", "1996", "2000", "2023", "2024", "2100", "9999"] {
                for month in 0...13 {
                    for day in 0...32 {
                        let mm = (month < 10 ? "0" : "") + String(month), dd = (day < 10 ? "0" : "") + String(day)
                        let text = form == "iso" ? year + "-" + mm + "-" + dd : dd + form + mm + form + year
                        let (exact, padded) = bothPaths(Array(text.utf8))
                        #expect(exact == padded, "\(text)")
                        if let exact {
                            checked += 1
                            #expect(Array(text.utf8).withUnsafeBufferPointer { exact.string(bytes: $0) } == year + "-" + mm + "-" + dd)
                        }
                    }
                }
            }
            // Every real day of those years but 0000: 365 or 366 each.
            #expect(checked == 365 * 5 + 366 * 3)
        }
    }

    @Test("every byte value at every place of a valid exact date, in each form, answers as the trimmed general path",
          arguments: ["2024-02-29", "29/02/2024", "29.02.2024"])
    func everyByteEverywhere(valid: String) {
        let valid = Array(valid.utf8)
        for place in 0..<valid.count {
            for value in 0...255 {
                var bytes = valid
                bytes[place] = UInt8(value)
                let (exact, padded) = bothPaths(bytes)
                #expect(exact == padded, "byte \(value) at \(place)")
            }
        }
    }
}
