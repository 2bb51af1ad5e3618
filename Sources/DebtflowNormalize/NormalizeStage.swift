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
public struct NormalizeStage: ChunkStage {
    public typealias Input = DebtCandidate
    public typealias Output = DebtCandidate

    public let options: NormalizeOptions
    private let phones = PhoneNormalizer()
    private let defaultCurrency: Currency?

    public init(options: NormalizeOptions = NormalizeOptions()) {
        self.options = options
        self.defaultCurrency = options.currency.flatMap(CurrencyTable.normalize)
    }

    /// Normalizes the chunk's candidates in place. The chunk is taken `consuming`, so a chunk
    /// handed straight from the previous stage is not copied (no per-candidate retains).
    public func process(_ chunk: consuming Chunk<DebtCandidate>) throws -> Chunk<DebtCandidate> {
        var chunk = chunk
        for index in chunk.elements.indices {
            normalize(&chunk.elements[index])
        }
        return chunk
    }

    /// Normalizes one candidate in place.
    public func normalize(_ candidate: inout DebtCandidate) {
        guard candidate.skipReason == nil,
              !candidate.errors.contains(where: { $0.code == .malformedRow }) else { return }
        let raw = candidate.raw
        var debt = candidate.debt
        var errors: [RecordError] = []

        debt.firstname = TextTrimming.nonBlank(raw[.firstname])
        debt.lastname = TextTrimming.nonBlank(raw[.lastname])
        debt.civility = TextTrimming.nonBlank(raw[.civility])
        debt.object = TextTrimming.nonBlank(raw[.object])
        debt.company = TextTrimming.nonBlank(raw[.company])
        debt.streetAddress = TextTrimming.nonBlank(raw[.streetAddress])
        debt.streetNumber = TextTrimming.nonBlank(raw[.streetNumber])
        debt.postalCode = TextTrimming.nonBlank(raw[.postalCode])
        debt.city = TextTrimming.nonBlank(raw[.city])
        debt.country = TextTrimming.nonBlank(raw[.country])
        debt.internalID = TextTrimming.nonBlank(raw[.internalID])
        debt.tempID = candidate.tempID
        debt.metadata = candidate.metadata

        let currencyAlreadyFailed = candidate.errors.contains { $0.code == .invalidCurrency }
        normalizeMoney(raw: raw, currencyAlreadyFailed: currencyAlreadyFailed, debt: &debt, errors: &errors)

        if let phone = TextTrimming.nonBlank(raw[.phone]) {
            let region = candidate.phoneRegion ?? options.region
            switch phones.normalize(phone, defaultRegion: region) {
            case .success(let number):
                debt.phone = number.e164
                candidate.phoneNumber = number
            case .failure(let error):
                errors.append(RecordError(field: "phone", code: .invalidPhone, message: error.message))
            }
        }
        if let email = TextTrimming.nonBlank(raw[.email]) {
            if let valid = EmailValidator.normalize(email) {
                debt.email = valid
            } else {
                errors.append(RecordError(field: "email", code: .invalidEmail,
                                          message: "not a valid email address (one @, a local part, a domain such as example.fr)"))
            }
        }
        if let iban = TextTrimming.nonBlank(raw[.iban]) {
            if let valid = IBANValidator.normalize(iban) {
                debt.iban = valid
            } else {
                errors.append(RecordError(field: "iban", code: .invalidIBAN, message: "not a valid IBAN (checksum or length)"))
            }
        }
        debt.birthdate = date(raw, .birthdate, &errors)
        debt.invoiceDate = date(raw, .invoiceDate, &errors)
        debt.dueDate = date(raw, .dueDate, &errors)

        candidate.debt = debt
        candidate.errors.append(contentsOf: errors)
    }

    /// The amount and its currency.
    private func normalizeMoney(raw: DebtRawFields, currencyAlreadyFailed: Bool, debt: inout Debt,
                                errors: inout [RecordError]) {
        var parsed: ParsedAmount?
        if let amountText = TextTrimming.nonBlank(raw[.amount]) {
            switch AmountParser.parse(amountText, decimal: options.decimal) {
            case .success(let amount): parsed = amount
            case .failure(let error): errors.append(Self.amountError(error))
            }
        }

        var currency: Currency?
        if !currencyAlreadyFailed {
            var recordCurrency: Currency?
            var recordCurrencyIsValid = true
            if let currencyText = TextTrimming.nonBlank(raw[.currency]) {
                recordCurrency = CurrencyTable.normalize(currencyText)
                if recordCurrency == nil {
                    recordCurrencyIsValid = false
                    errors.append(RecordError(field: "currency", code: .invalidCurrency,
                                              message: "not an ISO 4217 currency code"))
                }
            }
            if recordCurrencyIsValid {
                let agreement = AmountParser.currency(hint: parsed?.currencyHint, recordCurrency: recordCurrency,
                                                      defaultCurrency: defaultCurrency)
                currency = agreement.currency
                if let problem = agreement.problem { errors.append(problem) }
            }
        }
        debt.currency = currency?.code

        guard let parsed else { return }
        if parsed.isNegative || !parsed.digits.utf8.contains(where: { $0 != UInt8(ascii: "0") }) {
            errors.append(RecordError(field: "amount", code: .nonPositiveAmount, message: "the amount must be greater than 0"))
            return
        }
        guard let currency else { return }
        switch AmountParser.minorUnits(parsed, currency: currency) {
        case .success(let amount): debt.amount = amount
        case .failure(let error): errors.append(Self.amountError(error))
        }
    }

    /// The parser's error, always on the `amount` field.
    private static func amountError(_ error: RecordError) -> RecordError {
        RecordError(field: "amount", code: error.code, message: error.message)
    }

    private func date(_ raw: DebtRawFields, _ key: DebtRawKey, _ errors: inout [RecordError]) -> String? {
        guard let text = TextTrimming.nonBlank(raw[key]) else { return nil }
        if let day = DateNormalizer.normalize(text) { return day }
        errors.append(RecordError(field: key.name, code: .invalidDate,
                                  message: "not a date (expected YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY)"))
        return nil
    }
}
