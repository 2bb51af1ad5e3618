import DebtflowCore

/// The current ISO 4217 currencies (CONTRACT.md §4), from the generated table in
/// `Generated/ISO4217.swift` (see `Scripts/generate_iso4217.py` for its source and date).
///
/// Lookups index a flat table by the three letters; nothing is allocated per call.
public enum CurrencyTable {
    /// The date of the ISO 4217 list the table was generated from (`2026-01-01`).
    public static let listPublishedDate: String = ISO4217Data.publishedDate

    /// Every currency of the table, sorted by code.
    public static var allCurrencies: [Currency] { decoded.currencies }

    /// Every text ``normalize(_:)`` names a currency by, in any case and without the spaces it
    /// trims: each code of the table, then the signs and words it also takes (`€`, `£`, `euro`,
    /// `euros`). The names the config schema lists for a default currency.
    public static var acceptedNames: [String] { allCurrencies.map(\.code) + ["€", "£", "euro", "euros"] }

    /// The currency for an exact ISO 4217 code (three upper-case ASCII letters), or `nil` when the
    /// code is not on the current list (withdrawn codes such as `FRF`, `DEM` and `XEU` included).
    ///
    /// - Parameter code: an upper-case three-letter code, as written in a debt (`EUR`).
    public static func currency(forCode code: String) -> Currency? {
        var utf8 = code.utf8.makeIterator()
        guard let a = utf8.next(), let b = utf8.next(), let c = utf8.next(), utf8.next() == nil else { return nil }
        guard isUpper(a), isUpper(b), isUpper(c) else { return nil }
        return lookup(a, b, c)
    }

    /// The currency a source's currency field names, or `nil` when it names none of the current list.
    ///
    /// The text is trimmed (Unicode spaces included) and compared without regard to case. Besides
    /// the ISO codes (`eur`, ` Eur `), it accepts the sign `€` and the words `euro` and `euros` for
    /// EUR, and the sign `£` for GBP. Nothing else: `$` and `¥` name several currencies, and
    /// withdrawn codes (`FRF`, `DEM`, `XEU`) are invalid (`invalid_currency`).
    ///
    /// - Parameter raw: the field as read.
    public static func normalize(_ raw: String) -> Currency? {
        var text = raw
        return text.withUTF8 { normalize(utf8: $0) }
    }

    /// ``normalize(_:)`` over a field's UTF-8 bytes, trimmed or not (it trims them itself);
    /// ill-formed UTF-8 names no currency.
    public static func normalize(utf8 input: UnsafeBufferPointer<UInt8>) -> Currency? {
        let text = UnsafeBufferPointer(rebasing: input[AmountTextScalars.trimmedRange(input)])
        guard !text.isEmpty else { return nil }
        let (first, firstLength) = UTF8Decoding.scalar(at: 0, in: text)
        if firstLength == text.count {
            switch first {
            case 0x20AC: return euro
            case 0x00A3: return currency(forCode: "GBP")
            default: break
            }
        }
        // Letters only from here: a code (3) or `euro`/`euros` (4, 5), folded to upper case.
        var letters: UInt64 = 0
        var count = 0
        for byte in text {
            guard count < 5, let upper = upperLetter(UInt32(byte)) else { return nil }
            letters = letters << 8 | UInt64(upper)
            count += 1
        }
        switch count {
        case 3:
            return lookup(UInt8(truncatingIfNeeded: letters >> 16), UInt8(truncatingIfNeeded: letters >> 8),
                          UInt8(truncatingIfNeeded: letters))
        case 4 where letters == euroWord, 5 where letters == eurosWord:
            return euro
        default:
            return nil
        }
    }

    /// The currency for three upper-case ASCII letters, without further checks of the letters.
    static func lookup(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Currency? {
        let slot = decoded.slots[slotIndex(a, b, c)]
        return slot < 0 ? nil : decoded.currencies[Int(slot)]
    }

    /// The ASCII upper-case form of a letter scalar, or `nil` for anything but `A`–`Z`/`a`–`z`.
    @inline(__always)
    static func upperLetter(_ value: UInt32) -> UInt8? {
        if value >= 0x41 && value <= 0x5A { return UInt8(value) }
        if value >= 0x61 && value <= 0x7A { return UInt8(value - 0x20) }
        return nil
    }

    /// `EURO` and `EUROS` packed one byte per letter, as `normalize` builds them.
    static let euroWord: UInt64 = 0x4555_524F
    static let eurosWord: UInt64 = 0x45_5552_4F53

    private static let euro: Currency? = currency(forCode: "EUR")

    @inline(__always)
    private static func isUpper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }

    @inline(__always)
    private static func slotIndex(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> Int {
        (Int(a &- 0x41) * 26 + Int(b &- 0x41)) * 26 + Int(c &- 0x41)
    }

    /// The decoded table: one slot per possible code (26³), holding an index into `currencies`
    /// or -1.
    private struct Decoded: Sendable {
        var currencies: [Currency] = []
        var slots = [Int16](repeating: -1, count: 26 * 26 * 26)
    }

    private static let decoded: Decoded = {
        var table = Decoded()
        table.currencies.reserveCapacity(ISO4217Data.count)
        let bytes = Array(ISO4217Data.packed.utf8)
        precondition(bytes.count == ISO4217Data.count * 4, "ISO4217Data.packed is malformed; regenerate it")
        var offset = 0
        while offset < bytes.count {
            let a = bytes[offset], b = bytes[offset + 1], c = bytes[offset + 2], digits = bytes[offset + 3]
            precondition(isUpper(a) && isUpper(b) && isUpper(c) && digits >= 0x30 && digits <= 0x39,
                         "ISO4217Data.packed is malformed; regenerate it")
            let code = String(decoding: bytes[offset..<offset + 3], as: UTF8.self)
            table.slots[slotIndex(a, b, c)] = Int16(table.currencies.count)
            table.currencies.append(Currency(code: code, minorUnitDigits: Int(digits - 0x30)))
            offset += 4
        }
        return table
    }()
}
