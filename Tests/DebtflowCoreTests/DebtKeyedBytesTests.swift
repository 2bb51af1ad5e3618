@testable import DebtflowCore
import Testing

/// `DebtKeyedBytes` opens a value's buffers once and reads every key from them: for every key it
/// must give what the per-key readers (`DebtRawFields.withBytes`, `Debt.withText`) give, wherever
/// the text is stored (the record's tape, a side arena, a debt's inline bytes or its arena).
@Suite("Keyed bytes of a debt's texts")
struct DebtKeyedBytesTests {
    /// A one-record tape: `{"first": "  Céline ", "city": "Lyon", "blank": "   "}`.
    private let view = RecordView(RecordObject(["first": .string("  Céline "), "city": .string("Lyon"),
                                                "blank": .string("   ")]))

    private func span(_ key: String) -> ByteSpan { view[key]!.node.value }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>?) -> String? {
        bytes.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Source texts in every kind of storage: tape spans, a side constant, a made-up side text,
    /// one set through the `String` subscript; most keys have none.
    private func mixedFields() -> DebtRawFields {
        var raw = DebtRawFields(tape: view.tape, side: Array("EURtrue".utf8))
        raw.set(.firstname, tapeSpan: span("first"))
        raw.set(.city, tapeSpan: span("city"))
        raw.set(.company, tapeSpan: span("blank"))
        raw.set(.currency, sideSpan: ByteSpan(offset: 0, length: 3))
        raw.set(.acceptExpensiveDestination, sideSpan: ByteSpan(offset: 3, length: 4))
        raw.setSideText(.object) { $0.append(contentsOf: "Abonnement, Getränke".utf8) }
        raw[.phone] = "06 12 34 56 78"
        return raw
    }

    @Test("a source field reads the same by key as through withBytes, for every key")
    func rawFieldsEveryKey() {
        let raw = mixedFields()
        raw.withKeyedBytes { fields in
            for key in DebtKey.allCases {
                let expected = raw.withBytes(key, Self.text)
                #expect(Self.text(fields[key]) == expected, "\(key)")
                #expect(fields.has(key) == raw.has(key), "\(key)")
            }
        }
    }

    @Test("a candidate's fields read where they lie (changeReadingRaw) as through withKeyedBytes, for every key and kind of storage and without fields, while the body changes the rest of the candidate")
    func candidateFieldsReadInPlace() {
        // (Also fields all on the tape, with a side arena no field points into.)
        var tapeOnly = DebtRawFields(tape: view.tape, side: Array("EURtrue".utf8))
        tapeOnly.set(.firstname, tapeSpan: span("first"))
        tapeOnly.set(.city, tapeSpan: span("city"), needsEscaping: false)
        for raw in [mixedFields(), tapeOnly, DebtRawFields(tape: view.tape), DebtRawFields(["lastname": "Moreau", "email": " a@b.fr "]),
                    DebtRawFields()] {
            var candidate = DebtCandidate(provenance: Provenance(source: "t.csv", record: 1, line: 2), data: view, raw: raw)
            var seen: [String?] = []
            candidate.changeReadingRaw { candidate, fields in
                for key in DebtKey.allCases {
                    #expect(fields.has(key) == raw.has(key), "\(key)")
                    #expect(fields.isVerbatim(key) == raw.withKeyedBytes { $0.isVerbatim(key) }, "\(key)")
                    seen.append(Self.text(fields[key]))
                }
                candidate.tempID = "T-1"
                if let city = fields[.city] { candidate.debt.setText(.city, city) }
                candidate.errors.append(RecordError(field: "amount", code: .required, message: "amount is required"))
            }
            #expect(seen == DebtKey.allCases.map { raw.withBytes($0, Self.text) })
            #expect(candidate.tempID == "T-1")
            #expect(candidate.debt.city == raw.withBytes(.city, Self.text))
            #expect(candidate.errors.count == 1)
            #expect(DebtKey.allCases.allSatisfy { candidate.raw.withBytes($0, Self.text) == raw.withBytes($0, Self.text) })
        }
    }

    @Test("presentKeys keeps the asked keys that have a text, blank or not; popFirst walks a set in key order and then gives nil")
    func presentKeysInOrder() {
        let asked = DebtRawKeySet([.country, .firstname, .company, .email, .city, .object, .acceptExpensiveDestination])
        mixedFields().withKeyedBytes { fields in
            var present = fields.presentKeys(of: asked)
            var walked: [DebtRawKey] = []
            while let key = present.popFirst() { walked.append(key) }
            #expect(walked == [.firstname, .acceptExpensiveDestination, .object, .company, .city])
            #expect(present.isEmpty && present.popFirst() == nil)
            var none = fields.presentKeys(of: DebtRawKeySet())
            #expect(none.popFirst() == nil)
        }
        var every = DebtRawKeySet(DebtKey.allCases.reversed())
        var walked: [DebtRawKey] = []
        while let key = every.popFirst() { walked.append(key) }
        #expect(walked == DebtKey.allCases)
    }

    @Test("a debt's texts read where it lies (withKeyedBytes(at:)) as through withKeyedBytes: tape, inline bytes, arena, no tape")
    func debtReadInPlace() {
        var debt = Debt(tape: view.tape)
        view["city"]!.withTextBytes { debt.setText(.city, $0) }                // the tape
        debt.currency = "EUR"                                                  // inline
        debt.object = String(repeating: "Abonnement mensuel ", count: 4)       // the arena
        debt.email = "a\"b@example.fr"                                          // inline, to escape
        // (Also without its arena text: texts in the tape and the inline bytes only.)
        var tapeAndInline = debt
        tapeAndInline.object = nil
        for var each in [debt, tapeAndInline, Debt(), Debt(tape: view.tape)] {
            let expected = each.withKeyedBytes { texts in
                DebtKey.allCases.map { (Self.text(texts[$0]), texts.has($0), texts.isVerbatim($0)) }
            }
            let read = withUnsafePointer(to: &each) { at in
                Debt.withKeyedBytes(at: at) { texts in
                    DebtKey.allCases.map { (Self.text(texts[$0]), texts.has($0), texts.isVerbatim($0)) }
                }
            }
            #expect(read.count == expected.count)
            for (index, key) in DebtKey.allCases.enumerated() {
                #expect(read[index] == expected[index], "\(key)")
            }
        }
    }

    @Test("trimmed drops white space around a text and gives nil for a blank or missing one")
    func trimmed() {
        mixedFields().withKeyedBytes { fields in
            #expect(Self.text(fields.trimmed(.firstname)) == "Céline")
            #expect(Self.text(fields[.firstname]) == "  Céline ")
            #expect(fields.trimmed(.company) == nil)
            #expect(fields.has(.company))
            #expect(fields.trimmed(.email) == nil)
        }
    }

    @Test("a candidate's own id (ownIDText), read where the fields lie, is asciiTrimmedText of its temp_id, else of its internal_id, else nil; on the tape, in the side arena and without a tape")
    func ownIDText() {
        func candidate(_ raw: DebtRawFields) -> DebtCandidate {
            DebtCandidate(provenance: Provenance(source: "a.csv", record: 1), data: view, raw: raw)
        }
        // temp_id on the tape, internal_id beside it: temp_id wins.
        var raw = mixedFields()
        raw.set(.tempID, tapeSpan: span("first"))
        raw.setSideText(.internalID) { $0.append(contentsOf: "ID-1".utf8) }
        var one = candidate(raw)
        #expect(one.ownIDText() == raw.asciiTrimmedText(.tempID) && one.ownIDText() == "Céline")
        // A blank temp_id is still the one read (empty), not the internal_id.
        raw.set(.tempID, tapeSpan: span("blank"))
        one = candidate(raw)
        #expect(one.ownIDText() == "")
        // Only an internal_id, in the side arena, repaired as String(decoding:) repairs it; a long one.
        raw = mixedFields()
        raw.setSideText(.internalID) { $0.append(contentsOf: [0x20, 0x41, 0xFF, 0x42, 0x20]) }
        one = candidate(raw)
        #expect(one.ownIDText() == raw.asciiTrimmedText(.internalID) && one.ownIDText() == "A\u{FFFD}B")
        raw.setSideText(.internalID) { $0.append(contentsOf: " DOS-0000001-with-a-long-suffix\t".utf8) }
        one = candidate(raw)
        #expect(one.ownIDText() == "DOS-0000001-with-a-long-suffix")
        // Neither.
        one = candidate(mixedFields())
        #expect(one.ownIDText() == nil)
        // Fields without a tape.
        var noTape = DebtRawFields()
        noTape[.tempID] = " 42 "
        one = candidate(noTape)
        #expect(one.ownIDText() == "42")
        // Reading changes nothing.
        #expect(one == candidate(noTape))
    }

    @Test("asciiTrimmedText is the text trimmed of ASCII white space, as String(decoding:) makes it, wherever it lies")
    func asciiTrimmedText() {
        var raw = mixedFields()
        // A long id (a heap string), one with a byte that is not UTF-8 (repaired), one of 15 bytes.
        raw.setSideText(.tempID) { $0.append(contentsOf: " DOS-0000001-with-a-long-suffix\t".utf8) }
        raw.setSideText(.internalID) { $0.append(contentsOf: [0x20, 0x41, 0xFF, 0x42, 0x20]) }
        raw.setSideText(.timelineID) { $0.append(contentsOf: "123456789012345".utf8) }
        for key in DebtKey.allCases {
            let expected = raw.withBytes(key) { bytes in
                bytes.map { String(decoding: UnsafeBufferPointer(rebasing: $0[TextTrimming.asciiTrimmedRange($0)]), as: UTF8.self) }
            }
            #expect(raw.asciiTrimmedText(key) == expected, "\(key)")
        }
        #expect(raw.asciiTrimmedText(.firstname) == "Céline")
        #expect(raw.asciiTrimmedText(.company) == "")
        #expect(raw.asciiTrimmedText(.email) == nil)
        #expect(raw.asciiTrimmedText(.tempID) == "DOS-0000001-with-a-long-suffix")
        #expect(raw.asciiTrimmedText(.internalID) == "A\u{FFFD}B")
        #expect(raw.asciiTrimmedText(.timelineID) == "123456789012345")
    }

    @Test("resetKeepingSideStorage empties the fields and their side bytes, keeps the side storage when unshared, and leaves a copy's texts alone")
    func resetKeepingSideStorage() {
        var raw = mixedFields()
        raw.setSideText(.object) { $0.append(contentsOf: "Abonnement, Getränke, Kurs".utf8) }
        let copy = raw
        // Shared with `copy`: emptied into storage of its own; the copy keeps its texts.
        raw.resetKeepingSideStorage(tape: view.tape)
        #expect(raw.isEmpty)
        #expect(raw == DebtRawFields(tape: view.tape))
        #expect(copy[.object] == "Abonnement, Getränke, Kurs")
        #expect(copy[.currency] == "EUR")
        raw.setSideText(.object) { $0.append(contentsOf: "Abonnement, Getränke".utf8) }
        raw.set(.city, tapeSpan: span("city"))
        let storage = raw.withKeyedBytes { $0.second.baseAddress }
        // Unshared: the next record's side text is written into the same storage, from its start.
        raw.resetKeepingSideStorage(tape: view.tape)
        #expect(raw.isEmpty && !raw.has(.city) && !raw.has(.object))
        raw.setSideText(.object) { $0.append(contentsOf: "Kurs, Getränke".utf8) }
        #expect(raw[.object] == "Kurs, Getränke")
        #expect(raw.withKeyedBytes { $0.second.baseAddress } == storage)
        #expect(raw.withKeyedBytes { $0.second.count } == "Kurs, Getränke".utf8.count)
    }

    @Test("fields with no tape at all (built from names) read by key")
    func rawFieldsWithoutTape() {
        let raw = DebtRawFields(["lastname": "Moreau", "email": " a@b.fr "])
        raw.withKeyedBytes { fields in
            #expect(Self.text(fields[.lastname]) == "Moreau")
            #expect(Self.text(fields.trimmed(.email)) == "a@b.fr")
            #expect(fields[.firstname] == nil)
        }
    }

    @Test("a debt's texts read the same by key as through withText, in its tape, inline bytes and arena")
    func debtEveryKey() {
        var debt = Debt(tape: view.tape)
        view["city"]!.withTextBytes { debt.setText(.city, $0) }                // the tape
        debt.currency = "EUR"                                                  // inline
        debt.phone = "+33612345678"                                            // inline
        debt.object = String(repeating: "Abonnement mensuel ", count: 4)       // the arena
        debt.email = "celine.moreau@example.fr"                                // inline or arena
        debt.amount = MinorUnitAmount(minorUnits: 4250, digits: 2)
        debt.withKeyedBytes { texts in
            for key in DebtKey.allCases {
                #expect(Self.text(texts[key]) == debt.withText(key, Self.text), "\(key)")
            }
            // The amount is a number, not a text.
            #expect(texts[.amount] == nil)
        }
    }
}

/// `isVerbatim`: which texts a writer may copy without the escape scan. Set only where a text is
/// known to need no escaping, cleared whenever the key is set otherwise or the value is reset.
@Suite("Texts known to need no escaping")
struct VerbatimTextTests {
    /// `{"plain": "Lyon", "quoted": "say \"hi\""}` on one tape.
    private let view = RecordView(RecordObject(["plain": .string("Lyon"), "quoted": .string("say \"hi\"")]))

    @Test("a source field is verbatim only when set from the tape as needing no escaping")
    func rawFields() {
        let plain = view["plain"]!.node, quoted = view["quoted"]!.node
        #expect(!plain.flags.contains(.valueNeedsEscaping))
        #expect(quoted.flags.contains(.valueNeedsEscaping))
        var raw = DebtRawFields(tape: view.tape, side: Array("EUR".utf8))
        raw.set(.city, tapeSpan: plain.value, needsEscaping: plain.flags.contains(.valueNeedsEscaping))
        raw.set(.object, tapeSpan: quoted.value, needsEscaping: quoted.flags.contains(.valueNeedsEscaping))
        raw.set(.company, tapeSpan: plain.value)                            // not said: not known
        raw.set(.firstname, tapeSpan: plain.value, needsEscaping: false)
        raw.set(.firstname, sideSpan: ByteSpan(offset: 0, length: 3))      // set again: no longer known
        raw.set(.internalID, number: plain.value, text: UnsafeBufferPointer(start: nil, count: 0))
        raw.withKeyedBytes { fields in
            #expect(fields.isVerbatim(.city))
            #expect(!fields.isVerbatim(.object))
            #expect(!fields.isVerbatim(.company))
            #expect(!fields.isVerbatim(.firstname))
            #expect(fields.isVerbatim(.internalID))                        // a JSON number's text
            #expect(!fields.isVerbatim(.email))                            // no text
        }
        raw.reset(tape: view.tape, side: [])
        raw.withKeyedBytes { fields in #expect(fields.verbatimKeys == 0) }
    }

    @Test("a debt's text is verbatim as its setter said, until set again or reset; a removed text is not")
    func debt() {
        var debt = Debt(tape: view.tape)
        Array("+33612345678".utf8).withUnsafeBufferPointer { debt.setText(.phone, $0, verbatim: true) }
        Array("EUR".utf8).withUnsafeBufferPointer { debt.setText(.currency, $0, verbatim: true) }
        view["plain"]!.withTextBytes { debt.setText(.city, $0, verbatim: true) }  // in the tape
        debt.email = "a@b.fr"
        debt.withKeyedBytes { texts in
            #expect(texts.isVerbatim(.phone) && texts.isVerbatim(.currency) && texts.isVerbatim(.city))
            #expect(!texts.isVerbatim(.email))
        }
        debt.currency = "USD"
        debt.city = nil
        debt.withKeyedBytes { texts in
            #expect(!texts.isVerbatim(.currency))
            #expect(!texts.isVerbatim(.city))
            #expect(texts.isVerbatim(.phone))
        }
        debt.reset(tape: view.tape)
        debt.withKeyedBytes { texts in #expect(texts.verbatimKeys == 0) }
    }

    @Test("a debt whose texts are verbatim is written byte for byte as with the escape scan, at every length")
    func writtenAlike() {
        for length in [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 23, 24, 25, 27, 33, 40, 63, 64, 65, 100] {
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(0x41 + $0 % 26))) })
            var scanned = Debt(), verbatim = Debt()
            for key in [DebtKey.firstname, .iban, .email, .city] {
                scanned.setText(key, text)
                var copy = text
                copy.withUTF8 { verbatim.setText(key, $0, verbatim: true) }
            }
            var a = JSONByteWriter(), b = JSONByteWriter()
            a.debt(scanned)
            b.debt(verbatim)
            #expect(a.bytes == b.bytes, "\(length)")
        }
    }
}

extension DebtKeyedBytes {
    /// Every key's verbatim bit (for the tests' "none" checks).
    fileprivate var verbatimKeys: UInt32 {
        DebtKey.allCases.reduce(0) { $0 | (isVerbatim($1) ? 1 << UInt32($1.rawValue) : 0) }
    }
}
