@testable import DebtflowRead
import Testing

/// The attribute flood guard reads eight bytes at a time; its decisions and lines must be those
/// of the plain byte-by-byte scan it replaced (kept here as the reference), whatever the bytes
/// and wherever the reads are cut.
@Suite("XML attribute flood guard against the byte-by-byte scan")
struct XMLAttributeFloodGuardScanTests {
    /// The scan as it was written before: one byte at a time, lines counted as it goes.
    struct ReferenceScan {
        enum State: Equatable { case text, tagStart, startTag, quoted(UInt8), otherMarkup }
        let maxAttributes: Int
        var state = State.text
        var attributes = 0
        var line = 1

        mutating func scan(_ bytes: [UInt8]) -> Bool {
            for byte in bytes {
                if byte == 0x0A { line += 1 }
                switch state {
                case .text: if byte == 0x3C { state = .tagStart }
                case .tagStart:
                    if byte == 0x21 || byte == 0x3F || byte == 0x2F { state = .otherMarkup } else { state = .startTag; attributes = 0 }
                case .startTag:
                    switch byte {
                    case 0x22, 0x27: state = .quoted(byte)
                    case 0x3E: state = .text
                    case 0x3D:
                        attributes += 1
                        if attributes > maxAttributes { return false }
                    default: break
                    }
                case .quoted(let quote): if byte == quote { state = .startTag }
                case .otherMarkup: if byte == 0x3E { state = .text }
                }
            }
            return true
        }
    }

    @Test("random documents cut into random reads: the same refusals at the same lines", arguments: [1, 2, 3, 4, 5])
    func matchesReference(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let full = Array("<<>>==\"\"''!?/\n\n   abcdefgh".utf8)
        // Reads without `=` or quotes take the guard's shortcut (resume after the last `>`).
        let plain = Array("<<>>!?/\n   abcdefgh".utf8)
        for _ in 0..<600 {
            let length = Int(random.next() % 300)
            // Runs of 1 to 60 bytes, each drawn from one of the two alphabets.
            var document: [UInt8] = []
            while document.count < length {
                let alphabet = random.next() % 3 == 0 ? full : plain
                for _ in 0..<(1 + Int(random.next() % 60)) {
                    document.append(alphabet[Int(random.next() % UInt64(alphabet.count))])
                }
            }
            let maxAttributes = Int(random.next() % 4)
            var reference = ReferenceScan(maxAttributes: maxAttributes)
            var scanner = XMLAttributeFloodGuard(maxAttributes: maxAttributes)
            var start = 0
            while start < document.count {
                let end = min(document.count, start + 1 + Int(random.next() % 40))
                let read = Array(document[start..<end])
                let expected = reference.scan(read)
                let found = read.withUnsafeBytes { scanner.scan($0) }
                #expect(found == expected, "\(String(decoding: document, as: UTF8.self))")
                if !expected {
                    #expect(scanner.line == reference.line, "\(String(decoding: document, as: UTF8.self))")
                    break
                }
                start = end
            }
            if start >= document.count { #expect(scanner.line == reference.line) }
        }
    }

    @Test("lines are counted right over long reads full of line feeds, up to a refusal far into the input",
          arguments: [1_000, 65_536, 1 << 20])
    func linesOverLongReads(readSize: Int) {
        var document: [UInt8] = []
        for line in 0..<30_000 {
            // Lines of 0 to 12 bytes, some all line feeds, so every lane of a word fills up.
            document += [UInt8](repeating: UInt8(ascii: "x"), count: line % 13) + [0x0A]
            if line % 7 == 0 { document += [0x0A, 0x0A, 0x0A, 0x0A, 0x0A, 0x0A, 0x0A, 0x0A, 0x0A] }
            if line == 20_000 { document += [UInt8](repeating: 0x0A, count: 5_000) }
        }
        document += Array("<r a=1 b=2 c=3\n d=4>".utf8)
        var reference = ReferenceScan(maxAttributes: 3)
        var scanner = XMLAttributeFloodGuard(maxAttributes: 3)
        var start = 0
        var refused = false
        while start < document.count && !refused {
            let read = Array(document[start..<min(document.count, start + readSize)])
            let expected = reference.scan(read)
            #expect(read.withUnsafeBytes { scanner.scan($0) } == expected)
            refused = !expected
            start += readSize
        }
        #expect(refused)
        #expect(scanner.line == reference.line)
        #expect(reference.line == 1 + document.filter { $0 == 0x0A }.count)
    }

    struct SeededRandom {
        var state: UInt64
        init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }
}
