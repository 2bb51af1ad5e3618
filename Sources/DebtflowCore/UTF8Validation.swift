/// Well-formed UTF-8 (Unicode 15, table 3-7), checked without making a `String`: the same
/// answer as `String(validating:as: UTF8.self) != nil`. Rejects stray continuation bytes,
/// truncated sequences, overlong forms (`C0`, `C1`, `E0 80…9F`, `F0 80…8F`), UTF-16 surrogates
/// (`ED A0…BF`) and values past U+10FFFF (`F4 90…`, `F5`–`FF`). One validator for every reader
/// that puts text on a ``RecordTape`` (CSV fields, JSON strings and keys).
public enum UTF8Validation {
    /// Whether `bytes` are well-formed UTF-8.
    public static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        tapeFlags(of: bytes) != nil
    }

    /// The ``RecordNode/Flags`` of `text` as a tape value (needs escaping, non-ASCII), found in
    /// the same pass that checks it, or `nil` when it is not well-formed UTF-8.
    public static func tapeFlags(of text: UnsafeBufferPointer<UInt8>) -> RecordNode.Flags? {
        var flags: RecordNode.Flags = []
        let count = text.count
        var index = 0
        // ASCII runs eight bytes at a time: a word with no high bit is well-formed UTF-8, and
        // whether it needs escaping is one more test on it.
        if let base = text.baseAddress {
            let raw = UnsafeRawPointer(base)
            while index + 8 <= count {
                let word = ByteWord.load(raw, at: index)
                if word & ByteWord.highBits != 0 { break }
                if JSONEscapeScan.holdsByteToEscape(word) { flags.insert(.valueNeedsEscaping) }
                index += 8
            }
        }
        while index < count {
            let lead = text[index]
            if lead < 0x80 {
                if JSONEscapeScan.needsEscape(lead) { flags.insert(.valueNeedsEscaping) }
                index += 1
                continue
            }
            flags.insert(.valueIsNonASCII)
            // ``sequenceLength(_:at:lead:)``, written out: called here, the JSON reader's strings
            // cost W4 about 30 instructions a record more.
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return nil
            }
            guard index + length <= count else { return nil }
            let second = text[index + 1]
            guard second >= low && second <= high else { return nil }
            var position = index + 2
            while position < index + length {
                guard text[position] & 0xC0 == 0x80 else { return nil }
                position += 1
            }
            index += length
        }
        return flags
    }

    /// ``tapeFlags(of:)`` of a text whose need of JSON escaping the caller found already (the
    /// CSV scanner's pass over an unquoted field, the JSON reader's over a plain string): only
    /// its UTF-8 is checked. ASCII goes eight bytes at a time while a whole word is left (one
    /// test of its high bits; a word that has one steps straight to its first byte ≥ 0x80), then
    /// one comparison a byte: most such texts are ASCII but for an accent or two.
    public static func tapeFlags(of text: UnsafeBufferPointer<UInt8>, needsEscaping: Bool) -> RecordNode.Flags? {
        let count = text.count
        var index = 0
        var flags: RecordNode.Flags = needsEscaping ? .valueNeedsEscaping : []
        guard let base = text.baseAddress else { return flags }
        let raw = UnsafeRawPointer(base)
        while index < count {
            if index &+ 8 <= count {
                let high = ByteWord.load(raw, at: index) & ByteWord.highBits
                if high == 0 {
                    index &+= 8
                    continue
                }
                index &+= ByteWord.firstMarked(high)
            } else if text[index] < 0x80 {
                index &+= 1
                continue
            }
            // `text[index]` is ≥ 0x80: a sequence's lead byte, or not UTF-8.
            flags.insert(.valueIsNonASCII)
            guard let length = sequenceLength(text, at: index, lead: text[index]) else { return nil }
            index &+= length
        }
        return flags
    }

    /// The length of the well-formed multi-byte sequence that starts at `index` with `lead`
    /// (above 0x7F), or `nil` when there is none there.
    @inline(__always)
    private static func sequenceLength(_ text: UnsafeBufferPointer<UInt8>, at index: Int, lead: UInt8) -> Int? {
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard index + length <= text.count else { return nil }
        let second = text[index + 1]
        guard second >= low && second <= high else { return nil }
        var position = index + 2
        while position < index + length {
            guard text[position] & 0xC0 == 0x80 else { return nil }
            position += 1
        }
        return length
    }
}
