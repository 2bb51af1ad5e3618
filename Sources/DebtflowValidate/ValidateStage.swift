import DebtflowCore

/// The `validate` stage: the bulk-import API's rules (CONTRACT.md §3), turning each candidate
/// into its one outcome.
///
/// In this order:
/// 1. a candidate `map` skipped (`blocked`, `no_open_case`) stays skipped;
/// 2. an empty row is skipped (`empty_row`); an instruction row too (`instruction_row`) unless
///    `skip_instruction_rows` is false; skipped rows collect no errors;
/// 3. a record the reader could not read fails with its `malformed_row` alone;
/// 4. otherwise every rule adds its errors to those of `normalize`: `required` (firstname,
///    lastname, amount, currency), `missing_contact`, `invalid_phone`/`invalid_email` (dropped
///    with a warning under `drop_invalid_contact` when the other contact is valid),
///    `unsupported_destination` (zone `other`), `expensive_destination` (unless accepted by the
///    config or the record's own `accept_expensive_destination`), `invalid_timeline_start_mode`.
///    The two destination rules need the destination `classify` set: in a pipeline without
///    `classify` they do not apply (the server still classifies).
///
/// A valid debt gets its `temp_id`, the timeline in effect (the record's `timeline_id`, else the
/// config's; the start mode only with one) and `accept_expensive_destination` (true when the
/// config or the record accepts, else false).
///
/// Precondition: the candidates went through `normalize` (the stage descriptors require it
/// before `validate`). Which fields were given is read from what `normalize` found
/// (``DebtflowCore/DebtCandidate/nonBlankFields``), not trimmed again here; a candidate that
/// skipped `normalize` would count as having no amount, phone or email.
public struct ValidateStage: ElementStage {
    public typealias Input = DebtCandidate
    public typealias Output = Outcome

    public let options: ValidateOptions
    private let configTimelineID: String?
    private let configStartMode: String?

    public init(options: ValidateOptions = ValidateOptions()) {
        self.options = options
        self.configTimelineID = TextTrimming.nonBlank(options.timelineID)
        self.configStartMode = options.timelineStartMode?.rawValue
    }

    /// The chunk's outcomes, in order. Each candidate is validated where it lies in the chunk,
    /// and what its outcome keeps of it is moved out (its errors and warnings) or copied once (a
    /// valid debt), never the whole candidate: a candidate is a wide value, and copying it costs
    /// a retain per reference it holds.
    public func process(_ chunk: consuming Chunk<DebtCandidate>) throws -> Chunk<Outcome> {
        var chunk = chunk
        let count = chunk.elements.count
        let outcomes = chunk.elements.withUnsafeMutableBufferPointer { candidates in
            [Outcome](unsafeUninitializedCapacity: count) { buffer, initializedCount in
                for index in 0..<count {
                    (buffer.baseAddress! + index).initialize(to: validate(taking: &candidates[index]))
                }
                initializedCount = count
            }
        }
        return Chunk(outcomes, inputBytesConsumed: chunk.inputBytesConsumed)
    }

    /// Hands `candidate`'s outcome to `next`; what the outcome keeps of the candidate is moved
    /// out of it (``DebtflowCore/ElementStage``: the caller drops it after, or resets it).
    ///
    /// The outcome is settled in the candidate's own ``DebtflowCore/DebtCandidate/settled`` and
    /// emptied again after `next`, so a candidate reused for the next record reuses it too: an
    /// outcome (481 bytes) made and dropped per record cost about 550 instructions in value-witness
    /// copies and destroys.
    public func pass(_ candidate: inout DebtCandidate, to next: (inout Outcome) throws -> Void) throws {
        settle(&candidate)
        defer { Self.empty(&candidate.settled) }
        try next(&candidate.settled)
    }

    /// The outcome of one candidate.
    public func validate(_ candidate: consuming DebtCandidate) -> Outcome {
        var candidate = candidate
        return validate(taking: &candidate)
    }

    /// The outcome of one candidate that is about to be dropped: what the outcome keeps of it
    /// (its provenance, `temp_id`, debt, errors and warnings, a valid debt's destination) is
    /// moved into the outcome.
    func validate(taking candidate: inout DebtCandidate) -> Outcome {
        settle(&candidate)
        var outcome = Outcome.unsettled
        swap(&outcome, &candidate.settled)
        return outcome
    }

    /// Settles `candidate`'s outcome in its ``DebtflowCore/DebtCandidate/settled``; the candidate
    /// is about to be dropped (or reset).
    ///
    /// Precondition: `candidate.settled` is empty (``DebtflowCore/Outcome/unsettled``, or
    /// emptied by ``empty(_:)``) but for its debt payload, which is the candidate's debt. Only
    /// the parts the candidate's outcome has are set (a failed one gets no debt, a valid one no
    /// data), so any other outcome would keep what it held. A valid outcome's debt is the
    /// candidate's own, where it lies (``DebtflowCore/Outcome/hasDebt`` set); the candidate keeps
    /// its destination on the failed and skipped paths.
    ///
    /// The rules change the candidate's own debt, errors and warnings where they lie, and only
    /// then do those go into the outcome: a debt is 296 bytes, and each move of a local copy
    /// costs a memory copy of all of them.
    private func settle(_ candidate: inout DebtCandidate) {
        swap(&candidate.settled.provenance, &candidate.provenance)
        if let reason = skipReason(candidate.skipReason, of: candidate.data) {
            // An instruction row's or an empty row's "id" column holds the instruction or nothing:
            // the row is known by its position (a template's rows would share one id otherwise).
            if reason == .instructionRow || reason == .emptyRow {
                candidate.settled.provenance.setPositionalID(in: &candidate.settled.tempIDText)
            }
            settleAsRead(&candidate, .skipped)
            candidate.settled.skipReason = reason
            return
        }
        if candidate.errors.contains(where: { $0.code == .malformedRow }) {
            candidate.errors.removeAll { $0.code != .malformedRow }
            fail(&candidate)
            return
        }

        if !candidate.debt.has(.tempID), candidate.settled.tempIDText.hasText {
            // (Its bytes read where they lie; the debt changed through its stored storage.)
            candidate.settled.tempIDText.withBytesInPlace { tempID in candidate.settled.debtPayload.setText(.tempID, tempID.unsafelyUnwrapped) }
        }
        // (What the rules read of the debt is read here, where it lies: handed over whole, the
        // debt is copied, 296 bytes.)
        requirePresence(firstname: candidate.debt.has(.firstname), lastname: candidate.debt.has(.lastname),
                        amount: candidate.nonBlankFields.contains(.amount) || candidate.debt.amount != nil,
                        currency: candidate.debt.has(.currency), errors: &candidate.errors)
        // (Each read of `raw` is behind its `has`: a call across modules copies the fields.)
        let ownAccept = candidate.raw.has(.acceptExpensiveDestination)
            ? candidate.raw.withBytes(.acceptExpensiveDestination) { $0.flatMap(Self.parseBool(utf8:)) } : nil
        let accepted = options.acceptExpensiveDestination || ownAccept == true
        candidate.debt.acceptExpensiveDestination = accepted
        // (The destination is read where it lies, and its messages are written in one piece:
        // copied out, it cost a copy and a destroy per phone, and an interpolated message about
        // a thousand instructions.)
        var destinationRefused = false
        if candidate.debt.has(.phone), let zone = candidate.destination?.zone {
            if zone == .other {
                destinationRefused = true
                candidate.errors.append(RecordError(field: "phone", code: .unsupportedDestination,
                                                    message: MessageText.joined("calls to ", candidate.destination.unsafelyUnwrapped.country,
                                                                                " are not supported (only France, the EU, the DOM-TOM and the Maghreb)")))
            } else if candidate.destination?.expensive == true && !accepted {
                destinationRefused = true
                candidate.errors.append(RecordError(field: "phone", code: .expensiveDestination,
                                                    message: MessageText.joined(zone.rawValue, " (", candidate.destination.unsafelyUnwrapped.country,
                                                                                ") is an expensive destination; set accept_expensive_destination to accept it")))
            }
        }
        // After the destination: a phone whose destination is refused is not used either, so it
        // does not stand in for an invalid email (`drop_invalid_contact`).
        checkContacts(candidate.nonBlankFields, phoneKept: candidate.debt.has(.phone) && !destinationRefused,
                      emailKept: candidate.debt.has(.email), errors: &candidate.errors, warnings: &candidate.warnings)
        applyTimeline(to: &candidate)

        if !candidate.errors.isEmpty {
            fail(&candidate)
            return
        }
        candidate.settled.status = .valid
        // The candidate's debt is its outcome's payload already (``DebtflowCore/DebtCandidate/debt``):
        // settled where it lies, not copied.
        candidate.settled.hasDebt = true
        if candidate.debt.has(.phone) { swap(&candidate.settled.destination, &candidate.destination) }
        swap(&candidate.settled.warnings, &candidate.warnings)
    }

    /// Settles the candidate's failure: its record as read, its errors and warnings.
    private func fail(_ candidate: inout DebtCandidate) {
        settleAsRead(&candidate, .failed)
        swap(&candidate.settled.errors, &candidate.errors)
    }

    /// What a failed or skipped outcome keeps of its candidate: `status`, the record as read and
    /// the warnings (and the `temp_id`, which the outcome holds already:
    /// ``DebtflowCore/DebtCandidate/tempIDText``).
    private func settleAsRead(_ candidate: inout DebtCandidate, _ status: OutcomeStatus) {
        candidate.settled.status = status
        candidate.settled.data = candidate.data
        swap(&candidate.settled.warnings, &candidate.warnings)
    }

    /// Empties a settled outcome again for ``settle(_:)``: the parts only outcomes of its status
    /// have (a valid one's debt and destination, a failed one's data and errors, a skipped one's
    /// data and reason) are cleared. The parts every outcome gets (status, provenance,
    /// warnings) are swapped with the candidate's next time. The debt payload and the `temp_id`
    /// stay: they are the candidate's, which its next record sets again.
    private static func empty(_ outcome: inout Outcome) {
        switch outcome.status {
        case .valid:
            outcome.hasDebt = false
            outcome.destination = nil
        case .failed:
            outcome.data = nil
            // The list keeps its buffer: the next failed candidate takes it back (swapped in
            // ``settle(_:)``) and `normalize` appends its errors there, where a new list cost a
            // malloc and a free per failed record.
            outcome.errors.removeAll(keepingCapacity: true)
        case .skipped:
            outcome.data = nil
            outcome.skipReason = nil
        }
    }

    /// The record's own skip reason, else the skip rules' (read on the record's tape).
    private func skipReason(_ own: SkipReason?, of data: borrowing RecordView) -> SkipReason? {
        if let own { return own }
        return SkipRules.skipReason(data, lookingForInstructions: options.skipInstructionRows)
    }

    /// `required` for a missing firstname, lastname, amount or currency (unless that field
    /// already has an error saying why it is missing). An amount that was given but could not be
    /// counted in minor units for want of a currency is not missing: the currency's error says why.
    /// (Each flag: the debt has the field; `amount` also when its text was given.)
    private func requirePresence(firstname: Bool, lastname: Bool, amount: Bool, currency: Bool, errors: inout [RecordError]) {
        // Most records have all four: nothing to look at (the four calls below cost about 80
        // instructions a record).
        guard !(firstname && lastname && amount && currency) else { return }
        func require(_ field: String, present: Bool) {
            guard !present, !errors.contains(where: { $0.field == field }) else { return }
            errors.append(RecordError(field: field, code: .required, message: "\(field) is required"))
        }
        require("firstname", present: firstname)
        require("lastname", present: lastname)
        require("amount", present: amount)
        require("currency", present: currency)
    }

    /// At least one of phone and email, present and valid (given: not blank, as `normalize` found).
    /// (`phoneKept`, `emailKept`: the debt has the contact, valid.)
    private func checkContacts(_ nonBlankFields: DebtRawKeySet, phoneKept: Bool, emailKept: Bool,
                               errors: inout [RecordError], warnings: inout [String]) {
        let phoneGiven = nonBlankFields.contains(.phone)
        let emailGiven = nonBlankFields.contains(.email)
        guard phoneGiven || emailGiven else {
            errors.append(RecordError(field: nil, code: .missingContact, message: "neither a phone nor an email"))
            return
        }
        guard options.dropInvalidContact else { return }
        if phoneGiven, !phoneKept, emailKept {
            errors.removeAll { $0.code == .invalidPhone }
            warnings.append("invalid phone dropped: the email is used")
        }
        if emailGiven, !emailKept, phoneKept {
            errors.removeAll { $0.code == .invalidEmail }
            warnings.append("invalid email dropped: the phone is used")
        }
    }

    /// The timeline in effect and its start mode, set on the candidate's debt.
    ///
    /// (The candidate is taken `inout`, and each text is read behind its `has`: handing over the
    /// 216-byte fields, or reading a text through a call across modules, copies them, and most
    /// records have neither text.)
    private func applyTimeline(to candidate: inout DebtCandidate) {
        // Most records and configs have no timeline, and `normalize` left the debt without one:
        // then there is nothing to set or remove (the texts' copies and two calls saved).
        guard configTimelineID != nil || candidate.raw.has(.timelineID) || candidate.raw.has(.timelineStartMode)
                || candidate.debt.has(.timelineID) || candidate.debt.has(.timelineStartMode) else { return }
        let timelineID = (candidate.raw.has(.timelineID) ? candidate.raw.nonBlankText(.timelineID) : nil) ?? configTimelineID
        let ownMode = candidate.raw.has(.timelineStartMode) ? candidate.raw.nonBlankText(.timelineStartMode) : nil
        candidate.debt.setText(.timelineID, timelineID)
        candidate.debt.setText(.timelineStartMode, nil)
        guard let mode = ownMode ?? (timelineID != nil ? configStartMode : nil) else { return }
        guard timelineID != nil else {
            candidate.errors.append(RecordError(field: "timeline_start_mode", code: .invalidTimelineStartMode,
                                                message: "a timeline_start_mode needs a timeline_id"))
            return
        }
        let lowered = mode.lowercased()
        guard TimelineStartMode(rawValue: lowered) != nil else {
            candidate.errors.append(RecordError(field: "timeline_start_mode", code: .invalidTimelineStartMode,
                                                message: "timeline_start_mode must be immediate or next_day"))
            return
        }
        candidate.debt.setText(.timelineStartMode, lowered)
    }

    /// `true`/`false` from the usual spellings (`true`, `1`, `yes`, `oui`, `ja`, …, any case),
    /// else `nil`. Compared byte by byte, without a lowercased copy.
    static func parseBool(_ text: String?) -> Bool? {
        guard var text else { return nil }
        return text.withUTF8(parseBool(utf8:))
    }

    /// ``parseBool(_:)`` on UTF-8 bytes, read in place (trimmed of white space first).
    static func parseBool(utf8 untrimmed: UnsafeBufferPointer<UInt8>) -> Bool? {
        let range = TextTrimming.trimmedRange(untrimmed)
        guard !range.isEmpty else { return nil }
        let bytes = UnsafeBufferPointer(rebasing: untrimmed[range])
        if trueSpellings.contains(where: { equalIgnoringASCIICase(bytes, $0) }) { return true }
        if falseSpellings.contains(where: { equalIgnoringASCIICase(bytes, $0) }) { return false }
        return nil
    }

    private static let trueSpellings: [StaticString] = ["true", "1", "yes", "y", "oui", "o", "ja", "vrai", "x"]
    private static let falseSpellings: [StaticString] = ["false", "0", "no", "n", "non", "nein", "faux"]

    /// Whether `bytes` spell `lowercase` (ASCII lower-case letters and digits) in any ASCII case.
    /// (`String.lowercased()` also folds non-ASCII letters, but none of them can lower to ASCII
    /// except the Kelvin sign and dotted İ, which spell none of these words.)
    private static func equalIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            for index in 0..<bytes.count {
                let byte = bytes[index]
                let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if folded != expected[index] { return false }
            }
            return true
        }
    }
}
