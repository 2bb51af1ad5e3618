@testable import DebtflowCore
import Testing

/// The word-at-a-time byte finders (``ByteWord``) and the JSON escape scan built on them mark
/// exactly the bytes a byte-by-byte look marks: every byte value, in every lane, next to the
/// neighbours that make the classic tricks go wrong (a zero, a match, 0x7F, 0x80, 0xFF).
@Suite("Byte words: finding bytes eight at a time")
struct ByteWordTests {
    /// The bytes whose neighbourhood a carry or a borrow could spoil.
    private static let neighbours: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x22, 0x2A, 0x5C, 0x63, 0x7F, 0x80, 0xFF]

    /// Each byte of `lanes` in its own lane of a word, the first in the lowest bits.
    private static func word(_ lanes: [UInt8]) -> UInt64 {
        lanes.enumerated().reduce(0) { $0 | UInt64($1.element) << UInt64(8 * $1.offset) }
    }

    /// The mask a byte-by-byte look gives: 0x80 in each lane whose byte satisfies `matches`.
    private static func expectedMask(_ lanes: [UInt8], _ matches: (UInt8) -> Bool) -> UInt64 {
        lanes.enumerated().reduce(0) { matches($1.element) ? $0 | 0x80 << UInt64(8 * $1.offset) : $0 }
    }

    /// Every byte value in every lane, with every neighbour in the other lanes.
    private static func words() -> [[UInt8]] {
        var all: [[UInt8]] = []
        for lane in 0..<8 {
            for byte in 0...255 {
                for neighbour in neighbours {
                    var lanes = Array(repeating: neighbour, count: 8)
                    lanes[lane] = UInt8(byte)
                    all.append(lanes)
                }
            }
        }
        return all
    }

    @Test("equalTo marks exactly the lanes holding the byte", arguments: [0x00, 0x22, 0x2A, 0x5C, 0x63, 0x7F, 0x80, 0xFF] as [UInt8])
    func equalTo(target: UInt8) {
        for lanes in Self.words() {
            #expect(ByteWord.bytes(equalTo: target, in: Self.word(lanes)) == Self.expectedMask(lanes) { $0 == target }, "\(lanes)")
        }
    }

    @Test("below marks exactly the lanes under the limit, and never a byte of 0x80 or more", arguments: [1, 0x20, 0x41, 0x80] as [UInt8])
    func below(limit: UInt8) {
        for lanes in Self.words() {
            #expect(ByteWord.bytes(below: limit, in: Self.word(lanes)) == Self.expectedMask(lanes) { $0 < limit }, "\(lanes)")
        }
    }

    @Test("zeroBytes and the first marked lane")
    func zeroBytesAndFirst() {
        for lanes in Self.words() {
            let mask = ByteWord.zeroBytes(Self.word(lanes))
            #expect(mask == Self.expectedMask(lanes) { $0 == 0 })
            if let first = lanes.firstIndex(of: 0) { #expect(ByteWord.firstMarked(mask) == first) }
        }
        #expect(ByteWord.firstBytes(0) == 0)
        #expect(ByteWord.firstBytes(3) == 0xFF_FFFF)
        let nine: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        #expect(nine.withUnsafeBytes { ByteWord.load($0.baseAddress!, at: 1) } == 0x0908_0706_0504_0302)
    }

    @Test("the JSON escape scan, and the one that copies as it scans, find the first byte to escape at every position of texts up to 40 bytes, whatever comes before and after it")
    func firstByteToEscape() {
        let needsEscape: (UInt8) -> Bool = { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
        let fillers: [[UInt8]] = [[0x61], Array("é".utf8), [0x7F], [0x80, 0xFF], [0x20, 0x21, 0x5B, 0x5D]]
        let specials: [UInt8?] = [nil, 0x00, 0x0A, 0x1F, 0x22, 0x5C]
        for length in 0...40 {
            for filler in fillers {
                for special in specials {
                    for position in special == nil ? [0] : Array(0..<max(length, 1)) where length > 0 || special == nil {
                        var text = (0..<length).map { filler[$0 % filler.count] }
                        if let special { text[position] = special }
                        // A second one later: the first must be the one reported.
                        if let special, position + 3 < length { text[position + 3] = special }
                        let expected = text.firstIndex(where: needsEscape) ?? length
                        let found = text.withUnsafeBufferPointer { JSONEscapeScan.firstByteToEscape(in: $0) }
                        #expect(found == expected, "\(text)")
                        // The scan that copies as it goes: the same answer, the bytes before it
                        // copied, nothing written past the text's length.
                        var target = [UInt8](repeating: 0xEE, count: length + 8)
                        let copied = text.withUnsafeBufferPointer { text in
                            target.withUnsafeMutableBytes { JSONEscapeScan.copyUntilEscape(text, to: $0.baseAddress!) }
                        }
                        #expect(copied == expected, "\(text)")
                        #expect(Array(target[..<expected]) == Array(text[..<expected]), "\(text)")
                        #expect(target[length...].allSatisfy { $0 == 0xEE }, "\(text)")
                    }
                }
            }
        }
    }

    @Test("a short copy writes exactly the bytes asked for, at every length up to 40, and nothing around them")
    func copyExactly() {
        let source: [UInt8] = (0..<40).map { UInt8($0 + 1) }
        for count in 0...40 {
            var target = [UInt8](repeating: 0xEE, count: 48)
            source.withUnsafeBytes { from in
                target.withUnsafeMutableBytes { to in ByteWord.copy(count, from: from.baseAddress!, to: to.baseAddress! + 4) }
            }
            #expect(Array(target[4..<(4 + count)]) == Array(source[0..<count]), "count \(count)")
            #expect(target[0..<4].allSatisfy { $0 == 0xEE } && target[(4 + count)...].allSatisfy { $0 == 0xEE }, "count \(count)")
        }
    }

    @Test("the first index of a byte is found at every position of a range, from every start, and nothing past the range's end")
    func firstIndexOfByte() {
        for length in 0...24 {
            for start in 0...min(length, 9) {
                for position in -1..<length {
                    // '*' at `position` (-1: none), and one more just past the end of the range.
                    var bytes = (0..<(length + 1)).map { UInt8(0x61 + $0 % 26) }
                    bytes[length] = UInt8(ascii: "*")
                    if position >= 0 { bytes[position] = UInt8(ascii: "*") }
                    let expected = position >= start ? position : nil
                    let found = bytes.withUnsafeBytes { ByteWord.firstIndex(of: UInt8(ascii: "*"), in: $0.baseAddress!, from: start, to: length) }
                    #expect(found == expected, "length \(length), start \(start), position \(position)")
                }
            }
        }
    }

    @Test("equal is a byte-by-byte compare for every length up to 40 and a difference in every place, reading no byte past the runs")
    func equalRuns() {
        let base: [UInt8] = (0..<40).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for count in 0...40 {
            // Each run in a buffer of exactly its size.
            let left = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 1)
            let right = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 1)
            defer { left.deallocate(); right.deallocate() }
            left.copyBytes(from: base[0..<count])
            right.copyBytes(from: base[0..<count])
            #expect(ByteWord.equal(left.baseAddress!, right.baseAddress!, count: count), "\(count)")
            for place in 0..<count {
                for flip: UInt8 in [0x01, 0x80, 0xFF] {
                    right[place] ^= flip
                    #expect(!ByteWord.equal(left.baseAddress!, right.baseAddress!, count: count), "\(count) \(place) \(flip)")
                    right[place] ^= flip
                }
            }
        }
    }
}
