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
}
