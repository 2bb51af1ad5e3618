import DebtflowCore

/// Unicode-scalar helpers shared by the amount, currency, date, IBAN and email normalizers.
///
/// They work on scalar values so that per-record code needs no Foundation string calls.
enum AmountTextScalars {
    /// Whether `value` is a space or line break to trim around a field: ASCII white space, NEL,
    /// no-break space, the Unicode space separators (U+1680, U+2000–U+200A, U+202F, U+205F,
    /// U+3000), zero-width space, line/paragraph separators and the byte-order mark.
    @inline(__always)
    static func isTrimmable(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200B, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }

    /// Whether `value` may group the thousands of an amount: ASCII space, no-break space (U+00A0),
    /// the Unicode space separators U+2000–U+200A (thin space U+2009 among them), narrow no-break
    /// space (U+202F), U+205F and ideographic space (U+3000).
    @inline(__always)
    static func isGroupingSpace(_ value: UInt32) -> Bool {
        switch value {
        case 0x20, 0xA0, 0x2000...0x200A, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    /// The range of `bytes` (UTF-8) left once leading and trailing trimmable scalars (see
    /// ``isTrimmable(_:)``) are taken off; empty when nothing is left. Ill-formed UTF-8 is kept.
    @inline(__always)
    static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        // Most texts start and end with a printable ASCII character, which is never trimmable
        // (`normalize` hands the rules texts it has trimmed already): nothing to decode.
        if TextTrimming.hasPrintableASCIIEnds(bytes) { return 0..<bytes.count }
        return TextTrimming.trimmedRange(bytes, trimming: isTrimmable)
    }
}
