/// Draws flat debtor rows: about 70% valid, 20% failing one contract rule each, 10% skipped
/// (empty, `*` instruction and "Champs obligatoires" rows). Deterministic for a seed.
struct FlatDebtorFactory {
    private var rng: SplitMix64

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
    }

    /// What row to make, out of 1000: the target mix.
    private static let plan: [(IntendedOutcome, Int)] = [
        (.skipped("empty_row"), 40),
        (.skipped("instruction_row"), 60),  // `*` rows and "champs obligatoires" rows
        (.failed("invalid_phone"), 40),
        (.failed("invalid_email"), 30),
        (.failed("missing_contact"), 20),
        (.failed("expensive_destination"), 30),
        (.failed("unsupported_destination"), 20),
        (.failed("non_positive_amount"), 20),
        (.failed("invalid_amount"), 10),
        (.failed("invalid_currency"), 10),
        (.failed("invalid_date"), 5),
        (.failed("invalid_iban"), 5),
        (.failed("required"), 10),
        (.valid, 700),
    ]

    private mutating func drawOutcome() -> IntendedOutcome {
        var roll = rng.below(1000)
        for (outcome, weight) in Self.plan {
            if roll < weight { return outcome }
            roll -= weight
        }
        return .valid
    }

    /// Fills `row` with record number `index` (1-based) and returns what it is meant to become.
    mutating func nextRow(index: Int, into row: inout RowFields) -> IntendedOutcome {
        row.reset()
        let outcome = drawOutcome()
        switch outcome {
        case .skipped("empty_row"):
            for _ in GeneratedColumn.allCases {
                if rng.chance(perMille: 50) { row.append(UInt8(ascii: " ")) }
                row.endField()
            }
        case .skipped:
            writeInstructionRow(into: &row)
        default:
            writeDebtorRow(index: index, outcome: outcome, into: &row)
        }
        return outcome
    }

    private mutating func writeInstructionRow(into row: inout RowFields) {
        let mandatory = rng.chance(perMille: 400)
        let column = mandatory ? rng.below(3) : 0
        for current in GeneratedColumn.allCases {
            if current.rawValue == column {
                row.append(mandatory ? rng.pick(Vocabulary.mandatoryTexts) : rng.pick(Vocabulary.instructionTexts))
            } else if mandatory && current.rawValue > column && current.rawValue <= 3 && rng.chance(perMille: 500) {
                row.append("obligatoire")
            }
            row.endField()
        }
    }

    private mutating func writeDebtorRow(index: Int, outcome: IntendedOutcome, into row: inout RowFields) {
        let code: String? = if case .failed(let code) = outcome { code } else { nil }
        let first = rng.pick(Vocabulary.firstNames)
        let last = rng.pick(Vocabulary.lastNames)

        // Reference (the record's own id, for temp_id); a few rows have none.
        if !rng.chance(perMille: 30) {
            row.append("DOS-")
            row.appendDigits(index, width: 7)
        }
        row.endField()

        // First and last names; `required` empties one of them.
        let dropFirst = code == "required" && rng.chance(perMille: 500)
        let dropLast = code == "required" && !dropFirst
        if !dropFirst {
            if rng.chance(perMille: 30) { row.append(" ") }
            row.append(first.text)
            if rng.chance(perMille: 3) { row.append(" \"Jeannot\"") }
        }
        row.endField()
        if !dropLast {
            if rng.chance(perMille: 80) {
                row.append(last.text.allSatisfy { $0 < 0x80 } ? uppercasedASCII(last.text) : last.text)
            } else {
                row.append(last.text)
            }
            if rng.chance(perMille: 5) { row.append("; épouse Martin") }
            if rng.chance(perMille: 2) { row.append("\nnée Durand") }
        }
        row.endField()

        // Amount and currency.
        var spelling = AmountSpeller.Spelling()
        switch code {
        case "non_positive_amount": AmountSpeller.appendNonPositive(rng: &rng, into: &row.storage)
        case "invalid_amount": AmountSpeller.appendInvalid(rng: &rng, into: &row.storage)
        default: spelling = AmountSpeller.appendValid(cents: AmountSpeller.randomCents(rng: &rng), rng: &rng, into: &row.storage)
        }
        row.amountIsNumber = spelling.isJSONNumber
        row.endField()
        if code == "invalid_currency" {
            row.append(rng.pick(Self.invalidCurrencies))
        } else if spelling.carriesCurrency && rng.chance(perMille: 600) {
            // The amount names its currency: the column is left empty.
        } else {
            row.append(rng.pick(Self.euroSpellings))
        }
        row.endField()

        // Phone and e-mail.
        var phone: PhoneSpeller.Category? = nil
        var email = EmailChoice.none
        switch code {
        case "invalid_phone":
            phone = .invalid
            email = rng.chance(perMille: 500) ? .valid : .none
        case "invalid_email":
            phone = rng.chance(perMille: 400) ? .frenchMainland : nil
            email = .invalid
        case "missing_contact":
            break
        case "expensive_destination":
            phone = rng.chance(perMille: 650) ? .overseas : .maghreb
            email = rng.chance(perMille: 400) ? .valid : .none
        case "unsupported_destination":
            phone = .other
            email = rng.chance(perMille: 400) ? .valid : .none
        default:
            switch rng.below(20) {
            case 0...13: phone = .frenchMainland
            case 14...16: phone = .europe
            default: phone = nil
            }
            email = (phone == nil || rng.chance(perMille: 600)) ? .valid : .none
        }
        if let phone { PhoneSpeller.append(phone, rng: &rng, into: &row.storage) }
        row.endField()
        switch email {
        case .none: break
        case .valid: appendEmail(first: first, last: last, into: &row)
        case .invalid: row.append(rng.pick(Vocabulary.invalidEmails))
        }
        row.endField()

        // Due date: DD/MM/YYYY mostly; `invalid_date` writes an impossible or unreadable one.
        if code == "invalid_date" {
            row.append(rng.pick(Self.invalidDates))
        } else if !rng.chance(perMille: 100) {
            appendDate(into: &row)
        }
        row.endField()

        // IBAN: a third of the rows; `invalid_iban` has a wrong checksum.
        if code == "invalid_iban" {
            IBANMaker.appendInvalid(rng: &rng, into: &row.storage)
        } else if rng.chance(perMille: 300) {
            IBANMaker.appendValid(rng: &rng, into: &row.storage)
        }
        row.endField()
    }

    private static let invalidCurrencies: [[UInt8]] = ["FRF", "FRF", "DEM", "XYZ", "Francs", "EURO€"].map { Array($0.utf8) }
    private static let euroSpellings: [[UInt8]] =
        ["EUR", "EUR", "EUR", "EUR", "eur", "€", "Euro", "euros", " EUR "].map { Array($0.utf8) }
    private static let invalidDates: [[UInt8]] =
        ["31/02/2024", "2024-13-01", "32/01/2025", "fin du mois", "15/15/2024", "00/00/0000"].map { Array($0.utf8) }

    private enum EmailChoice { case none, valid, invalid }

    private mutating func appendEmail(first: Vocabulary.Name, last: Vocabulary.Name, into row: inout RowFields) {
        if rng.chance(perMille: 50) { row.append(" ") }
        switch rng.below(4) {
        case 0: row.append(first.ascii); row.append(UInt8(ascii: ".")); row.append(last.ascii)
        case 1: row.append(first.ascii.prefix(1).map { $0 }); row.append(last.ascii)
        case 2: row.append(last.ascii); row.append(UInt8(ascii: ".")); row.append(first.ascii); row.appendDigits(rng.inRange(1...99))
        default: row.append(first.ascii); row.append(UInt8(ascii: "_")); row.append(last.ascii)
        }
        row.append(UInt8(ascii: "@"))
        row.append(rng.pick(Vocabulary.mailDomains))
    }

    private mutating func appendDate(into row: inout RowFields) {
        let year = rng.inRange(2022...2026)
        let month = rng.inRange(1...12)
        let day = rng.inRange(1...28)
        switch rng.below(10) {
        case 0...6:
            row.appendDigits(day, width: 2); row.append(UInt8(ascii: "/"))
            row.appendDigits(month, width: 2); row.append(UInt8(ascii: "/")); row.appendDigits(year)
        case 7, 8:
            row.appendDigits(year); row.append(UInt8(ascii: "-"))
            row.appendDigits(month, width: 2); row.append(UInt8(ascii: "-")); row.appendDigits(day, width: 2)
        default:
            row.appendDigits(day, width: 2); row.append(UInt8(ascii: "."))
            row.appendDigits(month, width: 2); row.append(UInt8(ascii: ".")); row.appendDigits(year)
        }
    }

    /// ASCII letters upper-cased (used for ASCII-only names: `DUPONT`).
    private func uppercasedASCII(_ bytes: [UInt8]) -> [UInt8] {
        bytes.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }
    }
}
