import DebtflowCore
import Testing

@Suite("UTF-8 decoding: scalars from untrusted bytes, bounds-checked")
struct UTF8DecodingTests {
    /// Every scalar of `bytes`, forward, as (value, length).
    private func forward(_ bytes: [UInt8]) -> [UInt32] {
        bytes.withUnsafeBufferPointer { buffer in
            var values: [UInt32] = []
            var index = 0
            while index < buffer.count {
                let (value, length) = UTF8Decoding.scalar(at: index, in: buffer)
                values.append(value)
                index += length
            }
            return values
        }
    }

    /// Every scalar of `bytes`, backward from the end, in reading order.
    private func backward(_ bytes: [UInt8]) -> [UInt32] {
        bytes.withUnsafeBufferPointer { buffer in
            var values: [UInt32] = []
            var end = buffer.count
            while end > 0 {
                let (value, length) = UTF8Decoding.scalar(endingAt: end, in: buffer)
                values.insert(value, at: 0)
                end -= length
            }
            return values
        }
    }

    @Test("well-formed text reads as its scalars, forward and backward (1 to 4 bytes each)")
    func wellFormed() {
        let text = "a\u{A0}é€𝄞z"
        let expected = text.unicodeScalars.map(\.value)
        #expect(forward(Array(text.utf8)) == expected)
        #expect(backward(Array(text.utf8)) == expected)
    }

    @Test("an empty buffer has no scalar; one byte is one scalar")
    func emptyAndOneByte() {
        #expect(forward([]) == [])
        #expect(forward([0x41]) == [0x41])
        #expect(backward([0x41]) == [0x41])
    }

    @Test("ill-formed bytes read as U+FFFD, one byte at a time, never past the buffer", arguments: [
        [0x80] as [UInt8],            // a stray continuation byte
        [0xC3],                       // a lead byte cut short by the end
        [0xE2, 0x82],                 // a three-byte sequence cut short
        [0xC0, 0x80],                 // an overlong NUL
        [0xED, 0xA0, 0x80],           // a surrogate
        [0xF4, 0x90, 0x80, 0x80],     // above U+10FFFF
        [0xFF],                       // never in UTF-8
    ])
    func illFormed(bytes: [UInt8]) {
        let replacement = [UInt32](repeating: UTF8Decoding.replacement, count: bytes.count)
        #expect(forward(bytes) == replacement)
        #expect(backward(bytes) == replacement)
    }

    @Test("a cut-short sequence before well-formed text does not swallow it")
    func cutShortThenText() {
        #expect(forward([0xE2, 0x82, 0x41]) == [0xFFFD, 0xFFFD, 0x41])
        #expect(backward([0x41, 0x80, 0x80, 0x80]) == [0x41, 0xFFFD, 0xFFFD, 0xFFFD])
    }
}
