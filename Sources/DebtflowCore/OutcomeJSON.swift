/// Writes outcomes as the contract's NDJSON envelopes (CONTRACT.md §3), with a fixed key order.
extension JSONByteWriter {
    /// Writes one outcome as one JSON object (no newline). A conversion outcome is written as the
    /// record alone. With `includeSource` (a many-input run) the envelope names its input in
    /// `"source"`, right after `"status"`.
    public mutating func outcome(_ outcome: borrowing Outcome, includeSource: Bool = false) {
        writeOutcome(outcome, includeSource: includeSource)
    }

    /// ``outcome(_:includeSource:)`` on an outcome the caller holds `inout` (the sink encoder):
    /// it is read where it lies and not modified. (An outcome is 481 bytes; a `borrowing`
    /// parameter of that size is copied by a caller in another module, an `inout` one is handed
    /// over as an address.)
    public mutating func outcome(inPlace outcome: inout Outcome, includeSource: Bool = false) {
        writeOutcome(outcome, includeSource: includeSource)
    }

    /// The body of both ``outcome(_:includeSource:)`` forms, inlined into each so that neither
    /// copies the outcome to call it.
    @inline(__always)
    private mutating func writeOutcome(_ outcome: borrowing Outcome, includeSource: Bool) {
        if outcome.isConversion {
            recordData(outcome.data)
            return
        }
        envelopeHead(outcome, includeSource: includeSource)
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

    /// `{"status":…,"source":…,"record":…,"line":…,"case":…,"temp_id":…` (each optional key
    /// only when it has a value) in one piece: an envelope's object is left open after it. A
    /// source or `temp_id` too long to bound in one piece (past ``boundedPieceLimit``) is
    /// written member by member instead.
    private mutating func envelopeHead(_ outcome: borrowing Outcome, includeSource: Bool) {
        guard (includeSource ? outcome.provenance.source.utf8.count : 0) + (outcome.tempID?.utf8.count ?? 0)
            <= Self.boundedPieceLimit / 8 else {
            beginObject()
            field(literal: "status", outcome.status.rawValue)
            if includeSource { field(literal: "source", outcome.provenance.source) }
            field(literal: "record", outcome.provenance.record)
            optionalField(literal: "line", outcome.provenance.line)
            optionalField(literal: "case", outcome.provenance.caseIndex)
            optionalField(literal: "temp_id", outcome.tempID)
            return
        }
        var source = includeSource ? outcome.provenance.source : ""
        var tempID = outcome.tempID ?? ""
        let hasTempID = outcome.tempID != nil
        let record = outcome.provenance.record
        let line = outcome.provenance.line
        let caseIndex = outcome.provenance.caseIndex
        let status = outcome.status
        source.withUTF8 { source in
            tempID.withUTF8 { tempID in
                let bound = 64 + 3 * JSONRawCursor.decimalBound
                    + (includeSource ? 12 + JSONRawCursor.quotedBound(source.count, needsEscaping: true) : 0)
                    + (hasTempID ? 13 + JSONRawCursor.quotedBound(tempID.count, needsEscaping: true) : 0)
                beginObject(writingFirstMembersUpTo: bound) { cursor in
                    switch status {
                    case .valid: cursor.literal(#""status":"valid""#)
                    case .failed: cursor.literal(#""status":"failed""#)
                    case .skipped: cursor.literal(#""status":"skipped""#)
                    }
                    if includeSource {
                        cursor.literal(#","source":"#)
                        cursor.quoted(source)
                    }
                    cursor.literal(#","record":"#)
                    cursor.decimal(Int64(record))
                    cursor.optionalDecimal(#","line":"#, line)
                    cursor.optionalDecimal(#","case":"#, caseIndex)
                    if hasTempID {
                        cursor.literal(#","temp_id":"#)
                        cursor.quoted(tempID)
                    }
                }
            }
        }
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
    /// Written in one piece (``writeBounded(upTo:_:)``): its texts come from the destination
    /// table, a few bytes each.
    public mutating func destination(_ destination: Destination) {
        var zone = destination.zone.rawValue
        var country = destination.country
        var multiplier = destination.multiplier ?? ""
        let hasMultiplier = destination.multiplier != nil
        let credits = destination.credits
        let expensive = destination.expensive
        zone.withUTF8 { zone in
            country.withUTF8 { country in
                multiplier.withUTF8 { multiplier in
                    let bound = 80 + JSONRawCursor.quotedBound(zone.count, needsEscaping: false)
                        + JSONRawCursor.quotedBound(country.count, needsEscaping: true) + JSONRawCursor.decimalBound + multiplier.count
                    writeBounded(upTo: bound) { cursor in
                        cursor.literal(#"{"zone":"#)
                        // A zone's name is one of the contract's five, with nothing to escape.
                        cursor.quoted(zone, needsEscaping: false)
                        cursor.literal(#","country":"#)
                        cursor.quoted(country)
                        cursor.optionalDecimal(#","credits":"#, credits)
                        // The multiplier is the table's own number text (`"1.0"`), written as it is.
                        if hasMultiplier {
                            cursor.literal(#","multiplier":"#)
                            cursor.bytes(multiplier)
                        }
                        cursor.literal(expensive ? #","expensive":true}"# : #","expensive":false}"#)
                    }
                }
            }
        }
    }

    /// The debt object exactly as the bulk-import API takes it, its keys in ``DebtKey``'s order;
    /// empty keys left out. Written in one piece (``writeBounded(upTo:_:)``) when its size is
    /// bounded below ``boundedPieceLimit`` (every debt but one with metadata or huge texts).
    public mutating func debt(_ debt: Debt) {
        // The one-piece path's closures capture the debt's two non-text values, not the debt:
        // capturing the debt (296 bytes) copied it, a retain per reference it holds.
        let amount = debt.amount
        let flag = debt.acceptExpensiveDestination
        if debt.metadata == nil || debt.metadata?.isEmpty == true,
           amount.map({ $0.digits >= 0 && $0.digits <= 18 }) ?? true,
           debt.withKeyedBytes({ texts in writeDebtInOnePiece(amount: amount, flag: flag, texts: texts) }) {
            return
        }
        beginObject()
        // Every text's bytes are opened once for the whole debt.
        debt.withKeyedBytes { texts in
            Self.forEachWrittenKey(amount: amount, flag: flag, texts: texts) { debtKey in
                switch debtKey {
                case .amount:
                    if let amount {
                        key(literal: debtKey.literal)
                        self.amount(amount)
                    }
                case .acceptExpensiveDestination:
                    if let flag { field(literal: debtKey.literal, flag) }
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

extension JSONByteWriter {
    /// Calls `body` with each key ``debt(_:)`` writes for a debt with these texts, `amount` and
    /// `flag` (its `accept_expensive_destination`), in ``DebtKey``'s order (the order of the
    /// API's debt object). It walks the bits of those keys, in ascending order, not all 24 keys.
    @inline(__always)
    private static func forEachWrittenKey(amount: MinorUnitAmount?, flag: Bool?, texts: DebtKeyedBytes,
                                          _ body: (DebtKey) -> Void) {
        let amountBit: UInt32 = 1 << UInt32(DebtKey.amount.rawValue)
        let flagBit: UInt32 = 1 << UInt32(DebtKey.acceptExpensiveDestination.rawValue)
        let countryCodeBit: UInt32 = 1 << UInt32(DebtKey.countryCode.rawValue)
        var remaining = (texts.present & ~(amountBit | flagBit | countryCodeBit))
            | (amount != nil ? amountBit : 0) | (flag != nil ? flagBit : 0)
        while remaining != 0 {
            body(DebtKey(rawValue: remaining.trailingZeroBitCount)!)
            remaining &= remaining &- 1
        }
    }

    /// ``debt(_:)`` (without metadata) through one ``JSONRawCursor``; `false`, having written
    /// nothing, when its bound passes ``boundedPieceLimit``.
    private mutating func writeDebtInOnePiece(amount: MinorUnitAmount?, flag: Bool?, texts: DebtKeyedBytes) -> Bool {
        var bound = 2
        Self.forEachWrittenKey(amount: amount, flag: flag, texts: texts) { debtKey in
            // `,"key":` and the value.
            bound &+= debtKey.literal.utf8CodeUnitCount &+ 4
            switch debtKey {
            case .amount: bound &+= JSONRawCursor.amountBound
            case .acceptExpensiveDestination: bound &+= 5
            default: bound &+= JSONRawCursor.quotedBound(texts[debtKey]?.count ?? 0, needsEscaping: true)
            }
        }
        guard bound <= Self.boundedPieceLimit else { return false }
        writeBounded(upTo: bound) { cursor in
            cursor.byte(UInt8(ascii: "{"))
            var first = true
            Self.forEachWrittenKey(amount: amount, flag: flag, texts: texts) { debtKey in
                if !first { cursor.byte(UInt8(ascii: ",")) }
                first = false
                cursor.byte(UInt8(ascii: "\""))
                cursor.literal(debtKey.literal)
                cursor.byte(UInt8(ascii: "\""))
                cursor.byte(UInt8(ascii: ":"))
                switch debtKey {
                case .amount:
                    if let amount { cursor.amount(amount) }
                case .acceptExpensiveDestination:
                    cursor.literal(flag == true ? "true" : "false")
                default:
                    if let text = texts[debtKey] { cursor.quoted(text) }
                }
            }
            cursor.byte(UInt8(ascii: "}"))
        }
        return true
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
