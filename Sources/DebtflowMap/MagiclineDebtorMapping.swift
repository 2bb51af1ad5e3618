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
    static let phoneTypes = ["TEL_PRIVATE_MOBILE", "TEL_BUSINESS_MOBILE", "TEL_PRIVATE", "TEL_BUSINESS"]

    /// The day (`YYYY-MM-DD`) against which a LIMITED block's `endDate` is judged.
    let today: String

    func map(_ record: Record, into output: inout [DebtCandidate]) {
        // Read in place on the reader's tape; `data` (what outputs echo) is the record's view.
        let debtor = record.view
        let person = MagiclineShape.object(debtor, "liablePerson") ?? debtor
        let personRaw = personFields(person: person, debtor: debtor)
        let region = MagiclineShape.text(person, "countryCode").flatMap(RegionCode.parse)
            ?? MagiclineShape.text(debtor, "countryCode").flatMap(RegionCode.parse)
        let cases = MagiclineShape.items(debtor["collectionCases"], marker: "collectionCaseId")
        let debtorID = MagiclineShape.text(debtor, "debtorId")

        if let problem = record.problem {
            var candidate = DebtCandidate(provenance: record.provenance, data: record.view, raw: personRaw,
                                          tempID: debtorID, phoneRegion: region)
            candidate.errors.append(problem)
            output.append(candidate)
            return
        }
        guard !cases.isEmpty else {
            var candidate = DebtCandidate(provenance: record.provenance, data: record.view, raw: personRaw,
                                          metadata: metadata(debtor: debtor, debts: nil),
                                          tempID: debtorID, phoneRegion: region)
            candidate.skipReason = .noOpenCase
            output.append(candidate)
            return
        }
        let debtorBlocked = isBlocked(MagiclineShape.value(debtor, "block"))
        for (position, collectionCase) in cases.enumerated() {
            var provenance = record.provenance
            provenance.caseIndex = position + 1
            let debts = MagiclineShape.items(collectionCase["debt"] ?? collectionCase["debts"], marker: "debtId")
            var raw = personRaw
            var errors: [RecordError] = []
            MagiclineShape.setText(.amount, collectionCase, "openAmount", in: &raw)
            let caseIDValue = MagiclineShape.value(collectionCase, "collectionCaseId")
            let caseID = caseIDValue.flatMap(MagiclineShape.text)
            MagiclineShape.setText(.internalID, of: caseIDValue, in: &raw)
            MagiclineShape.setText(.tempID, of: caseIDValue, in: &raw)
            switch currency(of: debts) {
            case .none: break
            case .single(let code): raw[.currency] = code
            case .mixed(let codes):
                errors.append(RecordError(field: "currency", code: .invalidCurrency,
                                          message: "the case's debts are in several currencies (\(codes.joined(separator: ", ")))"))
            }
            if let due = earliestDebtDate(debts) { raw[.dueDate] = due }
            let designations = debts.compactMap { MagiclineShape.text($0, "designation") }
            if !designations.isEmpty { raw[.object] = designations.joined(separator: ", ") }

            var candidate = DebtCandidate(provenance: provenance, data: record.view, raw: raw,
                                          metadata: metadata(debtor: debtor, debts: debts),
                                          tempID: caseID, phoneRegion: region)
            candidate.errors = errors
            if debtorBlocked || isBlocked(MagiclineShape.value(collectionCase, "block"))
                || debts.contains(where: { isBlocked(MagiclineShape.value($0, "block")) }) {
                candidate.skipReason = .blocked
                candidate.errors = []
            }
            output.append(candidate)
        }
    }

    /// The person's debt fields: names, contacts, birthdate, address — spans of the record's
    /// tape, no `String` made.
    private func personFields(person: RecordView, debtor: RecordView) -> DebtRawFields {
        var raw = DebtRawFields(tape: debtor.tape)
        MagiclineShape.setText(.firstname, person, "firstName", in: &raw)
        MagiclineShape.setText(.lastname, person, "lastName", in: &raw)
        MagiclineShape.setText(.birthdate, person, "birthdate", in: &raw)
        MagiclineShape.setText(.postalCode, person, "postalCode", in: &raw)
        MagiclineShape.setText(.city, person, "city", in: &raw)
        if !MagiclineShape.setText(.country, person, "country", in: &raw) {
            MagiclineShape.setText(.country, person, "countryCode", in: &raw)
        }
        MagiclineShape.setText(.countryCode, person, "countryCode", in: &raw)
        if let address = MagiclineShape.object(person, "addressData") {
            MagiclineShape.setText(.streetAddress, address, "street", in: &raw)
            MagiclineShape.setText(.streetNumber, address, "houseNumber", in: &raw)
        }
        let contacts = MagiclineShape.items(person["contactDetails"], marker: "type")
        MagiclineShape.setText(.phone, of: firstUsableContact(contacts, types: Self.phoneTypes), in: &raw)
        MagiclineShape.setText(.email, of: firstUsableContact(contacts, types: ["EMAIL"]), in: &raw)
        return raw
    }

    /// The value of the first contact of the best type whose status is not INVALID.
    private func firstUsableContact(_ contacts: [RecordView], types: [String]) -> RecordView? {
        for type in types {
            for contact in contacts where MagiclineShape.text(contact, "type", uppercasedIs: type) {
                guard let value = MagiclineShape.value(contact, "value"), MagiclineShape.hasText(value) else { continue }
                if contactIsInvalid(contact) { continue }
                return value
            }
        }
        return nil
    }

    /// Whether the contact's `status.type` (or bare `status` text) is INVALID.
    private func contactIsInvalid(_ contact: RecordView) -> Bool {
        guard let status = MagiclineShape.value(contact, "status") else { return false }
        if status.kind == .object, MagiclineShape.text(status, "type") != nil {
            return MagiclineShape.text(status, "type", uppercasedIs: "INVALID")
        }
        return MagiclineShape.text(status, uppercasedIs: "INVALID")
    }

    /// Blocked means `limitType` UNLIMITED, or LIMITED with an `endDate` not yet past (a block
    /// without an end date, or ending today or later).
    func isBlocked(_ block: RecordView?) -> Bool {
        guard let object = block, object.kind == .object else { return false }
        switch MagiclineShape.text(object, "limitType")?.uppercased() {
        case "UNLIMITED": return true
        case "LIMITED":
            guard let end = MagiclineShape.text(object, "endDate") else { return true }
            guard let day = ISODay.prefix(of: end) else { return true }
            return day >= today
        default: return false
        }
    }

    private enum CaseCurrency { case none, single(String), mixed([String]) }

    /// The currency of the case's debts (codes compared trimmed and uppercased).
    private func currency(of debts: [RecordView]) -> CaseCurrency {
        var codes: [String] = []
        for debt in debts {
            guard let code = MagiclineShape.text(debt, "currency")?.uppercased() else { continue }
            if !codes.contains(code) { codes.append(code) }
        }
        switch codes.count {
        case 0: return .none
        case 1: return .single(codes[0])
        default: return .mixed(codes)
        }
    }

    /// The earliest `debtDate` of the debts; a date that does not read `YYYY-MM-DD` is passed on
    /// as it is (so that `normalize` reports it) when no debt has a readable one.
    private func earliestDebtDate(_ debts: [RecordView]) -> String? {
        var earliest: String?
        var unreadable: String?
        for debt in debts {
            guard let text = MagiclineShape.text(debt, "debtDate") else { continue }
            if let day = ISODay.prefix(of: text) {
                if earliest == nil || day < earliest! { earliest = day }
            } else if unreadable == nil {
                unreadable = text
            }
        }
        return earliest ?? unreadable
    }

    /// `{debtorId, membershipNr, debtIds}` as the source wrote them.
    private func metadata(debtor: RecordView, debts: [RecordView]?) -> RecordObject {
        var metadata = RecordObject()
        if let id = MagiclineShape.value(debtor, "debtorId"), MagiclineShape.hasContent(id) { metadata.append("debtorId", id.value) }
        if let number = MagiclineShape.value(debtor, "membershipNr"), MagiclineShape.hasContent(number) {
            metadata.append("membershipNr", number.value)
        }
        if let debts {
            let ids = debts.compactMap { MagiclineShape.value($0, "debtId") }.filter(MagiclineShape.hasContent).map(\.value)
            metadata.append("debtIds", .array(ids))
        }
        return metadata
    }
}
