/// Writes outcomes as the contract's NDJSON envelopes (CONTRACT.md §3), with a fixed key order.
extension JSONByteWriter {
    /// Writes one outcome as one JSON object (no newline). A conversion outcome is written as the
    /// record alone. With `includeSource` (a many-input run) the envelope names its input in
    /// `"source"`, right after `"status"`.
    public mutating func outcome(_ outcome: Outcome, includeSource: Bool = false) {
        if outcome.isConversion {
            object(outcome.data ?? RecordObject())
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
            if let debt = outcome.debt {
                key(literal: "debt")
                self.debt(debt)
            }
            if let destination = outcome.destination {
                key(literal: "destination")
                self.destination(destination)
            }
        case .failed:
            key(literal: "data")
            object(outcome.data ?? RecordObject())
            key(literal: "errors")
            beginArray()
            for error in outcome.errors { recordError(error) }
            endArray()
        case .skipped:
            key(literal: "data")
            object(outcome.data ?? RecordObject())
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

    /// The debt object exactly as the bulk-import API takes it; empty keys left out.
    public mutating func debt(_ debt: Debt) {
        beginObject()
        optionalField(literal: "firstname", debt.firstname)
        optionalField(literal: "lastname", debt.lastname)
        if let amount = debt.amount {
            key(literal: "amount")
            self.amount(amount)
        }
        optionalField(literal: "currency", debt.currency)
        optionalField(literal: "phone", debt.phone)
        optionalField(literal: "email", debt.email)
        optionalField(literal: "temp_id", debt.tempID)
        optionalField(literal: "internal_id", debt.internalID)
        optionalField(literal: "timeline_id", debt.timelineID)
        optionalField(literal: "timeline_start_mode", debt.timelineStartMode)
        if let accept = debt.acceptExpensiveDestination { field(literal: "accept_expensive_destination", accept) }
        optionalField(literal: "civility", debt.civility)
        optionalField(literal: "birthdate", debt.birthdate)
        optionalField(literal: "object", debt.object)
        optionalField(literal: "invoice_date", debt.invoiceDate)
        optionalField(literal: "due_date", debt.dueDate)
        optionalField(literal: "iban", debt.iban)
        optionalField(literal: "company", debt.company)
        optionalField(literal: "street_address", debt.streetAddress)
        optionalField(literal: "street_number", debt.streetNumber)
        optionalField(literal: "postal_code", debt.postalCode)
        optionalField(literal: "city", debt.city)
        optionalField(literal: "country", debt.country)
        if let metadata = debt.metadata, !metadata.isEmpty {
            key(literal: "metadata")
            object(metadata)
        }
        endObject()
    }
}
