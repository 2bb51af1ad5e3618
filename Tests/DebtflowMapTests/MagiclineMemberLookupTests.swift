import DebtflowCore
@testable import DebtflowMap
import Testing

/// `MagiclineShape.lookUp`: several members of one object found in one pass, as a lookup of each.
@Suite("map: the Magicline preset's one-pass member lookup")
struct MagiclineMemberLookupTests {
    @Test("lookUp gives, for every name, what value(_:_:) and member(_:_:) give: members before attributes, the first of each, names of every length up to the longest, none, and a non-object")
    func sameAsEachLookup() {
        let longName = String(repeating: "n", count: MagiclineShape.MemberNames.longest - 1)
        let tooLong = String(repeating: "n", count: MagiclineShape.MemberNames.longest)
        func object(_ members: [(String, RecordValue)]) -> RecordValue {
            .object(RecordObject(entries: members.map { RecordObject.Entry(key: $0.0, value: $0.1) }))
        }
        let record = object([
            ("@city", .string("attribute first")), ("city", .string("Lyon")), ("city", .string("second")),
            ("@block", .string("UNLIMITED")), ("@block", .string("second attribute")), ("b", .string("one byte")),
            ("debtor", .string("a longer name that starts the same")), ("debtorId", .number("7")), ("@", .string("bare at")),
            (longName, .string("longest")), (tooLong, .string("too long")), ("@" + longName, .string("long attribute")),
            ("list", .array([object([("city", .string("inner"))])])), ("liablePerson", object([])),
        ])
        var builder = RecordTapeBuilder()
        builder.append(record)
        let tape = builder.finish()
        let names: [StaticString] = ["city", "block", "b", "debtorId", "debtor", "missing", "liablePerson", "list", "x",
                                     "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", "cit", "@city", "debtorI", "ci", "listt",
                                     "a"]
        #expect(names.count == MagiclineShape.FoundMembers.capacity)
        #expect(names[9].utf8CodeUnitCount == longName.utf8.count)
        let table = MagiclineShape.MemberNames(names)
        MagiclineShape.reading(tape) { shape in
            for object in 0..<Array(tape.nodes).count {
                let found = shape.lookUp(object, table)
                for (index, name) in names.enumerated() {
                    #expect(found.value(index) == shape.value(object, name), "value \(object) \(name)")
                    if shape.kind(object) == .object {
                        #expect(found.member(index) == shape.member(object, name), "member \(object) \(name)")
                    } else {
                        #expect(found.member(index) == nil)
                    }
                }
            }
        }
    }

    @Test("items: an array of items is its children (counted), an array with another element or a wrapper gathers as before, a single item is itself, nothing is empty")
    func itemsOfEveryShape() {
        func object(_ members: [(String, RecordValue)]) -> RecordValue {
            .object(RecordObject(entries: members.map { RecordObject.Entry(key: $0.0, value: $0.1) }))
        }
        let item = object([("type", .string("EMAIL")), ("value", .string("a@b.c"))])
        let attributeItem = object([("@type", .string("TEL_PRIVATE")), ("value", .string("1"))])
        let record = object([
            ("plain", .array([item, attributeItem, item])),
            ("mixed", .array([item, .string("x"), item])),
            ("wrapped", .array([object([("contact", item)]), item])),
            ("single", item),
            ("wrapper", object([("contact", .array([item, item]))])),
            ("empty", .array([])),
            ("scalar", .string("x")),
        ])
        var builder = RecordTapeBuilder()
        builder.append(record)
        let tape = builder.finish()
        MagiclineShape.reading(tape) { shape in
            func items(_ name: StaticString) -> [Int] {
                let found = shape.items(shape.member(0, name), marker: "type")
                #expect(found.count == Array(found).count)
                #expect(found.isEmpty == Array(found).isEmpty)
                return Array(found)
            }
            func children(_ index: Int) -> [Int] { Array(shape.children(index)) }
            let plain = shape.member(0, "plain")!
            #expect(items("plain") == children(plain))
            #expect(items("plain").count == 3)
            let mixed = children(shape.member(0, "mixed")!)
            #expect(items("mixed") == [mixed[0], mixed[2]])
            let wrapped = children(shape.member(0, "wrapped")!)
            #expect(items("wrapped") == [children(wrapped[0])[0], wrapped[1]])
            #expect(items("single") == [shape.member(0, "single")!])
            #expect(items("wrapper") == children(children(shape.member(0, "wrapper")!)[0]))
            #expect(items("empty").isEmpty)
            #expect(items("scalar").isEmpty)
            #expect(items("missing").isEmpty)
        }
    }

    @Test("day(_:precedes:) orders two days' ten bytes as their bytes do, whichever byte differs first")
    func dayOrder() {
        let days = ["2024-01-15", "2024-01-16", "2024-01-25", "2024-02-15", "2024-11-15", "2023-12-31", "2025-01-01", "1999-12-31",
                    "2024-01-15", "0000-00-00", "9999-99-99", "2024-01-1a"]
        let record: RecordValue = .array(days.map { .string($0) })
        var builder = RecordTapeBuilder()
        builder.append(record)
        let tape = builder.finish()
        MagiclineShape.reading(tape) { shape in
            let nodes = Array(tape.nodes)
            for a in 1..<nodes.count {
                for b in 1..<nodes.count {
                    let expected = Array(days[a - 1].utf8).lexicographicallyPrecedes(Array(days[b - 1].utf8))
                    #expect(shape.day(nodes[a].value, precedes: nodes[b].value) == expected, "\(days[a - 1]) \(days[b - 1])")
                }
            }
        }
    }
}
