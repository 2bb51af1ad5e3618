import DebtflowCore
import Testing

@Suite("RecordTape: a chunk's records as one byte arena and one node table")
struct RecordTapeTests {
    /// A record with every kind of value, nesting, escapes, non-ASCII text, an empty key and
    /// empty containers.
    static let sample: RecordValue = .object(RecordObject([
        "name": .string("Zoé \"Zaza\" Dupont\n"),
        "amount": .number("1234.50"),
        "active": .bool(true),
        "closed": .bool(false),
        "note": .null,
        "": .string("empty key"),
        "tab\tkey": .string("x"),
        "contact": .object(RecordObject(["mobile": .string("0612345678"), "mail": .string("a@b.fr")])),
        "tags": .array([.string("a"), .array([.number("1"), .object(RecordObject())]), .array([])]),
        "after": .string("last"),
    ]))

    @Test("a tree written to a tape reads back as the same tree")
    func roundTrip() {
        let view = RecordView(Self.sample)
        #expect(view.value == Self.sample)
        #expect(view.kind == .object)
        #expect(view.count == 10)
    }

    @Test("JSON of a view is byte for byte the JSON of the same tree")
    func jsonIsByteIdentical() {
        var fromTree = JSONByteWriter()
        fromTree.value(Self.sample)
        var fromTape = JSONByteWriter()
        fromTape.value(RecordView(Self.sample))
        #expect(fromTape.bytes == fromTree.bytes)
        #expect(String(decoding: fromTape.bytes, as: UTF8.self).contains(#""name":"Zoé \"Zaza\" Dupont\n""#))
    }

    @Test("a view nested in an array writes with commas, as the tree does")
    func viewsInsideAWriterContainer() {
        let a = RecordView(.object(RecordObject(["k": .string("v")])))
        let b = RecordView(.array([.number("1"), .null]))
        var writer = JSONByteWriter()
        writer.beginArray()
        writer.value(a)
        writer.value(b)
        writer.endArray()
        writer.beginObject()
        writer.key("x")
        writer.value(a)
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"[{"k":"v"},[1,null]]{"x":{"k":"v"}}"#)
    }

    @Test("children jump over nested subtrees")
    func childrenSkipSubtrees() {
        let view = RecordView(Self.sample)
        #expect(view.children.map(\.key) == ["name", "amount", "active", "closed", "note", "", "tab\tkey", "contact", "tags", "after"])
        #expect(view["tags"]?.children.map(\.kind) == [.string, .array, .array])
        #expect(view["after"]?.scalarText == "last")
        #expect(view["amount"]?.scalarText == "1234.50")
        #expect(view["active"]?.scalarText == "true")
        #expect(view["note"]?.scalarText == nil)
        #expect(view["missing"] == nil)
    }

    @Test("dotted paths reach into nested objects, a dotted key first as a whole")
    func dottedPaths() {
        let view = RecordView(.object(RecordObject([
            "contact": .object(RecordObject(["mobile": .string("06")])),
            "a.b": .string("whole"),
            "a": .object(RecordObject(["b": .string("nested")])),
        ])))
        #expect(view.value(atPath: "contact.mobile")?.scalarText == "06")
        #expect(view.value(atPath: "a.b")?.scalarText == "whole")
        #expect(view.value(atPath: "contact.fax") == nil)
        #expect(view.value(atPath: "contact")?.kind == .object)
    }

    @Test("flags mark texts that need escaping or are not ASCII, found once at build time")
    func flags() {
        let view = RecordView(Self.sample)
        #expect(view["name"]?.node.flags == [.valueNeedsEscaping, .valueIsNonASCII])
        #expect(view["after"]?.node.flags == [])
        #expect(view["tab\tkey"]?.node.flags == [.keyNeedsEscaping])
    }

    @Test("many records share one tape, and a key stored once serves every record")
    func sharedKeys() {
        var builder = RecordTapeBuilder()
        let header = ["id", "name"].map { builder.appendBytes($0) }
        var roots: [Int] = []
        for row in [["1", "Ada"], ["2", "Brahim"], ["3", ""]] {
            let root = builder.beginObject()
            for (key, text) in zip(header, row) {
                var text = text
                text.withUTF8 { builder.appendString(key: key, $0) }
            }
            builder.end(root)
            roots.append(root)
        }
        let tape = builder.finish()
        let records = roots.map { RecordView(tape: tape, index: $0) }
        #expect(records.map { $0["name"]?.scalarText } == ["Ada", "Brahim", ""])
        #expect(records.allSatisfy { $0.children.map(\.node.key) == [header[0], header[1]] })
        // The keys' bytes appear once in the arena.
        #expect(tape.bytes.count == "idname".utf8.count + "1Ada2Brahim3".utf8.count)
    }

    @Test("truncate takes back a record that turned out bad half-way")
    func truncateDropsAHalfBuiltRecord() {
        var builder = RecordTapeBuilder()
        let outer = builder.beginArray()
        builder.append(.string("kept"))
        let nodes = builder.nodeCount, bytes = builder.byteCount
        let bad = builder.beginObject()
        let key = builder.appendBytes("k")
        builder.append(.string("dropped"), key: key)
        _ = bad
        builder.truncate(nodesFrom: nodes, bytesFrom: bytes)
        builder.append(.number("7"))
        builder.end(outer)
        let view = RecordView(tape: builder.finish(), index: outer)
        #expect(view.value == .array([.string("kept"), .number("7")]))
    }

    @Test("truncate takes back several siblings, nested containers still open, or nothing at all")
    func truncateCountsTheDroppedChildren() {
        var builder = RecordTapeBuilder()
        let outer = builder.beginArray()
        builder.append(.string("kept"))
        let nodes = builder.nodeCount, bytes = builder.byteCount
        builder.append(.number("1"))
        builder.append(.object(RecordObject(["a": .array([.null])])))
        let open = builder.beginObject()
        _ = builder.beginArray(key: builder.appendBytes("still open"))
        _ = open
        builder.truncate(nodesFrom: nodes, bytesFrom: bytes)
        builder.truncate(nodesFrom: builder.nodeCount, bytesFrom: builder.byteCount)
        builder.append(.bool(true))
        builder.end(outer)
        let view = RecordView(tape: builder.finish(), index: outer)
        #expect(view.value == .array([.string("kept"), .bool(true)]))
        #expect(view.count == 2)
    }

    @Test("text decoded straight into the arena keeps only the bytes written")
    func appendBytesUpTo() {
        var builder = RecordTapeBuilder()
        let first = builder.appendBytes("ab")
        let decoded = builder.appendBytes(upTo: 8) { buffer in
            buffer[0] = 0xC3; buffer[1] = 0xA9   // "é"
            return 2
        }
        let none = builder.appendBytes(upTo: 4) { _ in 0 }
        #expect(first == ByteSpan(offset: 0, length: 2))
        #expect(decoded == ByteSpan(offset: 2, length: 2))
        #expect(none == ByteSpan(offset: 4, length: 0))
        builder.appendScalar(.string, value: decoded)
        let tape = builder.finish()
        #expect(tape.bytes.count == 4)
        #expect(RecordView(tape: tape, index: 0).scalarText == "é")
        #expect(tape.bytes(decoded, equal: "é"))
        #expect(!tape.bytes(decoded, equal: "e"))
        #expect(tape.bytes(first, equal: first))
    }

    @Test("a record made from a tree keeps its fields, and setting fields replaces them")
    func recordFieldsAndView() {
        var record = Record(provenance: Provenance(source: "x.csv", record: 1), fields: RecordObject(["a": .string("1")]))
        #expect(record.view["a"]?.scalarText == "1")
        record.fields = RecordObject(["b": .number("2")])
        #expect(record.fields == RecordObject(["b": .number("2")]))
        #expect(record.view["a"] == nil)
    }

    @Test("empty tapes and scalars at the root")
    func edges() {
        #expect(RecordView(RecordObject()).isEmpty)
        #expect(RecordView(RecordObject()).object == RecordObject())
        #expect(RecordView(.string("")).scalarText == "")
        #expect(RecordView(.string("x")).count == 0)
        #expect(RecordView(.string("x")).children.map(\.key).isEmpty)
        var writer = JSONByteWriter()
        writer.value(RecordView(.number("-1e3")))
        #expect(writer.bytes == Array("-1e3".utf8))
    }
}

@Suite("Scanning a record's cells on the node table")
struct ContainsChildTests {
    @Test("visits the direct children in order, skipping over nested ones, and stops at the first match")
    func directChildrenInOrder() {
        let view = RecordView(RecordObject([
            "a": .string("x"),
            "nested": .object(RecordObject(["inner": .string("y")])),
            "list": .array([.string("z"), .number("1")]),
            "b": .string("w"),
        ]))
        var seen: [String] = []
        let found = view.containsChild { node, _, bytes in
            seen.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[Int(node.key.offset)..<node.key.end]), as: UTF8.self))
            return false
        }
        #expect(!found)
        #expect(seen == ["a", "nested", "list", "b"])
        var visited = 0
        #expect(view.containsChild { node, _, _ in visited += 1; return node.kind == .object })
        #expect(visited == 2)
    }

    @Test("a scalar or an empty container has no children")
    func noChildren() {
        #expect(!RecordView(.string("s")).containsChild { _, _, _ in true })
        #expect(!RecordView(RecordObject()).containsChild { _, _, _ in true })
    }
}

@Suite("Byte equality, eight bytes at a time")
struct SameBytesTests {
    @Test("same bytes, different bytes, different counts, empty buffers")
    func cases() {
        func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
            a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.sameBytes(as: b) } }
        }
        #expect(same(Array("DOS-1".utf8), Array("DOS-1".utf8)))
        #expect(!same(Array("DOS-1".utf8), Array("DOS-2".utf8)))
        #expect(!same(Array("DOS-1".utf8), Array("DOS-10".utf8)))
        #expect(same([], []))
        #expect(!same([], [0]))
        // Past one word, and a difference in the word part and in the tail.
        let long = Array("FR76 3000 6000 0112 3456 7890 189".utf8)
        #expect(same(long, long))
        var changedWord = long
        changedWord[3] = UInt8(ascii: "7")
        #expect(!same(long, changedWord))
        var changedTail = long
        changedTail[long.count - 1] = UInt8(ascii: "8")
        #expect(!same(long, changedTail))
        #expect(UnsafeBufferPointer<UInt8>(start: nil, count: 0).sameBytes(as: UnsafeBufferPointer(start: nil, count: 0)))
    }
}
