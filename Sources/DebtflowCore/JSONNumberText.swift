/// JSON numbers as exporters write them.
public enum JSONNumberText {
    /// The longest plain decimal an exponent is written out to (a longer one is no amount).
    public static let maxPlainLength = 40

    /// `text` written without its exponent, exactly (no binary floating point): `4.74e1` →
    /// `47.4`, `1E+2` → `100`, `25e-2` → `0.25`, `-1.5E3` → `-1500`. A JSON serializer writes
    /// large or small doubles so (Jackson: `1.0E7`), so a JSON number in exponent form is read as
    /// the amount it denotes. `nil` when `text` has no exponent, is not a JSON number, or would be
    /// longer than ``maxPlainLength`` written out (`1e400`: left as it is, and refused as an amount).
    ///
    /// Only for the number nodes of JSON input: in CSV text, Excel's `1.23457E+11` has lost digits.
    public static func plainDecimal(_ text: UnsafeBufferPointer<UInt8>) -> String? {
        guard let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) else { return nil }
        // The mantissa: an optional `-`, digits, optionally `.` and digits.
        var position = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { position = 1 }
        var digits: [UInt8] = []
        var integerDigits = 0
        var seenPoint = false
        while position < e {
            let byte = text[position]
            if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits.append(byte)
                if !seenPoint { integerDigits += 1 }
            } else {
                return nil
            }
            position += 1
        }
        guard integerDigits > 0, !digits.isEmpty, !(seenPoint && digits.count == integerDigits) else { return nil }
        // The exponent: an optional sign and digits, kept small.
        position = e + 1
        var exponentNegative = false
        if position < text.count, text[position] == UInt8(ascii: "+") || text[position] == UInt8(ascii: "-") {
            exponentNegative = text[position] == UInt8(ascii: "-")
            position += 1
        }
        guard position < text.count else { return nil }
        var exponent = 0
        while position < text.count {
            let byte = text[position]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
            guard exponent <= maxPlainLength else { return nil }
            position += 1
        }
        // Where the decimal point falls among `digits`, then the digits written around it.
        let point = integerDigits + (exponentNegative ? -exponent : exponent)
        var plain: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if point <= 0 {
            plain += [UInt8(ascii: "0"), UInt8(ascii: ".")] + [UInt8](repeating: UInt8(ascii: "0"), count: -point) + digits
        } else if point >= digits.count {
            plain += digits + [UInt8](repeating: UInt8(ascii: "0"), count: point - digits.count)
        } else {
            plain += digits[..<point] + [UInt8(ascii: ".")] + digits[point...]
        }
        // Leading zeros of the integer part (`0.5e1` → `05`) go, one is kept before a point.
        let signLength = negative ? 1 : 0
        while plain.count > signLength + 1, plain[signLength] == UInt8(ascii: "0"), plain[signLength + 1] != UInt8(ascii: ".") {
            plain.remove(at: signLength)
        }
        guard plain.count <= maxPlainLength else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }
}
