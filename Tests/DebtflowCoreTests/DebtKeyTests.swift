@testable import DebtflowCore
import Testing

/// The debt keys are listed once, in ``DebtKey`` (issue 9 item 6); the debt's JSON and the
/// candidate's slots derive from it.
@Suite("Debt keys")
struct DebtKeyTests {
    /// A debt with every key set, each to a text naming it.
    private var fullDebt: Debt {
        var debt = Debt()
        debt.firstname = "firstname"; debt.lastname = "lastname"
        debt.amount = MinorUnitAmount(minorUnits: 123450, digits: 2)
        debt.currency = "EUR"; debt.phone = "+33612345678"; debt.email = "a@b.fr"
        debt.tempID = "t"; debt.internalID = "i"; debt.timelineID = "tl"; debt.timelineStartMode = "immediate"
        debt.acceptExpensiveDestination = false
        debt.civility = "M"; debt.birthdate = "1980-01-02"; debt.object = "o"; debt.invoiceDate = "2026-01-01"
        debt.dueDate = "2026-02-01"; debt.iban = "FR7630006000011234567890189"; debt.company = "c"
        debt.streetAddress = "rue"; debt.streetNumber = "3"; debt.postalCode = "75001"; debt.city = "Paris"
        debt.country = "FR"
        return debt
    }

    @Test("a key made from its index is the key of that raw value, for every key")
    func keyIndex() {
        #expect(DebtKey.caseCount == DebtKey.allCases.count)
        #expect(MemoryLayout<DebtKey>.size == 1)
        for key in DebtKey.allCases {
            #expect(DebtKey(keyIndex: key.rawValue) == key)
            #expect(DebtKey(keyIndex: key.rawValue).literal.description == key.literal.description)
        }
    }

    @Test("the keys are the contract's, in the debt object's order, country_code last")
    func names() {
        #expect(DebtKey.ordered.map(\.name) == [
            "firstname", "lastname", "amount", "currency", "phone", "email", "temp_id", "internal_id",
            "timeline_id", "timeline_start_mode", "accept_expensive_destination", "civility", "birthdate",
            "object", "invoice_date", "due_date", "iban", "company", "street_address", "street_number",
            "postal_code", "city", "country", "country_code",
        ])
        #expect(DebtKey.ordered.allSatisfy { DebtKey(name: $0.name) == $0 })
        #expect(DebtKey(name: "first_name") == nil)
    }

    @Test("the debt's JSON writes every key the debt has, in DebtKey's order, with its JSON type")
    func debtJSON() {
        var writer = JSONByteWriter()
        writer.debt(fullDebt)
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"firstname":"firstname","lastname":"lastname","amount":1234.50,"currency":"EUR","phone":"+33612345678","email":"a@b.fr","temp_id":"t","internal_id":"i","timeline_id":"tl","timeline_start_mode":"immediate","accept_expensive_destination":false,"civility":"M","birthdate":"1980-01-02","object":"o","invoice_date":"2026-01-01","due_date":"2026-02-01","iban":"FR7630006000011234567890189","company":"c","street_address":"rue","street_number":"3","postal_code":"75001","city":"Paris","country":"FR"}"#)
    }

    @Test("a debt's value per key: text, the amount, the flag; country_code is no debt field")
    func values() {
        let debt = fullDebt
        #expect(debt[.amount] == .amount(MinorUnitAmount(minorUnits: 123450, digits: 2)))
        #expect(debt[.acceptExpensiveDestination] == .flag(false))
        #expect(debt[.streetAddress] == .text("rue"))
        #expect(debt[.countryCode] == nil)
        #expect(Debt()[.firstname] == nil)
        #expect(DebtKey.ordered.filter { debt[$0] == nil } == [.countryCode])
    }

    @Test("the candidate's raw slots are keyed by DebtKey (DebtRawKey is the same type)")
    func rawSlots() {
        var raw = DebtRawFields()
        for key in DebtKey.ordered { raw[key] = key.name }
        #expect(raw.dictionary == Dictionary(uniqueKeysWithValues: DebtKey.ordered.map { ($0.name, $0.name) }))
        #expect(DebtRawKey.self == DebtKey.self)
    }

    @Test("every key has a slot in the inline span tables, and a debt keeps a text for every text key")
    func everyKeyHasASlot() {
        #expect(DebtKey.allCases.count <= DebtKey.slotCount)
        var debt = Debt()
        for key in DebtKey.allCases where key.isText { debt.setText(key, key.name + "-text") }
        for key in DebtKey.allCases where key.isText { #expect(debt.text(key) == key.name + "-text") }
        var raw = DebtRawFields()
        for key in DebtKey.allCases { raw[key] = key.name }
        for key in DebtKey.allCases { #expect(raw[key] == key.name) }
    }
}
