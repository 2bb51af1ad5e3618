/// Writes outcomes as the contract's NDJSON envelopes (CONTRACT.md §3), with a fixed key order.
extension JSONByteWriter {
    /// Writes one outcome as one JSON object (no newline). A conversion outcome is written as the
    /// record alone. With `includeSource` (a many-input run) the envelope names its input in
    /// `"source"`, right after `"status"`.
    public mutating func outcome(_ outcome: borrowing Outcome, includeSource: Bool = false) {
        // (Not the run's path: its sink encoder calls ``outcome(inPlace:includeSource:)``.)
        var copy = copy outcome
        writeOutcome(&copy, includeSource: includeSource)
    }

    /// ``outcome(_:includeSource:)`` on an outcome the caller holds `inout` (the sink encoder):
    /// it is read where it lies and not modified. (An outcome is 481 bytes; a `borrowing`
    /// parameter of that size is copied by a caller in another module, an `inout` one is handed
    /// over as an address. Its body and the envelope's head take it `inout` too: handed on as
    /// `borrowing`, even inlined, it was copied whole to the stack first.)
    public mutating func outcome(inPlace outcome: inout Outcome, includeSource: Bool = false) {
        writeOutcome(&outcome, includeSource: includeSource)
    }

    /// The body of both ``outcome(_:includeSource:)`` forms, inlined into each; the outcome is
    /// only read (`inout` for its address: see ``outcome(inPlace:includeSource:)``).
    @inline(__always)
    private mutating func writeOutcome(_ outcome: inout Outcome, includeSource: Bool) {
        if outcome.isConversion {
            recordData(outcome.data, member: nil)
            return
        }
        envelopeHead(&outcome, includeSource: includeSource)
        switch outcome.status {
        case .valid:
            // Read where they lie (`if let` would copy the wide debt, a retain per reference it
            // holds): the debt behind its flag, the destination through optional chaining.
            if outcome.hasDebt { writeDebt(&outcome.debtPayload, member: "debt") }
            outcome.destination?.writeMember(into: &self)
        case .failed:
            recordData(outcome.data, member: "data", ofCase: outcome.provenance.caseIndex != nil)
            key(literal: "errors")
            beginArray()
            for error in outcome.errors { recordError(error) }
            endArray()
        case .skipped:
            recordData(outcome.data, member: "data", ofCase: outcome.provenance.caseIndex != nil)
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
    private mutating func envelopeHead(_ outcome: inout Outcome, includeSource: Bool) {
        guard (includeSource ? outcome.provenance.source.utf8.count : 0) + outcome.tempIDText.byteCount
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
        let record = outcome.provenance.record
        let line = outcome.provenance.line
        let caseIndex = outcome.provenance.caseIndex
        let status = outcome.status
        // The `temp_id` read where it lies (its span of the tape, or its bytes: no `String`).
        let noBytes = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        // A record's own id known to hold nothing JSON must escape (its fields said so) is
        // copied as it is, with no escaping scan.
        let tempIDNeedsEscaping = !outcome.tempIDText.isVerbatim
        if !includeSource {
            outcome.tempIDText.withBytesInPlace { tempID in
                writeEnvelopeHead(status: status, source: noBytes, includeSource: false, record: record, line: line,
                                  caseIndex: caseIndex, tempID: tempID ?? noBytes, hasTempID: tempID != nil,
                                  tempIDNeedsEscaping: tempIDNeedsEscaping)
            }
            return
        }
        var source = outcome.provenance.source
        source.withUTF8 { source in
            outcome.tempIDText.withBytesInPlace { tempID in
                writeEnvelopeHead(status: status, source: source, includeSource: true, record: record, line: line,
                                  caseIndex: caseIndex, tempID: tempID ?? noBytes, hasTempID: tempID != nil,
                                  tempIDNeedsEscaping: tempIDNeedsEscaping)
            }
        }
    }

    /// The one-piece head of ``envelopeHead(_:includeSource:)``, its texts' bytes at hand.
    @inline(__always)
    private mutating func writeEnvelopeHead(status: OutcomeStatus, source: UnsafeBufferPointer<UInt8>, includeSource: Bool,
                                            record: Int, line: Int?, caseIndex: Int?, tempID: UnsafeBufferPointer<UInt8>,
                                            hasTempID: Bool, tempIDNeedsEscaping: Bool = true) {
        let bound = 64 + 3 * JSONRawCursor.decimalBound
            + (includeSource ? 12 + JSONRawCursor.quotedBound(source.count, needsEscaping: true) : 0)
            + (hasTempID ? 13 + JSONRawCursor.quotedBound(tempID.count, needsEscaping: tempIDNeedsEscaping) : 0)
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
                cursor.quoted(tempID, needsEscaping: tempIDNeedsEscaping)
            }
        }
    }

    /// An outcome's record, copied from its tape (`{}` when it has none); as the member
    /// `"name":` when `name` is given. A case's record (`ofCase`: one of the cases a record makes,
    /// the Magicline preset's, which follow each other with the same record) is echoed
    /// (``echo(_:member:)``): written once and copied for the next case of the same record. (Every
    /// other outcome has a record of its own: checking theirs too cost W2 about 20 instructions a
    /// record.)
    private mutating func recordData(_ data: borrowing RecordView?, member name: StaticString?, ofCase: Bool = false) {
        // Unwrapped behind the nil check: `if let` copied the view, a retain of its tape.
        guard data != nil else {
            if let name { key(literal: name) }
            beginObject()
            endObject()
            return
        }
        if ofCase, let name {
            echo(data.unsafelyUnwrapped, member: name)
        } else {
            value(data.unsafelyUnwrapped, member: name)
        }
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
        self.destination(destination, member: nil)
    }

    /// ``destination(_:)``, as the member `"name":` when `name` is given (the key written in the
    /// same piece as the value).
    @inline(__always)
    mutating func destination(_ destination: Destination, member name: StaticString?) {
        // The same destination as the last one written (most numbers of a run are of one zone
        // and country): its bytes as written then.
        if let last = lastDestination, last == destination {
            lastDestinationJSON.withUnsafeBufferPointer { json in
                writeBounded(member: name, upTo: json.count) { $0.bytes(json) }
            }
            return
        }
        let start = bytes.count
        writeDestination(destination, member: name)
        // The value's bytes: from its `{`, past the comma and the member's name (a constant with
        // no brace) written before it.
        let valueStart = bytes[start...].firstIndex(of: UInt8(ascii: "{")).unsafelyUnwrapped
        lastDestinationJSON.removeAll(keepingCapacity: true)
        lastDestinationJSON.append(contentsOf: bytes[valueStart...])
        lastDestination = destination
    }

    /// ``destination(_:member:)``, written from the destination's members.
    @inline(__always)
    private mutating func writeDestination(_ destination: Destination, member name: StaticString?) {
        var zone = destination.zone.rawValue
        let credits = destination.credits
        let expensive = destination.expensive
        let multiplierText = destination.multiplierText
        zone.withUTF8 { zone in
            destination.countryText.withBytes { country in
                (multiplierText ?? ShortText()).withBytes { multiplier in
                    let bound = 80 + JSONRawCursor.quotedBound(zone.count, needsEscaping: false)
                        + JSONRawCursor.quotedBound(country.count, needsEscaping: true) + JSONRawCursor.decimalBound + multiplier.count
                    writeBounded(member: name, upTo: bound) { cursor in
                        cursor.literal(#"{"zone":"#)
                        // A zone's name is one of the contract's five, with nothing to escape.
                        cursor.quoted(zone, needsEscaping: false)
                        cursor.literal(#","country":"#)
                        cursor.quoted(country)
                        cursor.optionalDecimal(#","credits":"#, credits)
                        // The multiplier is the table's own number text (`"1.0"`), written as it is.
                        if multiplierText != nil {
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
    /// empty keys left out. Its members are written in one piece (``writeBounded(upTo:_:)``)
    /// when their size is bounded below ``boundedPieceLimit`` (every debt but one with huge
    /// texts or an amount of more than 18 decimals); its metadata, if any, follows them.
    public mutating func debt(_ debt: Debt) {
        var debt = debt
        writeDebt(&debt, member: nil)
    }

    /// ``debt(_:)``, as the member `"name":` when `name` is given (in one piece with the value
    /// when the debt is). The debt is only read: `inout` for its address, so that a debt read
    /// where it lies (an outcome's) is not copied whole to be handed over.
    @inline(__always)
    mutating func writeDebt(_ debt: inout Debt, member name: StaticString?) {
        // The one-piece path's closures capture the debt's two non-text values, not the debt:
        // capturing the debt (296 bytes) copied it, a retain per reference it holds.
        let amount = debt.amount
        let flag = debt.acceptExpensiveDestination
        let hasMetadata = debt.metadata.map { !$0.isEmpty } ?? false
        // (The texts are opened where the debt lies, `Debt.withKeyedBytes(at:)`: through
        // `withKeyedBytes`, its span table and inline bytes were copied to the stack first.)
        if amount.map({ $0.digits >= 0 && $0.digits <= 18 }) ?? true,
           withUnsafePointer(to: &debt, { debt in
               Debt.withKeyedBytes(at: debt) { texts in
                   writeDebtInOnePiece(amount: amount, flag: flag, texts: texts, member: name, leavingOpen: hasMetadata)
               }
           }) {
            // The metadata (a Magicline debt's), after the members written in one piece.
            if hasMetadata, let metadata = debt.metadata {
                key(literal: "metadata")
                rawJSON(metadata.json)
                endObject()
            }
            return
        }
        if let name { key(literal: name) }
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
        if hasMetadata, let metadata = debt.metadata {
            key(literal: "metadata")
            rawJSON(metadata.json)
        }
        endObject()
    }
}

extension JSONByteWriter {
    /// The keys ``debt(_:)`` writes for a debt with these texts, `amount` and `flag` (its
    /// `accept_expensive_destination`): one bit per key, by raw value, so in ``DebtKey``'s order
    /// (the order of the API's debt object) from the lowest bit up.
    @inline(__always)
    private static func writtenKeys(amount: MinorUnitAmount?, flag: Bool?, texts: DebtKeyedBytes) -> UInt32 {
        let amountBit: UInt32 = 1 << UInt32(DebtKey.amount.rawValue)
        let flagBit: UInt32 = 1 << UInt32(DebtKey.acceptExpensiveDestination.rawValue)
        let countryCodeBit: UInt32 = 1 << UInt32(DebtKey.countryCode.rawValue)
        return (texts.present & ~(amountBit | flagBit | countryCodeBit))
            | (amount != nil ? amountBit : 0) | (flag != nil ? flagBit : 0)
    }

    /// Calls `body` with each key ``debt(_:)`` writes (``writtenKeys(amount:flag:texts:)``), in
    /// order: it walks the bits of those keys, not all 24 keys.
    @inline(__always)
    private static func forEachWrittenKey(amount: MinorUnitAmount?, flag: Bool?, texts: DebtKeyedBytes,
                                          _ body: (DebtKey) -> Void) {
        var remaining = writtenKeys(amount: amount, flag: flag, texts: texts)
        while remaining != 0 {
            body(DebtKey(keyIndex: remaining.trailingZeroBitCount))
            remaining &= remaining &- 1
        }
    }

    /// `{` and the debt's `members` (not empty; ``writtenKeys(amount:flag:texts:)``), each from
    /// its head in ``DebtMemberHeads`` (`,"firstname":"`), copied as one slot; the first
    /// member's comma is then made the object's `{`.
    @inline(__always)
    private static func writeDebtMembers(_ members: UInt32, amount: MinorUnitAmount?, flag: Bool?, texts: DebtKeyedBytes,
                                         into cursor: inout JSONRawCursor) {
        let heads = DebtMemberHeads.shared
        let slots = heads.slotsStart
        let lengths = heads.lengthsStart
        let objectStart = cursor.count
        var remaining = members
        while remaining != 0 {
            let debtKey = DebtKey(keyIndex: remaining.trailingZeroBitCount)
            remaining &= remaining &- 1
            cursor.slot(slots + debtKey.rawValue &* JSONRawCursor.slotSize, length: Int(lengths[debtKey.rawValue]))
            switch debtKey {
            case .amount: cursor.amount(amount.unsafelyUnwrapped)
            case .acceptExpensiveDestination: cursor.literal(flag == true ? "true" : "false")
            default:
                // A text known to need no escaping is copied without the escape scan.
                let text = texts[debtKey].unsafelyUnwrapped
                if texts.isVerbatim(debtKey) { cursor.verbatimAndClosed(text) } else { cursor.escapedAndClosed(text) }
            }
        }
        cursor.replace(at: objectStart, with: UInt8(ascii: "{"))
    }

    /// ``debt(_:)``'s members but its metadata through one ``JSONRawCursor``; `false`, having
    /// written nothing, when its bound passes ``boundedPieceLimit``. With `leavingOpen` (the
    /// debt has metadata, written after) the object is left open, for ``endObject()``.
    private mutating func writeDebtInOnePiece(amount: MinorUnitAmount?, flag: Bool?, texts: DebtKeyedBytes,
                                              member name: StaticString?, leavingOpen: Bool) -> Bool {
        let members = Self.writtenKeys(amount: amount, flag: flag, texts: texts)
        // Per member its head's slot and a closing quote; the amount and the flag's values; each
        // text byte at most six (``JSONRawCursor/escapedAndClosed(_:)``); the braces.
        let bound = 2 &+ members.nonzeroBitCount &* (JSONRawCursor.slotSize &+ 1) &+ JSONRawCursor.amountBound &+ 5
            &+ 6 &* texts.byteCount(of: members)
        guard bound <= Self.boundedPieceLimit else { return false }
        guard members != 0 else {
            if leavingOpen {
                if let name { key(literal: name) }
                beginObject()
            } else {
                writeBounded(member: name, upTo: 2) { $0.literal("{}") }
            }
            return true
        }
        if leavingOpen {
            beginObjectBounded(member: name, upTo: bound) { cursor in
                Self.writeDebtMembers(members, amount: amount, flag: flag, texts: texts, into: &cursor)
            }
        } else {
            writeBounded(member: name, upTo: bound) { cursor in
                Self.writeDebtMembers(members, amount: amount, flag: flag, texts: texts, into: &cursor)
                cursor.byte(UInt8(ascii: "}"))
            }
        }
        return true
    }
}

extension Destination {
    /// Writes `"destination":{…}` (``JSONByteWriter/destination(_:)``), reading it where it lies.
    fileprivate func writeMember(into writer: inout JSONByteWriter) {
        writer.destination(self, member: "destination")
    }
}
