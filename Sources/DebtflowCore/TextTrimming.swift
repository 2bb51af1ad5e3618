/// Trimming for per-record paths, without Foundation: leading and trailing Unicode white space
/// (the `White_Space` property: U+0009–U+000D, U+0020, U+0085, U+00A0, U+1680, U+2000–U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000).
public enum TextTrimming {
    /// `text` without leading and trailing whitespace (Unicode spaces included), or `nil` when
    /// nothing is left. No copy when there is nothing to trim.
    public static func nonBlank(_ text: String?) -> String? {
        guard var text, let first = text.utf8.first, let last = text.utf8.last else { return nil }
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return text }
        let original = text
        return text.withUTF8 { bytes -> String? in
            let range = trimmedRange(bytes)
            if range.isEmpty { return nil }
            if range.count == bytes.count { return original }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
    }

    /// The range of `bytes` (UTF-8) left once leading and trailing white space is taken off;
    /// empty when the bytes are blank. Ill-formed UTF-8 is never white space (it is kept).
    @inlinable
    public static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        // Most texts start and end with a printable ASCII character: nothing to trim.
        if hasPrintableASCIIEnds(bytes) { return 0..<bytes.count }
        return whitespaceTrimmedRange(bytes)
    }

    /// Whether `bytes` start and end with a printable ASCII character (`!` to `~`), which no
    /// trimming set takes off: the first look of ``trimmedRange(_:)`` and of the rules' own
    /// trimming, settling most texts without decoding a scalar.
    @inlinable @inline(__always)
    public static func hasPrintableASCIIEnds(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = bytes.first, let last = bytes.last else { return false }
        return first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F
    }

    /// ``trimmedRange(_:)`` past its fast path (the bytes start or end with something other than
    /// printable ASCII).
    @usableFromInline
    static func whitespaceTrimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        trimmedRange(bytes, trimming: isWhitespace)
    }

    /// The range of `bytes` (UTF-8) left once leading and trailing scalars for which `trims` is
    /// true are taken off; empty when nothing is left. Ill-formed UTF-8 reads as U+FFFD, which a
    /// rule should not trim (it is kept). For rules with their own set (an amount also trims a
    /// zero-width space and a byte-order mark).
    public static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>, trimming trims: (UInt32) -> Bool) -> Range<Int> {
        var start = 0
        var end = bytes.count
        while start < end {
            let (value, length) = UTF8Decoding.scalar(at: start, in: bytes)
            guard trims(value) else { break }
            start += length
        }
        while end > start {
            let (value, length) = UTF8Decoding.scalar(endingAt: end, in: bytes)
            guard trims(value) else { break }
            end -= length
        }
        return start..<end
    }

    /// Whether the scalar has the Unicode `White_Space` property (as
    /// `Unicode.Scalar.Properties.isWhitespace`), without looking it up.
    @inlinable @inline(__always)
    public static func isWhitespace(_ value: UInt32) -> Bool {
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }

    // MARK: The mapping's rules: ASCII white space

    /// The range of `bytes` left once leading and trailing ASCII white space (space, tab, CR, LF)
    /// is taken off — how `map` trims the ids and texts it reads (not Unicode spaces, unlike
    /// ``trimmedRange(_:)``, which `normalize` applies).
    public static func asciiTrimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        var start = 0
        var end = bytes.count
        while start < end, isASCIISpace(bytes[start]) { start += 1 }
        while end > start, isASCIISpace(bytes[end - 1]) { end -= 1 }
        return start..<end
    }

    /// `text` without leading and trailing ASCII white space (see ``asciiTrimmedRange(_:)``); the
    /// very same string when there is none.
    public static func asciiTrimmed(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if !isASCIISpace(first) && !isASCIISpace(last) { return text }
        var copy = text
        return copy.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[asciiTrimmedRange($0)]), as: UTF8.self) }
    }

    /// Whether `bytes` are empty or only ASCII spaces, tabs, CR/LF and no-break spaces (U+00A0):
    /// a blank cell for `map`.
    ///
    /// Inlinable for its first look: most cells start with a byte that is neither white space
    /// nor the first byte of a no-break space, and are settled there without a call.
    @inlinable
    public static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if let first = bytes.first, first > 0x20, first != 0xC2 { return false }
        return isBlankScan(bytes)
    }

    /// ``isBlank(_:)-(UnsafeBufferPointer<UInt8>)`` past its first look.
    @usableFromInline
    static func isBlankScan(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var pendingNBSP = false
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case 0xC2 where !pendingNBSP: pendingNBSP = true
            case 0xA0 where pendingNBSP: pendingNBSP = false
            default: return false
            }
        }
        return !pendingNBSP
    }

    /// ``isBlank(_:)-(UnsafeBufferPointer<UInt8>)`` of a string.
    public static func isBlank(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { isBlank($0) }
    }

    @inline(__always)
    private static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
