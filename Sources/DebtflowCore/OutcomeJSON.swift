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
        field("status", outcome.status.rawValue)
        if includeSource { field("source", outcome.provenance.source) }
        field("record", outcome.provenance.record)
        optionalField("line", outcome.provenance.line)
        optionalField("case", outcome.provenance.caseIndex)
        optionalField("temp_id", outcome.tempID)
        switch outcome.status {
        case .valid:
            if let debt = outcome.debt {
                key("debt")
                self.debt(debt)
            }
            if let destination = outcome.destination {
                key("destination")
                self.destination(destination)
            }
        case .failed:
            key("data")
            object(outcome.data ?? RecordObject())
            key("errors")
            beginArray()
            for error in outcome.errors { recordError(error) }
            endArray()
        case .skipped:
            key("data")
            object(outcome.data ?? RecordObject())
            if let reason = outcome.skipReason { field("reason", reason.rawValue) }
        }
        if !outcome.warnings.isEmpty {
            key("warnings")
            beginArray()
            for warning in outcome.warnings { string(warning) }
            endArray()
        }
        endObject()
    }

    /// `{"field":"phone","code":"invalid_phone","message":"…"}` (`field` left out when `nil`).
    public mutating func recordError(_ error: RecordError) {
        beginObject()
        optionalField("field", error.field)
        field("code", error.code.rawValue)
        field("message", error.message)
        endObject()
    }

    /// `{"zone":"fr_mainland","country":"FR","credits":25,"multiplier":1.0,"expensive":false}`.
    public mutating func destination(_ destination: Destination) {
        beginObject()
        field("zone", destination.zone)
        field("country", destination.country)
        optionalField("credits", destination.credits)
        if let multiplier = destination.multiplier {
            key("multiplier")
            numberText(multiplier)
        }
        field("expensive", destination.expensive)
        endObject()
    }

    /// The debt object exactly as the bulk-import API takes it; empty keys left out.
    public mutating func debt(_ debt: Debt) {
        beginObject()
        optionalField("firstname", debt.firstname)
        optionalField("lastname", debt.lastname)
        if let amount = debt.amount {
            key("amount")
            numberText(amount.decimalText)
        }
        optionalField("currency", debt.currency)
        optionalField("phone", debt.phone)
        optionalField("email", debt.email)
        optionalField("temp_id", debt.tempID)
        optionalField("internal_id", debt.internalID)
        optionalField("timeline_id", debt.timelineID)
        optionalField("timeline_start_mode", debt.timelineStartMode)
        if let accept = debt.acceptExpensiveDestination { field("accept_expensive_destination", accept) }
        optionalField("civility", debt.civility)
        optionalField("birthdate", debt.birthdate)
        optionalField("object", debt.object)
        optionalField("invoice_date", debt.invoiceDate)
        optionalField("due_date", debt.dueDate)
        optionalField("iban", debt.iban)
        optionalField("company", debt.company)
        optionalField("street_address", debt.streetAddress)
        optionalField("street_number", debt.streetNumber)
        optionalField("postal_code", debt.postalCode)
        optionalField("city", debt.city)
        optionalField("country", debt.country)
        if let metadata = debt.metadata, !metadata.isEmpty {
            key("metadata")
            object(metadata)
        }
        endObject()
    }
}
