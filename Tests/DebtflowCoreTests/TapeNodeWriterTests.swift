import DebtflowCore
import Testing

/// A record with containers on a tape (Magicline's debtor) is written by `TapeNodeWriter`:
/// texts copied in 16-byte runs rounded up, a run at the arena's end reading into the slack its
/// storage keeps after it; the bytes must be the tree writer's.
@Suite("JSON of a nested record on a tape")
struct TapeNodeWriterTests {
    /// With a value after the record when it is inside an array.
    private func bothWays(_ object: RecordObject, inside: Bool) -> (tree: String, tape: String) {
        writtenFromTreeAndTape(object, inside: inside, thenAString: true)
    }

    @Test("keys and values of every length from 0 to 50 bytes, in objects inside arrays, are copied whole",
          arguments: [false, true])
    func everyLength(inside: Bool) {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:;!?".utf8)
        let members = (0...50).map { length in
            RecordObject.Entry(key: String(decoding: alphabet.suffix(length), as: UTF8.self),
                               value: .string(String(decoding: alphabet.prefix(length), as: UTF8.self)))
        }
        let numbers = (0...50).map { length in RecordValue.number(String(repeating: "9", count: max(1, length))) }
        let object = RecordObject(entries: [
            .init(key: "list", value: .array([.object(RecordObject(entries: members)), .array(numbers)])),
            .init(key: "n", value: .number("1")),
        ])
        let (tree, tape) = bothWays(object, inside: inside)
        #expect(tape == tree)
    }

    @Test("a record whose last texts lie at the arena's end (their last run read from the storage's slack), of every length up to 40",
          arguments: [0, 1, 7, 15, 16, 17, 31, 40])
    func textsAtTheArenasEnd(length: Int) {
        let text = String(repeating: "x", count: length)
        for last in [RecordValue.string(text), .number(String(repeating: "5", count: max(1, length)))] {
            let object = RecordObject(entries: [
                .init(key: "a", value: .array([.string("b")])),
                .init(key: "k" + text, value: last),
            ])
            for inside in [false, true] {
                let (tree, tape) = bothWays(object, inside: inside)
                #expect(tape == tree)
            }
        }
    }

    @Test("literals, empty containers, containers closing together and escaped keys and texts write as the tree does")
    func shapesAndEscapes() {
        let object = RecordObject(entries: [
            .init(key: "t", value: .array([.bool(true), .bool(false), .null, .object(RecordObject()), .array([])])),
            .init(key: "quote\"key", value: .object(RecordObject(entries: [
                .init(key: "ctl", value: .string("a\u{1}b\n\"c\"\\")), .init(key: "no", value: .bool(false)),
                .init(key: "deep", value: .array([.array([.object(RecordObject(entries: [.init(key: "z", value: .null)]))])])),
            ]))),
            .init(key: "é", value: .string("Zoé")),
        ])
        for inside in [false, true] {
            let (tree, tape) = bothWays(object, inside: inside)
            #expect(tape == tree)
        }
        #expect(bothWays(object, inside: false).tape
            == #"{"t":[true,false,null,{},[]],"quote\"key":{"ctl":"a\u0001b\n\"c\"\\","no":false,"deep":[[{"z":null}]]},"é":"Zoé"}"#)
    }

    @Test("containers nested 201 deep, objects and arrays by turns, each with a member after its child, write as the tree does")
    func deepNesting() {
        var value = RecordValue.string("core")
        for level in 0...200 {
            value = level.isMultiple(of: 2)
                ? .object(RecordObject(entries: [.init(key: "k\(level)", value: value), .init(key: "n", value: .number("\(level)"))]))
                : .array([value, .null, .object(RecordObject())])
        }
        guard case .object(let object) = value else { Issue.record("the root is not an object"); return }
        for inside in [false, true] {
            let (tree, tape) = bothWays(object, inside: inside)
            #expect(tape == tree)
        }
    }

    @Test("a record past the room reserved for a first try (a long text; nesting past 32), as a member after another and as an array's second value, is bounded first and keeps its one comma",
          arguments: [false, true])
    func pastTheFirstTry(deep: Bool) {
        var value = RecordValue.object(RecordObject(entries: [.init(key: "note", value: .string(String(repeating: "long text ", count: deep ? 1 : 1_500)))]))
        for level in 0..<(deep ? 40 : 1) { value = .array([.number("\(level)"), value]) }
        let object = RecordObject(entries: [.init(key: "id", value: .string("7")), .init(key: "v", value: value)])
        let view = RecordView(object)
        var fromTree = JSONByteWriter()
        var fromTape = JSONByteWriter()
        fromTree.beginObject(); fromTape.beginObject()
        fromTree.field(literal: "status", "failed"); fromTape.field(literal: "status", "failed")
        fromTree.key(literal: "data"); fromTape.key(literal: "data")
        fromTree.object(object); fromTape.value(view)
        fromTree.key(literal: "list"); fromTape.key(literal: "list")
        fromTree.beginArray(); fromTape.beginArray()
        fromTree.null(); fromTape.null()
        fromTree.object(object); fromTape.value(view)
        fromTree.endArray(); fromTape.endArray()
        fromTree.endObject(); fromTape.endObject()
        #expect(String(decoding: fromTape.bytes, as: UTF8.self) == String(decoding: fromTree.bytes, as: UTF8.self))
        #expect(fromTape.bytes.count > (deep ? 200 : 2 * 15_000))
    }

    @Test("a nested record written as an envelope's member, twice, gets its key and commas right both times")
    func asMemberTwice() {
        let view = RecordView(RecordObject(entries: [.init(key: "cases", value: .array([.object(RecordObject(entries: [
            .init(key: "id", value: .string("c-1")),
        ]))]))]))
        var writer = JSONByteWriter()
        for _ in 0..<2 {
            writer.beginObject()
            writer.field(literal: "status", "failed")
            writer.key(literal: "data")
            writer.value(view)
            writer.field(literal: "n", 1)
            writer.endObject()
        }
        let line = #"{"status":"failed","data":{"cases":[{"id":"c-1"}]},"n":1}"#
        #expect(String(decoding: writer.bytes, as: UTF8.self) == line + line)
    }
}
