import DebtflowCore
import Testing

/// `Debt` keeps its texts as spans: into the record's tape when the bytes are the tape's own,
/// else copied into its arena (issue 10). Whatever the storage, a debt reads and compares by value.
@Suite("Debt storage")
struct DebtStorageTests {
    /// A one-record tape with `{"name": "  Céline  ", "city": "Lyon"}`.
    private let view = RecordView(RecordObject(["name": .string("  Céline  "), "city": .string("Lyon")]))

    @Test("a text given as bytes of the debt's tape is read back from the tape, a trimmed slice included")
    func pointsIntoTheTape() throws {
        var debt = Debt(tape: view.tape)
        let name = try #require(view["name"])
        name.withTextBytes { bytes in
            let trimmed = UnsafeBufferPointer(rebasing: bytes[TextTrimming.trimmedRange(bytes)])
            debt.setText(.firstname, trimmed)
        }
        view["city"]!.withTextBytes { debt.setText(.city, $0) }
        #expect(debt.firstname == "Céline")
        #expect(debt.city == "Lyon")
        #expect(debt.has(.firstname) && !debt.has(.lastname))
        #expect(debt[.firstname] == .text("Céline"))
    }

    @Test("texts from elsewhere are copied: changing the source afterwards does not change the debt")
    func copiesOtherBytes() {
        var debt = Debt(tape: view.tape)
        var source: [UInt8] = Array("+33612345678".utf8)
        source.withUnsafeBufferPointer { debt.setText(.phone, $0) }
        source[1] = UInt8(ascii: "9")
        #expect(debt.phone == "+33612345678")
        debt.currency = "EUR"
        debt.email = "a@b.fr"
        #expect(debt.currency == "EUR" && debt.email == "a@b.fr" && debt.phone == "+33612345678")
    }

    @Test("setting a key again replaces its text; nil removes it")
    func replacesAndRemoves() {
        var debt = Debt()
        debt.lastname = "Moreau"
        debt.lastname = "De Smet"
        #expect(debt.lastname == "De Smet")
        debt.lastname = nil
        #expect(debt.lastname == nil && !debt.has(.lastname) && debt[.lastname] == nil)
        debt.lastname = ""
        #expect(debt.lastname == "" && debt.has(.lastname))
    }

    @Test("debts are equal by value whether their texts are in a tape or in their own arena")
    func equalByValue() {
        var onTape = Debt(tape: view.tape)
        view["city"]!.withTextBytes { onTape.setText(.city, $0) }
        onTape.amount = MinorUnitAmount(minorUnits: 1250, digits: 2)
        var byHand = Debt()
        byHand.city = "Lyon"
        byHand.amount = MinorUnitAmount(minorUnits: 1250, digits: 2)
        #expect(onTape == byHand)
        byHand.acceptExpensiveDestination = true
        #expect(onTape != byHand)
        byHand.acceptExpensiveDestination = nil
        byHand.city = "Lyon "
        #expect(onTape != byHand)
    }

    @Test("a detached debt keeps every value and writes the same JSON")
    func detached() {
        var debt = Debt(tape: view.tape)
        view["city"]!.withTextBytes { debt.setText(.city, $0) }
        debt.phone = "+33612345678"
        debt.amount = MinorUnitAmount(minorUnits: 5, digits: 2)
        debt.acceptExpensiveDestination = false
        debt.metadata = DebtMetadata(RecordObject(["debtorId": .number("7")]))
        let copy = debt.detached()
        #expect(copy == debt)
        var left = JSONByteWriter()
        left.debt(debt)
        var right = JSONByteWriter()
        right.debt(copy)
        #expect(left.bytes == right.bytes)
        #expect(String(decoding: left.bytes, as: UTF8.self)
            == #"{"amount":0.05,"phone":"+33612345678","accept_expensive_destination":false,"city":"Lyon","metadata":{"debtorId":7}}"#)
    }

    @Test("a text that needs escaping is escaped when the debt is written")
    func escapesWhenWritten() {
        var debt = Debt()
        debt.object = "say \"hi\"\n"
        var writer = JSONByteWriter()
        writer.debt(debt)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"object":"say \"hi\"\n"}"#)
    }
}

@Suite("Debt storage: short rewritten texts")
struct DebtSmallStorageTests {
    @Test("texts that fill the inline bytes exactly, then one more, all read back whole")
    func inlineThenArena() {
        var debt = Debt()
        debt.phone = "+33612345678"                       // 12
        debt.currency = "EUR"                            // 15
        debt.birthdate = "1990-01-31"                    // 25
        debt.timelineStartMode = "next_da"               // 32: the inline bytes are full
        debt.dueDate = "2024-02-29"                      // to the arena
        debt.email = String(repeating: "a", count: 40) + "@example.fr"
        #expect(debt.phone == "+33612345678")
        #expect(debt.currency == "EUR")
        #expect(debt.birthdate == "1990-01-31")
        #expect(debt.timelineStartMode == "next_da")
        #expect(debt.dueDate == "2024-02-29")
        #expect(debt.email == String(repeating: "a", count: 40) + "@example.fr")
        var copy = debt
        copy.currency = "CHF"
        #expect(debt.currency == "EUR" && copy.currency == "CHF", "a copy's texts are its own")
        #expect(debt.detached() == debt)
    }

    @Test("a debt reset and filled again (its arena's buffer kept) reads its new texts; a copy made before keeps the old")
    func resetKeepsTheArenaForTheNextTexts() {
        var debt = Debt()
        debt.object = String(repeating: "first, ", count: 10)    // past the inline bytes: the arena
        debt.email = "zoe@example.fr"
        let kept = debt
        debt.reset(tape: nil)
        #expect(!debt.has(.object) && !debt.has(.email) && debt.object == nil)
        debt.city = String(repeating: "z", count: 40)             // the arena again, from its start
        debt.object = "short"
        #expect(debt.city == String(repeating: "z", count: 40))
        #expect(debt.object == "short")
        #expect(kept.object == String(repeating: "first, ", count: 10) && kept.email == "zoe@example.fr", "a copy's texts are its own")
        var again = kept
        again.reset(tape: nil)                                   // the buffer shared with `kept`: replaced, not written
        again.object = String(repeating: "x", count: 50)
        #expect(again.object == String(repeating: "x", count: 50))
        #expect(kept.object == String(repeating: "first, ", count: 10))
    }

    @Test("an empty text takes no inline byte and still reads back as empty")
    func emptyText() {
        var debt = Debt()
        debt.city = ""
        debt.phone = "+33612345678"
        #expect(debt.city == "" && debt.phone == "+33612345678")
    }
}
