import DebtflowClassify
import DebtflowCore
import DebtflowJSON
import DebtflowNormalize
import DebtflowValidate

/// The debt rules of CONTRACT.md §3–§4 for one debt object as the bulk-import API takes it, for
/// the sandbox's server-side checks: the pipeline's own `normalize`, `classify` and `validate`
/// stages, composed (`normalize.then(classify).then(validate)`) and run on a chunk of one.
public enum DebtRules {
    /// Evaluates one pushed debt.
    ///
    /// The object's keys are the API's debt keys (`firstname`, `amount`, `phone`, `temp_id`,
    /// `accept_expensive_destination`, `metadata`, …); unknown keys are ignored. A JSON number
    /// amount is read with `.` as its decimal separator. The outcome is `valid` with the
    /// normalized debt and its destination, `failed` with every error, or `skipped` (an empty
    /// object, an instruction row).
    /// - Parameters:
    ///   - debt: the debt object.
    ///   - acceptExpensiveDestination: the batch-level acceptance; a debt may accept on its own.
    ///   - normalize: the defaults for phone region, currency and decimal separator.
    ///   - classify: the zone rates and expensive zones.
    ///   - validate: the validation options (its `acceptExpensiveDestination` is combined with the
    ///     batch-level one).
    ///   - provenance: where the debt came from (its index in the batch), for the outcome.
    public static func evaluate(debt: RecordObject, acceptExpensiveDestination: Bool,
                                normalize: NormalizeOptions = NormalizeOptions(),
                                classify: ClassifyOptions = ClassifyOptions(),
                                validate: ValidateOptions = ValidateOptions(),
                                provenance: Provenance = Provenance(source: "request", record: 1)) -> Outcome {
        var raw = DebtRawFields()
        var normalizeOptions = normalize
        for entry in debt.entries {
            guard let text = entry.value.scalarText else { continue }
            raw[entry.key] = text
            if entry.key == "amount", case .number = entry.value { normalizeOptions.decimal = .dot }
        }
        let candidate = DebtCandidate(provenance: provenance, data: debt, raw: raw,
                                      metadata: debt["metadata"]?.objectValue.map(DebtMetadata.init),
                                      tempID: raw[.tempID].flatMap { TextTrimming.nonBlank($0) },
                                      phoneRegion: nil)
        var validateOptions = validate
        validateOptions.acceptExpensiveDestination = validate.acceptExpensiveDestination || acceptExpensiveDestination
        let rules = NormalizeStage(options: normalizeOptions)
            .then(ClassifyStage(options: classify))
            .then(ValidateStage(options: validateOptions))
        // The stages never throw for a record's problems (they become the outcome's errors).
        guard let outcome = try? rules.process(Chunk([candidate])).elements.first else {
            return Outcome(status: .failed, provenance: provenance, data: debt)
        }
        return outcome
    }
}

extension DebtRules {
    /// A debt as a JSON object with the API's keys in the contract's order, empty keys left out,
    /// the amount as a JSON number with the currency's decimals (what the sandbox keeps and echoes).
    public static func object(of debt: Debt) -> RecordObject {
        var object = RecordObject()
        for key in DebtKey.ordered {
            switch debt[key] {
            case .text(let text)?: object.append(key.name, .string(text))
            case .amount(let amount)?: object.append(key.name, .number(amount.decimalText))
            case .flag(let flag)?: object.append(key.name, .bool(flag))
            case nil: break
            }
        }
        // The metadata's bytes, written by debtflow's own writer, read back as the object they hold.
        if let metadata = debt.metadata, !metadata.isEmpty,
           let value = try? JSONDocument.parse(metadata.json, name: "metadata"), case .object = value {
            object.append("metadata", value)
        }
        return object
    }
}
