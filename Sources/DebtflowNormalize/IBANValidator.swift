import DebtflowCore

/// Checks and normalizes IBANs (`invalid_iban`, CONTRACT.md §3).
public enum IBANValidator {
    /// The IBAN in its electronic form (upper case, no spaces), or `nil` when it is not a valid IBAN.
    ///
    /// Spaces anywhere (ASCII and Unicode spaces) are removed and letters upper-cased; any other
    /// character makes the IBAN invalid. Valid means: a two-letter country code, check digits
    /// 02–98, then letters and digits; the length of the SWIFT IBAN Registry for that country
    /// (15–34 characters for a country not in the registry); and the ISO 13616 checksum: the number
    /// formed by moving the first four characters to the end and letters to 10–35 leaves 1 mod 97.
    /// `de89 3704 0044 0532 0130 00` is `DE89370400440532013000`.
    ///
    /// - Parameter raw: the field as read.
    public static func normalize(_ raw: String) -> String? {
        var text = raw
        return text.withUTF8 { bytes in normalize(utf8: bytes)?.string(input: raw, bytes: bytes) }
    }

    /// ``normalize(_:)`` over a field's UTF-8 bytes, trimmed or not (spaces anywhere are
    /// dropped): the trimmed input's own range when it already is the electronic form, new text
    /// otherwise; `nil` when it is not a valid IBAN (ill-formed UTF-8 included). The electronic
    /// form, at most 34 bytes, is built on the stack.
    public static func normalize(utf8 input: UnsafeBufferPointer<UInt8>) -> NormalizedText? {
        var electronic: String?
        return normalize(utf8: input) { electronic = String(decoding: $0, as: UTF8.self) }?.text(rewritten: electronic)
    }

    /// ``normalize(utf8:)`` handing the electronic form to `rewritten` (bytes valid during that
    /// call only) instead of making a `String` of it.
    public static func normalize(utf8 input: UnsafeBufferPointer<UInt8>,
                                 rewritten: (UnsafeBufferPointer<UInt8>) -> Void) -> NormalizedBytes? {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 34) { storage -> NormalizedBytes? in
            var count = 0
            var index = 0
            // ASCII digits, letters and spaces (an IBAN as typed, grouped or not) one byte at a
            // time, without decoding a scalar: the same steps as the loop below, which takes over
            // at any other byte.
            while index < input.count {
                let byte = input[index]
                if byte &- 0x30 < 10 || byte &- 0x41 < 26 {
                    guard count < 34 else { return nil }
                    storage[count] = byte
                    count += 1
                } else if byte &- 0x61 < 26 {
                    guard count < 34 else { return nil }
                    storage[count] = byte &- 0x20
                    count += 1
                } else if byte != 0x20 {
                    break
                }
                index += 1
            }
            while index < input.count {
                let (value, length) = UTF8Decoding.scalar(at: index, in: input)
                index += length
                if AmountTextScalars.isTrimmable(value) { continue }
                guard count < 34 else { return nil }
                if value >= 0x30 && value <= 0x39 {
                    storage[count] = UInt8(value)
                } else if let upper = CurrencyTable.upperLetter(value) {
                    storage[count] = upper
                } else {
                    return nil
                }
                count += 1
            }
            let bytes = UnsafeBufferPointer(rebasing: storage[..<count])
            guard bytes.count >= 15 else { return nil }
            guard isLetter(bytes[0]), isLetter(bytes[1]), isDigit(bytes[2]), isDigit(bytes[3]) else { return nil }
            let checkDigits = Int(bytes[2] - 0x30) * 10 + Int(bytes[3] - 0x30)
            guard checkDigits >= 2 && checkDigits <= 98 else { return nil }
            if let expected = IBANCountryLengths.length(country: bytes[0], bytes[1]), expected != bytes.count {
                return nil
            }
            guard remainder(bytes) == 1 else { return nil }
            let trimmed = AmountTextScalars.trimmedRange(input)
            if UnsafeBufferPointer(rebasing: input[trimmed]).sameBytes(as: bytes) { return .input(trimmed) }
            rewritten(bytes)
            return .rewritten
        }
    }

    /// ISO 7064 MOD 97-10 over the rearranged IBAN (its first four characters moved to the end;
    /// a digit is one decimal digit of the number, a letter the two of 10–35).
    ///
    /// The number's digits are gathered in a 64-bit word, taken mod 97 only once it reaches
    /// 10¹⁵ (two more digits then stay below 2⁶⁴), not after every character, and the characters
    /// are read in two runs instead of through an index taken modulo the length: the same
    /// remainder for 4 to 7 instructions a character instead of about 27.
    static func remainder(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var number: UInt64 = 0
        @inline(__always) func append(_ byte: UInt8) {
            if isDigit(byte) {
                number = number &* 10 &+ UInt64(byte - 0x30)
            } else {
                number = number &* 100 &+ UInt64(byte - 0x41 + 10)
            }
            if number >= 1_000_000_000_000_000 { number %= 97 }
        }
        let split = bytes.isEmpty ? 0 : 4 % bytes.count
        for byte in UnsafeBufferPointer(rebasing: bytes[split...]) { append(byte) }
        for byte in UnsafeBufferPointer(rebasing: bytes[..<split]) { append(byte) }
        return Int(number % 97)
    }

    @inline(__always) private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    @inline(__always) private static func isLetter(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
}
