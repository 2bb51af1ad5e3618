import DebtflowCore

/// Draws Sportalliance (Magicline) debtors shaped like the Get Debtors API's `result` items,
/// covering every rule of the `magicline-debtor` preset: liable persons, contact priority and
/// INVALID contact statuses, UNLIMITED and LIMITED blocks (past and future end dates), blocked
/// debts, debtors without a collection case, several cases, mixed currencies. Deterministic.
struct MagiclineDebtorFactory {
    private var rng: SplitMix64
    /// Whether the debtor being drawn lives outside France (see ``nextDebtor(index:)``).
    private var international = false

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed ^ 0x6D61_6769_636C_696E)  // "magiclin": its own stream
    }

    /// A debtor and what each of its records (cases, or the debtor itself) is meant to become.
    struct Debtor {
        var record: RecordObject
        var outcomes: [IntendedOutcome]
    }

    /// How the addressed person's contacts look, and the outcome that follows.
    private enum ContactScenario: CaseIterable {
        case mobileAndEmail, invalidMobileThenLandline, businessOnly, emailOnly, faxOnly, invalidStatusEmailOnly,
             expensivePhone, unsupportedPhone, badPhoneText, badEmailText, europeanMobile

        var outcome: IntendedOutcome {
            switch self {
            case .mobileAndEmail, .invalidMobileThenLandline, .businessOnly, .emailOnly, .europeanMobile: .valid
            case .faxOnly, .invalidStatusEmailOnly: .failed("missing_contact")
            case .expensivePhone: .failed("expensive_destination")
            case .unsupportedPhone: .failed("unsupported_destination")
            case .badPhoneText: .failed("invalid_phone")
            case .badEmailText: .failed("invalid_email")
            }
        }
    }

    private static let scenarioWeights: [(ContactScenario, Int)] = [
        (.mobileAndEmail, 420), (.invalidMobileThenLandline, 80), (.businessOnly, 60), (.emailOnly, 90),
        (.europeanMobile, 80), (.faxOnly, 30), (.invalidStatusEmailOnly, 30), (.expensivePhone, 80),
        (.unsupportedPhone, 40), (.badPhoneText, 50), (.badEmailText, 40),
    ]

    mutating func nextDebtor(index: Int) -> Debtor {
        var debtor = RecordObject()
        let city = rng.pick(Vocabulary.cities)
        let first = rng.pick(Vocabulary.firstNames)
        let last = rng.pick(Vocabulary.lastNames)
        let missingName = rng.chance(perMille: 10)

        debtor.append("debtorId", .string(String(2_300_000 + index)))
        debtor.append("membershipNr", .string("15" + zeroPadded(index, width: 8)))
        debtor.append("countryCode", .string(city.countryCode))
        debtor.append("firstName", .string(first.string))
        debtor.append("lastName", .string(missingName ? "" : last.string))
        debtor.append("birthdate", .string(date(year: rng.inRange(1950...2005))))
        debtor.append("sex", .string(rng.chance(perMille: 500) ? "MALE" : "FEMALE"))
        debtor.append("postalCode", .string(city.postalCode))
        debtor.append("city", .string(city.name))
        debtor.append("addressData", .object(address()))

        // The person addressed: a liable person (for minors, …) or the debtor.
        let scenario = drawScenario()
        // National numbers are read in the person's own country: outside France, write French
        // and overseas numbers with their country code.
        international = city.countryCode != "FR"
        var personOutcome = scenario.outcome
        if missingName { personOutcome = .failed("required") }
        if rng.chance(perMille: 150) {
            // The debtor's own contacts are often bad; the liable person's are what count.
            debtor.append("contactDetails", .array(contacts(for: rng.pick([.faxOnly, .badPhoneText, .mobileAndEmail]),
                                                            first: first, last: last)))
            let liableFirst = rng.pick(Vocabulary.firstNames)
            var liable = RecordObject()
            liable.append("firstName", .string(liableFirst.string))
            liable.append("lastName", .string(last.string))
            liable.append("birthdate", .string(date(year: rng.inRange(1955...1985))))
            liable.append("sex", .string(rng.chance(perMille: 500) ? "MALE" : "FEMALE"))
            liable.append("postalCode", .string(city.postalCode))
            liable.append("city", .string(city.name))
            liable.append("countryCode", .string(city.countryCode))
            liable.append("addressData", .object(address()))
            liable.append("contactDetails", .array(contacts(for: scenario, first: liableFirst, last: last)))
            debtor.append("liablePerson", .object(liable))
            personOutcome = scenario.outcome  // the liable person's name is complete
        } else {
            debtor.append("contactDetails", .array(contacts(for: scenario, first: first, last: last)))
        }

        if rng.chance(perMille: 300) { debtor.append("paymentDetails", .object(paymentDetails(first: first, last: last))) }

        // Blocks and cases.
        let noCase = rng.chance(perMille: 80)
        var blocked = false
        if !noCase {
            switch rng.below(100) {
            case 0..<6:
                debtor.append("block", .object(RecordObject(["limitType": .string("UNLIMITED")])))
                blocked = true
            case 6..<10:
                debtor.append("block", .object(RecordObject(["limitType": .string("LIMITED"),
                                                             "endDate": .string(date(year: rng.inRange(2036...2039)))])))
                blocked = true
            case 10..<14:
                debtor.append("block", .object(RecordObject(["limitType": .string("LIMITED"),
                                                             "endDate": .string(date(year: rng.inRange(2019...2024)))])))
            case 14..<16:
                debtor.append("block", .object(RecordObject(["limitType": .string("DISABLED")])))
            default:
                break
            }
        }

        var outcomes: [IntendedOutcome] = []
        var cases: [RecordValue] = []
        if noCase {
            outcomes.append(.skipped("no_open_case"))
        } else {
            let caseCount = rng.below(10) < 7 ? 1 : (rng.below(3) < 2 ? 2 : 3)
            let currency = city.countryCode == "CH" ? "CHF" : "EUR"
            for _ in 0..<caseCount {
                let (value, outcome) = collectionCase(currency: currency, personOutcome: personOutcome, debtorBlocked: blocked)
                cases.append(.object(value))
                outcomes.append(outcome)
            }
        }
        if !(noCase && rng.chance(perMille: 500)) { debtor.append("collectionCases", .array(cases)) }
        return Debtor(record: debtor, outcomes: outcomes)
    }

    private mutating func drawScenario() -> ContactScenario {
        var roll = rng.below(1000)
        for (scenario, weight) in Self.scenarioWeights {
            if roll < weight { return scenario }
            roll -= weight
        }
        return .mobileAndEmail
    }

    private mutating func collectionCase(currency: String, personOutcome: IntendedOutcome,
                                         debtorBlocked: Bool) -> (RecordObject, IntendedOutcome) {
        let debtCount = rng.inRange(1...4)
        let mixed = debtCount > 1 && rng.chance(perMille: 40)
        let blockedDebt = rng.chance(perMille: 30)
        let nonPositive = rng.chance(perMille: 20)
        var debts: [RecordValue] = []
        var total = 0
        let year = rng.inRange(2023...2025)
        let month = rng.inRange(1...12)
        for position in 0..<debtCount {
            var debt = RecordObject()
            var cents = rng.pick([2990, 3490, 3990, 4990, 5990, 1500, 990, 2500]) + (rng.chance(perMille: 200) ? rng.below(5000) : 0)
            if nonPositive && position == debtCount - 1 { cents = -total - (rng.chance(perMille: 500) ? 0 : 1000) }
            total += cents
            debt.append("debtId", .string(uuid()))
            let debtMonth = (month + position - 1) % 12 + 1
            debt.append("debtDate", .string("\(year)-\(zeroPadded(debtMonth, width: 2))-\(zeroPadded(rng.inRange(1...28), width: 2))"))
            debt.append("amount", .number(signedAmount(cents)))
            debt.append("currency", .string(mixed && position == debtCount - 1 ? (currency == "EUR" ? "CHF" : "EUR") : currency))
            debt.append("type", .string(cents < 0 ? "PRINCIPAL_CLAIM" : rng.pick(["DEBT_CLAIM", "DEBT_CLAIM", "BANK_FEE", "DUNNING_FEE", "SALE"])))
            debt.append("designation", .string(cents < 0 ? "Avoir" : rng.pick(Vocabulary.designations)))
            debt.append("recurrence", .object(RecordObject(["period": .string("MONTH"), "frequency": .number("1")])))
            if blockedDebt && position == 0 {
                debt.append("block", .object(RecordObject(["limitType": .string("UNLIMITED")])))
            }
            debts.append(.object(debt))
        }
        var value = RecordObject()
        value.append("collectionCaseId", .string(uuid()))
        value.append("openAmount", .number(signedAmount(total)))
        value.append("debt", .array(debts))

        let outcome: IntendedOutcome
        if debtorBlocked || blockedDebt {
            outcome = .skipped("blocked")
        } else if mixed {
            outcome = .failed("invalid_currency")
        } else if case .failed = personOutcome {
            outcome = personOutcome
        } else if nonPositive {
            outcome = .failed("non_positive_amount")
        } else {
            outcome = .valid
        }
        return (value, outcome)
    }

    private mutating func contacts(for scenario: ContactScenario, first: Vocabulary.Name, last: Vocabulary.Name) -> [RecordValue] {
        var entries: [RecordValue] = []
        func entry(_ type: String, _ value: String, _ status: String) -> RecordValue {
            .object(RecordObject(["type": .string(type), "value": .string(value),
                                  "status": .object(RecordObject(["type": .string(status)]))]))
        }
        let email = emailAddress(first: first, last: last)
        switch scenario {
        case .mobileAndEmail:
            entries.append(entry("TEL_PRIVATE_MOBILE", PhoneSpeller.string(.frenchMainland, internationalOnly: international, rng: &rng), "VALID"))
            entries.append(entry("EMAIL", email, rng.pick(["VALID", "VALID_READ", "NOT_YET_USED"])))
        case .invalidMobileThenLandline:
            entries.append(entry("EMAIL", email, "INVALID"))
            entries.append(entry("TEL_PRIVATE", PhoneSpeller.string(.frenchMainland, internationalOnly: international, rng: &rng), "VALID"))
            entries.append(entry("TEL_PRIVATE_MOBILE", PhoneSpeller.string(.invalid, internationalOnly: international, rng: &rng), "INVALID"))
        case .businessOnly:
            entries.append(entry("TEL_BUSINESS", PhoneSpeller.string(.frenchMainland, internationalOnly: international, rng: &rng), "VALID"))
            entries.append(entry("FAX", PhoneSpeller.string(.frenchMainland, internationalOnly: international, rng: &rng), "VALID"))
        case .emailOnly:
            entries.append(entry("EMAIL", email, "VALID"))
        case .europeanMobile:
            entries.append(entry("TEL_BUSINESS_MOBILE", PhoneSpeller.string(.europe, rng: &rng), "NOT_YET_USED"))
            entries.append(entry("EMAIL", email, "WARNING"))
        case .faxOnly:
            entries.append(entry("FAX", PhoneSpeller.string(.frenchMainland, internationalOnly: international, rng: &rng), "VALID"))
        case .invalidStatusEmailOnly:
            entries.append(entry("EMAIL", email, "INVALID"))
            entries.append(entry("TEL_PRIVATE_MOBILE", PhoneSpeller.string(.frenchMainland, internationalOnly: international, rng: &rng), "INVALID"))
        case .expensivePhone:
            entries.append(entry("TEL_PRIVATE_MOBILE",
                                 PhoneSpeller.string(rng.chance(perMille: 650) ? .overseas : .maghreb,
                                                    internationalOnly: international, rng: &rng), "VALID"))
            if rng.chance(perMille: 500) { entries.append(entry("EMAIL", email, "VALID")) }
        case .unsupportedPhone:
            entries.append(entry("TEL_PRIVATE_MOBILE", PhoneSpeller.string(.other, rng: &rng), "VALID"))
        case .badPhoneText:
            entries.append(entry("TEL_PRIVATE_MOBILE", PhoneSpeller.string(.invalid, internationalOnly: international, rng: &rng), "VALID"))
        case .badEmailText:
            entries.append(entry("EMAIL", String(decoding: rng.pick(Vocabulary.invalidEmails), as: UTF8.self), "NOT_YET_USED"))
        }
        return entries
    }

    private mutating func emailAddress(first: Vocabulary.Name, last: Vocabulary.Name) -> String {
        String(decoding: first.ascii + [UInt8(ascii: ".")] + last.ascii + [UInt8(ascii: "@")] + rng.pick(Vocabulary.mailDomains),
               as: UTF8.self)
    }

    private mutating func address() -> RecordObject {
        RecordObject(["street": .string(rng.pick(Vocabulary.streets)),
                      "houseNumber": .string(String(rng.inRange(1...180)) + (rng.chance(perMille: 100) ? "bis" : ""))])
    }

    private mutating func paymentDetails(first: Vocabulary.Name, last: Vocabulary.Name) -> RecordObject {
        var iban: [UInt8] = []
        if rng.chance(perMille: 900) { IBANMaker.appendValid(rng: &rng, into: &iban) } else { IBANMaker.appendInvalid(rng: &rng, into: &iban) }
        return RecordObject(["iban": .string(String(decoding: iban, as: UTF8.self)), "bic": .string("AGRIFRPPXXX"),
                             "bank": .string(rng.pick(["Crédit Agricole", "BNP Paribas", "Société Générale", "ING Belgique"])),
                             "accountHolder": .string(first.string + " " + last.string)])
    }

    private mutating func uuid() -> String {
        let high = rng.next(), low = rng.next()
        var hex = Array(repeating: UInt8(0), count: 32)
        let digits = Array("0123456789abcdef".utf8)
        for index in 0..<16 {
            hex[index] = digits[Int((high >> UInt64(60 - 4 * index)) & 0xF)]
            hex[16 + index] = digits[Int((low >> UInt64(60 - 4 * index)) & 0xF)]
        }
        hex[12] = UInt8(ascii: "4")  // version 4
        hex[16] = digits[8 + Int(low >> 62)]  // variant 10xx
        var text = hex
        for position in [20, 16, 12, 8] { text.insert(UInt8(ascii: "-"), at: position) }
        return String(decoding: text, as: UTF8.self)
    }

    private mutating func date(year: Int) -> String {
        "\(year)-\(zeroPadded(rng.inRange(1...12), width: 2))-\(zeroPadded(rng.inRange(1...28), width: 2))"
    }

    private func signedAmount(_ cents: Int) -> String {
        (cents < 0 ? "-" : "") + AmountSpeller.jsonNumber(abs(cents))
    }

    private func zeroPadded(_ value: Int, width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
