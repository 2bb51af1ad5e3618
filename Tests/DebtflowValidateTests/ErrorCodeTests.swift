import DebtflowClassify
import DebtflowCore
import DebtflowNormalize
import DebtflowValidate
import Testing

/// One record that fails with exactly this code (among possibly others), per contract code.
private struct ErrorCase: Sendable, CustomTestStringConvertible {
    var raw: [String: String]
    var field: String?
    var validate = ValidateOptions()
    var readerProblem: RecordError?
    var testDescription: String { raw.description }
}

private let errorCases: [RecordErrorCode: ErrorCase] = [
    .required: ErrorCase(raw: spoiled(["lastname": nil]), field: "lastname"),
    .invalidAmount: ErrorCase(raw: spoiled(["amount": "12.345"]), field: "amount"),
    .nonPositiveAmount: ErrorCase(raw: spoiled(["amount": "0,00"]), field: "amount"),
    .invalidCurrency: ErrorCase(raw: spoiled(["currency": "FRF"]), field: "currency"),
    .invalidPhone: ErrorCase(raw: spoiled(["phone": "O6 12 34 56 78"]), field: "phone"),
    .invalidEmail: ErrorCase(raw: spoiled(["email": "jean.dupont@example"]), field: "email"),
    .invalidIBAN: ErrorCase(raw: spoiled(["iban": "FR76 3000 6000 0112 3456 7890 188"]), field: "iban"),
    .invalidDate: ErrorCase(raw: spoiled(["birthdate": "31/02/1980"]), field: "birthdate"),
    .missingContact: ErrorCase(raw: spoiled(["phone": nil, "email": " "]), field: nil),
    .expensiveDestination: ErrorCase(raw: spoiled(["phone": "0690 12 34 56"]), field: "phone"),
    .unsupportedDestination: ErrorCase(raw: spoiled(["phone": "+44 7400 123456"]), field: "phone"),
    .invalidTimelineStartMode: ErrorCase(raw: spoiled(["timeline_start_mode": "tomorrow"]), field: "timeline_start_mode",
                                         validate: ValidateOptions(timelineID: "tl-1")),
    .malformedRow: ErrorCase(raw: validRaw, field: nil,
                             readerProblem: RecordError(field: nil, code: .malformedRow, message: "3 fields, expected 6")),
]

@Suite("validate: every error code of the contract")
struct ErrorCodeTests {
    @Test("every contract error code has a record here that fails with it")
    func everyCodeCovered() {
        #expect(Set(errorCases.keys) == Set(RecordErrorCode.allCases))
    }

    @Test("a record that breaks one rule fails with that rule's code, on its field", arguments: RecordErrorCode.allCases)
    func failsWith(code: RecordErrorCode) throws {
        let example = try #require(errorCases[code])
        let outcome = try evaluate(example.raw, errors: example.readerProblem.map { [$0] } ?? [],
                                   validate: example.validate)
        #expect(outcome.status == .failed)
        #expect(outcome.errors.map(\.code) == [code])
        #expect(outcome.errors.first?.field == example.field)
        #expect(outcome.errors.allSatisfy { !$0.message.isEmpty })
        #expect(outcome.debt == nil)
        #expect(outcome.data?.object == dataRow(example.raw))
        #expect(outcome.tempID == "T-1")
    }

    @Test("the base record of these examples is valid")
    func baseIsValid() throws {
        let outcome = try evaluate(validRaw)
        #expect(outcome.status == .valid)
        #expect(outcome.errors.isEmpty)
    }

    @Test("a record collects all of its errors, not only the first")
    func collectsAll() throws {
        let outcome = try evaluate(spoiled(["firstname": nil, "amount": "-3", "email": "nobody", "phone": "12",
                                            "due_date": "2024-13-01", "currency": "XYZ"]))
        #expect(Set(outcome.errors.map(\.code)) == [.required, .nonPositiveAmount, .invalidEmail, .invalidPhone,
                                                    .invalidDate, .invalidCurrency])
        #expect(outcome.errors.first { $0.code == .required }?.field == "firstname")
    }

    @Test("zero, negative and bracketed amounts are non_positive_amount", arguments: ["0", "-12,50", "(12.50)", "0.00"])
    func nonPositive(amount: String) throws {
        let outcome = try evaluate(spoiled(["amount": amount]))
        #expect(outcome.errors.map(\.code) == [.nonPositiveAmount])
    }

    @Test("a missing firstname, lastname, amount or currency is required, with its field",
          arguments: ["firstname", "lastname", "amount", "currency"])
    func required(field: String) throws {
        let outcome = try evaluate(spoiled([field: nil]))
        #expect(outcome.errors.map(\.code) == [.required])
        #expect(outcome.errors.first?.field == field)
    }
}
