/// Whether bytes are well-formed UTF-8 (Unicode 15, table 3-7): the same answer as
/// `String(validating:as: UTF8.self) != nil`, without making a `String`.
///
/// Rejects what the standard rejects: stray continuation bytes, truncated sequences, overlong
/// forms (`C0`, `C1`, `E0 80…9F`, `F0 80…8F`), UTF-16 surrogates (`ED A0…BF`) and values past
/// U+10FFFF (`F4 90…`, `F5`–`FF`).
enum UTF8Validation {
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
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
            default: return false
            }
            guard index + length <= count else { return false }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return false }
            var next = index + 2
            while next < index + length {
                guard bytes[next] & 0xC0 == 0x80 else { return false }
                next += 1
            }
            index += length
        }
        return true
    }
}
