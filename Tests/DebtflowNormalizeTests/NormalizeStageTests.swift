import Foundation
import DebtflowCore
import DebtflowNormalize
import Testing

@Suite("normalize: the stage")
struct NormalizeStageTests {
    private func normalized(_ raw: [String: String], region: String? = nil,
                            options: NormalizeOptions = NormalizeOptions()) throws -> DebtCandidate {
        let candidate = DebtCandidate(provenance: Provenance(source: "t.csv", record: 1), data: RecordObject(), raw: raw,
                                      tempID: "T", phoneRegion: region)
        return try #require(try NormalizeStage(options: options).process(Chunk([candidate])).elements.first)
    }

    private func codes(_ candidate: DebtCandidate) -> [RecordErrorCode] { candidate.errors.map(\.code) }

    @Test("a French national phone becomes E.164, with its calling code and region kept for classify")
    func phone() throws {
        let candidate = try normalized(["phone": " 06 12 34 56 78 "])
        #expect(candidate.debt.phone == "+33612345678")
        #expect(candidate.phoneNumber == PhoneNumber(e164: "+33612345678", callingCode: 33, region: "FR"))
        #expect(candidate.errors.isEmpty)
    }

    @Test("the record's own region comes before the configured one for national numbers")
    func recordRegion() throws {
        let german = try normalized(["phone": "015123456789"], region: "DE")
        #expect(german.debt.phone == "+4915123456789")
        #expect(german.phoneNumber?.region == "DE")
        let byConfig = try normalized(["phone": "015123456789"], options: NormalizeOptions(region: "DE"))
        #expect(byConfig.debt.phone == "+4915123456789")
    }

    @Test("a record's own region read as the configured one when it is that region's code (settled once), else by itself: the same answers as the phone normalizer given that region",
          arguments: ["06 90 12 34 56", "015123456789", "0612345678", "+32 470 12 34 56", "0470123456", "12", "06 12 34 56 7a"])
    func ownRegionAsConfigured(phone: String) throws {
        for (own, configured) in [("FR", "FR"), ("fr", "FR"), ("FR", "fr"), ("BE", "FR"), ("DE", "DE"), ("BE", "BE"), ("RE", "FR")] {
            let candidate = try normalized(["phone": phone], region: own, options: NormalizeOptions(region: configured))
            switch PhoneNormalizer().normalize(phone, defaultRegion: own) {
            case .success(let number):
                #expect(candidate.phoneNumber == number, "\(phone) in \(own) (configured \(configured))")
                #expect(candidate.errors.isEmpty)
            case .failure(let error):
                #expect(candidate.phoneNumber == nil)
                #expect(candidate.errors.map(\.message) == [error.message], "\(phone) in \(own) (configured \(configured))")
            }
        }
    }

    @Test("a candidate reused for a record's cases reads each case's phone as the phone normalizer does, its last answer reused only for the same text and region")
    func casesShareAPhone() throws {
        let stage = NormalizeStage(options: NormalizeOptions(region: "FR"))
        let long = "+33 6 12 34 56 78 " + String(repeating: " ", count: 20) + "x"
        let steps: [(phone: String, region: String?)] = [
            ("06 12 34 56 78", "FR"), ("06 12 34 56 78", "FR"), ("06 12 34 56 78", "BE"), ("06 12 34 56 79", "BE"),
            ("0470123456", "BE"), ("0470123456", nil), ("O6 12 34 56 78", nil), ("O6 12 34 56 78", nil), ("O6 12 34 56 78", "DE"),
            (long, nil), (long, nil), ("06 90 12 34 56", "FR"), ("06 90 12 34 56", "RE"),
        ]
        var candidate = DebtCandidate(provenance: Provenance(source: "t.json", record: 1), data: RecordObject(), raw: [:])
        for (position, step) in steps.enumerated() {
            var provenance = Provenance(source: "t.json", record: 1)
            provenance.caseIndex = position + 1
            candidate.provenance = provenance
            candidate.resetAllButRecord(raw: DebtRawFields(["phone": step.phone]), metadata: nil, tempID: "c\(position)",
                                        phoneRegion: step.region)
            stage.normalize(&candidate)
            switch PhoneNormalizer().normalize(step.phone.trimmingCharacters(in: .whitespaces), defaultRegion: step.region ?? "FR") {
            case .success(let number):
                #expect(candidate.phoneNumber == number, "\(step)")
                #expect(candidate.debt.phone == number.e164)
                #expect(candidate.errors.isEmpty, "\(step)")
            case .failure(let error):
                #expect(candidate.phoneNumber == nil, "\(step)")
                #expect(candidate.errors.map(\.message) == [error.message], "\(step)")
            }
        }
    }

    @Test("an invalid phone is invalid_phone on the phone field, and no phone is kept")
    func invalidPhone() throws {
        let candidate = try normalized(["phone": "O6 12 34 56 78"])
        #expect(codes(candidate) == [.invalidPhone])
        #expect(candidate.errors.first?.field == "phone")
        #expect(candidate.debt.phone == nil)
        #expect(candidate.phoneNumber == nil)
    }

    @Test("the amount is counted in the currency's minor units",
          arguments: [("1 234,56", "EUR", 123456, 2), ("1234", "JPY", 1234, 0), ("12,5", "TND", 12500, 3),
                      ("1.234,56", "eur", 123456, 2)] as [(String, String, Int64, Int)])
    func amounts(text: String, currency: String, minorUnits: Int64, digits: Int) throws {
        let candidate = try normalized(["amount": text, "currency": currency])
        #expect(candidate.debt.amount == MinorUnitAmount(minorUnits: minorUnits, digits: digits))
        #expect(candidate.debt.currency == currency.uppercased())
        #expect(candidate.errors.isEmpty)
    }

    @Test("more decimals than the currency has is invalid_amount; zero, negative and (12.50) are non_positive_amount",
          arguments: [("12.345", RecordErrorCode.invalidAmount), ("0", .nonPositiveAmount), ("-3", .nonPositiveAmount),
                      ("(12.50)", .nonPositiveAmount), ("douze", .invalidAmount)])
    func badAmounts(text: String, code: RecordErrorCode) throws {
        let candidate = try normalized(["amount": text, "currency": "EUR"])
        #expect(codes(candidate) == [code])
        #expect(candidate.errors.first?.field == "amount")
        #expect(candidate.debt.amount == nil)
    }

    @Test("the currency comes from the record, else from a sign in the amount, else from the config")
    func currencySources() throws {
        #expect(try normalized(["amount": "12", "currency": "CHF"], options: NormalizeOptions(currency: "EUR")).debt.currency == "CHF")
        #expect(try normalized(["amount": "12,50 €"]).debt.currency == "EUR")
        #expect(try normalized(["amount": "€12,50"]).debt.amount == MinorUnitAmount(minorUnits: 1250, digits: 2))
        #expect(try normalized(["amount": "12"], options: NormalizeOptions(currency: "EUR")).debt.currency == "EUR")
        #expect(try normalized(["amount": "12"]).debt.currency == nil)
    }

    @Test("a $ sign supplies a currency only when one is configured")
    func dollarSign() throws {
        let configured = try normalized(["amount": "$12.50"], options: NormalizeOptions(currency: "USD"))
        #expect(configured.debt.currency == "USD")
        #expect(configured.debt.amount == MinorUnitAmount(minorUnits: 1250, digits: 2))
        #expect(codes(try normalized(["amount": "$12.50"])) == [.invalidCurrency])
    }

    @Test("a $ sign with a currency that is not a dollar is invalid_currency, on the record or configured")
    func dollarSignDisagrees() throws {
        #expect(codes(try normalized(["amount": "$48", "currency": "EUR"])) == [.invalidCurrency])
        #expect(codes(try normalized(["amount": "48 $", "currency": "JPY"])) == [.invalidCurrency])
        #expect(codes(try normalized(["amount": "$48"], options: NormalizeOptions(currency: "EUR"))) == [.invalidCurrency])
        #expect(codes(try normalized(["amount": "$48", "currency": "CAD"], options: NormalizeOptions(currency: "EUR"))) == [])
    }

    @Test("an unknown or withdrawn currency code is invalid_currency", arguments: ["FRF", "XYZ", "E"])
    func invalidCurrency(code: String) throws {
        let candidate = try normalized(["amount": "12", "currency": code])
        #expect(codes(candidate) == [.invalidCurrency])
        #expect(candidate.errors.first?.field == "currency")
    }

    @Test("a refused amount still names its currency: -12,50 € and (12,50 €) are non_positive_amount with the currency EUR, never also missing")
    func refusedAmountKeepsItsCurrency() throws {
        for text in ["-12,50 €", "(12,50 €)", "€0"] {
            let candidate = try normalized(["amount": text])
            #expect(codes(candidate) == [.nonPositiveAmount], "\(text)")
            #expect(candidate.debt.currency == "EUR", "\(text)")
        }
    }

    @Test("zero or a negative number beside a code that is no currency is both errors, as with the code in the currency field: a record collects all of its errors",
          arguments: ["-12.50 FRF", "0 FRF", "(12.50) FRF", "-12.50 TTC"])
    func nonPositiveBesideUnknownCode(text: String) throws {
        #expect(codes(try normalized(["amount": text])) == [.nonPositiveAmount, .invalidCurrency], "\(text)")
        #expect(codes(try normalized(["amount": text, "currency": "EUR"])) == [.nonPositiveAmount, .invalidCurrency], "\(text)")
        #expect(codes(try normalized(["amount": "-12.50", "currency": "FRF"])) == [.nonPositiveAmount, .invalidCurrency])
    }

    @Test("a withdrawn or unknown three-letter code inside the amount is invalid_currency on the currency, not invalid_amount",
          arguments: ["12.50 FRF", "FRF 12.50", "12 XYZ"])
    func badCodeInAmount(text: String) throws {
        let candidate = try normalized(["amount": text])
        #expect(codes(candidate) == [.invalidCurrency])
        #expect(candidate.errors.first?.field == "currency")
        // A word that is no code at all stays an unreadable amount.
        #expect(codes(try normalized(["amount": "12 euroz", "currency": "EUR"])) == [.invalidAmount])
    }

    @Test("a currency error found by map (mixed currencies) is not doubled")
    func mixedCurrencyFromMap() throws {
        var candidate = DebtCandidate(provenance: Provenance(source: "t", record: 1), data: RecordObject(),
                                      raw: ["amount": "12"])
        candidate.errors = [RecordError(field: "currency", code: .invalidCurrency, message: "mixed")]
        let output = try NormalizeStage(options: NormalizeOptions(currency: "EUR")).process(Chunk([candidate])).elements[0]
        #expect(codes(output) == [.invalidCurrency])
        #expect(output.debt.currency == nil)
    }

    @Test("dates are written YYYY-MM-DD; an impossible one is invalid_date on its field")
    func dates() throws {
        let candidate = try normalized(["birthdate": "04/05/1952", "invoice_date": "2026-01-31", "due_date": "31.02.2026"])
        #expect(candidate.debt.birthdate == "1952-05-04")
        #expect(candidate.debt.invoiceDate == "2026-01-31")
        #expect(candidate.debt.dueDate == nil)
        #expect(codes(candidate) == [.invalidDate])
        #expect(candidate.errors.first?.field == "due_date")
    }

    @Test("an IBAN is compacted and checked; a bad checksum is invalid_iban")
    func iban() throws {
        #expect(try normalized(["iban": "FR76 3000 6000 0112 3456 7890 189"]).debt.iban == "FR7630006000011234567890189")
        #expect(codes(try normalized(["iban": "FR76 3000 6000 0112 3456 7890 188"])) == [.invalidIBAN])
    }

    @Test("an email is trimmed with its domain lowercased; a bad one is invalid_email")
    func email() throws {
        #expect(try normalized(["email": " Jean.Dupont@Example.FR "]).debt.email == "Jean.Dupont@example.fr")
        #expect(codes(try normalized(["email": "jean.dupont@example"])) == [.invalidEmail])
    }

    @Test("text fields are trimmed and blank ones left out")
    func textFields() throws {
        // A street or number of no-break spaces alone is blank too: the Magicline preset hands
        // on an address's street and number as they are and leaves the blank ones to this trim.
        let candidate = try normalized(["firstname": "  Jean ", "lastname": "Dupont", "civility": " M. ", "company": "  ",
                                        "city": "Lyon\u{00A0}", "internal_id": " C-1 ",
                                        "street_address": "\u{00A0}", "street_number": "\u{00A0}\u{202F} "])
        #expect(candidate.debt.firstname == "Jean")
        #expect(candidate.debt.civility == "M.")
        #expect(candidate.debt.company == nil)
        #expect(candidate.debt.streetAddress == nil)
        #expect(candidate.debt.streetNumber == nil)
        #expect(try normalized(["street_address": "\u{00A0}Ring ", "street_number": " 12\u{00A0}"]).debt.streetAddress == "Ring")
        #expect(candidate.debt.city == "Lyon")
        #expect(candidate.debt.internalID == "C-1")
        #expect(candidate.debt.tempID == "T")
    }

    @Test("every error of a record is collected, not only the first")
    func collectsAll() throws {
        let candidate = try normalized(["amount": "abc", "currency": "FRF", "phone": "12", "email": "x@",
                                        "iban": "FR00", "birthdate": "32/01/2000"])
        #expect(Set(codes(candidate)) == [.invalidAmount, .invalidCurrency, .invalidPhone, .invalidEmail, .invalidIBAN,
                                          .invalidDate])
    }

    @Test("skipped and malformed candidates pass unchanged")
    func untouched() throws {
        var skipped = DebtCandidate(provenance: Provenance(source: "t", record: 1), data: RecordObject(),
                                    raw: ["phone": "nonsense"])
        skipped.skipReason = .blocked
        var malformed = skipped
        malformed.skipReason = nil
        malformed.errors = [RecordError(field: nil, code: .malformedRow, message: "x")]
        let output = try NormalizeStage().process(Chunk([skipped, malformed])).elements
        #expect(output == [skipped, malformed])
    }

    @Test("normalize notes which fields had text (blank ones not), valid or not, for validate")
    func nonBlankFields() throws {
        let candidate = try normalized(["firstname": "Jean", "lastname": " \u{A0} ", "amount": "abc", "phone": " 06 12 34 56 78 ",
                                        "email": "\u{3000}", "due_date": "31/02/2024"])
        let noted = candidate.nonBlankFields
        #expect(noted.contains(.firstname) && noted.contains(.amount) && noted.contains(.phone) && noted.contains(.dueDate))
        #expect(!noted.contains(.lastname) && !noted.contains(.email) && !noted.contains(.currency) && !noted.contains(.iban))
    }

    @Test("a field's text is kept as the very same string when it needs no change, trimmed when it does")
    func keptOrTrimmed() throws {
        let candidate = try normalized(["email": "jean@example.fr", "iban": " DE89 3704 0044 0532 0130 00 ",
                                        "due_date": "\u{A0}2024-02-29", "city": " Lyon\t"])
        #expect(candidate.debt.email == "jean@example.fr")
        #expect(candidate.debt.iban == "DE89370400440532013000")
        #expect(candidate.debt.dueDate == "2024-02-29")
        #expect(candidate.debt.city == "Lyon")
    }
}
