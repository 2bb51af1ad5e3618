import DebtflowClassify
import DebtflowCore
import DebtflowNormalize
import DebtflowSandbox
import DebtflowValidate
import Testing

@Suite("DebtRules: one pushed debt, as the sandbox checks it")
struct DebtRulesTests {
    private func debt(_ pairs: KeyValuePairs<String, RecordValue>) -> RecordObject { RecordObject(pairs) }

    @Test("a well-formed API debt is valid, normalized, with its destination")
    func valid() {
        let outcome = DebtRules.evaluate(debt: debt([
            "firstname": .string("Jean"), "lastname": .string("Dupont"), "amount": .number("1234.5"),
            "currency": .string("eur"), "phone": .string("+33612345678"), "temp_id": .string("t-1"),
            "metadata": .object(RecordObject(["debtorId": .string("9")])),
        ]), acceptExpensiveDestination: false)
        #expect(outcome.status == .valid)
        #expect(outcome.tempID == "t-1")
        #expect(outcome.debt?.amount == MinorUnitAmount(minorUnits: 123450, digits: 2))
        #expect(outcome.debt?.currency == "EUR")
        #expect(outcome.debt?.tempID == "t-1")
        #expect(outcome.debt?.metadata == DebtMetadata(RecordObject(["debtorId": .string("9")])))
        #expect(outcome.destination?.zone == .frMainland)
    }

    @Test("a JSON number amount is read with a dot even when the default separator is a comma")
    func numberAmount() {
        let outcome = DebtRules.evaluate(debt: debt([
            "firstname": .string("Jean"), "lastname": .string("Dupont"), "amount": .number("12.5"),
            "currency": .string("EUR"), "email": .string("jean@example.fr"),
        ]), acceptExpensiveDestination: false, normalize: NormalizeOptions(decimal: .comma))
        #expect(outcome.debt?.amount == MinorUnitAmount(minorUnits: 1250, digits: 2))
    }

    @Test("an expensive destination passes when the batch, or the debt itself, accepts it")
    func expensive() {
        var object = debt([
            "firstname": .string("Jean"), "lastname": .string("Dupont"), "amount": .number("10"),
            "currency": .string("EUR"), "phone": .string("0690123456"),
        ])
        #expect(DebtRules.evaluate(debt: object, acceptExpensiveDestination: false).errors.map(\.code)
            == [.expensiveDestination])
        #expect(DebtRules.evaluate(debt: object, acceptExpensiveDestination: true).status == .valid)
        object["accept_expensive_destination"] = .bool(true)
        #expect(DebtRules.evaluate(debt: object, acceptExpensiveDestination: false).status == .valid)
    }

    @Test("a debt breaking several rules fails with all of them; the object is the outcome's data")
    func failed() {
        let object = debt(["firstname": .string(""), "amount": .number("-1"), "currency": .string("EUR")])
        let outcome = DebtRules.evaluate(debt: object, acceptExpensiveDestination: false)
        #expect(outcome.status == .failed)
        #expect(Set(outcome.errors.map(\.code)) == [.required, .nonPositiveAmount, .missingContact])
        #expect(outcome.data?.object == object)
    }

    @Test("an empty debt object is skipped as an empty row")
    func empty() {
        #expect(DebtRules.evaluate(debt: RecordObject(), acceptExpensiveDestination: false).skipReason == .emptyRow)
    }

    @Test("a valid debt as the API's JSON object: keys in order, amount with its decimals, empty keys left out")
    func debtObject() throws {
        let outcome = DebtRules.evaluate(debt: debt([
            "email": .string(" Jean@Example.FR "), "lastname": .string("Dupont"), "firstname": .string("Jean"),
            "amount": .string("12,5"), "currency": .string("EUR"), "company": .string(""),
        ]), acceptExpensiveDestination: false)
        let object = DebtRules.object(of: try #require(outcome.debt))
        #expect(object.entries.map(\.key) == ["firstname", "lastname", "amount", "currency", "email",
                                               "accept_expensive_destination"])
        #expect(object["amount"] == .number("12.50"))
        #expect(object["email"] == .string("Jean@example.fr"))
        #expect(object["accept_expensive_destination"] == .bool(false))
    }
}
