import DebtflowCore
import Foundation

/// The `map` stage: turns source records into debt candidates (CONTRACT.md §2–§3).
///
/// Without a preset, each record becomes one candidate whose ``DebtflowCore/DebtCandidate/raw``
/// holds the source text of every debt key found: from `fields` (target ← source key, dotted
/// keys reach nested objects), else from the source's own names (``FieldNameMatcher``), else from
/// `constants`. The lookup plan is built once per distinct header set. The candidate's
/// `tempID` is the record's own `temp_id` or `internal_id`, else `<source file name>#<record>`,
/// which is the same on every run over the same input and unique within it.
/// A record the reader could not read (`Record.problem`) carries that error on.
///
/// With the `magicline-debtor` preset, each debtor becomes one candidate per collection case
/// (see ``MagiclineDebtorMapping``).
public struct MapStage: ChunkStage {
    public typealias Input = Record
    public typealias Output = DebtCandidate

    public let options: MapOptions
    private let cache: FieldMappingPlanCache
    private let magicline: MagiclineDebtorMapping

    /// - Parameters:
    ///   - options: the stage's config.
    ///   - today: the date (`YYYY-MM-DD`) against which block end dates are judged; defaults to
    ///     the local date when the stage is made.
    public init(options: MapOptions, today: String? = nil) {
        self.options = options
        self.cache = FieldMappingPlanCache(options: options)
        self.magicline = MagiclineDebtorMapping(today: today ?? Self.localToday())
    }

    public func process(_ chunk: consuming Chunk<Record>) throws -> Chunk<DebtCandidate> {
        let inputBytesConsumed = chunk.inputBytesConsumed
        var output: [DebtCandidate] = []
        output.reserveCapacity(chunk.count)
        try forEachOutput(of: chunk) { candidate in output.append(candidate) }
        return Chunk(output, inputBytesConsumed: inputBytesConsumed)
    }

    /// Hands each candidate to `body` as soon as it is made, in order (a run's path: the later
    /// stages take it there, and no chunk of candidates is gathered).
    public func forEachOutput(of chunk: consuming Chunk<Record>, _ body: (inout DebtCandidate) throws -> Void) throws {
        var chunk = chunk
        if let rows = chunk.takeRecordRows() {
            guard options.preset == .magiclineDebtor else { return try forEachOutput(ofRows: rows, body) }
            // One candidate, made again for each collection case of each debtor where it lies,
            // each debtor read where its row points (no `Record` made per debtor).
            guard let first = rows.rows.first else { return }
            var candidate = DebtCandidate(provenance: rows.provenance(at: 0), data: RecordView(tape: rows.tape, index: first.root))
            try magicline.forEachCandidate(ofRows: rows, in: &candidate, body)
            return
        }
        // Each record is moved out of the chunk (ours) and read as a local value: read where it
        // lies in the array, it was copied (a retain per reference) before every call.
        var records = chunk.elements
        chunk.elements = []
        records.reverseByMoving()
        guard let first = records.last else { return }
        if options.preset == .magiclineDebtor {
            // One candidate, made again for each collection case of each debtor where it lies.
            var candidate = DebtCandidate(provenance: first.provenance, data: first.view)
            while let record = records.popLast() {
                try magicline.forEachCandidate(of: record, in: &candidate, body)
            }
            return
        }
        var plan: FieldMappingPlan?
        var idPrefix = IDPrefix()
        // The last record mapped with `plan` (once there is one): a record of the same shape (for
        // a CSV chunk, the same header key spans) takes the same plan without reading a key
        // byte. (Not an optional: bound with `if let` for each record, it was copied, a retain
        // and a release of its tape.)
        var planShape = first.view
        // One candidate, made again for each record where it lies
        // (``DebtflowCore/DebtCandidate/reset(taking:rawSide:)``).
        var candidate = DebtCandidate(provenance: first.provenance, data: first.view)
        while var record = records.popLast() {
            if plan != nil, FieldMappingPlan.sameShape(planShape, record.view) {
                // Same plan.
            } else if let current = plan, current.matches(record.view) {
                planShape = record.view
            } else {
                plan = cache.plan(for: record.view)
                planShape = record.view
            }
            mapGeneric(&record, plan: plan!, idPrefix: &idPrefix, into: &candidate)
            try body(&candidate)
        }
    }

    /// ``forEachOutput(of:_:)`` for a chunk a reader handed on as one table (``DebtflowCore/RecordRows``):
    /// one candidate, pointed at each row in turn where it lies. Its provenance and view are set
    /// field by field (the input's name and the tape stored only when they are not the ones the
    /// candidate holds already, as after the first row), so no reference is counted per record.
    /// The later stages may change the candidate or move parts out of it (``ChunkStage/forEachOutput(of:_:)``):
    /// every field of its provenance is set again for each row.
    private func forEachOutput(ofRows rows: RecordRows, _ body: (inout DebtCandidate) throws -> Void) throws {
        guard let first = rows.rows.first else { return }
        let tape = rows.tape
        var candidate = DebtCandidate(provenance: rows.provenance(at: 0), data: RecordView(tape: tape, index: first.root))
        var plan: FieldMappingPlan?
        var idPrefix = IDPrefix()
        // The root of the last row mapped with `plan` (see ``forEachOutput(of:_:)``): rows of one
        // tape.
        var planShape = RecordView(tape: tape, index: first.root)
        // `planShape`'s ``DebtflowCore/RecordNode/shapeMark`` (0: none): a row of the same mark has
        // the same shape, known here without a call to `sameShape` per row.
        var planMark: UInt32 = 0
        var nextProblem = 0
        for (position, row) in rows.rows.enumerated() {
            if candidate.provenance.source != rows.source { candidate.provenance.source = rows.source }
            candidate.provenance.record = row.record
            candidate.provenance.line = row.line
            candidate.provenance.caseIndex = nil
            candidate.provenance.idsByPath = rows.idsByPath
            if candidate.data.tape === tape {
                candidate.data.index = row.root
            } else {
                candidate.data = RecordView(tape: tape, index: row.root)
            }
            let mark = tape.nodes[row.root].shapeMark
            if plan != nil, mark != 0 && mark == planMark || FieldMappingPlan.sameShape(planShape, candidate.data) {
                // Same plan.
            } else if let current = plan, current.matches(candidate.data) {
                planShape.index = row.root
                planMark = mark
            } else {
                plan = cache.plan(for: candidate.data)
                planShape.index = row.root
                planMark = mark
            }
            Self.fill(&candidate, plan: plan!, idPrefix: &idPrefix)
            if nextProblem < rows.problems.count && rows.problems[nextProblem].row == position {
                candidate.errors.append(rows.problems[nextProblem].problem)
                nextProblem += 1
            }
            try body(&candidate)
        }
    }

    /// Makes `candidate`, whose provenance and view are its record's, the candidate of that
    /// record: resets the rest and fills it. (The plan is passed borrowed: bound to a local in the
    /// loop, it was copied per record, a retain and a release of each of its arrays.)
    private static func fill(_ candidate: inout DebtCandidate, plan: FieldMappingPlan, idPrefix: inout IDPrefix) {
        candidate.resetAllButRecordAndIdentity(rawSide: plan.side)  // setIdentity sets the two
        plan.fillRawValues(of: candidate.data, into: &candidate.raw)
        if plan.metadataSource != nil { candidate.metadata = plan.metadata(of: candidate.data) }
        setIdentity(of: &candidate, idPrefix: &idPrefix)
    }

    /// Makes `candidate` the candidate of one record, where it lies (a candidate built in a
    /// temporary is copied where it is stored). The record's provenance and view are moved into
    /// the candidate; `record` is left holding the previous record's.
    private func mapGeneric(_ record: inout Record, plan: FieldMappingPlan, idPrefix: inout IDPrefix,
                            into candidate: inout DebtCandidate) {
        let problem = record.problem
        candidate.reset(taking: &record, rawSide: plan.side)
        plan.fillRawValues(of: candidate.data, into: &candidate.raw)
        if plan.metadataSource != nil { candidate.metadata = plan.metadata(of: candidate.data) }
        Self.setIdentity(of: &candidate, idPrefix: &idPrefix)
        if let problem { candidate.errors.append(problem) }
    }

    /// Sets a candidate's `temp_id` (its own `temp_id` or `internal_id`, else
    /// `<file name>#<record>`) and the region of its national phone numbers (a two-letter
    /// `country_code`), from its fields. (It takes the candidate `inout`: handed the fields
    /// alone, it was given a copy of them, 216 bytes.)
    private static func setIdentity(of candidate: inout DebtCandidate, idPrefix: inout IDPrefix) {
        // The fields are read through non-generic calls (`setOwnTempID`, `withKeyedBytes`): the
        // generic `withBytes`, defined in the core and called from this module, runs unspecialized.
        // `setOwnTempID` reads them where they lie, and points the `temp_id` at its text in the
        // tape (no `String`). No own id, or a blank one: the record gets its position.
        if !candidate.setOwnTempID() {
            idPrefix.setPositionalID(of: candidate.provenance, in: &candidate.tempIDText)
        }
        var region: String?
        if candidate.raw.has(.countryCode) {
            candidate.raw.withKeyedBytes { fields in region = fields[.countryCode].flatMap(RegionCode.parse(utf8:)) }
        }
        candidate.phoneRegion = region
    }

    /// The local calendar date, `YYYY-MM-DD`.
    static func localToday() -> String {
        let components = Calendar(identifier: .gregorian).dateComponents([.year, .month, .day], from: Date())
        return ISODay.text(year: components.year ?? 1970, month: components.month ?? 1, day: components.day ?? 1)
    }
}

/// The stable id prefix of records without an id of their own: the source's file name (or path,
/// ``DebtflowCore/Provenance/idsByPath``) and `#`.
struct IDPrefix {
    private var source: String?
    private var byPath = false
    private var prefix = ""

    mutating func prefix(for provenance: Provenance) -> String {
        if provenance.source != source || provenance.idsByPath != byPath {
            source = provenance.source
            byPath = provenance.idsByPath
            prefix = Provenance.idPrefix(of: provenance.source, byPath: byPath)
        }
        return prefix
    }

    /// The prefix for `provenance` and its record's position (`debts.csv#12`), written in one
    /// piece: the prefix's bytes, then the decimal digits. (Joined as `prefix + String(record)`,
    /// the number's text and the joined string cost about 850 instructions a record without an
    /// id of its own, W2's empty and instruction rows, one in eleven.) Set as `tempID`'s bytes,
    /// with no `String` made.
    mutating func setPositionalID(of provenance: Provenance, in tempID: inout TempIDText) {
        var prefix = prefix(for: provenance)
        let number = provenance.record
        prefix.withUTF8 { prefix in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: prefix.count + 21) { buffer in
                let count = Self.write(prefix, number, into: buffer)
                tempID.set(bytes: UnsafeBufferPointer(rebasing: buffer[..<count]))
            }
        }
    }

    /// Writes `prefix`, then `number`'s decimal digits, at the start of `buffer` (at least
    /// `prefix.count + 21` bytes); returns how many bytes it wrote.
    private static func write(_ prefix: UnsafeBufferPointer<UInt8>, _ number: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        buffer.writeDecimal(number, at: buffer.initialize(fromContentsOf: prefix))
    }
}

/// A two-letter region code (`fr` → `FR`), or `nil` when the text is not one.
enum RegionCode {
    static func parse(_ text: String) -> String? {
        var text = text
        return text.withUTF8(parse(utf8:))
    }

    /// ``parse(_:)`` on UTF-8 bytes, read in place (trimmed of ASCII white space first).
    static func parse(utf8 untrimmed: UnsafeBufferPointer<UInt8>) -> String? {
        let range = TextTrimming.asciiTrimmedRange(untrimmed)
        guard range.count == 2 else { return nil }
        func upper(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte
            case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 32
            default: nil
            }
        }
        guard let first = upper(untrimmed[range.lowerBound]), let second = upper(untrimmed[range.lowerBound + 1]) else { return nil }
        return String(decoding: [first, second], as: UTF8.self)
    }
}

/// `YYYY-MM-DD` day texts.
enum ISODay {
    static func text(year: Int, month: Int, day: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    /// The first ten characters of `text` when they read `YYYY-MM-DD` (a date-time is cut to its
    /// day), else `nil`.
    static func prefix(of text: String) -> String? {
        let bytes = Array(TextScan.trimmed(text).utf8.prefix(10))
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        for (index, byte) in bytes.enumerated() where index != 4 && index != 7 {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text`'s day as `YYYY-MM-DD`, written so (a date-time cut to its day, ``prefix(of:)``) or as
    /// `DD.MM.YYYY` or `DD/MM/YYYY` (§4's date forms), else `nil`.
    static func day(of text: String) -> String? {
        if let iso = prefix(of: text) { return iso }
        let bytes = Array(TextScan.trimmed(text).utf8)
        guard bytes.count == 10, bytes[2] == bytes[5], bytes[2] == UInt8(ascii: ".") || bytes[2] == UInt8(ascii: "/") else { return nil }
        for (index, byte) in bytes.enumerated() where index != 2 && index != 5 {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
        }
        return String(decoding: bytes[6..<10] + [UInt8(ascii: "-")] + bytes[3..<5] + [UInt8(ascii: "-")] + bytes[0..<2], as: UTF8.self)
    }
}
