/// Reads UTF-8 bytes as Unicode scalars, bounds-checked and without trusting the bytes: the one
/// decoder of the byte-level rules (trimming, amounts, currencies, phones, emails, IBANs, dates).
///
/// A well-formed sequence reads as its scalar. Anything else (a stray continuation byte, a lead
/// byte whose sequence is cut short by the end of the buffer or by a byte that does not continue
/// it, an overlong form, a surrogate, a value above U+10FFFF, the bytes C0, C1 and F5–FF) reads as
/// one U+FFFD REPLACEMENT CHARACTER of length 1, so a caller always moves forward and never reads
/// outside the buffer. Rules treat U+FFFD as the unexpected character it is.
public enum UTF8Decoding {
    /// U+FFFD, what an ill-formed byte reads as.
    public static let replacement: UInt32 = 0xFFFD

    /// The scalar that starts at `index` and its length in bytes (1–4).
    ///
    /// - Precondition: `index` is a valid index of `bytes` (`0 <= index < bytes.count`).
    ///
    /// Inlined where it is called, in every module (an ASCII byte, most of them, costs a
    /// compare); only a multi-byte sequence takes a call.
    @inlinable @inline(__always)
    public static func scalar(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (value: UInt32, length: Int) {
        precondition(index >= 0 && index < bytes.count, "UTF8Decoding: index out of bounds")
        let lead = bytes[index]
        if lead < 0x80 { return (UInt32(lead), 1) }
        return multiByteScalar(at: index, lead: lead, in: bytes)
    }

    /// The scalar that ends just before `end` and its length in bytes: the way back through a
    /// buffer, for trimming its end. An ill-formed tail reads as U+FFFD of length 1.
    ///
    /// - Precondition: `0 < end <= bytes.count`.
    public static func scalar(endingAt end: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (value: UInt32, length: Int) {
        precondition(end > 0 && end <= bytes.count, "UTF8Decoding: end out of bounds")
        let last = bytes[end - 1]
        if last < 0x80 { return (UInt32(last), 1) }
        // Up to three continuation bytes may precede the end; the lead byte is before them.
        var start = end - 1
        while start > 0, end - start < 4, bytes[start] & 0xC0 == 0x80 { start -= 1 }
        let (value, length) = scalar(at: start, in: bytes)
        return start + length == end ? (value, length) : (replacement, 1)
    }

    @usableFromInline
    static func multiByteScalar(at index: Int, lead: UInt8,
                                in bytes: UnsafeBufferPointer<UInt8>) -> (value: UInt32, length: Int) {
        let length: Int
        var lowest: UInt8 = 0x80, highest: UInt8 = 0xBF  // allowed range of the second byte
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lowest = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: length = 3
        case 0xED: length = 3; highest = 0x9F  // no surrogates
        case 0xF0: length = 4; lowest = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; highest = 0x8F  // nothing above U+10FFFF
        default: return (replacement, 1)  // continuation byte, C0, C1, F5–FF
        }
        guard index + length <= bytes.count else { return (replacement, 1) }
        let second = bytes[index + 1]
        guard second >= lowest && second <= highest else { return (replacement, 1) }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        value = value << 6 | UInt32(second & 0x3F)
        var offset = 2
        while offset < length {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return (replacement, 1) }
            value = value << 6 | UInt32(byte & 0x3F)
            offset += 1
        }
        return (value, length)
    }
}
