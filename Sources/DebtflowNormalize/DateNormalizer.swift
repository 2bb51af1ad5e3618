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
        // Most dates are one of the forms exactly, with nothing around them: read as two words.
        switch wordDate(input) {
        case .iso: return .input(0..<10)
        case .dayFirst(let head, let tail):
            withUnsafeBytes(of: (head.littleEndian, tail.littleEndian)) { words in
                rewritten(UnsafeBufferPointer(start: words.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self), count: 10))
            }
            return .rewritten
        case .invalid: return nil
        case .otherForm: break
        }
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

    /// What ``wordDate(_:)`` tells of a text.
    enum WordDate: Equatable {
        /// Exactly `YYYY-MM-DD`, a day of the calendar: the input as it is.
        case iso
        /// Exactly `DD/MM/YYYY` or `DD.MM.YYYY`, a day of the calendar: its `YYYY-MM-DD`, the
        /// ten bytes as the little-endian words `head` (the first eight) and `tail`.
        case dayFirst(head: UInt64, tail: UInt16)
        /// One of those forms exactly (ten bytes, digits and two separators), not a day of the
        /// calendar.
        case invalid
        /// Anything else: white space around it, another form, another length.
        case otherForm
    }

    /// Whether `input` is exactly `YYYY-MM-DD`, `DD/MM/YYYY` or `DD.MM.YYYY` (no white space
    /// around it) and a day of the calendar, as ``normalize(utf8:rewritten:)`` reads those
    /// forms: its ten bytes read as an eight-byte and a two-byte word, the separators and digits
    /// checked in each at once (a digit is a byte whose xor with `0`'s code is below 10), the
    /// numbers taken from the words, instead of a trim and a call per number.
    @inline(__always)
    static func wordDate(_ input: UnsafeBufferPointer<UInt8>) -> WordDate {
        guard input.count == 10, let start = input.baseAddress else { return .otherForm }
        let raw = UnsafeRawPointer(start)
        let head = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let tail = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        // The separators' bytes: 4 and 7 (`-`), or 2 and 5 (both `/` or both `.`).
        let isoSeparators: UInt64 = 0xFF << 32 | 0xFF << 56
        let dayFirstSeparators: UInt64 = 0xFF << 16 | 0xFF << 40
        let isISO = head & isoSeparators == 0x2D << 32 | 0x2D << 56
        guard isISO || head & dayFirstSeparators == 0x2F << 16 | 0x2F << 40 || head & dayFirstSeparators == 0x2E << 16 | 0x2E << 40
        else { return .otherForm }
        // Each digit's value in its byte (the separators' bytes 0): a byte is a digit when it and
        // it plus 6 are both below 16 (no carry crosses bytes but from a byte that fails already).
        let digits = (head ^ 0x3030_3030_3030_3030) & ~(isISO ? isoSeparators : dayFirstSeparators)
        let tailDigits = tail ^ 0x3030
        guard (digits | (digits &+ 0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0 == 0,
              (tailDigits | (tailDigits &+ 0x0606)) & 0xF0F0 == 0 else { return .otherForm }
        @inline(__always) func digit(_ index: UInt64) -> Int { Int(truncatingIfNeeded: (digits &>> (8 &* index)) & 0xFF) }
        let tens = Int(tailDigits & 0xFF) &* 10 &+ Int(tailDigits &>> 8)
        let year: Int, month: Int, day: Int
        if isISO {
            (year, month, day) = (digit(0) &* 1000 &+ digit(1) &* 100 &+ digit(2) &* 10 &+ digit(3), digit(5) &* 10 &+ digit(6), tens)
        } else {
            (year, month, day) = (digit(6) &* 1000 &+ digit(7) &* 100 &+ tens, digit(3) &* 10 &+ digit(4), digit(0) &* 10 &+ digit(1))
        }
        guard year >= 1, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year) else { return .invalid }
        if isISO { return .iso }
        // `YYYY-MM-DD` from `DD/MM/YYYY`: bytes 6, 7, 8, 9, `-`, 3, 4, `-`, 0, 1.
        let reorderedHead = (head &>> 48) | UInt64(tail) &<< 16 | 0x2D << 32 | (head &>> 24 & 0xFFFF) &<< 40 | 0x2D << 56
        return .dayFirst(head: reorderedHead, tail: UInt16(truncatingIfNeeded: head))
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
