import DebtflowCore

/// The `magicline-debtor` preset (CONTRACT.md §3): one candidate per collection case of a
/// Sportalliance debtor, or one skipped candidate for a debtor without a case.
///
/// - `amount` = the case's `openAmount`; `currency` from the case's debts (several different
///   currencies fail with `invalid_currency`); `internal_id` = `temp_id` = `collectionCaseId`.
/// - The person addressed is the `liablePerson` when there is one, else the debtor: names,
///   contacts, `birthdate`, `postal_code`, `city`, `country` (`country`, else `countryCode`),
///   `street_address`/`street_number` from `addressData`; the person's `countryCode` (else the
///   debtor's) is the region for national phone numbers.
/// - `phone` = the first of TEL_PRIVATE_MOBILE, TEL_BUSINESS_MOBILE, TEL_PRIVATE, TEL_BUSINESS
///   whose status is not INVALID; `email` = the first EMAIL whose status is not INVALID.
/// - `due_date` = the earliest `debtDate`; `object` = the debts' designations joined by `, `;
///   `metadata` = `{debtorId, membershipNr, debtIds}`.
/// - Skipped: a debtor without a collection case (`no_open_case`, temp_id = `debtorId`); every case
///   of a blocked debtor, and a case with a blocked debt (`blocked`).
struct MagiclineDebtorMapping: Sendable {
    /// Phone contact types, best first.
    static let phoneTypes: [StaticString] = ["TEL_PRIVATE_MOBILE", "TEL_BUSINESS_MOBILE", "TEL_PRIVATE", "TEL_BUSINESS"]

    /// The day (`YYYY-MM-DD`) against which a LIMITED block's `endDate` is judged.
    let today: String

    /// Makes `candidate` each candidate of `record` in turn (one per collection case, or one for
    /// the whole debtor) and hands it to `body`: the caller's one candidate, made again where it
    /// lies for each (a candidate built in a temporary is copied into place, and destroyed after
    /// with every buffer it holds).
    func forEachCandidate(of record: Record, in candidate: inout DebtCandidate,
                          _ body: (inout DebtCandidate) throws -> Void) rethrows {
        // Read in place on the reader's tape (node indexes, no view per value); `data` (what
        // outputs echo) is the record's view.
        try MagiclineShape.reading(record.view.tape) { shape in
            try forEachCandidate(root: record.view.index, provenance: record.provenance, problem: record.problem,
                                 shape: shape, in: &candidate, body)
        }
    }

    /// ``forEachCandidate(of:in:_:)`` for each record of a chunk's table in turn
    /// (``DebtflowCore/RecordRows``, as the JSON reader hands its debtors on), read where its row
    /// points: no `Record` is made per debtor (``DebtflowCore/Chunk/elements`` made one for each,
    /// a reference to the tape and to the input's name counted, and dropped each again after).
    func forEachCandidate(ofRows rows: RecordRows, in candidate: inout DebtCandidate,
                          _ body: (inout DebtCandidate) throws -> Void) rethrows {
        try MagiclineShape.reading(rows.tape, manyRecords: true) { shape in
            var nextProblem = 0
            for position in rows.rows.indices {
                var problem: RecordError?
                if nextProblem < rows.problems.count && rows.problems[nextProblem].row == position {
                    problem = rows.problems[nextProblem].problem
                    nextProblem += 1
                }
                try forEachCandidate(root: rows.rows[position].root, provenance: rows.provenance(at: position), problem: problem,
                                     shape: shape, in: &candidate, body)
            }
        }
    }

    /// The candidates of the debtor whose object is the node `root` of `shape`'s tape, read with
    /// `provenance` and the reader's `problem`, if any.
    private func forEachCandidate(root debtor: Int, provenance recordProvenance: borrowing Provenance, problem: RecordError?,
                                  shape: MagiclineShape, in candidate: inout DebtCandidate,
                                  _ body: (inout DebtCandidate) throws -> Void) rethrows {
        // Each member looked up once per debtor, however many cases and fields read it, and all of
        // them in one pass over the debtor (and one over its liable person, if any).
        let debtorMembers = DebtorMembers(debtor, shape: shape)
        let person = shape.nonEmptyObject(debtorMembers[.liablePerson]) ?? debtor
        let personMembers = person == debtor ? debtorMembers : DebtorMembers(person, shape: shape)
        let personCountryCode = personMembers[.countryCode]
        let region = shape.regionCode(personCountryCode) ?? shape.regionCode(debtorMembers[.countryCode])
        // A case is known by its id, or (its id missing) by its open amount.
        let cases = shape.items(debtorMembers.member(.collectionCases), marker: "collectionCaseId", or: "openAmount")
        // An id that is missing or blank is no id: the debtor, or the case, gets its position.
        let debtorIDValue = debtorMembers[.debtorId]
        // The debtor's own temp_id, made (a `String`) only for a debtor known by it: one with a
        // problem or without a case (each case is known by its own id).
        func debtorID() -> String { debtorIDValue.flatMap(shape.text) ?? recordProvenance.positionalID }
        let ids = MetadataIDs(debtorID: debtorIDValue.flatMap { shape.hasContent($0) ? $0 : nil },
                              membershipNumber: debtorMembers[.membershipNr].flatMap { shape.hasContent($0) ? $0 : nil })

        if let problem {
            Self.point(&candidate, at: recordProvenance, caseIndex: recordProvenance.caseIndex, tape: shape.tape, root: debtor)
            candidate.resetAllButRecord(raw: personFields(personMembers, countryCode: personCountryCode, shape: shape), metadata: nil,
                                        tempID: debtorID(), phoneRegion: region)
            candidate.errors.append(problem)
            try body(&candidate)
            return
        }
        guard !cases.isEmpty else {
            Self.point(&candidate, at: recordProvenance, caseIndex: recordProvenance.caseIndex, tape: shape.tape, root: debtor)
            candidate.resetAllButRecord(raw: personFields(personMembers, countryCode: personCountryCode, shape: shape),
                                        metadata: metadata(ids, debts: nil, shape: shape), tempID: debtorID(), phoneRegion: region)
            candidate.skipReason = .noOpenCase
            try body(&candidate)
            return
        }
        let debtorBlocked = isBlocked(debtorMembers[.block], shape: shape)
        // The keys the person's fields have, once set for the debtor's first case.
        var personKeys: UInt32 = 0
        for (position, collectionCase) in cases.enumerated() {
            // The case's provenance is the record's with its case number, set where the
            // candidate's lies (a local copy cost a copy and a destroy per case).
            Self.point(&candidate, at: recordProvenance, caseIndex: position + 1, tape: shape.tape, root: debtor)
            // The case's members, found in one walk (``MagiclineShape/caseValues(_:)``).
            let caseMembers = shape.caseValues(collectionCase)
            let debtList = caseMembers.debt >= 0 ? caseMembers.debt : caseMembers.debts
            let debts = shape.items(debtList >= 0 ? debtList : nil, marker: "debtId")
            let caseIDValue = caseMembers.collectionCaseId >= 0 ? caseMembers.collectionCaseId : nil
            // Each debt's members the case reads, found in one walk over the debt
            // (``MagiclineShape/debtValues(_:)``), in temporary memory.
            withUnsafeTemporaryAllocation(of: MagiclineShape.DebtValues.self, capacity: max(1, debts.count)) { buffer in
                var count = 0
                for debt in debts {
                    (buffer.baseAddress.unsafelyUnwrapped + count).initialize(to: shape.debtValues(debt))
                    count += 1
                }
                let caseDebts = UnsafeBufferPointer(rebasing: buffer[..<count])
                let caseCurrency = currencyAsWritten(of: caseDebts, shape: shape).map(CaseCurrency.asWritten)
                    ?? currency(of: caseDebts, shape: shape)
                // The last case's metadata, its outcome written: its buffer is written over for this
                // case (no allocation per case once it is large enough). Its debt's copy is dropped
                // first, so that the candidate holds the buffer alone.
                if candidate.debt.metadata != nil { candidate.debt.metadata = nil }
                let caseMetadata = metadata(ids, debts: caseDebts, shape: shape, reusing: candidate.metadata.take())
                // The person's fields are set once, where the candidate's fields lie, for the first
                // case; a later case takes the last one's own fields off and sets its own. (Fields
                // built aside and copied in per case cost a copy, and a destroy of the old ones, each
                // counting the tape's and the side bytes' references.) A stage after map may have
                // moved the last case's fields out or changed them (``ChunkStage/forEachOutput(of:_:)``
                // allows it; none does today): then they are set again.
                if position == 0 || !candidate.raw.holds(personKeys, of: shape.tape) {
                    // The side bytes' storage is kept from debtor to debtor (the joined designations
                    // are written there): emptied, not replaced by a new array each debtor.
                    candidate.raw.resetKeepingSideStorage(tape: shape.tape)
                    setPersonFields(personMembers, countryCode: personCountryCode, shape: shape, in: &candidate.raw)
                    personKeys = candidate.raw.presentKeys
                } else {
                    for key in Self.caseKeys { candidate.raw[key] = nil }
                }
                // The case's id, read once: its `internal_id` and `temp_id` fields, and its
                // `temp_id` as its span of the tape (no `String` per case). A case without one
                // gets its position. (The `temp_id` through its storage, a stored member, so
                // that it is set with the fields.)
                if !shape.setCaseID(of: caseIDValue, in: &candidate.raw, tempID: &candidate.settled.tempIDText) {
                    candidate.provenance.setPositionalID(in: &candidate.settled.tempIDText)
                }
                candidate.resetKeepingRecordFieldsAndTempID(metadata: caseMetadata, phoneRegion: region)
                shape.setText(.amount, of: caseMembers.openAmount >= 0 ? caseMembers.openAmount : nil, in: &candidate.raw)
                switch caseCurrency {
                case .none, .mixed: break
                case .asWritten(let value): shape.setText(.currency, of: value, in: &candidate.raw)
                case .single(let code, let value):
                    // The text as written when it is the code already (`EUR`), else the code.
                    if shape.text(value) != code || !shape.setText(.currency, of: value, in: &candidate.raw) { candidate.raw[.currency] = code }
                }
                setEarliestDebtDate(caseDebts, shape: shape, in: &candidate.raw)
                setDesignations(caseDebts, shape: shape, in: &candidate.raw)
                if debtorBlocked || isBlocked(caseMembers.block >= 0 ? caseMembers.block : nil, shape: shape)
                    || caseDebts.contains(where: { isBlocked($0.block >= 0 ? $0.block : nil, shape: shape) }) {
                    candidate.skipReason = .blocked
                } else if case .mixed(let codes) = caseCurrency {
                    candidate.errors.append(RecordError(field: "currency", code: .invalidCurrency,
                                                        message: "the case's debts are in several currencies (\(codes.joined(separator: ", ")))"))
                }
            }
            try body(&candidate)
        }
    }

    /// The members of a debtor (or of its liable person) the preset reads, found in one pass
    /// over the object (``MagiclineShape/lookUp(_:_:)``).
    private struct DebtorMembers {
        enum Name: Int {
            case liablePerson, countryCode, firstName, lastName, birthdate, postalCode, city, country, addressData
            case contactDetails, collectionCases, debtorId, membershipNr, block
        }

        /// Every ``Name``'s text, in its order.
        static let names = MagiclineShape.MemberNames([
            "liablePerson", "countryCode", "firstName", "lastName", "birthdate", "postalCode", "city", "country", "addressData",
            "contactDetails", "collectionCases", "debtorId", "membershipNr", "block",
        ])

        private let found: MagiclineShape.FoundMembers

        init(_ object: Int, shape: MagiclineShape) {
            found = shape.lookUp(object, Self.names)
        }

        /// `shape.value(object, name)`.
        subscript(_ name: Name) -> Int? { found.value(name.rawValue) }

        /// `shape.member(object, name)`: the member named exactly so (no attribute).
        func member(_ name: Name) -> Int? { found.member(name.rawValue) }
    }

    /// Makes `candidate`'s provenance `provenance` with the case number `caseIndex`, and its view
    /// the node `root` of `tape`, field by field: the input's name and the tape stored only when they are not the
    /// ones it holds already (as for every case after a chunk's first), so no reference is
    /// counted per case. The later stages may change the candidate: every field of its
    /// provenance is set again.
    private static func point(_ candidate: inout DebtCandidate, at provenance: borrowing Provenance, caseIndex: Int?,
                              tape: RecordTape, root: Int) {
        if candidate.provenance.source != provenance.source { candidate.provenance.source = provenance.source }
        candidate.provenance.record = provenance.record
        candidate.provenance.line = provenance.line
        candidate.provenance.caseIndex = caseIndex
        candidate.provenance.idsByPath = provenance.idsByPath
        if candidate.data.tape === tape {
            candidate.data.index = root
        } else {
            candidate.data = RecordView(tape: tape, index: root)
        }
    }

    /// The fields a case sets of its own (the person's are the same for every case of a debtor).
    private static let caseKeys: [DebtRawKey] = [.amount, .internalID, .tempID, .currency, .dueDate, .object]

    /// The person's debt fields: names, contacts, birthdate, address — spans of the record's
    /// tape, no `String` made.
    /// - Parameter countryCode: the person's `countryCode` member, if any.
    private func personFields(_ person: DebtorMembers, countryCode: Int?, shape: MagiclineShape) -> DebtRawFields {
        var raw = DebtRawFields(tape: shape.tape)
        setPersonFields(person, countryCode: countryCode, shape: shape, in: &raw)
        return raw
    }

    /// Sets ``personFields(_:countryCode:shape:)``'s fields in `raw` (fields on the record's tape
    /// with none of them set).
    private func setPersonFields(_ person: DebtorMembers, countryCode: Int?, shape: MagiclineShape, in raw: inout DebtRawFields) {
        shape.setText(.firstname, of: person[.firstName], in: &raw)
        shape.setText(.lastname, of: person[.lastName], in: &raw)
        shape.setText(.birthdate, of: person[.birthdate], in: &raw)
        shape.setText(.postalCode, of: person[.postalCode], in: &raw)
        shape.setText(.city, of: person[.city], in: &raw)
        if !shape.setText(.country, of: person[.country], in: &raw) {
            shape.setText(.country, of: countryCode, in: &raw)
        }
        shape.setText(.countryCode, of: countryCode, in: &raw)
        // (Not asked first whether the address holds anything, a walk over all of it: an
        // address that holds nothing has no street or number with text, and one that is not an
        // object has no members, so neither is set.)
        if let address = person[.addressData] {
            shape.setText(.streetAddress, address, "street", in: &raw)
            shape.setText(.streetNumber, address, "houseNumber", in: &raw)
        }
        let contacts = shape.items(person.member(.contactDetails), marker: "type")
        let usable = usableContacts(contacts, shape: shape)
        shape.setText(.phone, of: usable.phone, in: &raw)
        shape.setText(.email, of: usable.email, in: &raw)
    }

    /// The values of the phone and the email to use: for the phone, of the first contact of the
    /// best type (``phoneTypes``, best first) whose value has text and whose status is not
    /// INVALID; for the email, of the first such EMAIL contact. One pass over the contacts, each
    /// contact's `type` looked up once.
    private func usableContacts(_ contacts: MagiclineShape.Items, shape: MagiclineShape) -> (phone: Int?, email: Int?) {
        var phone: (rank: Int, value: Int)?
        var email: Int?
        for contact in contacts {
            // The contact's type, value and status, found in one walk.
            let members = shape.contactValues(contact)
            guard members.type >= 0 else { continue }
            let type = members.type
            let rank = shape.text(type, uppercasedIsOneOf: Self.phoneTypes)
            if let rank {
                // An earlier contact of the same or a better type is kept.
                if let best = phone, best.rank <= rank { continue }
            } else {
                guard email == nil, shape.text(type, uppercasedIs: "EMAIL") else { continue }
            }
            guard members.value >= 0, shape.hasText(members.value), !contactIsInvalid(status: members.status, shape: shape) else { continue }
            let value = members.value
            if let rank { phone = (rank, value) } else { email = value }
        }
        return (phone?.value, email)
    }

    /// Whether a contact's `status.type` (or bare `status` text) is INVALID; `status` is the
    /// contact's `status` node, `-1` for none.
    private func contactIsInvalid(status: Int, shape: MagiclineShape) -> Bool {
        guard status >= 0 else { return false }
        // (`type` looked up once, and whether it has a text told without making it.)
        if shape.kind(status) == .object, let type = shape.value(status, "type"), shape.hasText(type) {
            return shape.text(type, uppercasedIs: "INVALID")
        }
        return shape.text(status, uppercasedIs: "INVALID")
    }

    /// Blocked means `limitType` UNLIMITED, or LIMITED with an `endDate` not yet past (a block
    /// without an end date, or ending today or later).
    private func isBlocked(_ block: Int?, shape: MagiclineShape) -> Bool {
        guard let block else { return false }
        if shape.kind(block) == .string {
            // A block written as its limitType alone (`"block": "UNLIMITED"`): with no end date,
            // LIMITED blocks too (the safe side).
            return shape.text(block, uppercasedIs: "UNLIMITED") || shape.text(block, uppercasedIs: "LIMITED")
        }
        guard shape.kind(block) == .object else { return false }
        if shape.text(block, "limitType", uppercasedIs: "UNLIMITED") { return true }
        guard shape.text(block, "limitType", uppercasedIs: "LIMITED") else { return false }
        guard let end = shape.text(block, "endDate") else { return true }
        // An end date that cannot be read keeps the debtor blocked (the safe side).
        guard let day = ISODay.day(of: end) else { return true }
        return day >= today
    }

    /// A currency as the case's debts spell it, uppercased, with `€`, `EURO` and `EUROS` as
    /// `EUR` and `£` as `GBP` (what `normalize` reads them as).
    static func canonicalCode(_ text: String) -> String {
        switch text.uppercased() {
        case "€", "EURO", "EUROS": "EUR"
        case "£": "GBP"
        case let code: code
        }
    }

    private enum CaseCurrency {
        case none
        /// One code, written as it is by the debt whose value this is (``currencyAsWritten(of:shape:)``).
        case asWritten(value: Int)
        /// The one code, and the value of the first debt that gave it.
        case single(String, value: Int)
        case mixed([String])
    }

    /// The currency of the case's debts (codes compared trimmed and uppercased, and `€`, `euro`,
    /// `euros` as `EUR`, `£` as `GBP`: §4's names of one currency). A `String` is made once per
    /// distinct spelling: a debt whose code equals one already found is compared in place.
    private func currency(of debts: UnsafeBufferPointer<MagiclineShape.DebtValues>, shape: MagiclineShape) -> CaseCurrency {
        var first: (code: String, value: Int)?
        var others: [String] = []
        for debt in debts {
            guard let value = Self.withText(debt.currency, shape: shape) else { continue }
            guard let found = first else {
                if let code = shape.text(value).map(Self.canonicalCode) { first = (code, value) }
                continue
            }
            if shape.text(value, uppercasedIsString: found.code) || others.contains(where: { shape.text(value, uppercasedIsString: $0) }) {
                continue
            }
            guard let code = shape.text(value).map(Self.canonicalCode), code != found.code, !others.contains(code) else { continue }
            others.append(code)
        }
        guard let first else { return .none }
        return others.isEmpty ? .single(first.code, value: first.value) : .mixed([first.code] + others)
    }

    /// ``currency(of:shape:)``'s common case, read in place with no `String` made: every debt
    /// that has a currency has the first one's code, and the first one's text is that code as
    /// written (ASCII with no `a`–`z`, and not `EURO` or `EUROS`, which ``canonicalCode(_:)``
    /// renames). The value of the first debt's currency, else `nil`: no debt has one, or the
    /// codes differ or need renaming (``currency(of:shape:)`` decides those).
    private func currencyAsWritten(of debts: UnsafeBufferPointer<MagiclineShape.DebtValues>, shape: MagiclineShape) -> Int? {
        var first: (value: Int, code: UnsafeBufferPointer<UInt8>)?
        for debt in debts {
            guard let value = Self.withText(debt.currency, shape: shape) else { continue }
            if let first {
                guard shape.text(value, uppercasedIsASCII: first.code) else { return nil }
                continue
            }
            guard let code = shape.uppercaseASCIIText(value), !Self.isEuroSpelling(code) else { return nil }
            first = (value, code)
        }
        return first?.value
    }

    /// Whether ASCII bytes are `EURO` or `EUROS` (``canonicalCode(_:)`` makes them `EUR`).
    private static func isEuroSpelling(_ code: UnsafeBufferPointer<UInt8>) -> Bool {
        (code.count == 4 || code.count == 5 && code[4] == UInt8(ascii: "S"))
            && code[0] == UInt8(ascii: "E") && code[1] == UInt8(ascii: "U") && code[2] == UInt8(ascii: "R") && code[3] == UInt8(ascii: "O")
    }

    /// Sets `due_date` to the earliest `debtDate` of the debts (its `YYYY-MM-DD` prefix, a span
    /// of the tape, compared as bytes); a date that does not read `YYYY-MM-DD` is passed on as
    /// it is (so that `normalize` reports it) when no debt has a readable one.
    private func setEarliestDebtDate(_ debts: UnsafeBufferPointer<MagiclineShape.DebtValues>, shape: MagiclineShape, in raw: inout DebtRawFields) {
        var earliest: ByteSpan?
        var unreadable: Int?
        for debt in debts {
            guard let value = Self.withText(debt.debtDate, shape: shape) else { continue }
            if let day = shape.isoDaySpan(value) {
                if let current = earliest {
                    if shape.day(day, precedes: current) { earliest = day }
                } else {
                    earliest = day
                }
            } else if unreadable == nil {
                unreadable = value
            }
        }
        if let earliest {
            raw.set(.dueDate, tapeSpan: earliest)
        } else if let unreadable {
            shape.setText(.dueDate, of: unreadable, in: &raw)
        }
    }

    /// Sets `object` to the debts' designations joined by `, `: the one designation's span when
    /// there is one, else written once into the fields' side bytes (no `String` per debt).
    private func setDesignations(_ debts: UnsafeBufferPointer<MagiclineShape.DebtValues>, shape: MagiclineShape, in raw: inout DebtRawFields) {
        // The designations' values, looked up once and kept in temporary memory (no array per case).
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(1, debts.count)) { found in
            var count = 0
            for debt in debts {
                guard let value = Self.withText(debt.designation, shape: shape) else { continue }
                (found.baseAddress.unsafelyUnwrapped + count).initialize(to: value)
                count += 1
            }
            guard count > 0 else { return }
            if count == 1 {
                shape.setText(.object, of: found[0], in: &raw)
                return
            }
            raw.setSideText(.object) { side in
                side.reserveCapacity(side.count + 64 * count)
                for index in 0..<count {
                    if index > 0 {
                        side.append(UInt8(ascii: ","))
                        side.append(UInt8(ascii: " "))
                    }
                    shape.appendText(of: found[index], to: &side)
                }
            }
        }
    }

    /// A debt's value node (``MagiclineShape/DebtValues``, `-1` for none) when it has a text
    /// (``MagiclineShape/hasText(_:)``): `shape.valueWithText(debt, name)`.
    private static func withText(_ value: Int, shape: MagiclineShape) -> Int? {
        value >= 0 && shape.hasText(value) ? value : nil
    }

    /// The debtor's `debtorId` and `membershipNr` when they hold anything (looked up once per
    /// debtor, written in each of its cases' metadata).
    private struct MetadataIDs {
        var debtorID: Int?
        var membershipNumber: Int?
    }

    /// `{debtorId, membershipNr, debtIds}` as the source wrote them; written over `reused`'s
    /// buffer when it is given and no other value holds it.
    private func metadata(_ ids: MetadataIDs, debts: UnsafeBufferPointer<MagiclineShape.DebtValues>?, shape: MagiclineShape,
                          reusing reused: consuming DebtMetadata? = nil) -> DebtMetadata {
        // Scalar ids (every id the source sends) in one piece; a container among them as below.
        if let metadata = shape.scalarMetadata(("debtorId", ids.debtorID), ("membershipNr", ids.membershipNumber),
                                               list: debts.map { ("debtIds", $0) }, reusing: reused) {
            return metadata
        }
        // Written straight from the tape: each value as read (a number stays a number).
        return DebtMetadata { writer in
            if let id = ids.debtorID {
                shape.write(id, member: "debtorId", to: &writer)
            }
            if let number = ids.membershipNumber {
                shape.write(number, member: "membershipNr", to: &writer)
            }
            if let debts {
                writer.key(literal: "debtIds")
                writer.beginArray()
                for debt in debts {
                    if debt.debtId >= 0, shape.hasContent(debt.debtId) { shape.write(debt.debtId, member: nil, to: &writer) }
                }
                writer.endArray()
            }
        }
    }
}
