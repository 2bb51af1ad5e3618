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
}
