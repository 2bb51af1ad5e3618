import DebtflowCore
import Testing

/// ``RecordNode/Flags/of(_:)`` reads eight bytes at a time while none may need escaping: every
/// byte that matters must be seen wherever it falls in a word or in the tail.
@Suite("Tape flags of a text")
struct RecordNodeFlagsTests {
    static func flags(_ bytes: [UInt8]) -> RecordNode.Flags {
        bytes.withUnsafeBufferPointer { RecordNode.Flags.of($0) }
    }

    @Test("a byte to escape or a non-ASCII byte is found at every position of texts of 0 to 40 bytes")
    func everyPosition() {
        #expect(Self.flags([]) == [])
        for length in 1...40 {
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(Self.flags(plain) == [], "length \(length)")
            for position in 0..<length {
                for (byte, expected) in [(UInt8(ascii: "\""), RecordNode.Flags.valueNeedsEscaping), (UInt8(ascii: "\\"), .valueNeedsEscaping),
                                         (0x00, .valueNeedsEscaping), (0x0A, .valueNeedsEscaping), (0x1F, .valueNeedsEscaping),
                                         (0x80, .valueIsNonASCII), (0xC3, .valueIsNonASCII), (0xFF, .valueIsNonASCII)] {
                    var text = plain
                    text[position] = byte
                    #expect(Self.flags(text) == expected, "byte \(byte) at \(position) of \(length)")
                }
                var both = plain
                both[position] = 0xE9
                both[length - 1 - position] = position == length - 1 - position ? 0x09 : UInt8(ascii: "\\")
                let expected: RecordNode.Flags = position == length - 1 - position ? .valueNeedsEscaping : [.valueNeedsEscaping, .valueIsNonASCII]
                #expect(Self.flags(both) == expected, "both at \(position) of \(length)")
            }
        }
    }

    @Test("bytes next to the ones that matter (space, !, #, [, ], DEL) need nothing")
    func neighboursNeedNothing() {
        let neighbours: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x7E, 0x30]
        for length in [7, 8, 9, 16, 17] {
            let text = (0..<length).map { neighbours[$0 % neighbours.count] }
            #expect(Self.flags(text) == [], "length \(length)")
        }
    }
}

@Suite("RecordTapeBuilder.appendNodes: whole records built elsewhere")
struct RecordTapeAppendNodesTests {
    @Test("nodes appended in one piece after records built node by node read as the same records")
    func appendedRecordsRead() {
        var builder = RecordTapeBuilder()
        builder.append(RecordTapeTests.sample)
        // A second copy of the sample, built aside: its nodes moved by where they land.
        var aside = RecordTapeBuilder()
        aside.append(RecordTapeTests.sample)
        let asideTape = aside.finish()
        let textBase = UInt32(builder.byteCount)
        let nodeBase = UInt32(builder.nodeCount)
        asideTape.bytes.withUnsafeBufferPointer { _ = builder.appendBytes($0) }
        let moved = asideTape.nodes.map { node -> RecordNode in
            var node = node
            if !node.key.isEmpty { node.key.offset += textBase }
            if node.kind != .object && node.kind != .array && !node.value.isEmpty { node.value.offset += textBase }
            node.end += nodeBase
            return node
        }
        moved.withUnsafeBufferPointer { builder.appendNodes($0) }
        let tape = builder.finish()
        #expect(RecordView(tape: tape, index: 0).value == RecordTapeTests.sample)
        #expect(RecordView(tape: tape, index: Int(nodeBase)).value == RecordTapeTests.sample)
        #expect(tape.nodes.count == 2 * Int(nodeBase))
    }
}
