import DebtflowCore
import DebtflowValidate

/// The sandbox's default validator: the contract's debt rules (CONTRACT.md §3–§4) through
/// ``DebtRules/evaluate(debt:acceptExpensiveDestination:normalize:classify:validate:provenance:)``,
/// the same code the pipeline's `normalize`, `classify` and `validate` stages run.
///
/// A valid debt is created and echoed normalized (E.164 phone, the amount with the currency's
/// decimals, …); a failed one carries every error code; empty and instruction rows are skipped.
public enum ContractDebtValidator {
    /// The verdict for one debt (see ``SandboxDebtValidator``).
    @Sendable
    public static func verdict(for debt: RecordObject, batchAcceptsExpensiveDestination: Bool) -> SandboxDebtVerdict {
        let outcome = DebtRules.evaluate(debt: debt, acceptExpensiveDestination: batchAcceptsExpensiveDestination)
        switch outcome.status {
        case .valid:
            return .created(stored: outcome.debt.map(DebtRules.object(of:)) ?? debt)
        case .failed:
            return .failed(outcome.errors)
        case .skipped:
            return .skipped(outcome.skipReason ?? .emptyRow)
        }
    }
}
