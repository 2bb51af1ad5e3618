import DebtflowCore
import Testing

/// `JSONByteWriter.value(_: RecordView)` writes an object whose members are all scalars (every CSV
/// row) through `TapeNodeWriter`'s object loop; its bytes are those of the tree writer.
@Suite("JSON of a flat record on a tape")
struct FlatRecordWriteTests {
    private func bothWays(_ object: RecordObject, inside: Bool = false) -> (tree: String, tape: String) {
        writtenFromTreeAndTape(object, inside: inside, thenAString: false)
    }

    /// Every scalar kind, escaped keys and values, an empty key and non-ASCII text.
    private static let scalarMembers: [RecordObject.Entry] = [
        .init(key: "name", value: .string("Zoé \"Zaza\"\n")), .init(key: "n", value: .number("-1.5e3")),
        .init(key: "yes", value: .bool(true)), .init(key: "no", value: .bool(false)), .init(key: "none", value: .null),
        .init(key: "", value: .string("")), .init(key: "tab\tkey", value: .string("\u{1}")),
    ]

    @Test("every scalar kind, empty containers, escaped keys and values, an empty key and non-ASCII text write as the tree does")
    func everyScalarKind() {
        let object = RecordObject(entries: Self.scalarMembers + [
            .init(key: "o", value: .object(RecordObject())), .init(key: "l", value: .array([])),
        ])
        let (tree, tape) = bothWays(object)
        #expect(tape == tree)
        #expect(tape == #"{"name":"Zoé \"Zaza\"\n","n":-1.5e3,"yes":true,"no":false,"none":null,"":"","tab\tkey":"\u0001","o":{},"l":[]}"#)
    }

    @Test("an object of scalars only (a CSV row): every scalar kind, escapes, an empty key, in one piece and after another value")
    func scalarsOnly() {
        let object = RecordObject(entries: Self.scalarMembers)
        for inside in [false, true] {
            let (tree, tape) = bothWays(object, inside: inside)
            #expect(tape == tree)
        }
        #expect(bothWays(object).tape == #"{"name":"Zoé \"Zaza\"\n","n":-1.5e3,"yes":true,"no":false,"none":null,"":"","tab\tkey":"\u0001"}"#)
    }

    @Test("an empty object, and a flat object after another value in an array, write as the tree does")
    func emptyAndInsideAnArray() {
        #expect(bothWays(RecordObject()).tape == "{}")
        let (tree, tape) = bothWays(RecordObject(entries: [.init(key: "a", value: .string("1"))]), inside: true)
        #expect(tape == tree)
        #expect(tape == #"[null,{"a":"1"}]"#)
    }

    @Test("a record too long to bound in one piece (a long text that may need escaping) writes as the tree does, and so does a long plain one",
          arguments: [true, false])
    func pastTheOnePieceLimit(escaping: Bool) {
        let long = String(repeating: escaping ? "a\"b\u{2}" : "plain é ", count: 3_000)
        let object = RecordObject(entries: [.init(key: "id", value: .string("1")), .init(key: "note", value: .string(long)),
                                            .init(key: "n", value: .number("7"))])
        let (tree, tape) = bothWays(object, inside: true)
        #expect(tape == tree)
        #expect(tape.count > 20_000)
    }

    @Test("a flat object ending in each scalar kind, or in an empty key and text, fills its bound without writing past it (its `\":\"` is one four-byte store)")
    func endsInEachScalarKind() {
        let last: [RecordObject.Entry] = [
            .init(key: "", value: .string("")), .init(key: "k", value: .string("")), .init(key: "", value: .string("v")),
            .init(key: "n", value: .number("0")), .init(key: "t", value: .bool(true)), .init(key: "f", value: .bool(false)),
            .init(key: "z", value: .null), .init(key: "e", value: .string("\"")),
        ]
        for entry in last {
            for entries in [[entry], [.init(key: "a", value: .string("b")), entry]] {
                for inside in [false, true] {
                    let (tree, tape) = bothWays(RecordObject(entries: entries), inside: inside)
                    #expect(tape == tree)
                }
            }
        }
    }

    @Test("a flat record written as a member's value gets no comma of its own; the next member does")
    func asMemberValue() {
        let view = RecordView(RecordObject(entries: [.init(key: "a", value: .string("x\ty"))]))
        var writer = JSONByteWriter()
        writer.beginObject()
        writer.field(literal: "status", "failed")
        writer.key(literal: "data")
        writer.value(view)
        writer.field(literal: "n", 1)
        writer.endObject()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"status":"failed","data":{"a":"x\ty"},"n":1}"#)
    }

    @Test("keys and values of every length from 0 to 40 bytes are copied whole (in 16-byte runs, or exactly at the arena's end)")
    func everyLength() {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        let entries = (0...40).map { length in
            RecordObject.Entry(key: String(decoding: alphabet.suffix(length), as: UTF8.self),
                               value: .string(String(decoding: alphabet.prefix(length), as: UTF8.self)))
        }
        let (tree, tape) = bothWays(RecordObject(entries: entries), inside: true)
        #expect(tape == tree)
        #expect(tape.contains(#""KLMNOPQRSTUVWXYZ0123456789":"abcdefghijklmnopqrstuvwxyz"#))
    }

    @Test("a nested record (objects in arrays in objects, empty containers, escapes, every scalar kind) writes as the tree does, in one piece and past the limit",
          arguments: [false, true])
    func nestedRecord(long: Bool) {
        let note = long ? String(repeating: "\"q\" ", count: 3_000) : "a \"note\"\n"
        let object = RecordObject(entries: [
            .init(key: "id", value: .number("7")),
            .init(key: "contacts", value: .array([
                .object(RecordObject(entries: [.init(key: "type", value: .string("EMAIL")), .init(key: "value", value: .string("zoé@example.fr"))])),
                .object(RecordObject()), .array([]), .array([.null, .bool(true), .array([.bool(false)])]),
            ])),
            .init(key: "tab\tkey", value: .object(RecordObject(entries: [.init(key: "note", value: .string(note)),
                                                                           .init(key: "empty", value: .object(RecordObject()))]))),
            .init(key: "last", value: .array([.object(RecordObject(entries: [.init(key: "deep", value: .array([.array([.array([])])]))]))])),
        ])
        let (tree, tape) = bothWays(object, inside: true)
        #expect(tape == tree)
        #expect(tape.hasPrefix(#"[null,{"id":7,"contacts":[{"type":"EMAIL","value":"zoé@example.fr"},{},[],[null,true,[false]]],"tab\tkey":{"note":"#))
        #expect(tape.hasSuffix(#","empty":{}},"last":[{"deep":[[[]]]}]}]"#))
    }

    @Test("a record whose root is an array, and one whose root is a string, write as the tree does")
    func nonObjectRoots() {
        for value in [RecordValue.array([.string("a"), .object(RecordObject(entries: [.init(key: "k", value: .number("1"))]))]),
                      .string("plain \"text\"")] {
            var fromTree = JSONByteWriter()
            var fromTape = JSONByteWriter()
            fromTree.value(value)
            let object = RecordObject(entries: [.init(key: "v", value: value)])
            let view = RecordView(object)
            fromTape.value(view["v"]!)
            #expect(String(decoding: fromTape.bytes, as: UTF8.self) == String(decoding: fromTree.bytes, as: UTF8.self))
        }
    }
}
