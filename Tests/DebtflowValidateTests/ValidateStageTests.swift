import DebtflowClassify
import DebtflowCore
import DebtflowNormalize
import DebtflowValidate
import Testing

@Suite("validate: outcomes, skip rules, contacts, destinations and timelines")
struct ValidateStageTests {
    @Test("a valid record becomes the API's debt with its temp_id, acceptance flag and destination")
    func validOutcome() throws {
        let outcome = try evaluate(spoiled(["internal_id": " C-42 ", "object": "Abonnement"]), tempID: "C-42")
        #expect(outcome.status == .valid)
        let debt = try #require(outcome.debt)
        #expect(debt.firstname == "Jean")
        #expect(debt.lastname == "Dupont")
        #expect(debt.amount == MinorUnitAmount(minorUnits: 123450, digits: 2))
        #expect(debt.currency == "EUR")
        #expect(debt.phone == "+33612345678")
        #expect(debt.email == "jean.dupont@example.fr")
        #expect(debt.tempID == "C-42")
        #expect(debt.internalID == "C-42")
        #expect(debt.object == "Abonnement")
        #expect(debt.acceptExpensiveDestination == false)
        #expect(debt.timelineID == nil)
        #expect(outcome.tempID == "C-42")
        #expect(outcome.destination == Destination(zone: .frMainland, country: "FR", credits: 25, multiplier: "1.0",
                                                   expensive: false))
    }

    @Test("a debt with an email only is valid and has no destination")
    func emailOnly() throws {
        let outcome = try evaluate(spoiled(["phone": nil]))
        #expect(outcome.status == .valid)
        #expect(outcome.destination == nil)
        #expect(outcome.debt?.phone == nil)
    }

    // MARK: skip rules

    @Test("every skip reason skips the record, with its data and without errors", arguments: SkipReason.allCases)
    func skipReasons(reason: SkipReason) throws {
        let spoiledRaw = spoiled(["amount": "-1", "phone": "x"])
        var data = dataRow(spoiledRaw)
        var skip: SkipReason?
        switch reason {
        case .emptyRow: data = RecordObject(entries: [.init(key: "Prénom", value: .string("")),
                                                      .init(key: "Nom", value: .string("  ")),
                                                      .init(key: "Montant", value: .null)])
        case .instructionRow: data = RecordObject(entries: [.init(key: "Prénom", value: .string("* Prénom du débiteur")),
                                                            .init(key: "Nom", value: .string("Nom"))])
        case .blocked, .noOpenCase: skip = reason
        }
        let outcome = try evaluate(spoiledRaw, data: data, skipReason: skip)
        #expect(outcome.status == .skipped)
        #expect(outcome.skipReason == reason)
        #expect(outcome.errors.isEmpty)
        #expect(outcome.data?.object == data)
        // A blocked debtor or one with no open case has an id of its own; an empty row or an
        // instruction row is known by its position (its "id" column holds nothing, or the
        // instruction, which every copy of a template repeats).
        switch reason {
        case .emptyRow, .instructionRow: #expect(outcome.tempID == "debts.csv#3")
        case .blocked, .noOpenCase: #expect(outcome.tempID == "T-1")
        }
    }

    @Test("instruction rows: first non-empty cell starting with *, or a cell with \"champs obligatoires\" in any case or accents",
          arguments: [
              ["", "  *Obligatoire", "Dupont"], ["Les champs obligatoires sont marqués", "", ""],
              ["Jean", "CHAMPS OBLIGATOIRES : nom, prénom", ""], ["Jean", "Chàmps  Obligatoirés", ""],
              ["note", "", "(champs\u{00A0}obligatoires)"],
              // A decomposed accent (dropped), a three-byte space, a four-byte scalar before it.
              ["Jean", "😀 Cha\u{0301}mps\u{202F}obligatoire\u{0300}s", ""],
          ])
    func instructionRows(cells: [String]) {
        #expect(SkipRules.isInstructionRow(row(cells)))
    }

    @Test("the phrase is found at every offset of a long cell, across the eight-byte words the scan skips")
    func instructionPhraseAtEveryOffset() {
        for offset in 0...24 {
            for phrase in ["champs obligatoires", "CHAMPS OBLIGATOIRES", "Champs Obligatoirés"] {
                let cell = String(repeating: "x", count: offset) + phrase + " (nom, prénom)"
                #expect(SkipRules.isInstructionRow(row(["Jean", cell, ""])), "offset \(offset): \(phrase)")
            }
            // Near misses at the same offsets: a `c` with no `h` after it, or the phrase cut.
            let nearMiss = String(repeating: "x", count: offset) + "cxamps obligatoires and champs obligatoire"
            #expect(!SkipRules.isInstructionRow(row(["Jean", nearMiss, ""])), "offset \(offset)")
        }
    }

    @Test("a `*` after any number of spaces, and the phrase ending the row, are found in every lane of the words the first look reads and in its byte-by-byte tail")
    func instructionMarkersInEveryLane() {
        for offset in 0...24 {
            let spaces = String(repeating: " ", count: offset)
            #expect(SkipRules.isInstructionRow(row(["", spaces + "*", "Dupont"])), "star after \(offset) spaces")
            #expect(SkipRules.isInstructionRow(row(["", spaces + "* note"])), "star after \(offset) spaces, last cell")
            let padding = String(repeating: "x", count: offset)
            #expect(SkipRules.isInstructionRow(row(["Jean", padding + "CHAMPS OBLIGATOIRES"])), "phrase ending the row after \(offset)")
            #expect(!SkipRules.isInstructionRow(row(["Jean", padding + "cHAMPS OBLIGATOIRE"])), "cut phrase after \(offset)")
        }
    }

    @Test("ordinary rows are not instruction rows", arguments: [
        ["Jean", "Dupont *", "12"], ["Jean", "champs", "obligatoires"], ["", "", ""], ["Jean", "**", ""],
    ])
    func notInstructionRows(cells: [String]) {
        #expect(!SkipRules.isInstructionRow(row(cells)))
    }

    @Test("a `c` ending one cell and an `h` starting the next is not the phrase, though one look over all the cells' bytes finds \"ch\" there",
          arguments: [["Jean c", "hamps obligatoires", ""], ["Marc", "Champs obligatoire", "s"], ["Luc", "*", "h"]])
    func phraseAcrossCells(cells: [String]) {
        // Cells side by side, as a CSV row's are on its tape (an object built in memory keeps its
        // keys between its values).
        let view = RecordView(.array(cells.map { .string($0) }))
        #expect(cells.joined().lowercased().contains("ch") || cells.contains { $0.contains("*") })
        #expect(!SkipRules.isInstructionRow(view))
    }

    @Test("one walk gives the reason: empty before instruction, instructions only when looked for, the first non-empty cell of any kind")
    func skipReasonOfOneWalk() {
        func reason(_ values: [RecordValue], looking: Bool = true) -> SkipReason? {
            SkipRules.skipReason(RecordView(.array(values)), lookingForInstructions: looking)
        }
        let phrase = RecordValue.string("Champs obligatoires : nom")
        // The phrase in the last cell, after cells of every other kind, and in the first.
        #expect(reason([.object(RecordObject(["k": .string("v")])), .number("12"), .bool(true), .null, .string(""), phrase]) == .instructionRow)
        #expect(reason([phrase, .array([.string("x")]), .number("3"), .string("Dupont")]) == .instructionRow)
        #expect(reason([.number("7"), phrase], looking: false) == nil)
        // A `*` counts only in the first cell that holds anything, whatever its kind.
        #expect(reason([.string(" "), .null, .string(" * note")]) == .instructionRow)
        #expect(reason([.string("* note")], looking: false) == nil)
        #expect(reason([.object(RecordObject(["k": .string("v")])), .string("* note")]) == nil)
        #expect(reason([.bool(false), .string("* note")]) == nil)
        #expect(reason([.number("1"), .string("* note")]) == nil)
        // Empty comes first, looked for or not; a scalar record is empty too.
        #expect(reason([.string(" "), .null, .array([]), .object(RecordObject())]) == .emptyRow)
        #expect(reason([], looking: false) == .emptyRow)
        #expect(SkipRules.skipReason(RecordView(.string("x")), lookingForInstructions: true) == .emptyRow)
        #expect(reason([.string("Charles"), .string("Michel"), .string("richard@chez.example.fr")]) == nil)
        // A number counts as content even with a blank text, but a `*` after it still starts
        // the first cell with a text.
        #expect(reason([.number("")]) == nil)
        #expect(reason([.number(" ")], looking: false) == nil)
        #expect(reason([.number(""), .string("* note")]) == .instructionRow)
    }

    @Test("the phrase's space may be any byte that folds to one; a long ASCII text with a `ch` and no such byte is not searched and holds no phrase",
          arguments: [("champs\tobligatoires", true), ("CHAMPS\r\nOBLIGATOIRES", true), ("champs\u{00A0}obligatoires", true),
                      ("x champs\u{3000}obligatoires", true), ("champsobligatoires@chez.example", false),
                      ("champs\u{0B}obligatoires", false), ("richard.blanchard@example.fr", false)])
    func phraseSpaces(cell: String, holds: Bool) {
        #expect(SkipRules.isInstructionRow(row(["Jean", "Dupont", cell])) == holds, "\(cell.debugDescription)")
    }

    @Test("with skip_instruction_rows false, an instruction row is validated like any other")
    func instructionRowsKept() throws {
        let data = row(["* Champs obligatoires", "", ""])
        let outcome = try evaluate([:], data: data, validate: ValidateOptions(skipInstructionRows: false))
        #expect(outcome.status == .failed)
        #expect(outcome.errors.contains { $0.code == .required })
    }

    @Test("a row of blanks, nulls and empty containers is empty")
    func emptyRows() {
        #expect(SkipRules.isEmptyRow(RecordObject()))
        #expect(SkipRules.isEmptyRow(row(["", " ", "\u{00A0}"])))
        #expect(SkipRules.isEmptyRow(RecordObject(entries: [.init(key: "a", value: .array([])),
                                                            .init(key: "b", value: .object(RecordObject()))])))
        #expect(!SkipRules.isEmptyRow(row(["", "x"])))
    }

    @Test("cells of any Unicode white space (narrow no-break, em, ideographic space) are blank, as the rules read a field blank: such a row is empty; a * after them is an instruction")
    func unicodeWhiteSpaceRows() {
        #expect(SkipRules.isEmptyRow(row(["\u{202F}", "", "\u{2003} "])))
        #expect(SkipRules.isEmptyRow(RecordObject(entries: [.init(key: "a", value: .array([.string("\u{3000}")]))])))
        #expect(!SkipRules.isEmptyRow(row(["\u{202F}", "é"])))
        #expect(!SkipRules.isEmptyRow(row(["\u{200B}"])), "a zero-width space is not white space")
        #expect(SkipRules.isInstructionRow(row(["\u{202F}* obligatoire", ""])))
    }

    @Test("a malformed row fails with its reader error alone, even when other rules would fail too")
    func malformedAlone() throws {
        let problem = RecordError(field: nil, code: .malformedRow, message: "unterminated quote")
        let outcome = try evaluate(spoiled(["lastname": nil]), errors: [problem])
        #expect(outcome.errors == [problem])
    }

    // MARK: contacts

    @Test("with drop_invalid_contact, an invalid phone is dropped with a warning when the email is valid")
    func dropInvalidPhone() throws {
        let options = ValidateOptions(dropInvalidContact: true)
        let outcome = try evaluate(spoiled(["phone": "12 34"]), validate: options)
        #expect(outcome.status == .valid)
        #expect(outcome.debt?.phone == nil)
        #expect(outcome.warnings.count == 1)
        #expect(outcome.destination == nil)
    }

    @Test("with drop_invalid_contact, an invalid email is dropped with a warning when the phone is valid")
    func dropInvalidEmail() throws {
        let outcome = try evaluate(spoiled(["email": "jean@"]), validate: ValidateOptions(dropInvalidContact: true))
        #expect(outcome.status == .valid)
        #expect(outcome.debt?.email == nil)
        #expect(outcome.warnings.count == 1)
    }

    @Test("drop_invalid_contact keeps the error when the other contact is missing or invalid too")
    func dropNeedsTheOther() throws {
        let options = ValidateOptions(dropInvalidContact: true)
        #expect(try evaluate(spoiled(["phone": "12 34", "email": nil]), validate: options).errors.map(\.code)
            == [.invalidPhone])
        #expect(Set(try evaluate(spoiled(["phone": "12 34", "email": "x@"]), validate: options).errors.map(\.code))
            == [.invalidPhone, .invalidEmail])
    }

    @Test("drop_invalid_contact keeps an invalid email when the phone's destination is refused (expensive, unsupported): that phone is not used either",
          arguments: ["0690123456", "+44 7400 123456"])
    func dropNeedsAUsablePhone(phone: String) throws {
        let outcome = try evaluate(spoiled(["phone": phone, "email": "jean@"]), validate: ValidateOptions(dropInvalidContact: true))
        #expect(outcome.status == .failed)
        #expect(outcome.errors.map(\.code).contains(.invalidEmail), "\(outcome.errors)")
        #expect(outcome.warnings.isEmpty)
        // Accepted, the expensive phone is used, and the email is dropped.
        if phone == "0690123456" {
            let accepted = try evaluate(spoiled(["phone": phone, "email": "jean@"]),
                                        validate: ValidateOptions(acceptExpensiveDestination: true, dropInvalidContact: true))
            #expect(accepted.status == .valid)
            #expect(accepted.warnings == ["invalid email dropped: the phone is used"])
        }
    }

    @Test("without drop_invalid_contact, an invalid phone fails the record even when the email is valid")
    func invalidPhoneFails() throws {
        #expect(try evaluate(spoiled(["phone": "12 34"])).errors.map(\.code) == [.invalidPhone])
    }

    // MARK: destinations

    @Test("an expensive destination is accepted by the config or by the record's own flag")
    func expensiveAccepted() throws {
        let guadeloupe = spoiled(["phone": "0690 12 34 56"])
        let byConfig = try evaluate(guadeloupe, validate: ValidateOptions(acceptExpensiveDestination: true))
        #expect(byConfig.status == .valid)
        #expect(byConfig.debt?.acceptExpensiveDestination == true)
        #expect(byConfig.destination?.zone == .domTom)
        #expect(byConfig.destination?.credits == 100)
        var own = guadeloupe
        own["accept_expensive_destination"] = "true"
        let byRecord = try evaluate(own)
        #expect(byRecord.status == .valid)
        #expect(byRecord.debt?.acceptExpensiveDestination == true)
        own["accept_expensive_destination"] = "false"
        #expect(try evaluate(own).errors.map(\.code) == [.expensiveDestination])
    }

    @Test("a record accepts an expensive destination in any spelling and case of yes; any no refuses it", arguments: [
        ("TRUE", true), ("Oui", true), (" x ", true), ("Ja", true), ("1", true), ("FAUX", false), ("Nein", false),
        ("0", false), ("maybe", false), ("", false),
    ])
    func ownAcceptanceSpellings(spelling: String, accepted: Bool) throws {
        var raw = spoiled(["phone": "0690 12 34 56"])
        raw["accept_expensive_destination"] = spelling
        let outcome = try evaluate(raw)
        #expect(outcome.status == (accepted ? .valid : .failed))
        #expect(outcome.debt?.acceptExpensiveDestination == (accepted ? true : nil))
    }

    @Test("without a classify stage, validate applies no destination rule: a DOM-TOM phone passes, with no destination")
    func withoutClassifyStage() throws {
        var candidate = DebtCandidate(provenance: Provenance(source: "t", record: 1), data: dataRow(validRaw), raw: validRaw)
        candidate.raw["phone"] = "0690 12 34 56"
        NormalizeStage().normalize(&candidate)
        let outcome = ValidateStage().validate(candidate)
        #expect(outcome.status == .valid, "\(outcome.errors)")
        #expect(outcome.destination == nil)
        #expect(outcome.debt?.phone == "+590690123456")
    }

    @Test("the classify stage's expensive list decides what needs accepting")
    func expensiveListFromClassify() throws {
        let outcome = try evaluate(spoiled(["phone": "0690 12 34 56"]), classify: ClassifyOptions(expensive: [.maghreb]))
        #expect(outcome.status == .valid)
        #expect(outcome.destination?.expensive == false)
    }

    // MARK: timelines

    @Test("the config's timeline and start mode go on every debt")
    func configTimeline() throws {
        let outcome = try evaluate(validRaw, validate: ValidateOptions(timelineID: "tl-9", timelineStartMode: .nextDay))
        #expect(outcome.debt?.timelineID == "tl-9")
        #expect(outcome.debt?.timelineStartMode == "next_day")
    }

    @Test("a config start mode without a timeline id (an empty ${TIMELINE_ID:-}) is ignored")
    func configModeWithoutTimeline() throws {
        let outcome = try evaluate(validRaw, validate: ValidateOptions(timelineID: "", timelineStartMode: .immediate))
        #expect(outcome.status == .valid)
        #expect(outcome.debt?.timelineID == nil)
        #expect(outcome.debt?.timelineStartMode == nil)
    }

    @Test("a config start mode without a config timeline id applies to a record's own timeline_id")
    func configModeWithOwnTimeline() throws {
        let outcome = try evaluate(spoiled(["timeline_id": "tl-1"]), validate: ValidateOptions(timelineID: "", timelineStartMode: .nextDay))
        #expect(outcome.status == .valid)
        #expect(outcome.debt?.timelineID == "tl-1")
        #expect(outcome.debt?.timelineStartMode == "next_day")
    }

    @Test("a record's own start mode needs a timeline id and must be immediate or next_day")
    func recordTimeline() throws {
        #expect(try evaluate(spoiled(["timeline_start_mode": "immediate"])).errors.map(\.code)
            == [.invalidTimelineStartMode])
        let own = try evaluate(spoiled(["timeline_id": "tl-1", "timeline_start_mode": "Immediate"]),
                               validate: ValidateOptions(timelineID: "tl-9", timelineStartMode: .nextDay))
        #expect(own.debt?.timelineID == "tl-1")
        #expect(own.debt?.timelineStartMode == "immediate")
    }

    @Test("one candidate settled, reset and filled again for each record gives every record the outcome a fresh candidate gives it")
    func reusedCandidate() throws {
        // `validate` moves parts of the candidate into each outcome and leaves the rest to the
        // candidate's next reset (`map` reuses one candidate per chunk). A failed record with a
        // destination, a skipped one, a valid one with a warning: the record after each must
        // carry nothing of theirs. (Two things keep it so: `settle` moves the errors and warnings
        // out, and `reset` clears what is left; breaking both fails this test.)
        let raws: [[String: String]] = [
            spoiled(["phone": "0690 12 34 56", "amount": "x"]),   // failed: amount; destination DOM
            validRaw,                                                // valid right after it
            spoiled(["firstname": "", "lastname": "", "amount": "", "currency": "", "phone": "", "email": ""]),  // empty: skipped
            spoiled(["phone": "12"]),                                // valid, invalid phone dropped with a warning
            spoiled(["email": nil, "phone": "+49 151 23456789"]),   // valid after the warning
            spoiled(["email": "nope"]),                              // failed with an email error
            spoiled(["phone": nil]),                                 // valid, no destination
        ]
        let options = ValidateOptions(dropInvalidContact: true)
        let normalize = NormalizeStage(), classify = ClassifyStage(), validate = ValidateStage(options: options)
        var reused = DebtCandidate(provenance: Provenance(source: "debts.csv", record: 0), data: dataRow([:]))
        for (index, raw) in raws.enumerated() {
            let provenance = Provenance(source: "debts.csv", record: index + 1, line: index + 2)
            let data = RecordView(dataRow(raw))
            reused.reset(provenance: provenance, data: data, tempID: "T-\(index + 1)")
            for (name, text) in raw { reused.raw[name] = text }
            normalize.normalize(&reused)
            classify.classify(&reused)
            var settled: Outcome?
            try validate.pass(&reused) { settled = $0 }

            var fresh = DebtCandidate(provenance: provenance, data: dataRow(raw), raw: raw, tempID: "T-\(index + 1)")
            normalize.normalize(&fresh)
            classify.classify(&fresh)
            let expected = validate.validate(fresh)
            #expect(settled == expected, "record \(index + 1)")
        }
    }

    private func row(_ cells: [String]) -> RecordObject {
        RecordObject(entries: cells.enumerated().map { .init(key: "c\($0.offset)", value: .string($0.element)) })
    }
}
