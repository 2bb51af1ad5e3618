import DebtflowCore
@testable import DebtflowJSON
import Testing

/// ``JSONStringStop/mask(_:)``: its lowest mark is the first `"`, `\` or control byte of the
/// word, exactly where ``JSONEscapeScan/escapeMask(_:)`` finds it, and it is zero when the word
/// holds none.
@Suite("JSON string stop mask")
struct JSONStringStopTests {
    /// The index of the first byte of `bytes` a JSON string must escape, or `nil`.
    static func firstStop(_ bytes: [UInt8]) -> Int? {
        bytes.firstIndex { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
    }

    static func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { ByteWord.load($0.baseAddress!, at: 0) }
    }

    /// Whether the mask is right for `bytes`: only high bits, the lowest one at the first stop
    /// (where the exact escape mask has its first), none without a stop.
    static func isRight(_ bytes: [UInt8]) -> Bool {
        let mask = JSONStringStop.mask(word(bytes))
        guard mask & ~ByteWord.highBits == 0 else { return false }
        guard let stop = firstStop(bytes) else { return mask == 0 }
        return mask != 0 && ByteWord.firstMarked(mask) == stop
            && ByteWord.firstMarked(JSONEscapeScan.escapeMask(word(bytes))) == stop
    }

    @Test("every byte value at every place of a word, after plain bytes and before any bytes")
    func everyByteEverywhere() {
        // Bytes around the one tried: plain ones, and ones that would borrow or match themselves.
        var wrong: [[UInt8]] = []
        let fillers: [UInt8] = [UInt8(ascii: "a"), 0x20, 0x80, 0xFF, 0x00, UInt8(ascii: "\"")]
        for place in 0..<8 {
            for value in 0...255 {
                for before in fillers where Self.firstStop([before]) == nil {
                    for after in fillers {
                        var bytes = [UInt8](repeating: before, count: 8)
                        bytes[place] = UInt8(value)
                        for index in (place + 1)..<8 { bytes[index] = after }
                        if !Self.isRight(bytes) { wrong.append(bytes) }
                    }
                }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }

    @Test("random words, stops and bytes ≥ 0x80 mixed in")
    func randomWords() {
        var wrong: [[UInt8]] = []
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let interesting: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF]
        for _ in 0..<20000 {
            var bytes: [UInt8] = []
            for _ in 0..<8 {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let pick = Int(truncatingIfNeeded: state >> 33)
                bytes.append(pick % 3 == 0 ? interesting[(pick >> 2) % interesting.count] : UInt8(truncatingIfNeeded: pick >> 8))
            }
            if !Self.isRight(bytes) { wrong.append(bytes) }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(5))")
    }
}
