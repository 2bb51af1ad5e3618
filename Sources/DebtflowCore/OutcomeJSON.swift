/// Writes outcomes as the contract's NDJSON envelopes (CONTRACT.md §3), with a fixed key order.
extension JSONByteWriter {
    /// Writes one outcome as one JSON object (no newline). A conversion outcome is written as the
    /// record alone. With `includeSource` (a many-input run) the envelope names its input in
    /// `"source"`, right after `"status"`.
    public mutating func outcome(_ outcome: borrowing Outcome, includeSource: Bool = false) {
        if outcome.isConversion {
            recordData(outcome.data)
            return
        }
        beginObject()
        field(literal: "status", outcome.status.rawValue)
        if includeSource { field(literal: "source", outcome.provenance.source) }
        field(literal: "record", outcome.provenance.record)
        optionalField(literal: "line", outcome.provenance.line)
        optionalField(literal: "case", outcome.provenance.caseIndex)
        optionalField(literal: "temp_id", outcome.tempID)
        switch outcome.status {
        case .valid:
            // Written through optional chaining, which reads each value where it lies (`if let`
            // would copy the wide debt, a retain per reference it holds).
            outcome.debt?.writeMember(into: &self)
            outcome.destination?.writeMember(into: &self)
        case .failed:
            key(literal: "data")
            recordData(outcome.data)
            key(literal: "errors")
            beginArray()
            for error in outcome.errors { recordError(error) }
            endArray()
        case .skipped:
            key(literal: "data")
            recordData(outcome.data)
            if let reason = outcome.skipReason { field(literal: "reason", reason.rawValue) }
        }
        if !outcome.warnings.isEmpty {
            key(literal: "warnings")
            beginArray()
            for warning in outcome.warnings { string(warning) }
            endArray()
        }
        endObject()
    }

    /// An outcome's record, copied from its tape (`{}` when it has none).
    private mutating func recordData(_ data: RecordView?) {
        if let data { value(data) } else { beginObject(); endObject() }
    }

    /// `{"field":"phone","code":"invalid_phone","message":"…"}` (`field` left out when `nil`).
    public mutating func recordError(_ error: RecordError) {
        beginObject()
        optionalField(literal: "field", error.field)
        field(literal: "code", error.code.rawValue)
        field(literal: "message", error.message)
        endObject()
    }

    /// `{"zone":"fr_mainland","country":"FR","credits":25,"multiplier":1.0,"expensive":false}`.
    public mutating func destination(_ destination: Destination) {
        beginObject()
        field(literal: "zone", destination.zone.rawValue)
        field(literal: "country", destination.country)
        optionalField(literal: "credits", destination.credits)
        if let multiplier = destination.multiplier {
            key(literal: "multiplier")
            numberText(multiplier)
        }
        field(literal: "expensive", destination.expensive)
        endObject()
    }

    /// The debt object exactly as the bulk-import API takes it, its keys in ``DebtKey``'s order;
    /// empty keys left out.
    public mutating func debt(_ debt: Debt) {
        beginObject()
        // Every text's bytes are opened once for the whole debt.
        debt.withKeyedBytes { texts in
            for debtKey in DebtKey.ordered {
                switch debtKey {
                case .amount:
                    if let amount = debt.amount {
                        key(literal: debtKey.literal)
                        self.amount(amount)
                    }
                case .acceptExpensiveDestination:
                    if let flag = debt.acceptExpensiveDestination { field(literal: debtKey.literal, flag) }
                case .countryCode:
                    break
                default:
                    if let text = texts[debtKey] { field(literal: debtKey.literal, utf8: text) }
                }
            }
        }
        if let metadata = debt.metadata, !metadata.isEmpty {
            key(literal: "metadata")
            object(metadata)
        }
        endObject()
    }
}

extension Debt {
    /// Writes `"debt":{…}` (``JSONByteWriter/debt(_:)``), reading the debt where it lies.
    fileprivate func writeMember(into writer: inout JSONByteWriter) {
        writer.key(literal: "debt")
        writer.debt(self)
    }
}

extension Destination {
    /// Writes `"destination":{…}` (``JSONByteWriter/destination(_:)``), reading it where it lies.
    fileprivate func writeMember(into writer: inout JSONByteWriter) {
        writer.key(literal: "destination")
        writer.destination(self)
    }
}
