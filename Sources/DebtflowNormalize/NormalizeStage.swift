import DebtflowCore

/// The `normalize` stage: turns each candidate's source text (``DebtflowCore/DebtCandidate/raw``)
/// into the debt's values, collecting every error (CONTRACT.md §3–§4), never stopping at the first.
///
/// - `phone`: E.164 via ``PhoneNormalizer``, with the record's own region
///   (``DebtflowCore/DebtCandidate/phoneRegion``) before `region`; a failure is `invalid_phone`.
/// - `currency`: the record's currency (`invalid_currency` when it is not ISO 4217), else the sign
///   or code inside the amount (`€`, `£`, `EUR`; `$` only for a configured dollar `currency`, and
///   then it is that currency), else the configured `currency`. A sign that contradicts the
///   record's currency (`£48` with EUR, `$48` with EUR or JPY) is `invalid_currency`
///   (``AmountParser/currency(hint:recordCurrency:defaultCurrency:)``).
/// - `amount`: ``AmountParser`` with `decimal`, in the currency's minor units (`invalid_amount`,
///   `non_positive_amount`).
/// - `birthdate`, `invoice_date`, `due_date`: `YYYY-MM-DD` (`invalid_date`); `iban`: checksum
///   (`invalid_iban`); `email`: the contract's rule (`invalid_email`).
/// - The other text fields are trimmed; empty ones are left out.
///
/// Candidates already skipped, or whose record was malformed, pass unchanged. Presence rules
/// (`required`, `missing_contact`) are `validate`'s.
public struct NormalizeStage: ElementStage {
    public typealias Input = DebtCandidate
    public typealias Output = DebtCandidate

    public let options: NormalizeOptions
    private let phones = PhoneNormalizer()
    /// `region`, settled once for the phones of records without a region of their own.
    private let phoneRegion: PhoneNormalizer.DefaultRegion
    private let defaultCurrency: Currency?

    public init(options: NormalizeOptions = NormalizeOptions()) {
        self.options = options
        self.phoneRegion = phones.defaultRegion(options.region)
        self.defaultCurrency = options.currency.flatMap(CurrencyTable.normalize)
    }

    /// Normalizes the chunk's candidates in place. The chunk is taken `consuming`, so a chunk
    /// handed straight from the previous stage is not copied (no per-candidate retains).
    public func process(_ chunk: consuming Chunk<DebtCandidate>) throws -> Chunk<DebtCandidate> {
        var chunk = chunk
        // Each candidate is changed where it lies (`forEachInPlace`: no copy in and out).
        chunk.elements.forEachInPlace(normalize)
        return chunk
    }

    /// Normalizes `candidate` in place and hands it to `next` (``DebtflowCore/ElementStage``).
    public func pass(_ candidate: inout DebtCandidate, to next: (inout DebtCandidate) throws -> Void) throws {
        normalize(&candidate)
        try next(&candidate)
    }

    /// Normalizes one candidate in place.
    ///
    /// Each rule reads its field's bytes where they are (trimmed of white space once, here);
    /// a new `String` is made only where the normalized text differs from the input. The phone
    /// found valid goes on the candidate whole (``DebtflowCore/DebtCandidate/phoneNumber``) for
    /// `classify`, and the fields that had text are noted
    /// (``DebtflowCore/DebtCandidate/nonBlankFields``) for `validate`.
    public func normalize(_ candidate: inout DebtCandidate) {
        guard candidate.skipReason == nil,
              !candidate.errors.contains(where: { $0.code == .malformedRow }) else { return }
        // The rules read the source texts where they lie in the candidate and write its debt
        // where it lies: no copy of the debt or of the fields, and no retain of the tape for them.
        candidate.changeReadingRaw { candidate, fields in normalize(&candidate, fields: fields) }
    }

    /// ``normalize(_:)`` with every field's bytes at hand (opened once for all the rules).
    private func normalize(_ candidate: inout DebtCandidate, fields: DebtKeyedBytes) {
        // Texts kept as the input had them point into the record's tape (no copy).
        // (Reset where it lies: a debt built in a temporary is copied where it is stored.)
        candidate.debt.reset(tape: candidate.data.tape)
        // Read where the list lies, before it is taken (most records have no error yet): asked of
        // the taken list, it was retained and released around the look, per record.
        let currencyAlreadyFailed = !candidate.errors.isEmpty && candidate.errors.contains { $0.code == .invalidCurrency }
        var errors = ErrorList(taking: &candidate.errors)
        var nonBlank = DebtRawKeySet()

        // (Only the keys the record has are visited, in key order: most records have three or
        // four of the eleven.)
        var plainTexts = fields.presentKeys(of: Self.plainTextKeys)
        while let key = plainTexts.popFirst() {
            guard let trimmed = fields.trimmed(key) else { continue }
            nonBlank.insert(key)
            // Trimmed, a text that needed no escaping still needs none.
            candidate.debt.setText(key, trimmed, verbatim: fields.isVerbatim(key))
        }
        // The record's `temp_id`, as `map` set it: its bytes read where they lie (its own id's in
        // the tape, which the debt then points at too, or the candidate's inline bytes). The
        // debt is reached through its storage, ``DebtflowCore/DebtCandidate/settled``, a stored
        // member, so that it is changed while the `temp_id` is read.
        let tempIDVerbatim = candidate.settled.tempIDText.isVerbatim
        candidate.settled.tempIDText.withBytesInPlace { tempID in
            if let tempID { candidate.settled.debtPayload.setText(.tempID, tempID, verbatim: tempIDVerbatim) }
        }
        // (The reset left the debt without metadata: stored only when there is some, since
        // storing a candidate's nil, most records', still retained and released it.)
        if let metadata = candidate.metadata { candidate.debt.metadata = metadata }

        // A JSON number's decimals follow its `.` whatever `normalize.decimal` says of texts:
        // `,` would read it as a thousands group, and `auto` would refuse `25.000` as one.
        let amountDecimal = candidate.raw.isJSONNumber(.amount) ? .dot : options.decimal
        normalizeMoney(fields, decimal: amountDecimal, currencyAlreadyFailed: currencyAlreadyFailed,
                       debt: &candidate.debt, errors: &errors, nonBlank: &nonBlank)

        if let trimmed = fields.trimmed(.phone) {
            nonBlank.insert(.phone)
            // A record's own region that is the configured one as settled (Magicline's `FR`
            // with `region: FR`) is read with it: the same code, plan and metadata, without
            // upper-casing the code and matching it against the French plan's per phone.
            let own = candidate.phoneRegion.flatMap { $0 != phoneRegion.code ? $0 : nil }
            let normalized: Result<PhoneNumber, PhoneNormalizationError>
            if candidate.provenance.caseIndex != nil {
                // One of the cases a record makes (Magicline's, one after another on this
                // candidate): they share the person's phone, so the last one's answer, for the
                // same text read with the same region, is this one's. (Other records have phones
                // of their own: remembering each cost more than it saved.)
                let region = own ?? phoneRegion.code
                if let remembered = candidate.phoneMemo.answer(for: trimmed, region: region) {
                    normalized = remembered
                } else {
                    normalized = read(trimmed, ownRegion: own)
                    candidate.phoneMemo.remember(normalized, for: trimmed, region: region)
                }
            } else {
                normalized = read(trimmed, ownRegion: own)
            }
            switch normalized {
            case .success(let number):
                // Written straight into the debt (`+` and digits: verbatim), no `String` made.
                candidate.debt.setText(.phone, e164: number)
                candidate.phoneNumber = number
            case .failure(let error):
                errors.append(RecordError(field: "phone", code: .invalidPhone, message: error.message))
            }
        }
        // An address's bytes are the input's (its domain lowered): verbatim when the input is.
        if let valid = Self.normalizedBytes(fields, .email, verbatim: fields.isVerbatim(.email), into: &candidate.debt,
                                            EmailValidator.normalize(utf8:rewritten:)) {
            nonBlank.insert(.email)
            if !valid {
                errors.append(RecordError(field: "email", code: .invalidEmail,
                                          message: "not a valid email address (one @, a local part, a domain such as example.fr)"))
            }
        }
        // A valid IBAN is upper-case letters and digits.
        if let valid = Self.normalizedBytes(fields, .iban, verbatim: true, into: &candidate.debt,
                                            IBANValidator.normalize(utf8:rewritten:)) {
            nonBlank.insert(.iban)
            if !valid {
                errors.append(RecordError(field: "iban", code: .invalidIBAN, message: "not a valid IBAN (checksum or length)"))
            }
        }
        // (Called only for a date the record has: most give one of the three, and the call for
        // an absent one cost about 35 instructions.)
        if fields.has(.birthdate) { Self.date(fields, .birthdate, &candidate.debt, &errors, &nonBlank) }
        if fields.has(.invoiceDate) { Self.date(fields, .invoiceDate, &candidate.debt, &errors, &nonBlank) }
        if fields.has(.dueDate) { Self.date(fields, .dueDate, &candidate.debt, &errors, &nonBlank) }

        candidate.nonBlankFields = nonBlank
        errors.store(into: &candidate.errors)
    }

    /// A phone's trimmed text read with the record's own region when it has one other than the
    /// configured, else with the configured region as settled.
    @inline(__always)
    private func read(_ phone: UnsafeBufferPointer<UInt8>, ownRegion: String?) -> Result<PhoneNumber, PhoneNormalizationError> {
        if let ownRegion { phones.normalize(utf8: phone, defaultRegion: ownRegion) } else { phones.normalize(utf8: phone, defaultRegion: phoneRegion) }
    }

    /// The amount, read with `decimal`, and its currency.
    private func normalizeMoney(_ fields: DebtKeyedBytes, decimal: DecimalSeparatorPolicy, currencyAlreadyFailed: Bool, debt: inout Debt,
                                errors: inout ErrorList, nonBlank: inout DebtRawKeySet) {
        var parsed: ScannedAmount?
        // The currency the amount's text names, also when the amount itself is refused.
        var amountMark = AmountCurrencyMark.none
        var amountNamedBadCurrency = false
        if let trimmed = fields.trimmed(.amount) {
            nonBlank.insert(.amount)
            switch AmountParser.scanKeepingMark(utf8: trimmed, decimal: decimal) {
            case .amount(let amount):
                parsed = amount
                amountMark = amount.mark
            case .refused(let error, _) where error.code == .invalidCurrency:
                errors.append(error)
                amountNamedBadCurrency = true
            case .nonPositiveBesideUnknownCode(let currencyError):
                errors.append(Self.amountError(AmountParser.nonPositive))
                errors.append(currencyError)
                amountNamedBadCurrency = true
            case .refused(let error, let mark):
                errors.append(Self.amountError(error))
                amountMark = mark
            }
        }

        var currency: Currency?
        if !currencyAlreadyFailed && !amountNamedBadCurrency {
            var recordCurrency: Currency?
            var recordCurrencyIsValid = true
            if let trimmed = fields.trimmed(.currency) {
                nonBlank.insert(.currency)
                recordCurrency = CurrencyTable.normalize(utf8: trimmed)
                if recordCurrency == nil {
                    recordCurrencyIsValid = false
                    errors.append(RecordError(field: "currency", code: .invalidCurrency,
                                              message: "not an ISO 4217 currency code"))
                }
            }
            if recordCurrencyIsValid {
                let agreement = AmountParser.currency(mark: amountMark, recordCurrency: recordCurrency,
                                                      defaultCurrency: defaultCurrency)
                currency = agreement.currency
                if let problem = agreement.problem { errors.append(problem) }
            }
        }
        if let currency { currency.withCodeBytes { debt.setText(.currency, $0, verbatim: true) } }  // three letters

        // (A scanned amount is above zero: `scan` reports zero as `non_positive_amount`.)
        guard let parsed, let currency else { return }
        switch AmountParser.minorUnits(parsed, currency: currency, decimal: decimal) {
        case .success(let amount): debt.amount = amount
        case .failure(let error): errors.append(Self.amountError(error))
        }
    }

    /// The parser's error, always on the `amount` field.
    private static func amountError(_ error: RecordError) -> RecordError {
        RecordError(field: "amount", code: error.code, message: error.message)
    }

    private static func date(_ fields: DebtKeyedBytes, _ key: DebtRawKey, _ debt: inout Debt, _ errors: inout ErrorList,
                             _ nonBlank: inout DebtRawKeySet) {
        // A valid date is `YYYY-MM-DD`.
        guard let valid = normalizedBytes(fields, key, verbatim: true, into: &debt, DateNormalizer.normalize(utf8:rewritten:)) else {
            return
        }
        nonBlank.insert(key)
        if valid { return }
        errors.append(RecordError(field: key.name, code: .invalidDate,
                                  message: "not a date (expected YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY)"))
    }

    // MARK: Reading the fields' bytes

    /// The debt keys whose text is kept as the input has it, trimmed.
    private static let plainTextKeys = DebtRawKeySet([.firstname, .lastname, .civility, .object, .company, .streetAddress,
                                                      .streetNumber, .postalCode, .city, .country, .internalID])

    /// A byte rule's answer on `key`'s trimmed text: `nil` when the field has no text or is
    /// blank, `false` when the rule refuses it, else `true` with the normalized text set on the
    /// debt: where it is in the record when the rule kept the input's bytes, else copied from the
    /// rule's own buffer while the rule hands it over (``NormalizedBytes``), with no `String` made.
    /// `verbatim`: the rule's valid text never holds anything JSON must escape
    /// (``DebtflowCore/DebtKeyedBytes/isVerbatim(_:)``).
    @inline(__always)
    private static func normalizedBytes(_ fields: DebtKeyedBytes, _ key: DebtRawKey, verbatim: Bool, into debt: inout Debt,
                                        _ rule: (UnsafeBufferPointer<UInt8>, (UnsafeBufferPointer<UInt8>) -> Void) -> NormalizedBytes?) -> Bool? {
        guard let trimmed = fields.trimmed(key) else { return nil }
        switch rule(trimmed, { debt.setText(key, $0, verbatim: verbatim) }) {
        case nil: return false
        case .input(let kept)?: debt.setText(key, UnsafeBufferPointer(rebasing: trimmed[kept]), verbatim: verbatim)
        case .rewritten?: break
        }
        return true
    }
}

/// The errors of one candidate while `normalize` collects them: appended straight to the
/// candidate's own list (one array, allocated only when a first error comes).
private struct ErrorList {
    private var errors: [RecordError]

    /// Takes the candidate's list (leaving it empty), so appending never copies it.
    init(taking list: inout [RecordError]) {
        errors = []
        swap(&errors, &list)
    }

    mutating func append(_ error: RecordError) {
        if errors.isEmpty { errors.reserveCapacity(4) }
        errors.append(error)
    }

    func store(into list: inout [RecordError]) { list = errors }
}
