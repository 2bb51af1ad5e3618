import DebtflowCore
import Testing

/// The bounds of ``RecordTapeBuilder`` the readers rely on when they build a chunk's tape.
@Suite("RecordTapeBuilder bounds")
struct RecordTapeBuilderBoundsTests {
    /// A record `{"n": <number>, "tags": ["x", …]}` appended inside whatever is open.
    static func appendRecord(_ number: String, tags: Int, to builder: inout RecordTapeBuilder) -> Int {
        let root = builder.beginObject()
        builder.appendScalar(.number, key: builder.appendBytes("n"), value: builder.appendBytes(number))
        let list = builder.beginArray(key: builder.appendBytes("tags"))
        for _ in 0..<tags { builder.appendScalar(.string, value: builder.appendBytes("x")) }
        builder.end(list)
        builder.end(root)
        return root
    }

    @Test("a record over the limit is taken back with truncate: its parent's count, the arena and the next record are right")
    func recordTakenBack() {
        var builder = RecordTapeBuilder()
        let outer = builder.beginArray()
        _ = Self.appendRecord("1", tags: 1, to: &builder)
        let keptBytes = builder.byteCount
        let keptNodes = builder.nodeCount
        // A record that turns out too large half-way: containers still open when it is dropped.
        let dropped = builder.beginObject()
        let list = builder.beginArray(key: builder.appendBytes("tags"))
        for _ in 0..<100 { builder.appendScalar(.string, value: builder.appendBytes("too large")) }
        _ = list
        builder.truncate(nodesFrom: dropped, bytesFrom: keptBytes)
        #expect(builder.byteCount == keptBytes)
        #expect(builder.nodeCount == keptNodes)
        #expect(builder.isInsideContainer)
        _ = Self.appendRecord("3", tags: 2, to: &builder)
        builder.end(outer)
        let view = RecordView(tape: builder.finish(), index: outer)
        #expect(view.count == 2)
        var writer = JSONByteWriter()
        writer.value(view)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[{"n":1,"tags":["x"]},{"n":3,"tags":["x","x"]}]"#)
    }

    @Test("a record taken back at the top level leaves the records before it whole")
    func topLevelRecordTakenBack() {
        var builder = RecordTapeBuilder()
        let first = Self.appendRecord("1", tags: 0, to: &builder)
        let bytes = builder.byteCount
        let second = Self.appendRecord("2", tags: 3, to: &builder)
        builder.truncate(nodesFrom: second, bytesFrom: bytes)
        #expect(!builder.isInsideContainer)
        let tape = builder.finish()
        #expect(tape.nodes.count == 3)
        #expect(RecordView(tape: tape, index: first).value == .object(RecordObject(entries: [
            .init(key: "n", value: .number("1")), .init(key: "tags", value: .array([])),
        ])))
    }

    @Test("decoding straight into the arena keeps only the bytes written, and never more than reserved")
    func appendUpTo() {
        var builder = RecordTapeBuilder()
        _ = builder.appendBytes("ab")
        let span = builder.appendBytes(upTo: 8) { buffer in
            buffer[0] = UInt8(ascii: "c")
            buffer[1] = UInt8(ascii: "d")
            return 2
        }
        #expect(span == ByteSpan(offset: 2, length: 2))
        #expect(builder.byteCount == 4)
        builder.appendScalar(.string, value: span)
        #expect(RecordView(tape: builder.finish(), index: 0).scalarText == "cd")
    }

    private struct Refused: Error {}

    @Test("text decoded into the arena keeps only the bytes written; a decoder that throws leaves the arena as it was")
    func decodedTextKeepsWhatWasWritten() throws {
        var builder = RecordTapeBuilder()
        let before = builder.appendBytes("ab")
        let decoded = builder.appendBytes(upTo: 12) { spare in
            for (index, byte) in "xyz".utf8.enumerated() { spare[index] = byte }
            return 3
        }
        #expect(before == ByteSpan(offset: 0, length: 2))
        #expect(decoded == ByteSpan(offset: 2, length: 3))
        #expect(builder.byteCount == 5)
        #expect(throws: Refused.self) {
            _ = try builder.appendBytes(upTo: 8) { spare in
                spare[0] = UInt8(ascii: "!")
                throw Refused()
            }
        }
        #expect(builder.byteCount == 5)
        let after = builder.appendBytes("q")
        #expect(after == ByteSpan(offset: 5, length: 1))
        #expect(Array(builder.finish().bytes) == Array("abxyzq".utf8))
    }

    @Test("empty texts add nothing, and an arena grown from no capacity keeps every text in place")
    func arenaGrowsFromNothing() {
        var builder = RecordTapeBuilder(byteCapacity: 0)
        var expected: [UInt8] = []
        var spans: [ByteSpan] = []
        let empty: [UInt8] = []
        for index in 0..<3000 {
            let text = Array(String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: index % 41).utf8)
            spans.append(text.withUnsafeBufferPointer { builder.appendBytes($0) })
            expected += text
            let none = empty.withUnsafeBufferPointer { builder.appendBytes($0) }
            #expect(none.length == 0)
        }
        let tape = builder.finish()
        #expect(Array(tape.bytes) == expected)
        for (index, span) in spans.enumerated() {
            #expect(Int(span.length) == index % 41)
        }
        // Text 2999 is 2999 % 41 = 6 times the letter 2999 % 26 = 9 after "a".
        #expect(tape.string(spans[2999]) == "jjjjjj")
    }

    @Test("texts of 0 to 40 bytes appended with appendText(paddedRun:) land whole and in place, the arena grown from nothing or not")
    func shortTextsCopiedInline() {
        for capacity in [0, 4096] {
            var builder = RecordTapeBuilder(byteCapacity: capacity)
            var expected: [UInt8] = []
            var spans: [ByteSpan] = []
            for round in 0..<3 {
                for length in 0...40 {
                    // Bytes that differ by place, so that a word copied to the wrong place shows.
                    let text = (0..<length).map { UInt8(truncatingIfNeeded: 0x41 + ($0 * 7 + length + round) % 60) }
                    // 32 readable bytes after the text, as a JSON cursor's padded buffer has.
                    let padded = text + [UInt8](repeating: 0x7E, count: 32)
                    spans.append(padded.withUnsafeBufferPointer { builder.appendText(paddedRun: UnsafeBufferPointer(rebasing: $0[..<length])) })
                    expected += text
                }
            }
            let tape = builder.finish()
            #expect(Array(tape.bytes) == expected, "capacity \(capacity)")
            var offset = 0
            for (index, span) in spans.enumerated() {
                #expect(span == ByteSpan(offset: UInt32(offset), length: UInt32(index % 41)), "capacity \(capacity), text \(index)")
                offset += index % 41
            }
        }
    }

    @Test("a flat object appended in one piece is the tape that begin, appendScalar and end build", arguments: [0, 1, 5])
    func flatObjectInOnePiece(members: Int) {
        func build(onePiece: Bool) -> RecordTape {
            var builder = RecordTapeBuilder()
            for row in 0..<3 {
                let members = (0..<members).map { index in
                    (key: builder.appendBytes("k\(index)"), value: builder.appendBytes("v\(row)-\(index)"),
                     flags: index == 1 ? RecordNode.Flags.valueIsNonASCII : [])
                }
                if onePiece {
                    _ = builder.appendFlatObject(memberCount: members.count) { members[$0] }
                } else {
                    let root = builder.beginObject()
                    for member in members { builder.appendScalar(.string, key: member.key, value: member.value, knownFlags: member.flags) }
                    builder.end(root)
                }
            }
            return builder.finish()
        }
        let piecewise = build(onePiece: false)
        let onePiece = build(onePiece: true)
        #expect(Array(onePiece.nodes) == Array(piecewise.nodes))
        #expect(Array(onePiece.bytes) == Array(piecewise.bytes))
        #expect(RecordView(tape: onePiece, index: 0).count == members)
    }
}

