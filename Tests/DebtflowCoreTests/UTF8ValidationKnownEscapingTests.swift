import DebtflowCore
import Testing

/// `UTF8Validation.tapeFlags(of:needsEscaping:)`, for a text whose escaping the caller knows: the
/// flags `tapeFlags(of:)` finds, given that part, for well-formed and ill-formed UTF-8 alike.
@Suite("UTF-8 validation with the escaping known")
struct UTF8ValidationKnownEscapingTests {
    static let texts: [[UInt8]] = [
        [], Array("Ségolène".utf8), Array("Moreau".utf8), Array("a\"b\\c".utf8), Array("日本語 😀 é".utf8),
        [0x41, 0x0A, 0xC3, 0xA9], [0xC3], [0xC3, 0x41], [0x80], [0xC0, 0xAF], [0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80],
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xF0, 0x9F, 0x98], [0xEF, 0xBF, 0xBF], [0x61, 0xFF],
    ]

    @Test("the same flags as tapeFlags(of:) for every text, ill-formed ones nil", arguments: texts)
    func sameAsTapeFlags(_ text: [UInt8]) {
        text.withUnsafeBufferPointer { bytes in
            let full = UTF8Validation.tapeFlags(of: bytes)
            let escaping = full?.contains(.valueNeedsEscaping) ?? false
            #expect(UTF8Validation.tapeFlags(of: bytes, needsEscaping: escaping) == full)
            #expect((UTF8Validation.tapeFlags(of: bytes, needsEscaping: true) == nil) == (full == nil))
        }
    }

    @Test("the same flags at every place in ASCII around it: in or across the eight-byte words the ASCII is skipped in, and in the last bytes", arguments: texts)
    func sameAtEveryPlace(_ text: [UInt8]) {
        for before in 0...17 {
            for after in [0, 1, 3, 7, 8, 9] {
                let padded = Array(repeating: UInt8(ascii: "a"), count: before) + text + Array(repeating: UInt8(ascii: "z"), count: after)
                padded.withUnsafeBufferPointer { bytes in
                    let full = UTF8Validation.tapeFlags(of: bytes)
                    let escaping = full?.contains(.valueNeedsEscaping) ?? false
                    #expect(UTF8Validation.tapeFlags(of: bytes, needsEscaping: escaping) == full, "\(before) \(text) \(after)")
                }
            }
        }
    }
}
