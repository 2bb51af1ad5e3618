/// Reads the dates of a debt (`birthdate`, `invoice_date`, `due_date`; CONTRACT.md §4).
public enum DateNormalizer {
    /// The date as `YYYY-MM-DD`, or `nil` (`invalid_date`) for anything else.
    ///
    /// Accepted, after trimming spaces: `YYYY-MM-DD`, `DD/MM/YYYY` and `DD.MM.YYYY`, with exactly
    /// two-digit day and month and a four-digit year from 0001. The date must exist in the
    /// Gregorian calendar: `31/02/2024` and `29/02/2023` are `nil`, `29/02/2024` is `2024-02-29`.
    ///
    /// - Parameter raw: the field as read.
    public static func normalize(_ raw: String) -> String? {
        var text = raw
        return text.withUTF8 { bytes in normalize(utf8: bytes)?.string(input: raw, bytes: bytes) }
    }

    /// ``normalize(_:)`` over a field's UTF-8 bytes, trimmed or not (it trims them itself): the
    /// trimmed input's own range when it already reads `YYYY-MM-DD`, the reordered text for
    /// `DD/MM/YYYY` and `DD.MM.YYYY`; `nil` for anything else (ill-formed UTF-8 included).
    public static func normalize(utf8 input: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        var reordered: String?
        return normalize(utf8: input) { reordered = String(decoding: $0, as: UTF8.self) }?.text(rewritten: reordered)
    }

    /// ``normalize(utf8:)`` handing the reordered date to `rewritten` (bytes valid during that
    /// call only) instead of making a `String` of it.
    public static func normalize(utf8 input: UnsafeBufferPointer<UInt8>,
                                 rewritten: (UnsafeBufferPointer<UInt8>) -> Void) -> NormalizedBytes? {
        let range = AmountTextScalars.trimmedRange(input)
        guard range.count == 10 else { return nil }
        let bytes = UnsafeBufferPointer(rebasing: input[range])
        let yearAt: Int, monthAt: Int, dayAt: Int
        if bytes[4] == 0x2D && bytes[7] == 0x2D {  // YYYY-MM-DD
            (yearAt, monthAt, dayAt) = (0, 5, 8)
        } else if (bytes[2] == 0x2F || bytes[2] == 0x2E) && bytes[5] == bytes[2] {  // DD/MM/YYYY, DD.MM.YYYY
            (yearAt, monthAt, dayAt) = (6, 3, 0)
        } else {
            return nil
        }
        guard let year = number(bytes, at: yearAt, length: 4),
              let month = number(bytes, at: monthAt, length: 2),
              let day = number(bytes, at: dayAt, length: 2),
              year >= 1, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year)
        else { return nil }
        if yearAt == 0 { return .input(range) }

        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { buffer in
            for offset in 0..<4 { buffer[offset] = bytes[yearAt + offset] }
            buffer[4] = 0x2D
            buffer[5] = bytes[monthAt]
            buffer[6] = bytes[monthAt + 1]
            buffer[7] = 0x2D
            buffer[8] = bytes[dayAt]
            buffer[9] = bytes[dayAt + 1]
            rewritten(UnsafeBufferPointer(buffer))
        }
        return .rewritten
    }

    /// Whether `year` has a 29 February in the Gregorian calendar.
    static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int, length: Int) -> Int? {
        var value = 0
        for offset in start..<start + length {
            let byte = bytes[offset]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }
}
