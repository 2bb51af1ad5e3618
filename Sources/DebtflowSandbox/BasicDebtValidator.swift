import DebtflowCore
import Foundation

/// A minimal stand-in for the contract's debt rules: enough to exercise the sandbox when the full
/// rules engine is not wired in.
///
/// Skips empty rows and instruction rows; requires `firstname` and `lastname`; `amount` a
/// positive decimal; `currency` three ASCII letters; at least one contact, a present `email`
/// with one `@` and a dotted domain, a present `phone` of 8–15 digits after an optional `+`.
public enum BasicDebtValidator {
    /// The verdict for one debt (see ``SandboxDebtValidator``).
    @Sendable
    public static func verdict(for debt: RecordObject, batchAcceptsExpensiveDestination: Bool) -> SandboxDebtVerdict {
        if let reason = skipReason(debt) { return .skipped(reason) }
        var errors: [RecordError] = []
        for field in ["firstname", "lastname"] where text(debt[field]) == nil {
            errors.append(RecordError(field: field, code: .required, message: "\(field) is required"))
        }
        switch debt["amount"] {
        case nil, .null?:
            errors.append(RecordError(field: "amount", code: .required, message: "amount is required"))
        case let value?:
            if let amountText = value.scalarText, let amount = Decimal(string: amountText.trimmingSpaces()),
               amountText.trimmingSpaces().allSatisfy({ $0.isNumber || $0 == "." || $0 == "-" }) {
                if amount <= 0 {
                    errors.append(RecordError(field: "amount", code: .nonPositiveAmount, message: "amount must be greater than 0"))
                }
            } else {
                errors.append(RecordError(field: "amount", code: .invalidAmount, message: "amount must be a decimal number"))
            }
        }
        if let currency = text(debt["currency"]) {
            if !(currency.utf8.count == 3 && currency.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A })) {
                errors.append(RecordError(field: "currency", code: .invalidCurrency, message: "currency must be an ISO 4217 code"))
            }
        } else {
            errors.append(RecordError(field: "currency", code: .required, message: "currency is required"))
        }
        let phone = text(debt["phone"])
        let email = text(debt["email"])
        if phone == nil && email == nil {
            errors.append(RecordError(field: nil, code: .missingContact, message: "a phone or an email is required"))
        }
        if let phone, !isPlausiblePhone(phone) {
            errors.append(RecordError(field: "phone", code: .invalidPhone, message: "phone is not a valid phone number"))
        }
        if let email, !isPlausibleEmail(email) {
            errors.append(RecordError(field: "email", code: .invalidEmail, message: "email is not a valid address"))
        }
        return errors.isEmpty ? .created(stored: debt) : .failed(errors)
    }

    /// `empty_row` when every value is empty; `instruction_row` when the first non-empty value
    /// starts with `*` or a value mentions "champs obligatoires".
    static func skipReason(_ debt: RecordObject) -> SkipReason? {
        let texts = debt.entries.compactMap { text($0.value) }
        if texts.isEmpty && debt.entries.allSatisfy({ isBlank($0.value) }) { return .emptyRow }
        if let first = texts.first, first.hasPrefix("*") { return .instructionRow }
        for value in texts {
            let folded = value.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            if folded.contains("champs obligatoires") { return .instructionRow }
        }
        return nil
    }

    private static func isBlank(_ value: RecordValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.trimmingSpaces().isEmpty
        case .array(let elements): return elements.allSatisfy(isBlank)
        case .object(let object): return object.entries.allSatisfy { isBlank($0.value) }
        case .bool, .number: return false
        }
    }

    /// The trimmed scalar text of a value, or `nil` when absent or blank.
    static func text(_ value: RecordValue?) -> String? {
        guard let raw = value?.scalarText else { return nil }
        let trimmed = raw.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }

    private static func isPlausiblePhone(_ phone: String) -> Bool {
        var digits = 0
        for (offset, character) in phone.enumerated() {
            if character == "+" && offset == 0 { continue }
            if character == " " || character == "-" || character == "." { continue }
            guard character.isASCII, character.isNumber else { return false }
            digits += 1
        }
        return (8...15).contains(digits)
    }

    private static func isPlausibleEmail(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[0].contains(" ") else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty } && (labels.last?.count ?? 0) >= 2
    }
}
