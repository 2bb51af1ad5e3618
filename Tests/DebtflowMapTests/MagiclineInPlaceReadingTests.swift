import DebtflowCore
import DebtflowMap
import Testing

/// The preset reads a debtor's tape in place (node indexes, bytes compared on the tape): the
/// one-pass contact choice, the due date compared as bytes, the designations joined without a
/// `String` per debt and the currency made once per distinct code, at their edges.
/// A contact of the debtor (any type: `tel("EMAIL", …)` too).
private func tel(_ type: String, _ value: RecordValue, status: String = "VALID") -> RecordValue {
    object(("type", .string(type)), ("value", value), ("status", object(("type", .string(status)))))
}

@Suite("map: the magicline-debtor preset read in place")
struct MagiclineInPlaceReadingTests {
    private static func debtor(contacts: [RecordValue] = [], debts: [RecordValue]) -> RecordObject {
        fields(("debtorId", "7"), ("firstName", "Ann"), ("lastName", "Lee"), ("contactDetails", .array(contacts)),
               ("collectionCases", [object(("collectionCaseId", "c1"), ("openAmount", .number("10")), ("debt", .array(debts)))]))
    }

    private static func debt(_ members: (String, RecordValue)...) -> RecordValue {
        var value = fields(("debtId", "d"))
        for (key, member) in members { value.append(key, member) }
        return .object(value)
    }

    private static func mapped(_ debtor: RecordObject) throws -> DebtCandidate {
        try #require(try map([record(debtor, number: 1)], options: MapOptions(preset: .magiclineDebtor)).first)
    }

    @Test("designations: one is kept as it is (trimmed); several are joined by \", \"; blank and missing ones are left out; true reads \"true\"",
          arguments: [
              ([" Membership "], "Membership"),
              (["A", " ", "B"], "A, B"),
              (["", "Only"], "Only"),
              ([], nil),
          ] as [([String], String?)])
    func designations(texts: [String], expected: String?) throws {
        var debts = texts.map { Self.debt(("designation", .string($0))) }
        debts.append(Self.debt(("amount", .number("1"))))
        #expect(try Self.mapped(Self.debtor(debts: debts)).raw["object"] == expected)
        let withLiteral = [Self.debt(("designation", .bool(true))), Self.debt(("designation", .string("X")))]
        #expect(try Self.mapped(Self.debtor(debts: withLiteral)).raw["object"] == "true, X")
    }

    @Test("a case's members are read in one walk as each alone: id, open amount and block as members before attributes, the debts under `debt` before `debts`")
    func caseMembersInOneWalk() throws {
        func mapped(_ members: [(String, RecordValue)]) throws -> DebtCandidate {
            var value = RecordObject()
            for (key, member) in members { value.append(key, member) }
            let debtor = fields(("debtorId", "7"), ("firstName", "Ann"), ("lastName", "Lee"), ("collectionCases", [.object(value)]))
            return try Self.mapped(debtor)
        }
        let first = Self.debt(("designation", "First"))
        let second = Self.debt(("designation", "Second"))
        let attributes = try mapped([("@collectionCaseId", "c9"), ("@openAmount", .number("5")), ("debts", [first])])
        #expect(attributes.raw["temp_id"] == "c9" && attributes.raw["amount"] == "5" && attributes.raw["object"] == "First")
        let both = try mapped([("@collectionCaseId", "attr"), ("debts", [second]), ("collectionCaseId", "c1"), ("openAmount", .number("1")),
                               ("@openAmount", .number("2")), ("debt", [first]), ("debt", [second]), ("collectionCaseId", "c2")])
        #expect(both.raw["temp_id"] == "c1" && both.raw["amount"] == "1" && both.raw["object"] == "First")
        let blocked = try mapped([("collectionCaseId", "c1"), ("@block", .object(fields(("limitType", "UNLIMITED"))))])
        #expect(blocked.skipReason == .blocked)
    }

    @Test("a debt's members are read in one walk as each alone: a member before an attribute (@name) of the same name, the first of each, in any order")
    func debtMembersInOneWalk() throws {
        let attributes = RecordValue.object(fields(("@debtId", "a1"), ("@debtDate", "2026-01-01"), ("@currency", "EUR"),
                                                   ("@designation", "Attr A")))
        let mixed = Self.debt(("@debtDate", "2025-01-01"), ("debtDate", "2026-03-01"), ("designation", "B1"),
                              ("designation", "B2"), ("@currency", "USD"), ("currency", "eur"), ("@designation", "B0"))
        for debts in [[attributes, mixed], [mixed, attributes]] {
            let candidate = try Self.mapped(Self.debtor(debts: debts))
            #expect(candidate.raw["due_date"] == "2026-01-01")
            #expect(candidate.raw["currency"] == "EUR")
            let designations = debts.first == attributes ? "Attr A, B1" : "B1, Attr A"
            #expect(candidate.raw["object"] == designations)
            let ids = debts.first == attributes ? #"["a1","d"]"# : #"["d","a1"]"#
            #expect(String(decoding: candidate.metadata?.json ?? [], as: UTF8.self) == #"{"debtorId":"7","debtIds":"# + ids + "}")
        }
        let blocked = Self.debt(("@block", .object(fields(("limitType", "UNLIMITED")))))
        #expect(try Self.mapped(Self.debtor(debts: [blocked])).skipReason == .blocked)
    }

    @Test("due date: the earliest readable day (a date-time cut to its day, spaces trimmed); unreadable dates only when no date reads",
          arguments: [
              (["2026-03-01", " 2026-01-15T10:00:00Z ", "2026-02-01"], "2026-01-15"),
              (["soon", "2026-05-01", "2026-1-15"], "2026-05-01"),
              ([" soon ", "2026-1-15"], "soon"),
              (["", "2026-04-30"], "2026-04-30"),
          ] as [([String], String?)])
    func dueDate(dates: [String], expected: String?) throws {
        let debts = dates.map { Self.debt(("debtDate", .string($0))) }
        #expect(try Self.mapped(Self.debtor(debts: debts)).raw["due_date"] == expected)
    }

    @Test("due date: a day is read from a date's first ten bytes only when they are digits with a dash at 5 and 8, whatever byte stands anywhere else (each printable byte at each place)")
    func dueDateEveryByte() throws {
        let valid = Array("2026-02-28T10:00".utf8)
        for place in 0..<10 {
            for value in UInt8(0x21)...UInt8(0x7E) {
                var bytes = valid
                bytes[place] = value
                let text = String(decoding: bytes, as: UTF8.self)
                let isDay = (0..<10).allSatisfy { index in
                    index == 4 || index == 7 ? bytes[index] == UInt8(ascii: "-") : (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index])
                }
                let expected = isDay ? String(text.prefix(10)) : text
                #expect(try Self.mapped(Self.debtor(debts: [Self.debt(("debtDate", .string(text)))])).raw["due_date"] == expected, "\(text)")
            }
        }
    }

    @Test("currency: codes equal once uppercased and trimmed count once; different ones are listed once each")
    func currencies() throws {
        let same = [Self.debt(("currency", "eur")), Self.debt(("currency", " EUR ")), Self.debt(("currency", "EUR"))]
        let single = try Self.mapped(Self.debtor(debts: same))
        #expect(single.raw["currency"] == "EUR" && single.errors.isEmpty)
        let written = try Self.mapped(Self.debtor(debts: [Self.debt(("currency", " EUR ")), Self.debt(("currency", "eur"))]))
        #expect(written.raw["currency"] == "EUR" && written.errors.isEmpty)
        let mixed = [Self.debt(("currency", "EUR")), Self.debt(("currency", "chf")), Self.debt(("currency", "eur")),
                     Self.debt(("currency", "CHF"))]
        let failed = try Self.mapped(Self.debtor(debts: mixed))
        #expect(failed.errors.map(\.message) == ["the case's debts are in several currencies (EUR, CHF)"])
    }

    @Test("the phone region is the person's two-letter country code, trimmed and uppercased, else the debtor's",
          arguments: [(" fr ", "BE", "FR"), ("FRA", "be", "BE"), ("", "BE", "BE"), ("F1", "12", nil)] as [(String, String, String?)])
    func phoneRegion(person: String, debtor: String, expected: String?) throws {
        var record = Self.debtor(debts: [Self.debt(("amount", .number("1")))])
        record.append("countryCode", .string(debtor))
        record.append("liablePerson", object(("firstName", "Bo"), ("countryCode", .string(person))))
        #expect(try Self.mapped(record).phoneRegion == expected)
    }

    @Test("contacts in one pass: among contacts of the best type the first usable wins; a blank or INVALID one is passed over",
          arguments: [
              ([tel("TEL_PRIVATE", "3"), tel("TEL_PRIVATE_MOBILE", "1a"), tel("TEL_PRIVATE_MOBILE", "1b")], "1a"),
              ([tel("TEL_PRIVATE_MOBILE", "1a", status: "INVALID"), tel("TEL_PRIVATE_MOBILE", "1b")], "1b"),
              ([tel("TEL_PRIVATE_MOBILE", " "), tel("TEL_BUSINESS", "4")], "4"),
              ([tel("tel_business_mobile", " 2 "), tel("TEL_PRIVATE", "3")], "2"),
              ([tel("Tel_Private_Mobile", "1a", status: "invalid"), tel("tel_private_mobile", "1b", status: "Valid")], "1b"),
          ] as [([RecordValue], String)])
    func contactChoice(contacts: [RecordValue], expected: String) throws {
        let debtor = Self.debtor(contacts: contacts + [tel("EMAIL", " "), tel("EMAIL", "a@b.fr"),
                                                       tel("EMAIL", "c@d.fr")],
                                 debts: [Self.debt(("amount", .number("1")))])
        let candidate = try Self.mapped(debtor)
        #expect(candidate.raw["phone"] == expected)
        #expect(candidate.raw["email"] == "a@b.fr")
    }
}
