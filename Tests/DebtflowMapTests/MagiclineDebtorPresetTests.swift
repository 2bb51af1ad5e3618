import DebtflowCore
import DebtflowMap
import Testing

/// A Sportalliance debtor as the API's JSON gives it (numbers as numbers, lists as arrays).
private func apiDebtor(
    id: String = "2334545",
    contacts: [RecordValue] = [contact("TEL_PRIVATE_MOBILE", "0612345678"), contact("EMAIL", "sven@example.at")],
    liablePerson: RecordValue? = nil,
    block: RecordValue? = nil,
    cases: RecordValue? = [collectionCase()],
    address: RecordValue = object(("street", "Burgring"), ("houseNumber", "23A"))
) -> RecordObject {
    var debtor = fields(
        ("debtorId", .string(id)), ("membershipNr", "1568462597"), ("countryCode", "AT"), ("country", "Austria"),
        ("birthdate", "1952-05-04"), ("firstName", "Sven"), ("lastName", "Hannawald"), ("postalCode", "1180"),
        ("city", "Vienna"), ("addressData", address),
        ("contactDetails", .array(contacts)))
    if let liablePerson { debtor.append("liablePerson", liablePerson) }
    if let cases { debtor.append("collectionCases", cases) }
    if let block { debtor.append("block", block) }
    return debtor
}

private func contact(_ type: String, _ value: String, status: String? = "VALID") -> RecordValue {
    var contact = fields(("type", .string(type)), ("value", .string(value)))
    if let status { contact.append("status", object(("type", .string(status)))) }
    return .object(contact)
}

private func collectionCase(id: String = "case-1", openAmount: RecordValue = .number("1231"),
                            debts: [RecordValue] = [debt()], block: RecordValue? = nil) -> RecordValue {
    var value = fields(("collectionCaseId", .string(id)), ("openAmount", openAmount), ("debt", .array(debts)))
    if let block { value.append("block", block) }
    return .object(value)
}

private func debt(id: String = "debt-1", date: String = "2026-03-01", amount: String = "1231",
                  currency: String = "EUR", designation: String = "Membership March",
                  block: RecordValue? = nil) -> RecordValue {
    var value = fields(("debtId", .string(id)), ("debtDate", .string(date)), ("amount", .number(amount)),
                       ("currency", .string(currency)), ("designation", .string(designation)))
    if let block { value.append("block", block) }
    return .object(value)
}

private func block(_ limitType: String, endDate: String? = nil) -> RecordValue {
    var value = fields(("limitType", .string(limitType)))
    if let endDate { value.append("endDate", .string(endDate)) }
    return .object(value)
}

private let preset = MapOptions(preset: .magiclineDebtor)

private func mapDebtor(_ debtor: RecordObject, number: Int = 4, today: String = "2026-06-15") throws -> [DebtCandidate] {
    try map([record(debtor, number: number, source: "https://studio.open-api.magicline.com/v1/debt-collection/7/debtors")],
            options: preset, today: today)
}

@Suite("map: the magicline-debtor preset")
struct MagiclineDebtorPresetTests {
    @Test("a later case keeps the person's fields and none of the case before's own: amount, ids, currency, due date, designations")
    func laterCaseFieldsAreItsOwn() throws {
        let full = collectionCase(id: "case-1", debts: [debt(id: "d1", designation: "Membership March"),
                                                       debt(id: "d2", date: "2026-02-01", amount: "500", designation: "Fee")])
        let bare = RecordValue.object(fields(("openAmount", .number("5"))))
        for (cases, fullFirst) in [([full, bare], true), ([bare, full], false)] {
            let candidates = try mapDebtor(apiDebtor(cases: .array(cases)))
            #expect(candidates.count == 2)
            guard candidates.count == 2 else { continue }
            let (withAll, withNone) = fullFirst ? (candidates[0], candidates[1]) : (candidates[1], candidates[0])
            #expect(withAll.raw[.amount] == "1231" && withAll.raw[.internalID] == "case-1" && withAll.raw[.tempID] == "case-1")
            #expect(withAll.raw[.currency] == "EUR" && withAll.raw[.dueDate] == "2026-02-01")
            #expect(withAll.raw[.object] == "Membership March, Fee")
            #expect(withNone.raw[.amount] == "5")
            for key: DebtRawKey in [.internalID, .tempID, .currency, .dueDate, .object] { #expect(withNone.raw[key] == nil, "\(key)") }
            for candidate in candidates {
                #expect(candidate.raw[.firstname] == "Sven" && candidate.raw[.lastname] == "Hannawald")
                #expect(candidate.raw[.phone] == "0612345678" && candidate.raw[.email] == "sven@example.at")
                #expect(candidate.raw[.streetAddress] == "Burgring" && candidate.raw[.streetNumber] == "23A")
            }
        }
    }

    @Test("each collection case becomes one candidate with the case's position, its open amount, currency and id")
    func oneCandidatePerCase() throws {
        let debtor = apiDebtor(cases: [
            collectionCase(id: "case-A", openAmount: .number("49.90"), debts: [debt(id: "d1", amount: "49.90")]),
            collectionCase(id: "case-B", openAmount: .number("120"), debts: [debt(id: "d2", currency: "CHF")]),
        ])
        let candidates = try mapDebtor(debtor)
        #expect(candidates.count == 2)
        #expect(candidates.map(\.provenance.caseIndex) == [1, 2])
        #expect(candidates.map(\.provenance.record) == [4, 4])
        #expect(candidates.map { $0.raw["amount"] } == ["49.90", "120"])
        #expect(candidates.map { $0.raw["currency"] } == ["EUR", "CHF"])
        #expect(candidates.map(\.tempID) == ["case-A", "case-B"])
        #expect(candidates.map { $0.raw["internal_id"] } == ["case-A", "case-B"])
        #expect(candidates.map { $0.raw["temp_id"] } == ["case-A", "case-B"])
        #expect(candidates.allSatisfy { $0.data.object == debtor && $0.skipReason == nil && $0.errors.isEmpty })
    }

    @Test("a case whose collectionCaseId is blank or missing is known by its position (debtors#4.N), with its amount and currency; a debtor without an id likewise")
    func casesWithoutAnID() throws {
        let blank = collectionCase(id: " ", openAmount: .number("10"), debts: [debt(id: "d1", amount: "10")])
        var missing = collectionCase(openAmount: .number("20"), debts: [debt(id: "d2", amount: "20")])
        if case .object(var object) = missing {
            object = RecordObject(entries: object.entries.filter { $0.key != "collectionCaseId" })
            missing = .object(object)
        }
        let candidates = try mapDebtor(apiDebtor(cases: [blank, missing]))
        #expect(candidates.map(\.tempID) == ["debtors#4.1", "debtors#4.2"])
        #expect(candidates.map { $0.raw["amount"] } == ["10", "20"])
        #expect(candidates.map { $0.raw["currency"] } == ["EUR", "EUR"])
        #expect(candidates.allSatisfy { $0.errors.isEmpty })
        #expect(candidates.allSatisfy { $0.raw["internal_id"] == nil })

        let noID = try mapDebtor(apiDebtor(id: "", cases: nil))
        #expect(noID.map(\.tempID) == ["debtors#4"])
        #expect(noID.first?.skipReason == .noOpenCase)
    }

    @Test("the debtor is the person addressed when there is no liable person")
    func debtorIsThePerson() throws {
        let candidate = try #require(try mapDebtor(apiDebtor()).first)
        #expect(candidate.raw["firstname"] == "Sven")
        #expect(candidate.raw["lastname"] == "Hannawald")
        #expect(candidate.raw["phone"] == "0612345678")
        #expect(candidate.raw["email"] == "sven@example.at")
        #expect(candidate.raw["birthdate"] == "1952-05-04")
        #expect(candidate.raw["postal_code"] == "1180")
        #expect(candidate.raw["city"] == "Vienna")
        #expect(candidate.raw["country"] == "Austria")
        #expect(candidate.raw["street_address"] == "Burgring")
        #expect(candidate.raw["street_number"] == "23A")
        #expect(candidate.phoneRegion == "AT")
    }

    @Test("the liable person, when there is one, gives the name, contacts, birthdate, address and phone region")
    func liablePerson() throws {
        let parent = object(("firstName", "Anna"), ("lastName", "Hannawald-Berg"), ("birthdate", "1970-01-02"),
                            ("postalCode", "80331"), ("city", "München"), ("countryCode", "DE"),
                            ("addressData", object(("street", "Marienplatz"), ("houseNumber", "1"))),
                            ("contactDetails", [contact("TEL_PRIVATE", "089 1234567"), contact("EMAIL", "anna@example.de")]))
        let candidate = try #require(try mapDebtor(apiDebtor(liablePerson: parent)).first)
        #expect(candidate.raw["firstname"] == "Anna")
        #expect(candidate.raw["lastname"] == "Hannawald-Berg")
        #expect(candidate.raw["phone"] == "089 1234567")
        #expect(candidate.raw["email"] == "anna@example.de")
        #expect(candidate.raw["birthdate"] == "1970-01-02")
        #expect(candidate.raw["postal_code"] == "80331")
        #expect(candidate.raw["city"] == "München")
        #expect(candidate.raw["country"] == "DE")
        #expect(candidate.raw["street_address"] == "Marienplatz")
        #expect(candidate.raw["street_number"] == "1")
        #expect(candidate.phoneRegion == "DE")
    }

    @Test("an address that holds nothing, or is no object, gives no street or number; an XML element's text and a number do",
          arguments: [
            (object(("street", "  "), ("houseNumber", "")), nil, nil), (object(("street", .null)), nil, nil), (object(), nil, nil),
            ("Burgring 23A", nil, nil), (object(("street", object(("#text", "Burgring")))), "Burgring", nil),
            (object(("street", object(("#text", " "))), ("houseNumber", .number("23"))), nil, "23"),
            (object(("@street", "Ring"), ("houseNumber", .bool(true))), "Ring", "true"),
          ] as [(RecordValue, String?, String?)])
    func addressContents(address: RecordValue, street: String?, number: String?) throws {
        let candidate = try #require(try mapDebtor(apiDebtor(address: address)).first)
        #expect(candidate.raw["street_address"] == street)
        #expect(candidate.raw["street_number"] == number)
    }

    @Test("an empty liable person element is no liable person")
    func emptyLiablePerson() throws {
        let candidate = try #require(try mapDebtor(apiDebtor(liablePerson: "")).first)
        #expect(candidate.raw["firstname"] == "Sven")
        let other = try #require(try mapDebtor(apiDebtor(liablePerson: object())).first)
        #expect(other.raw["firstname"] == "Sven")
    }

    @Test("the phone is the first usable of TEL_PRIVATE_MOBILE, TEL_BUSINESS_MOBILE, TEL_PRIVATE, TEL_BUSINESS, whatever the list's order",
          arguments: [
              ([contact("TEL_BUSINESS", "4"), contact("TEL_PRIVATE", "3"), contact("TEL_BUSINESS_MOBILE", "2"),
                contact("TEL_PRIVATE_MOBILE", "1")], "1"),
              ([contact("TEL_BUSINESS", "4"), contact("TEL_PRIVATE", "3"), contact("TEL_BUSINESS_MOBILE", "2")], "2"),
              ([contact("TEL_BUSINESS", "4"), contact("TEL_PRIVATE", "3")], "3"),
              ([contact("FAX", "9"), contact("TEL_BUSINESS", "4")], "4"),
              ([contact("TEL_PRIVATE_MOBILE", "1", status: "INVALID"), contact("TEL_PRIVATE", "3")], "3"),
              ([contact("TEL_PRIVATE_MOBILE", "1", status: nil), contact("TEL_PRIVATE", "3")], "1"),
              ([contact("TEL_PRIVATE_MOBILE", "1", status: "WARNING")], "1"),
              // Types and statuses read trimmed and uppercased; a status whose type is blank is not INVALID.
              ([contact(" tel_business ", "4"), contact("Tel_Private", "3"), contact("tel_private_mobile", "1", status: " invalid")], "3"),
              ([contact("TEL_PRIVATE_MOBILE", "1", status: " "), contact("TEL_PRIVATE", "3")], "1"),
              ([contact("TEL_PRIVATİ", "5"), contact("TEL_BUSINESS", "4")], "4"),
          ] as [([RecordValue], String)])
    func phonePriority(contacts: [RecordValue], expected: String) throws {
        let candidate = try #require(try mapDebtor(apiDebtor(contacts: contacts)).first)
        #expect(candidate.raw["phone"] == expected)
    }

    @Test("a debtor whose every phone is INVALID or a fax has no phone")
    func noUsablePhone() throws {
        let contacts = [contact("TEL_PRIVATE_MOBILE", "1", status: "INVALID"), contact("FAX", "9")]
        let candidate = try #require(try mapDebtor(apiDebtor(contacts: contacts)).first)
        #expect(candidate.raw["phone"] == nil)
    }

    @Test("the email is the first EMAIL whose status is not INVALID")
    func emailPriority() throws {
        let contacts = [contact("EMAIL", "bounced@example.at", status: "INVALID"), contact(" e-mail", "no@example.at"),
                        contact("email ", "ok@example.at"),
                        contact("EMAIL", "later@example.at")]
        let candidate = try #require(try mapDebtor(apiDebtor(contacts: contacts)).first)
        #expect(candidate.raw["email"] == "ok@example.at")
    }

    @Test("blocked means UNLIMITED, or LIMITED with an end date not yet past (today counts as not past)",
          arguments: [
              ("UNLIMITED", nil, true), ("LIMITED", "2026-07-01", true), ("LIMITED", "2026-06-15", true),
              ("LIMITED", "2026-06-14", false), ("LIMITED", "2026-06-14T23:00:00Z", false), ("LIMITED", nil, true),
              ("DISABLED", nil, false), ("DISABLED", "2099-01-01", false),
              // §4's other date forms: a past end is past whichever way it is written.
              ("LIMITED", "14.06.2026", false), ("LIMITED", "14/06/2026", false), ("LIMITED", "01.07.2026", true),
              ("LIMITED", "15/06/2026", true), ("LIMITED", "sometime", true),
          ] as [(String, String?, Bool)])
    func blockRule(limitType: String, endDate: String?, blocked: Bool) throws {
        let debtor = apiDebtor(block: block(limitType, endDate: endDate),
                               cases: [collectionCase(id: "c1"), collectionCase(id: "c2")])
        let candidates = try mapDebtor(debtor, today: "2026-06-15")
        #expect(candidates.count == 2)
        #expect(candidates.allSatisfy { ($0.skipReason == .blocked) == blocked })
    }

    @Test("a block written as its limitType alone (a string) blocks as that limitType without an end date would",
          arguments: [("UNLIMITED", true), ("limited", true), ("DISABLED", false), ("", false)])
    func blockAsText(text: String, blocked: Bool) throws {
        let debtor = apiDebtor(block: .string(text), cases: [collectionCase(id: "c1")])
        #expect(try mapDebtor(debtor).map { $0.skipReason == .blocked } == [blocked])
    }

    @Test("a case with a blocked debt is skipped as blocked; the debtor's other cases are not")
    func blockedDebt() throws {
        let debtor = apiDebtor(cases: [
            collectionCase(id: "c1", debts: [debt(id: "d1"), debt(id: "d2", block: block("UNLIMITED"))]),
            collectionCase(id: "c2", debts: [debt(id: "d3", block: block("LIMITED", endDate: "2020-01-01"))]),
        ])
        let candidates = try mapDebtor(debtor)
        #expect(candidates.map(\.skipReason) == [.blocked, nil])
        #expect(candidates.map(\.tempID) == ["c1", "c2"])
    }

    @Test("a debtor without a collection case is one skipped candidate, no_open_case, with the debtor's id",
          arguments: [nil, [], "", object()] as [RecordValue?])
    func noOpenCase(cases: RecordValue?) throws {
        let candidates = try mapDebtor(apiDebtor(id: "777", cases: cases))
        #expect(candidates.count == 1)
        #expect(candidates.first?.skipReason == .noOpenCase)
        #expect(candidates.first?.tempID == "777")
        #expect(candidates.first?.provenance.caseIndex == nil)
        #expect(candidates.first?.provenance.record == 4)
    }

    @Test("a case whose debts are in several currencies fails with invalid_currency; case and spaces do not count")
    func mixedCurrencies() throws {
        let debtor = apiDebtor(cases: [
            collectionCase(id: "c1", debts: [debt(id: "d1", currency: "EUR"), debt(id: "d2", currency: "CHF")]),
            collectionCase(id: "c2", debts: [debt(id: "d3", currency: "eur"), debt(id: "d4", currency: " EUR ")]),
        ])
        let candidates = try mapDebtor(debtor)
        #expect(candidates[0].errors.map(\.code) == [.invalidCurrency])
        #expect(candidates[0].errors.first?.field == "currency")
        #expect(candidates[0].raw["currency"] == nil)
        #expect(candidates[1].errors.isEmpty)
        #expect(candidates[1].raw["currency"] == "EUR")
    }

    @Test("€, euro and euros name one currency with EUR: a case with debts in EUR and € is not mixed")
    func currencyNamesAgree() throws {
        let debtor = apiDebtor(cases: [
            collectionCase(id: "c1", debts: [debt(id: "d1", currency: "€"), debt(id: "d2", currency: "EUR"), debt(id: "d3", currency: "euros")]),
            collectionCase(id: "c2", debts: [debt(id: "d4", currency: "€"), debt(id: "d5", currency: "£")]),
        ])
        let candidates = try mapDebtor(debtor)
        #expect(candidates[0].errors.isEmpty, "\(candidates[0].errors)")
        #expect(candidates[0].raw["currency"] == "EUR")
        #expect(candidates[1].errors.map(\.code) == [.invalidCurrency])
    }

    @Test("a case's currency: the first debt's text as written when it is its own code and the others name it, else the code; mixed ones named in order")
    func currencyAsWrittenOrCode() throws {
        let debtor = apiDebtor(cases: [
            collectionCase(id: "c1", debts: [debt(id: "d1", currency: "EUR"), debt(id: "d2", currency: "eur "), debt(id: "d3", currency: " Eur")]),
            collectionCase(id: "c2", debts: [debt(id: "d4", currency: "EURO"), debt(id: "d5", currency: "EUR")]),
            collectionCase(id: "c3", debts: [debt(id: "d6", currency: "CHF"), debt(id: "d7", currency: "chf"), debt(id: "d8", currency: "EUR")]),
            collectionCase(id: "c4", debts: [debt(id: "d9", currency: "usd"), debt(id: "d10", currency: "USD")]),
            collectionCase(id: "c5", debts: [debt(id: "d11", currency: "EUR"), debt(id: "d12", currency: "€")]),
            collectionCase(id: "c6", debts: [debt(id: "d13", currency: " GBP "), debt(id: "d14", currency: "£")]),
            collectionCase(id: "c7", debts: [debt(id: "d15", currency: "EUR"), debt(id: "d16", currency: "EURO")]),
        ])
        let candidates = try mapDebtor(debtor)
        #expect(candidates.map { $0.raw["currency"] } == ["EUR", "EUR", nil, "USD", "EUR", "GBP", "EUR"])
        #expect(candidates.map { $0.errors.map(\.message) } == [[], [], ["the case's debts are in several currencies (CHF, EUR)"], [], [], [], []])
    }

    @Test("due date is the earliest debt date, object the designations, metadata the debtor's and debts' ids")
    func dueDateObjectMetadata() throws {
        let debtor = apiDebtor(cases: [collectionCase(debts: [
            debt(id: "d1", date: "2026-03-01", designation: "Membership March"),
            debt(id: "d2", date: "2026-01-15", designation: "Dunning fee"),
            debt(id: "d3", date: "2026-02-01", designation: "Membership February"),
        ])])
        let candidate = try #require(try mapDebtor(debtor).first)
        #expect(candidate.raw["due_date"] == "2026-01-15")
        #expect(candidate.raw["object"] == "Membership March, Dunning fee, Membership February")
        #expect(candidate.metadata?.object == fields(("debtorId", "2334545"), ("membershipNr", "1568462597"),
                                             ("debtIds", ["d1", "d2", "d3"])))
    }

    @Test("an XML export: scalars as strings, a list of one as a single object, lists wrapped in item elements")
    func xmlShapes() throws {
        let debtor = fields(
            ("debtorId", "55"), ("membershipNr", "1001"), ("countryCode", "FR"), ("firstName", "Jean"),
            ("lastName", "Dupont"),
            ("contactDetails", object(("contactDetail", [
                object(("type", "TEL_PRIVATE"), ("value", "01 40 00 00 00"), ("status", object(("type", "VALID")))),
                object(("type", "TEL_PRIVATE_MOBILE"), ("value", "06 12 34 56 78"), ("status", object(("type", "INVALID")))),
                object(("type", "EMAIL"), ("value", "jean@example.fr")),
            ]))),
            ("collectionCases", object(("collectionCaseId", "X-1"), ("openAmount", "12.50"),
                                       ("debt", object(("debtId", "D-1"), ("debtDate", "2026-02-02"),
                                                       ("amount", "12.50"), ("currency", "EUR"),
                                                       ("designation", "Sale"),
                                                       ("block", object(("limitType", "DISABLED"))))))))
        let candidates = try mapDebtor(debtor)
        #expect(candidates.count == 1)
        let candidate = try #require(candidates.first)
        #expect(candidate.tempID == "X-1")
        #expect(candidate.raw["amount"] == "12.50")
        #expect(candidate.raw["currency"] == "EUR")
        #expect(candidate.raw["phone"] == "01 40 00 00 00")
        #expect(candidate.raw["email"] == "jean@example.fr")
        #expect(candidate.raw["due_date"] == "2026-02-02")
        #expect(candidate.skipReason == nil)
        #expect(candidate.phoneRegion == "FR")
        #expect(candidate.metadata?.object?["debtIds"] == ["D-1"])
    }

    @Test("an XML export with cases wrapped one element per case, and a single case element")
    func xmlWrappedCases() throws {
        let wrapped = fields(("debtorId", "56"), ("firstName", "Jean"), ("lastName", "Dupont"),
                             ("collectionCases", object(("collectionCase", [
                                 object(("collectionCaseId", "W-1"), ("openAmount", "10"),
                                        ("debt", object(("debtId", "a"), ("currency", "EUR")))),
                                 object(("collectionCaseId", "W-2"), ("openAmount", "20"),
                                        ("debt", object(("debt", [object(("debtId", "b"), ("currency", "EUR")),
                                                                   object(("debtId", "c"), ("currency", "EUR"))])))),
                             ]))))
        let candidates = try mapDebtor(wrapped)
        #expect(candidates.map(\.tempID) == ["W-1", "W-2"])
        #expect(candidates[1].metadata?.object?["debtIds"] == ["b", "c"])
    }

    @Test("each case and each debtor of a chunk starts from a fresh candidate: no skip reason, error, amount or metadata of the one before")
    func casesStartFresh() throws {
        let records = [
            record(apiDebtor(id: "1", cases: [
                collectionCase(id: "blocked", debts: [debt(id: "d1", block: block("UNLIMITED"))]),
                collectionCase(id: "mixed", debts: [debt(id: "d2", currency: "EUR"), debt(id: "d3", currency: "CHF")]),
                collectionCase(id: "plain", openAmount: .number("5"), debts: [debt(id: "d4", designation: "Towel")]),
            ]), number: 1),
            record(apiDebtor(id: "2", cases: nil), number: 2),
            record(apiDebtor(id: "3"), number: 3, problem: RecordError(field: nil, code: .malformedRow, message: "bad")),
            record(apiDebtor(id: "4", contacts: []), number: 4),
        ]
        let candidates = try map(records, options: preset)
        #expect(candidates.map(\.tempID) == ["blocked", "mixed", "plain", "2", "3", "case-1"])
        #expect(candidates.map(\.skipReason) == [.blocked, nil, nil, .noOpenCase, nil, nil])
        #expect(candidates.map { $0.errors.map(\.code) } == [[], [.invalidCurrency], [], [], [.malformedRow], []])
        #expect(candidates.map { $0.provenance.caseIndex } == [1, 2, 3, nil, nil, 1])
        #expect(candidates[2].raw["amount"] == "5" && candidates[2].raw["object"] == "Towel")
        #expect(candidates[3].raw["amount"] == nil && candidates[3].raw["object"] == nil)
        #expect(candidates[2].metadata?.object?["debtIds"] == ["d4"])
        #expect(candidates[3].metadata?.object == fields(("debtorId", "2"), ("membershipNr", "1568462597")))
        #expect(candidates[4].metadata == nil)
        #expect(candidates[5].raw["phone"] == nil && candidates[5].raw["email"] == nil)
        #expect(candidates[0].raw["phone"] == "0612345678")
    }

    @Test("a debtor record the reader could not read is one failed candidate with malformed_row")
    func malformedDebtor() throws {
        let problem = RecordError(field: nil, code: .malformedRow, message: "bad")
        let candidates = try map([record(apiDebtor(), problem: problem)], options: preset)
        #expect(candidates.count == 1)
        #expect(candidates.first?.errors == [problem])
    }
}

@Suite("map: candidates handed on one at a time")
struct MapForEachOutputTests {
    @Test("forEachOutput hands on, in order, the candidates each record alone maps to (a fresh candidate each): per case, skipped and failed debtors",
          arguments: [MapOptions(preset: .magiclineDebtor), MapOptions(constants: ["currency": "EUR"])])
    func sameAsProcess(options: MapOptions) throws {
        let debtors = [
            apiDebtor(id: "1", cases: [collectionCase(id: "case-A"), collectionCase(id: "case-B", openAmount: .number("12.5"))]),
            apiDebtor(id: "2", cases: []),
            apiDebtor(id: "3"),
        ]
        var records = debtors.enumerated().map { index, debtor in record(debtor, number: index + 1) }
        records[2].problem = RecordError(field: nil, code: .malformedRow, message: "could not read")
        let stage = MapStage(options: options, today: "2026-06-15")
        // Each record in a chunk of its own: its candidates are built fresh, never a reused one.
        let gathered = try records.flatMap { try stage.process(Chunk([$0])).elements }
        var handedOn: [DebtCandidate] = []
        try stage.forEachOutput(of: Chunk(records)) { handedOn.append($0) }
        #expect(handedOn == gathered)
        #expect(handedOn.count == (options.preset == nil ? 3 : 4))
        #expect(handedOn.last?.errors.map(\.code) == [.malformedRow])
    }

    @Test("a later stage that moves a case's fields out, or takes one off, does not take the person's fields from the debtor's next case",
          arguments: [true, false])
    func fieldsMovedOutByALaterStage(movedOut: Bool) throws {
        let debtors = [apiDebtor(id: "1", cases: [collectionCase(id: "case-A"), collectionCase(id: "case-B"), collectionCase(id: "case-C")])]
        let stage = MapStage(options: MapOptions(preset: .magiclineDebtor), today: "2026-06-15")
        let expected = try stage.process(Chunk([record(debtors[0], number: 1)])).elements
        var seen: [DebtCandidate] = []
        try stage.forEachOutput(of: Chunk([record(debtors[0], number: 1)])) { candidate in
            seen.append(candidate)
            if movedOut {
                candidate.raw = DebtRawFields()
            } else {
                candidate.raw["lastname"] = nil
            }
        }
        #expect(seen == expected)
        #expect(seen.map { $0.raw["lastname"] }.allSatisfy { $0 != nil })
        #expect(seen.count == 3)
    }
}
