import DebtflowCore
import Testing

/// The writer puts a debt and an envelope's first members in the buffer in one piece (one
/// capacity check, a raw cursor inside): the bytes must be those its piece-by-piece calls write.
@Suite("JSON written in one piece")
struct OnePieceWritingTests {
    /// A debt as the piece-by-piece calls write it (the writer's public members, one per key).
    private func piecewise(_ debt: Debt) -> [UInt8] {
        var writer = JSONByteWriter()
        writer.beginObject()
        debt.withKeyedBytes { texts in
            for key in DebtKey.ordered {
                switch key {
                case .amount: if let amount = debt.amount { writer.key(literal: key.literal); writer.amount(amount) }
                case .acceptExpensiveDestination: if let flag = debt.acceptExpensiveDestination { writer.field(literal: key.literal, flag) }
                case .countryCode: break
                default: if let text = texts[key] { writer.field(literal: key.literal, utf8: text) }
                }
            }
        }
        writer.endObject()
        return writer.bytes
    }

    /// `[null,…]`: what `write` writes as an array's second element (after a comma).
    private func afterAnotherValue(_ write: (inout JSONByteWriter) -> Void) -> String {
        var writer = JSONByteWriter()
        writer.beginArray()
        writer.null()
        write(&writer)
        writer.endArray()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    private func debt(firstname: String, amount: MinorUnitAmount? = MinorUnitAmount(minorUnits: -5, digits: 2),
                      accept: Bool? = true) -> Debt {
        var debt = Debt()
        debt.firstname = firstname
        debt.lastname = "O'Brien \\ \"Junior\""
        debt.email = "zoe@example.fr"
        debt.phone = "+33612345678"
        debt.currency = "EUR"
        debt.tempID = "in.csv#1\t"
        debt.amount = amount
        debt.acceptExpensiveDestination = accept
        return debt
    }

    @Test("a debt is written as its members one by one would be: escapes, amounts, flags, absent keys",
          arguments: [("Zoé", true), ("a\u{1}b\nc", false), ("", true)])
    func debtAsPiecewise(firstname: String, accept: Bool) {
        for amount in [MinorUnitAmount(minorUnits: -5, digits: 2), MinorUnitAmount(minorUnits: 1_234_567, digits: 0),
                       MinorUnitAmount(minorUnits: 12_500, digits: 3), nil] {
            let debt = debt(firstname: firstname, amount: amount, accept: accept ? true : nil)
            var writer = JSONByteWriter()
            writer.debt(debt)
            #expect(writer.bytes == piecewise(debt))
        }
    }

    @Test("every debt key, alone and all at once, after another value: each member's head is its key's (the longest fills its slot)")
    func everyKeyAsPiecewise() {
        var full = Debt()
        for key in DebtKey.ordered where key.isText { full.setText(key, "v-\(key.name)\"") }
        full.amount = MinorUnitAmount(minorUnits: 1_999, digits: 2)
        full.acceptExpensiveDestination = false
        var debts = [full, Debt()]
        for key in DebtKey.ordered {
            var alone = Debt()
            switch key {
            case .amount: alone.amount = MinorUnitAmount(minorUnits: 7, digits: 0)
            case .acceptExpensiveDestination: alone.acceptExpensiveDestination = true
            case .countryCode: continue
            default: alone.setText(key, "x")
            }
            debts.append(alone)
        }
        for debt in debts {
            let expected = Array("[null,".utf8) + piecewise(debt) + Array("]".utf8)
            #expect(afterAnotherValue { $0.debt(debt) } == String(decoding: expected, as: UTF8.self))
        }
    }

    @Test("an outcome's debt, destination and record are written as their key then their value: a missing record as {}, a long one past the one-piece limit")
    func outcomeMembers() {
        var valid = Outcome(status: .valid, provenance: Provenance(source: "in.csv", record: 1, line: 2), tempID: "t1")
        valid.debt = debt(firstname: "Zoé")
        valid.destination = Destination(zone: .frMainland, country: "FR", credits: 25, multiplier: "1.0", expensive: false)
        let failed = Outcome(status: .failed, provenance: Provenance(source: "in.csv", record: 2, line: 3), tempID: "t2")
        var withRecord = failed
        withRecord.data = RecordView(RecordObject(entries: [.init(key: "a", value: .string("x\ty"))]))
        var withLongRecord = failed
        withLongRecord.data = RecordView(RecordObject(entries: [.init(key: "note", value: .string(String(repeating: "a\"b", count: 12_000)))]))
        // Debts past the one-piece limit, with and without metadata, go member by member.
        var withLongDebt = valid
        withLongDebt.debt = debt(firstname: String(repeating: "\"", count: 11_000))
        var withLongDebtAndMetadata = withLongDebt
        withLongDebtAndMetadata.debt?.metadata = DebtMetadata(RecordObject(["debtorId": .string("7")]))
        for outcome in [valid, failed, withRecord, withLongRecord, withLongDebt, withLongDebtAndMetadata] {
            var writer = JSONByteWriter()
            writer.outcome(outcome)

            var expected = JSONByteWriter()
            expected.beginObject()
            expected.field(literal: "status", outcome.status.rawValue)
            expected.field(literal: "record", outcome.provenance.record)
            expected.optionalField(literal: "line", outcome.provenance.line)
            expected.optionalField(literal: "temp_id", outcome.tempID)
            if let debt = outcome.debt {
                expected.key(literal: "debt")
                if let metadata = debt.metadata {
                    var members = piecewise(debt)
                    members.removeLast()
                    expected.rawJSON(members + Array(#","metadata":"#.utf8) + metadata.json + [UInt8(ascii: "}")])
                } else {
                    expected.rawJSON(piecewise(debt))
                }
            }
            if let destination = outcome.destination {
                expected.key(literal: "destination")
                expected.destination(destination)
            }
            if outcome.status == .failed {
                expected.key(literal: "data")
                if let data = outcome.data {
                    expected.object(data.object)
                } else {
                    expected.beginObject()
                    expected.endObject()
                }
                expected.key(literal: "errors")
                expected.beginArray()
                expected.endArray()
            }
            expected.endObject()
            #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: expected.bytes, as: UTF8.self))
        }
    }

    @Test("a debt too long to bound in one piece, and one with metadata, are written as before")
    func debtPastTheLimit() {
        let long = debt(firstname: String(repeating: "\"quoted\" ", count: 2_000))
        var writer = JSONByteWriter()
        writer.debt(long)
        #expect(writer.bytes == piecewise(long))
        #expect(writer.bytes.count > 20_000)

        var withMetadata = debt(firstname: "Zoé")
        withMetadata.metadata = DebtMetadata(RecordObject(["debtorId": .string("7")]))
        var metadataWriter = JSONByteWriter()
        metadataWriter.debt(withMetadata)
        let text = String(decoding: metadataWriter.bytes, as: UTF8.self)
        #expect(text == String(decoding: piecewise(withMetadata).dropLast(), as: UTF8.self) + #","metadata":{"debtorId":"7"}}"#)
    }

    @Test("a debt with metadata: its members in one piece, then the metadata, as a member after another value and with no other key")
    func debtWithMetadata() {
        let metadata = DebtMetadata(RecordObject(["debtorId": .string("7"), "debtIds": .array([.string("a"), .string("b\"")])]))
        let metadataJSON = #""metadata":{"debtorId":"7","debtIds":["a","b\""]}"#
        var full = debt(firstname: "Zoé")
        full.metadata = metadata
        var onlyMetadata = Debt()
        onlyMetadata.metadata = metadata
        var emptyMetadata = debt(firstname: "Zoé")
        emptyMetadata.metadata = DebtMetadata(RecordObject())
        let cases: [(Debt, String)] = [
            (full, String(decoding: piecewise(full).dropLast(), as: UTF8.self) + "," + metadataJSON + "}"),
            (onlyMetadata, "{" + metadataJSON + "}"),
            (emptyMetadata, String(decoding: piecewise(emptyMetadata), as: UTF8.self)),
        ]
        for (debt, expected) in cases {
            var valid = Outcome(status: .valid, provenance: Provenance(source: "in.csv", record: 1), tempID: "t")
            valid.debt = debt
            var writer = JSONByteWriter()
            writer.outcome(valid)
            let text = String(decoding: writer.bytes, as: UTF8.self)
            #expect(text == #"{"status":"valid","record":1,"temp_id":"t","debt":"# + expected + "}")
        }
    }

    @Test("an envelope's first members are what field by field writes, with or without source, line, case and temp_id",
          arguments: [true, false])
    func envelopeHead(includeSource: Bool) {
        let sources = ["in/débiteurs \"2026\".csv", "-"]
        for source in sources {
            // Small and heap strings, with and without bytes to escape (read in place when there is no source).
            for (line, caseIndex, tempID) in [(Optional(12), Optional(2), Optional("case\t1")), (nil, nil, nil), (Optional(1), nil, Optional("")),
                                              (Optional(3), Optional(1), Optional("e208d3ea-5e61-444f-a678-2c7fffb7f280")),
                                              (nil, Optional(4), Optional("a long \"temp\" id\u{1} past fifteen bytes é"))] {
                let outcome = Outcome(status: .skipped, provenance: Provenance(source: source, record: 11, line: line, caseIndex: caseIndex),
                                      tempID: tempID, data: RecordObject(["a": .string("1")]), skipReason: .emptyRow)
                var writer = JSONByteWriter()
                writer.outcome(outcome, includeSource: includeSource)

                var expected = JSONByteWriter()
                expected.beginObject()
                expected.field(literal: "status", "skipped")
                if includeSource { expected.field(literal: "source", source) }
                expected.field(literal: "record", 11)
                expected.optionalField(literal: "line", line)
                expected.optionalField(literal: "case", caseIndex)
                expected.optionalField(literal: "temp_id", tempID)
                expected.key(literal: "data")
                expected.object(RecordObject(["a": .string("1")]))
                expected.field(literal: "reason", "empty_row")
                expected.endObject()
                #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: expected.bytes, as: UTF8.self))
            }
        }
    }

    @Test("a destination is written as its members one by one would be, with and without credits and multiplier")
    func destinationAsPiecewise() {
        let destinations = [
            Destination(zone: .frMainland, country: "FR", credits: 25, multiplier: "1.0", expensive: false),
            Destination(zone: .domTom, country: "GP", credits: 60, multiplier: "2.4", expensive: true),
            Destination(zone: .other, country: "US", credits: nil, multiplier: nil, expensive: false),
        ]
        for destination in destinations {
            let written = afterAnotherValue { $0.destination(destination) }

            var expected = JSONByteWriter()
            expected.beginArray()
            expected.null()
            expected.beginObject()
            expected.field(literal: "zone", destination.zone.rawValue)
            expected.field(literal: "country", destination.country)
            expected.optionalField(literal: "credits", destination.credits)
            if let multiplier = destination.multiplier {
                expected.key(literal: "multiplier")
                expected.numberText(multiplier)
            }
            expected.field(literal: "expensive", destination.expensive)
            expected.endObject()
            expected.endArray()
            #expect(written == String(decoding: expected.bytes, as: UTF8.self))
        }
    }

    @Test("destinations written one after another by one writer (the last one's bytes reused for the same one), as values and as members, across removeAll, are what a fresh writer writes for each")
    func repeatedDestinations() {
        let a = Destination(zone: .frMainland, country: "FR", credits: 25, multiplier: "1.0", expensive: false)
        var otherCountry = a
        otherCountry.country = "RE"
        var otherCredits = a
        otherCredits.credits = 30
        var otherMultiplier = a
        otherMultiplier.multiplier = "1.2"
        var expensive = a
        expensive.expensive = true
        let none = Destination(zone: .other, country: "US", credits: nil, multiplier: nil, expensive: false)
        let sequence = [a, a, otherCountry, a, otherCredits, otherMultiplier, expensive, expensive, none, none, a]
        var writer = JSONByteWriter()
        for (position, destination) in sequence.enumerated() {
            for asMember in [false, true] {
                if position == 5 { writer.removeAll() }
                let before = writer.bytes.count
                var fresh = JSONByteWriter()
                if asMember {
                    // In an envelope (the member written in one piece with its key).
                    let outcome = Outcome(status: .valid, provenance: Provenance(source: "in.csv", record: position + 1),
                                          tempID: "t", debt: Debt(), destination: destination)
                    writer.outcome(outcome); fresh.outcome(outcome)
                } else {
                    writer.beginObject(); fresh.beginObject()
                    writer.field(literal: "status", "valid"); fresh.field(literal: "status", "valid")
                    writer.key(literal: "destination"); fresh.key(literal: "destination")
                    writer.destination(destination); fresh.destination(destination)
                    writer.endObject(); fresh.endObject()
                }
                #expect(Array(writer.bytes[before...]) == fresh.bytes, "\(position) \(asMember)")
            }
        }
    }

    @Test("an envelope whose temp_id or source is too long to bound in one piece is written member by member, the same bytes")
    func longEnvelopeHead() {
        let longID = String(repeating: "id \"quoted\" ", count: 1_000)
        for (source, tempID) in [("in.csv", longID), (String(repeating: "dossier/", count: 2_000) + "a.csv", "t1")] {
            let outcome = Outcome(status: .valid, provenance: Provenance(source: source, record: 3, line: 4), tempID: tempID)
            var writer = JSONByteWriter()
            writer.outcome(outcome, includeSource: true)

            var expected = JSONByteWriter()
            expected.beginObject()
            expected.field(literal: "status", "valid")
            expected.field(literal: "source", source)
            expected.field(literal: "record", 3)
            expected.field(literal: "line", 4)
            expected.field(literal: "temp_id", tempID)
            expected.endObject()
            #expect(writer.bytes == expected.bytes)
            #expect(writer.bytes.count > 8_000)
        }
    }
}

@Suite("JSONByteWriter.scalar: a tape's scalar written in place")
struct TapeScalarWritingTests {
    @Test("each scalar of a tape is written as a view of it is, as a member after another (in one piece or not) and as an element")
    func scalarAsView() {
        let record: RecordValue = .object(RecordObject([
            "plain": .string("2300001"), "escaped": .string("a \"b\"\\\n\u{1}"), "accented": .string("Zoé"),
            "empty": .string(""), "number": .number("12.50"), "yes": .bool(true), "no": .bool(false), "none": .null,
        ]))
        var builder = RecordTapeBuilder()
        builder.append(record)
        let tape = builder.finish()
        let nodes = Array(tape.nodes)
        #expect(nodes.count == 9)
        let arena = Array(tape.bytes)
        for index in 1..<nodes.count {
            for name: StaticString? in ["id", nil] {
                var expected = JSONByteWriter()
                var written = JSONByteWriter()
                if name == nil { expected.beginArray(); written.beginArray() } else { expected.beginObject(); written.beginObject() }
                if let name { expected.key(literal: "first"); written.key(literal: "first") }
                expected.null(); written.null()
                if let name { expected.key(literal: name) }
                expected.value(RecordView(tape: tape, index: index))
                arena.withUnsafeBufferPointer { written.scalar(nodes[index], arena: $0, member: name) }
                if name == nil { expected.endArray(); written.endArray() } else { expected.endObject(); written.endObject() }
                #expect(written.bytes == expected.bytes, "\(index) \(String(decoding: expected.bytes, as: UTF8.self))")
            }
        }
    }
}

@Suite("DebtMetadata(scalarsOn:): a tape's scalars written in one piece")
struct TapeScalarMetadataTests {
    @Test("the one-piece metadata is the bytes init(writing:) writes through scalar(_:arena:member:), for every kind of scalar, with and without its members and list; a container gives nil")
    func sameAsWrittenMemberByMember() {
        let record: RecordValue = .object(RecordObject([
            "plain": .string("2300001"), "escaped": .string("a \"b\"\\\n\u{1}"), "accented": .string("Zoé"),
            "empty": .string(""), "number": .number("12.50"), "yes": .bool(true), "no": .bool(false), "none": .null,
            "long": .string(String(repeating: "c264fdaf-ef62-4a9d-", count: 9)), "inner": .object(RecordObject(["a": .string("b")])),
        ]))
        var builder = RecordTapeBuilder()
        builder.append(record)
        let tape = builder.finish()
        let nodes = Array(tape.nodes)
        let arena = Array(tape.bytes)
        let scalars = (1..<nodes.count).filter { nodes[$0].kind != .object && nodes[$0].kind != .array && nodes[$0].key.length != 1 }
        #expect(scalars.count == 9)
        arena.withUnsafeBufferPointer { arena in
            for first in [nil] + scalars.map(Optional.some) {
                for second in [nil, scalars[(first ?? 0) % scalars.count]] {
                    for list in [nil, [], [first ?? scalars[0]], scalars] as [[Int]?] {
                        let expected = DebtMetadata { writer in
                            if let first { writer.scalar(nodes[first], arena: arena, member: "debtorId") }
                            if let second { writer.scalar(nodes[second], arena: arena, member: "membershipNr") }
                            if let list {
                                writer.key(literal: "debtIds")
                                writer.beginArray()
                                for item in list { writer.scalar(nodes[item], arena: arena, member: nil) }
                                writer.endArray()
                            }
                        }
                        let listNodes = (list ?? []).map { nodes[$0] }
                        let written = listNodes.withUnsafeBufferPointer { elements in
                            DebtMetadata(scalarsOn: arena, first.map { ("debtorId", nodes[$0]) }, second.map { ("membershipNr", nodes[$0]) },
                                         list: list == nil ? nil : ("debtIds", elements))
                        }
                        #expect(written?.json == expected.json, "\(String(decoding: expected.json, as: UTF8.self))")
                        // Written over a metadata of its own (its buffer kept) and over one whose
                        // buffer another value shares (left as it was): the same bytes.
                        var owned = DebtMetadata(scalarsOn: arena, ("debtorId", nodes[scalars[1]]), nil, list: nil)!
                        var shared = owned
                        let kept = shared
                        let rewritten = listNodes.withUnsafeBufferPointer { elements in
                            let list = list == nil ? nil : ("debtIds" as StaticString, elements)
                            return (owned.rewrite(scalarsOn: arena, first.map { ("debtorId", nodes[$0]) }, second.map { ("membershipNr", nodes[$0]) }, list: list),
                                    shared.rewrite(scalarsOn: arena, first.map { ("debtorId", nodes[$0]) }, second.map { ("membershipNr", nodes[$0]) }, list: list))
                        }
                        #expect(rewritten == (true, true))
                        #expect(owned.json == expected.json && shared.json == expected.json)
                        #expect(kept.json == DebtMetadata(scalarsOn: arena, ("debtorId", nodes[scalars[1]]), nil, list: nil)!.json)
                    }
                }
            }
            let inner = (1..<nodes.count).first { nodes[$0].kind == .object }!
            #expect(DebtMetadata(scalarsOn: arena, ("debtorId", nodes[inner]), nil, list: nil) == nil)
            var reused = DebtMetadata(scalarsOn: arena, ("debtorId", nodes[scalars[0]]), nil, list: nil)!
            let rewroteContainer = reused.rewrite(scalarsOn: arena, ("debtorId", nodes[inner]), nil, list: nil)
            #expect(!rewroteContainer)
            let innerNode = [nodes[inner]]
            innerNode.withUnsafeBufferPointer { elements in
                #expect(DebtMetadata(scalarsOn: arena, ("debtorId", nodes[1]), nil, list: ("debtIds", elements)) == nil)
            }
        }
    }
}

@Suite("JSONByteWriter.echo: a case's record written once, copied for the next case")
struct CaseRecordEchoTests {
    @Test("outcomes of cases, failed and skipped, of the same and of other records, one writer: the bytes each outcome gets from a writer of its own")
    func echoedAsWritten() {
        var builder = RecordTapeBuilder()
        builder.append(.object(RecordObject(["debtorId": .string("2300001"), "note": .string("say \"hi\""),
                                             "cases": .array([.object(RecordObject(["id": .number("1")])), .object(RecordObject(["id": .number("2")]))])])))
        let first = builder.finish()
        var other = RecordTapeBuilder()
        other.append(.object(RecordObject(["debtorId": .string("2300002")])))
        let second = other.finish()
        func outcome(_ status: OutcomeStatus, _ tape: RecordTape, _ index: Int, record: Int, caseIndex: Int?) -> Outcome {
            Outcome(status: status, provenance: Provenance(source: "in.json", record: record, line: 1, caseIndex: caseIndex),
                    tempID: "t\(record)", data: RecordView(tape: tape, index: index),
                    errors: status == .failed ? [RecordError(field: "currency", code: .invalidCurrency, message: "m")] : [],
                    skipReason: status == .skipped ? .blocked : nil)
        }
        let outcomes = [
            outcome(.failed, first, 0, record: 1, caseIndex: 1), outcome(.skipped, first, 0, record: 1, caseIndex: 2),
            outcome(.failed, first, 0, record: 1, caseIndex: 3), outcome(.failed, second, 0, record: 2, caseIndex: 1),
            outcome(.failed, first, 0, record: 1, caseIndex: 1), outcome(.skipped, first, 4, record: 1, caseIndex: 1),
            outcome(.skipped, first, 4, record: 1, caseIndex: 2), outcome(.failed, second, 0, record: 2, caseIndex: nil),
            outcome(.failed, second, 0, record: 2, caseIndex: 1), outcome(.failed, second, 0, record: 2, caseIndex: 2),
        ]
        var together = JSONByteWriter()
        var expected: [UInt8] = []
        for (position, item) in outcomes.enumerated() {
            together.outcome(item, includeSource: position % 2 == 0)
            together.newline()
            var alone = JSONByteWriter()
            alone.outcome(item, includeSource: position % 2 == 0)
            alone.newline()
            expected += alone.bytes
            if position == 5 { together.removeAll(); expected.removeAll() }
        }
        #expect(String(decoding: together.bytes, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(together.bytes.count > 200)
    }
}
