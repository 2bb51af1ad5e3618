import DebtflowCore
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
