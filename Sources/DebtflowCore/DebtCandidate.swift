/// A record on its way to becoming a debt: what `map` found, what `normalize`, `classify` and
/// `validate` made of it, and every error met so far.
///
/// `map` fills ``raw`` (the source's text per debt field) and ``data``; `normalize` fills
/// ``debt`` from ``raw`` and adds errors; `classify` sets ``destination``; `validate` turns the
/// candidate into an ``Outcome``.
public struct DebtCandidate: Sendable {
    public var provenance: Provenance
    /// The record as read, for the `data` of failed and skipped envelopes: a view of its root on
    /// the chunk's tape (one retain, no copy).
    public var data: RecordView
    /// The source text of each debt field, keyed by the debt's JSON key (`firstname`, `phone`,
    /// `amount`, `accept_expensive_destination`, `country_code`, …).
    /// Fixed slots (``DebtRawFields``), read by key name or, faster, by ``DebtRawKey``.
    public var raw: DebtRawFields
    /// Structured metadata found by the mapping (the preset's `debtorId`, `debtId`s).
    public var metadata: DebtMetadata?
    /// Stable id of the record within the input: its own id when it has one. Held where its
    /// text is (its span of the tape, or its bytes), with no `String` per record; ``tempID``
    /// reads and writes it as a `String`.
    ///
    /// Stored in ``settled`` (as its ``Outcome/tempIDText``), as ``debt`` is: the outcome
    /// `validate` settles carries it where `map` set it, with no swap of the value into the
    /// outcome and back per record. Code that changes the candidate's debt while it reads the
    /// `temp_id` reads `settled.tempIDText`, a stored member.
    public var tempIDText: TempIDText {
        @inlinable _read { yield settled.tempIDText }
        @inlinable _modify { yield &settled.tempIDText }
    }
    /// ``tempIDText`` as a `String` (made on request: hot paths read ``tempIDText``'s bytes).
    public var tempID: String? {
        get { tempIDText.string }
        set { tempIDText.set(newValue) }
    }
    /// The region for the record's national phone numbers before the config default
    /// (the person's `countryCode`, or a mapped `country_code`).
    public var phoneRegion: String?
    /// The debt as normalized so far. It is stored in ``settled`` (as its
    /// ``Outcome/debtPayload``), where `validate` hands a valid debt on: the debt is worked on
    /// where its outcome will carry it, and never copied into the outcome. Read and changed
    /// where it lies.
    public var debt: Debt {
        @inlinable _read { yield settled.debtPayload }
        @inlinable _modify { yield &settled.debtPayload }
    }
    public var destination: Destination?
    /// The normalized phone (E.164, calling code, region), set by `normalize` for `classify`.
    public var phoneNumber: PhoneNumber? = nil
    /// `normalize`'s last phone and its answer, for the next record this candidate is reused for
    /// (no reset forgets it: it is not part of a record, and it is not compared).
    public var phoneMemo = PhoneMemo()
    /// The debt fields whose source text is not blank, as `normalize` found them while it trimmed
    /// them (`amount`, `phone`, `email`, …): `validate` reads this instead of trimming again.
    public var nonBlankFields = DebtRawKeySet()
    /// Every error met so far; a record collects all of its errors.
    public var errors: [RecordError]
    /// Set when the record is to be skipped; it then collects no errors.
    public var skipReason: SkipReason?
    /// Non-fatal notes for the operator (a dropped invalid contact).
    public var warnings: [String]
    /// The outcome `validate` settles this candidate into and hands on; empty
    /// (``Outcome/unsettled``) before and after, but for its ``Outcome/debtPayload`` and its
    /// ``Outcome/tempIDText``, which are the candidate's ``debt`` and ``tempIDText``. Kept with the candidate so that a candidate reused for the next
    /// record reuses its outcome too, instead of one being made and dropped per record.
    public var settled: Outcome

    @inlinable
    public init(provenance: Provenance, data: RecordView, raw: DebtRawFields = DebtRawFields(),
                metadata: DebtMetadata? = nil, tempID: String? = nil, phoneRegion: String? = nil) {
        self.provenance = provenance
        self.data = data
        self.raw = raw
        self.metadata = metadata
        self.phoneRegion = phoneRegion
        self.destination = nil
        self.errors = []
        self.skipReason = nil
        self.warnings = []
        self.settled = .unsettled
        self.settled.tempIDText.set(tempID)
    }
}

extension DebtCandidate {
    /// Calls `body` with this candidate, to change where it lies, and its source fields' bytes
    /// (``raw``, opened once: ``DebtRawFields/withKeyedBytes(_:)``), without taking the fields
    /// out of the candidate while `body` runs. (Swapped out and back, the 216-byte fields cost
    /// two swaps and an empty placeholder made and dropped per record in `normalize`.)
    ///
    /// - Precondition: `body` does not change ``raw``: the bytes it reads are the fields'.
    ///   (Everything else of the candidate it may change.)
    public mutating func changeReadingRaw(_ body: (inout DebtCandidate, DebtKeyedBytes) -> Void) {
        withUnsafeMutablePointer(to: &self) { candidate in
            let raw = UnsafePointer(candidate.pointer(to: \.raw)!)
            DebtRawFields.withKeyedBytes(at: raw) { fields in body(&candidate.pointee, fields) }
        }
    }
}

extension DebtCandidate {
    /// The field that holds the record's own id: `temp_id`, else `internal_id`; `nil` for neither.
    private var ownIDKey: DebtRawKey? {
        raw.has(.tempID) ? .tempID : raw.has(.internalID) ? .internalID : nil
    }

    /// Sets ``tempIDText`` to the record's own id, as ``ownIDText()`` finds it, where it lies:
    /// its span of the tape when the field is in the record (no copy), else its bytes. `false`,
    /// and ``tempIDText`` left as it is, when the record has no own id or a blank one. What `map`
    /// sets a record's `temp_id` to, once per record, with no `String` made.
    ///
    /// The field is read where it lies, as ``ownIDText()`` reads it (its span, its tape
    /// unretained); only ``tempIDText`` is changed.
    public mutating func setOwnTempID() -> Bool {
        guard let key = ownIDKey else { return false }
        return withUnsafeMutablePointer(to: &self) { candidate in
            let fields = UnsafePointer(candidate.pointer(to: \.raw)!)
            let bit: UInt32 = 1 << UInt32(key.rawValue)
            let span = UnsafeRawPointer(fields.pointer(to: \.spans)!)
                .load(fromByteOffset: key.rawValue * MemoryLayout<ByteSpan>.stride, as: ByteSpan.self)
            // The tape is read as the fields hold it, unretained: the fields keep it alive.
            guard fields.pointee.inSide & bit == 0,
                  let tape = UnsafeRawPointer(fields.pointer(to: \.tape)!).load(as: Unmanaged<RecordTape>?.self) else {
                // A text made up aside (a plan's constant): copied.
                return fields.pointee.withBytes(key) { bytes in
                    guard let bytes else { return false }
                    let kept = TextTrimming.asciiTrimmedRange(bytes)
                    guard !kept.isEmpty else { return false }
                    candidate.pointee.settled.tempIDText.set(bytes: UnsafeBufferPointer(rebasing: bytes[kept]), verbatim: false)
                    return true
                }
            }
            let verbatim = fields.pointee.verbatim & bit != 0
            return tape._withUnsafeGuaranteedRef { tape in
                let kept = tape.bytes.withUnsafeBufferPointer { bytes in
                    TextTrimming.asciiTrimmedRange(UnsafeBufferPointer(rebasing: bytes[Int(span.offset)..<span.end]))
                }
                guard !kept.isEmpty else { return false }
                candidate.pointee.settled.tempIDText.set(tape: tape, span: ByteSpan(offset: span.offset &+ UInt32(truncatingIfNeeded: kept.lowerBound),
                                                                                    length: UInt32(truncatingIfNeeded: kept.count)),
                                                         verbatim: verbatim)
                return true
            }
        }
    }

    /// The record's own id: the source text of ``raw``'s `temp_id`, else of its `internal_id`,
    /// without leading and trailing ASCII white space (``DebtRawFields/asciiTrimmedText(_:)``;
    /// empty when blank), or `nil` when the record has neither: the text ``setOwnTempID()``
    /// points ``tempIDText`` at, as a `String`.
    ///
    /// Read where the fields lie (as ``changeReadingRaw(_:)`` reads them): reading
    /// `candidate.raw.asciiTrimmedText(_:)` from another module copied the fields' span table
    /// (192 bytes) to the stack. Mutating only to get the candidate's address; it changes nothing.
    public mutating func ownIDText() -> String? {
        guard let key = ownIDKey else { return nil }
        return withUnsafeMutablePointer(to: &self) { candidate in
            DebtRawFields.asciiTrimmedText(key, at: UnsafePointer(candidate.pointer(to: \.raw)!))
        }
    }
}

extension DebtCandidate {
    /// Makes this candidate the fresh one the initializer taking a `RecordView` would make, with
    /// empty ``raw`` fields over `data`'s tape and `rawSide`, field by field.
    ///
    /// A stage that makes a candidate per record reuses one variable, fills ``raw`` where it
    /// lies, and sets ``tempID`` and ``phoneRegion`` from it, instead of building each candidate
    /// in a temporary and copying it (a candidate is a wide value, and the copy costs a retain
    /// per reference it holds). One difference: the empty debt already points at `data`'s tape,
    /// as `normalize` sets it, so that a record of the same chunk as the last one stores no new
    /// reference (the same texts compare equal either way).
    @inlinable
    public mutating func reset(provenance: consuming Provenance, data: consuming RecordView, rawSide: [UInt8] = [],
                               metadata: consuming DebtMetadata? = nil, tempID: consuming String? = nil,
                               phoneRegion: consuming String? = nil) {
        self.provenance = provenance
        self.data = data
        resetAllButRecord(rawSide: rawSide, metadata: metadata, tempID: tempID, phoneRegion: phoneRegion)
    }

    /// ``reset(provenance:data:rawSide:metadata:tempID:phoneRegion:)`` with `record`'s provenance
    /// and view, moved in rather than copied: they are swapped with the candidate's, so `record`
    /// is left holding the previous record's, for the caller to drop. (Copied, they cost a retain
    /// of the source's name and of the tape per record, and one release more of each.)
    @inlinable
    public mutating func reset(taking record: inout Record, rawSide: [UInt8] = []) {
        swap(&provenance, &record.provenance)
        swap(&data, &record.view)
        resetAllButRecord(rawSide: rawSide, metadata: nil, tempID: nil, phoneRegion: nil)
    }

    /// ``reset(provenance:data:rawSide:metadata:tempID:phoneRegion:)`` with ``raw`` fields the
    /// caller filled already (the Magicline preset's, one set per collection case).
    @inlinable
    public mutating func reset(provenance: consuming Provenance, data: consuming RecordView, raw: consuming DebtRawFields,
                               metadata: consuming DebtMetadata?, tempID: consuming String?, phoneRegion: consuming String?) {
        self.provenance = provenance
        self.data = data
        self.raw = raw
        resetAllButRecordAndFields(metadata: metadata, tempID: tempID, phoneRegion: phoneRegion)
    }

    /// ``reset(provenance:data:raw:metadata:tempID:phoneRegion:)`` for a caller that set
    /// ``provenance`` and ``data`` in place (the Magicline preset, case by case on a chunk's tape,
    /// with no reference counted per case), the rest stored as
    /// ``resetAllButRecordAndIdentity(rawSide:)`` stores it: the destination, errors and warnings
    /// only when they hold something.
    @inlinable
    public mutating func resetAllButRecord(raw: consuming DebtRawFields, metadata: consuming DebtMetadata?,
                                           tempID: consuming String?, phoneRegion: consuming String?) {
        self.raw = raw
        resetKeepingRecordAndFields(metadata: metadata, tempID: tempID, phoneRegion: phoneRegion)
    }

    /// ``resetAllButRecord(raw:metadata:tempID:phoneRegion:)`` for a caller that fills ``raw``
    /// where it lies (the Magicline preset: a debtor's person fields set once, in its first
    /// case, and only each case's own fields set again): ``raw`` is left as it is.
    @inlinable
    public mutating func resetKeepingRecordAndFields(metadata: consuming DebtMetadata?,
                                                     tempID: consuming String?, phoneRegion: consuming String?) {
        tempIDText.set(tempID)
        resetKeepingRecordFieldsAndTempID(metadata: metadata, phoneRegion: phoneRegion)
    }

    /// ``resetKeepingRecordAndFields(metadata:tempID:phoneRegion:)`` for a caller that sets
    /// ``tempIDText`` itself, where it lies (the Magicline preset: a case's id as its span of the
    /// tape): it is left as it is.
    @inlinable
    public mutating func resetKeepingRecordFieldsAndTempID(metadata: consuming DebtMetadata?, phoneRegion: consuming String?) {
        self.metadata = metadata
        self.phoneRegion = phoneRegion
        debt.reset(tape: data.tape)
        if destination?.expensive != nil { destination = nil }
        phoneNumber = nil
        nonBlankFields = DebtRawKeySet()
        if !errors.isEmpty { errors.removeAll() }
        skipReason = nil
        if !warnings.isEmpty { warnings.removeAll() }
    }

    /// Everything a reset does once ``provenance`` and ``data`` are the new record's (`map`
    /// sets them in place from a chunk's ``RecordRows``, then calls this).
    @inlinable
    public mutating func resetAllButRecord(rawSide: [UInt8], metadata: consuming DebtMetadata?, tempID: consuming String?,
                                             phoneRegion: consuming String?) {
        raw.reset(tape: data.tape, side: rawSide)
        resetAllButRecordAndFields(metadata: metadata, tempID: tempID, phoneRegion: phoneRegion)
    }

    /// ``resetAllButRecord(rawSide:metadata:tempID:phoneRegion:)`` for a caller that sets
    /// ``tempID`` and ``phoneRegion`` itself once the fields are filled (`map`, row by row), and
    /// ``metadata`` when its plan has a source for it: those two are left as they are (each is
    /// stored once, by the caller), and the metadata, errors and warnings are stored only when
    /// they hold something. A candidate handed on by `validate` holds the outcome's emptied parts
    /// (swapped), mostly nothing: storing `nil` or an empty array over nothing still releases or
    /// destroys the old value.
    ///
    /// - Postcondition: as after ``resetAllButRecord(rawSide:metadata:tempID:phoneRegion:)``, but
    ///   for ``tempID`` and ``phoneRegion``, which the caller must set.
    @inlinable
    public mutating func resetAllButRecordAndIdentity(rawSide: [UInt8]) {
        raw.reset(tape: data.tape, side: rawSide)
        if metadata != nil { metadata = nil }
        debt.reset(tape: data.tape)
        // Tested through a trivial member: storing nil over nil cost about 69 instructions (the
        // optional destroyed through the runtime's generic witnesses), and `destination != nil`
        // copied the optional first.
        if destination?.expensive != nil { destination = nil }
        phoneNumber = nil
        nonBlankFields = DebtRawKeySet()
        if !errors.isEmpty { errors.removeAll() }
        skipReason = nil
        if !warnings.isEmpty { warnings.removeAll() }
    }

    /// Everything a reset does once ``provenance``, ``data`` and ``raw`` are the new record's.
    @inlinable
    internal mutating func resetAllButRecordAndFields(metadata: consuming DebtMetadata?, tempID: consuming String?,
                                                      phoneRegion: consuming String?) {
        self.metadata = metadata
        self.tempIDText.set(tempID)
        self.phoneRegion = phoneRegion
        debt.reset(tape: data.tape)
        destination = nil
        phoneNumber = nil
        nonBlankFields = DebtRawKeySet()
        errors.removeAll()
        skipReason = nil
        warnings.removeAll()
    }

    /// A candidate whose record is a tree built in memory (tests, the sandbox): stored on a tape
    /// of its own.
    public init(provenance: Provenance, data: RecordObject, raw: DebtRawFields = DebtRawFields(),
                metadata: DebtMetadata? = nil, tempID: String? = nil, phoneRegion: String? = nil) {
        self.init(provenance: provenance, data: RecordView(data), raw: raw, metadata: metadata,
                  tempID: tempID, phoneRegion: phoneRegion)
    }

    /// A candidate whose source texts are given by key name; names that are not debt keys are
    /// ignored (nothing reads them).
    public init(provenance: Provenance, data: RecordObject, raw: [String: String],
                metadata: DebtMetadata? = nil, tempID: String? = nil, phoneRegion: String? = nil) {
        self.init(provenance: provenance, data: RecordView(data), raw: DebtRawFields(raw), metadata: metadata,
                  tempID: tempID, phoneRegion: phoneRegion)
    }
}

extension DebtCandidate: Equatable {
    /// Every member equal, and the same ``debt`` (which ``settled`` holds, but does not compare
    /// while it is not the outcome's).
    public static func == (lhs: DebtCandidate, rhs: DebtCandidate) -> Bool {
        lhs.provenance == rhs.provenance && lhs.data == rhs.data && lhs.raw == rhs.raw && lhs.metadata == rhs.metadata
            && lhs.tempIDText == rhs.tempIDText && lhs.phoneRegion == rhs.phoneRegion && lhs.debt == rhs.debt
            && lhs.destination == rhs.destination && lhs.phoneNumber == rhs.phoneNumber
            && lhs.nonBlankFields == rhs.nonBlankFields && lhs.errors == rhs.errors && lhs.skipReason == rhs.skipReason
            && lhs.warnings == rhs.warnings && lhs.settled == rhs.settled
    }
}

/// The debt keys whose source text `map` finds: ``DebtKey``, the one list of them.
public typealias DebtRawKey = DebtKey

/// The source text of each debt field of one record, in one fixed slot per ``DebtRawKey``:
/// where the text is, not a copy of it (issue 10, "flat per-record state").
///
/// A slot is a ``ByteSpan`` into the record's ``RecordTape`` (what `map` found in the record) or
/// into a small side arena (a config constant, or a text made up by a preset such as Magicline's
/// joined designations). The spans sit inline in a fixed layout, so filling the fields allocates
/// nothing: the tape is one retain per candidate, and a plan's constants are one shared byte
/// array. Rules read a field's bytes with ``withBytes(_:_:)`` (or ``nonBlankText(_:)``, which makes
/// the `String` a `Debt` keeps); the `String` subscript is a slow convenience for tests and setup.
public struct DebtRawFields: Sendable {
    /// The record's tape, which tape spans point into.
    @usableFromInline internal private(set) var tape: RecordTape?
    /// Texts that are not in the record: constants and made-up texts.
    private var side: [UInt8] = []
    @usableFromInline internal private(set) var spans = InlineArray<24, ByteSpan>.allEmptySpans  // DebtKey.slotCount
    /// One bit per ``DebtRawKey``: the slot has a text. (Usable from inlinable code so that
    /// ``has(_:)`` reads one word where the fields lie, not a copy of all of them.)
    @usableFromInline internal private(set) var present: UInt32 = 0
    /// One bit per ``DebtRawKey``: the slot's span is in ``side`` (else in ``tape``).
    @usableFromInline internal private(set) var inSide: UInt32 = 0
    /// One bit per ``DebtRawKey``: the text is known to hold nothing JSON must escape (a tape
    /// text whose node says so, a JSON number), so a writer may copy it as it is
    /// (``DebtKeyedBytes/isVerbatim(_:)``).
    @usableFromInline internal private(set) var verbatim: UInt32 = 0
    /// One bit per ``DebtRawKey``: the text is a JSON number's (``set(_:number:text:)``), whose
    /// decimals are always after a `.`, whatever the config's `normalize.decimal` says of texts.
    @usableFromInline internal private(set) var numbers: UInt32 = 0

    public init() {}

    /// Empty fields whose tape spans point into `tape` and whose side spans point into `side`
    /// (a mapping plan's constants, shared by every record it maps).
    public init(tape: RecordTape, side: [UInt8] = []) {
        self.tape = tape
        self.side = side
    }

    /// Makes these the empty fields ``init(tape:side:)`` makes, in place (a candidate reused for
    /// the next record: building new fields in a temporary and storing them copies them).
    public mutating func reset(tape: RecordTape, side: [UInt8]) {
        // The next record of a chunk has the same tape: storing it again would release and
        // retain it, two atomic operations per record.
        if self.tape !== tape { self.tape = tape }
        // Nor is the side arena stored again when it is the one held (the plan's, for every
        // record it maps): the same storage is the same bytes.
        if !Self.sameStorage(self.side, side) { self.side = side }
        present = 0
        inSide = 0
        verbatim = 0
        numbers = 0
    }

    /// ``reset(tape:side:)`` for fields whose side arena is their own, not a plan's shared
    /// constants (the Magicline preset's, which writes a case's joined designations or currency
    /// code there): the arena is emptied but its storage kept, so the next record's made-up texts
    /// are written into the same buffer, not into one allocated (and the last freed) per record.
    /// (Storage these fields share with another copy is not written over: emptying it makes new
    /// storage, as an array's `removeAll(keepingCapacity:)` does.)
    public mutating func resetKeepingSideStorage(tape: RecordTape) {
        if self.tape !== tape { self.tape = tape }
        if !side.isEmpty { side.removeAll(keepingCapacity: true) }
        present = 0
        inSide = 0
        verbatim = 0
        numbers = 0
    }

    /// One bit per ``DebtRawKey`` that has a text: what ``holds(_:of:)`` is asked about.
    public var presentKeys: UInt32 { present }

    /// Whether these fields still point into `tape` and have a text for every key of `keys`
    /// (``presentKeys`` as they were): a stage after `map` may move a candidate's fields out or
    /// change them (``ChunkStage/forEachOutput(of:_:)``), and the Magicline preset, which sets a
    /// debtor's person fields once for all its cases, sets them again when they are gone.
    @inline(__always)
    public func holds(_ keys: UInt32, of tape: RecordTape) -> Bool {
        self.tape === tape && present & keys == keys
    }

    /// Whether two arrays share their storage (then their bytes are the same).
    private static func sameStorage(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
    }

    /// Fields from key names; names that are not debt keys are ignored.
    public init(_ dictionary: [String: String]) {
        for (name, text) in dictionary { self[name] = text }
    }

    /// Whether no field has a text.
    public var isEmpty: Bool { present == 0 }

    /// Whether `key` has a text (blank or not).
    @inlinable @inline(__always)
    public func has(_ key: DebtRawKey) -> Bool { present & (1 << UInt32(key.rawValue)) != 0 }

    /// Whether `key`'s text is a JSON number's (``set(_:number:text:)``): `1.5` in a JSON input
    /// is one and a half under any `normalize.decimal`, while the text `"1,5"` follows it.
    @inlinable @inline(__always)
    public func isJSONNumber(_ key: DebtRawKey) -> Bool { numbers & present & (1 << UInt32(key.rawValue)) != 0 }

    /// Sets `key`'s text to the bytes at `span` of the record's tape (given at ``init(tape:side:)``).
    /// `needsEscaping: false` (the node's ``RecordNode/Flags/valueNeedsEscaping`` is clear) notes
    /// that the text holds nothing JSON must escape. (Inlined where the mapping calls it, in
    /// another module: a call per field cost more than the stores.)
    @inlinable @inline(__always)
    public mutating func set(_ key: DebtRawKey, tapeSpan span: ByteSpan, needsEscaping: Bool = true) {
        precondition(tape != nil, "no tape to point into")
        let bit: UInt32 = 1 << UInt32(key.rawValue)
        spans[key.rawValue] = span
        present |= bit
        inSide &= ~bit
        numbers &= ~bit
        if needsEscaping { verbatim &= ~bit } else { verbatim |= bit }
    }

    /// Sets `key`'s text to a JSON number's bytes at `span` of the tape (`text`: those bytes). An
    /// amount in exponent form (`1.0E7`, what a serializer writes for a double) is written out
    /// (``JSONNumberText``) into the side arena; any other key keeps the number's text as it is
    /// (an id `1E3` stays `1E3`), and so does an amount without an exponent.
    @inlinable @inline(__always)
    public mutating func set(_ key: DebtRawKey, number span: ByteSpan, text: UnsafeBufferPointer<UInt8>) {
        if key == .amount, let plain = JSONNumberText.plainDecimal(text) {
            self[key] = plain
        } else {
            // A JSON number's text (digits, sign, point, exponent) never needs escaping.
            set(key, tapeSpan: span, needsEscaping: false)
        }
        numbers |= 1 << UInt32(key.rawValue)
    }

    /// Sets `key`'s text to the bytes at `span` of the side arena given at ``init(tape:side:)``.
    @inline(__always)
    public mutating func set(_ key: DebtRawKey, sideSpan span: ByteSpan) {
        precondition(span.end <= side.count, "span outside the side arena")
        let bit: UInt32 = 1 << UInt32(key.rawValue)
        spans[key.rawValue] = span
        present |= bit
        inSide |= bit
        verbatim &= ~bit
        numbers &= ~bit
    }

    /// Sets `key`'s text to the bytes `write` appends to the side arena (a text a preset makes
    /// up, such as Magicline's joined designations), without making a `String` first.
    public mutating func setSideText(_ key: DebtRawKey, _ write: (inout [UInt8]) -> Void) {
        let offset = side.count
        write(&side)
        set(key, sideSpan: ByteSpan(offset: UInt32(truncatingIfNeeded: offset),
                                    length: UInt32(truncatingIfNeeded: side.count - offset)))
    }

    /// Calls `body` with `key`'s text as UTF-8 bytes, or with `nil` when the record gave none.
    @inline(__always)
    public func withBytes<R>(_ key: DebtRawKey, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        guard has(key) else { return try body(nil) }
        return try withKeyedBytes { try body($0[key]) }
    }

    /// `key`'s text trimmed of whitespace, or `nil` when it is missing or blank: what
    /// ``TextTrimming/nonBlank(_:)`` gives for ``subscript(_:)-(DebtRawKey)``, with a `String` made
    /// straight from the bytes when they start and end with printable ASCII (the common case).
    public func nonBlankText(_ key: DebtRawKey) -> String? {
        withBytes(key) { bytes in
            guard let bytes, let first = bytes.first, let last = bytes.last else { return nil }
            if Self.isPrintableASCII(first) && Self.isPrintableASCII(last) { return String(decoding: bytes, as: UTF8.self) }
            let kept = TextTrimming.trimmedRange(bytes)
            return kept.isEmpty ? nil : String(decoding: UnsafeBufferPointer(rebasing: bytes[kept]), as: UTF8.self)
        }
    }

    /// `key`'s text without leading and trailing ASCII white space
    /// (``TextTrimming/asciiTrimmedRange(_:)``), as a `String` (empty when the text is blank), or
    /// `nil` when the record gave none: what `map` makes a record's own `temp_id` of, once per
    /// record.
    ///
    /// Not generic and without a closure: it opens only the one arena the text lies in (through
    /// ``withKeyedBytes(_:)``, about 120 instructions more per record), and a text of up to 15
    /// ASCII bytes becomes a small `String` without a UTF-8 check (`String(decoding:as:)` checks
    /// and repairs every text, about 200 instructions for an 11-byte id). Other texts are repaired
    /// as `String(decoding:as:)` repairs them: the result is the same string.
    public func asciiTrimmedText(_ key: DebtRawKey) -> String? {
        guard has(key) else { return nil }
        let span = spans[key.rawValue]
        let make = { (arena: UnsafeBufferPointer<UInt8>) -> String in
            Self.asciiTrimmedString(UnsafeBufferPointer(rebasing: arena[Int(span.offset)..<span.end]))
        }
        if inSide & (1 << UInt32(key.rawValue)) != 0 { return side.withUnsafeBufferPointer(make) }
        return DebtKeyedBytes.withTapeBytes(tape, make)
    }

    /// ``asciiTrimmedText(_:)`` of the fields at `fields`, read where they lie: neither the fields
    /// nor their span table (192 bytes) is copied to the stack first, and the tape is not
    /// retained (``DebtCandidate/ownIDText()``).
    ///
    /// - Precondition: the fields at `fields` stay where they are, alive and unchanged, during
    ///   the call.
    fileprivate static func asciiTrimmedText(_ key: DebtRawKey, at fields: UnsafePointer<DebtRawFields>) -> String? {
        let bit: UInt32 = 1 << UInt32(key.rawValue)
        guard fields.pointee.present & bit != 0 else { return nil }
        let span = UnsafeRawPointer(fields.pointer(to: \.spans)!)
            .load(fromByteOffset: key.rawValue * MemoryLayout<ByteSpan>.stride, as: ByteSpan.self)
        if fields.pointee.inSide & bit != 0 {
            return fields.pointee.side.withUnsafeBufferPointer { side in
                asciiTrimmedString(UnsafeBufferPointer(rebasing: side[Int(span.offset)..<span.end]))
            }
        }
        // The tape is read as the fields hold it, unretained: the fields keep it alive.
        guard let tape = UnsafeRawPointer(fields.pointer(to: \.tape)!).load(as: Unmanaged<RecordTape>?.self) else {
            return asciiTrimmedString(UnsafeBufferPointer(rebasing: DebtKeyedBytes.noBytes[Int(span.offset)..<span.end]))
        }
        return tape._withUnsafeGuaranteedRef { tape in
            tape.bytes.withUnsafeBufferPointer { bytes in
                asciiTrimmedString(UnsafeBufferPointer(rebasing: bytes[Int(span.offset)..<span.end]))
            }
        }
    }

    /// `text` without leading and trailing ASCII white space, as a `String` (repaired as
    /// `String(decoding:as:)` repairs it).
    private static func asciiTrimmedString(_ text: UnsafeBufferPointer<UInt8>) -> String {
        let kept = TextTrimming.asciiTrimmedRange(text)
        return String(unsafeUninitializedCapacity: kept.count) { buffer in
            buffer.initialize(fromContentsOf: UnsafeBufferPointer(rebasing: text[kept]))
        }
    }

    /// Whether `key` has a text that is not only whitespace (``nonBlankText(_:)`` is not `nil`),
    /// without making a `String` in the common case.
    public func isNonBlank(_ key: DebtRawKey) -> Bool {
        withBytes(key) { bytes in
            guard let bytes, let first = bytes.first, let last = bytes.last else { return false }
            if Self.isPrintableASCII(first) || Self.isPrintableASCII(last) { return true }
            return TextTrimming.nonBlank(String(decoding: bytes, as: UTF8.self)) != nil
        }
    }

    @inline(__always)
    private static func isPrintableASCII(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x80 }

    /// The text of `key`, or `nil` when the record gave none. Reading makes a `String` (slow:
    /// rules read ``withBytes(_:_:)``); setting copies the text into the side arena.
    public subscript(key: DebtRawKey) -> String? {
        get { withBytes(key) { $0.map { String(decoding: $0, as: UTF8.self) } } }
        set {
            guard let newValue else {
                present &= ~(1 << UInt32(key.rawValue))
                return
            }
            let offset = side.count
            side.append(contentsOf: newValue.utf8)
            set(key, sideSpan: ByteSpan(offset: UInt32(truncatingIfNeeded: offset),
                                        length: UInt32(truncatingIfNeeded: side.count - offset)))
        }
    }

    /// The text of the key named `name` (`"firstname"`, `"due_date"`); `nil` for a name that is
    /// not a debt key, and setting one does nothing.
    public subscript(name: String) -> String? {
        get { DebtRawKey(name: name).flatMap { self[$0] } }
        set { if let key = DebtRawKey(name: name) { self[key] = newValue } }
    }

    /// The fields that have a text, by key name.
    public var dictionary: [String: String] {
        var result: [String: String] = [:]
        for key in DebtRawKey.allCases { if let text = self[key] { result[key.name] = text } }
        return result
    }
}

extension DebtRawFields: Equatable {
    /// Same texts for every key, wherever they are stored.
    public static func == (lhs: DebtRawFields, rhs: DebtRawFields) -> Bool {
        DebtRawKey.allCases.allSatisfy { key in
            lhs.withBytes(key) { left in
                rhs.withBytes(key) { right in
                    switch (left, right) {
                    case (nil, nil): return true
                    case (let left?, let right?): return left.elementsEqual(right)
                    default: return false
                    }
                }
            }
        }
    }
}

extension DebtRawFields {
    /// Calls `body` with every field's bytes at hand (``DebtKeyedBytes``): the tape and the side
    /// arena are opened once for all the keys, where ``withBytes(_:_:)`` opens them per key. For
    /// rules that read many fields of one record. (The per-record callers, `normalize` and `map`,
    /// use the non-generic form for a body that returns nothing.)
    public func withKeyedBytes<R>(_ body: (DebtKeyedBytes) throws -> R) rethrows -> R {
        try DebtKeyedBytes.withTapeBytes(tape) { tapeBytes in
            try side.withUnsafeBufferPointer { side in
                try withUnsafeBytes(of: spans) { spans in
                    try body(keyedBytes(tape: tapeBytes, side: side, spans: spans))
                }
            }
        }
    }

    /// The generic `withKeyedBytes` for a body that returns nothing and does not throw (what
    /// `normalize` calls once per record, and `map` for a record's own `temp_id` and
    /// `country_code`). Not generic: the generic form, called from another module, runs
    /// unspecialized, and moving its result through value witnesses cost about 600 instructions
    /// per record in `normalize`.
    public func withKeyedBytes(_ body: (DebtKeyedBytes) -> Void) {
        DebtKeyedBytes.withTapeBytes(tape) { tapeBytes in
            side.withUnsafeBufferPointer { side in
                withUnsafeBytes(of: spans) { spans in body(keyedBytes(tape: tapeBytes, side: side, spans: spans)) }
            }
        }
    }

    /// ``withKeyedBytes(_:)`` of the fields at `fields`, read where they lie: neither the fields
    /// (a retain and a release of the tape and of the side arena) nor their span table (192
    /// bytes) is copied to the stack first.
    ///
    /// - Precondition: the fields at `fields` stay where they are, alive and unchanged, while
    ///   `body` runs (``DebtCandidate/changeReadingRaw(_:)``).
    fileprivate static func withKeyedBytes(at fields: UnsafePointer<DebtRawFields>, _ body: (DebtKeyedBytes) -> Void) {
        // The tape is read as the fields hold it, unretained: the fields keep it alive and
        // unchanged while `body` runs.
        let tape = UnsafeRawPointer(fields.pointer(to: \.tape)!).load(as: Unmanaged<RecordTape>?.self)
        let spans = UnsafeRawPointer(fields.pointer(to: \.spans)!)
        func open(_ tapeBytes: UnsafeBufferPointer<UInt8>, _ side: UnsafeBufferPointer<UInt8>) {
            body(fields.pointee.keyedBytes(tape: tapeBytes, side: side,
                                           spans: UnsafeRawBufferPointer(start: spans, count: MemoryLayout<InlineArray<24, ByteSpan>>.size)))
        }
        // The side arena is opened only when a field lies in it (a plan's constant, a preset's
        // made-up text): opening it retained and released it, per record, for rows whose fields
        // are all in the tape.
        guard fields.pointee.inSide & fields.pointee.present != 0 else {
            guard let tape else { return open(DebtKeyedBytes.noBytes, DebtKeyedBytes.noBytes) }
            return tape._withUnsafeGuaranteedRef { $0.bytes.withUnsafeBufferPointer { open($0, DebtKeyedBytes.noBytes) } }
        }
        fields.pointee.side.withUnsafeBufferPointer { side in
            guard let tape else { return open(DebtKeyedBytes.noBytes, side) }
            tape._withUnsafeGuaranteedRef { $0.bytes.withUnsafeBufferPointer { open($0, side) } }
        }
    }

    /// The fields' bytes over the opened tape, side arena and span table.
    @inline(__always)
    private func keyedBytes(tape: UnsafeBufferPointer<UInt8>, side: UnsafeBufferPointer<UInt8>,
                            spans: UnsafeRawBufferPointer) -> DebtKeyedBytes {
        DebtKeyedBytes(tape: tape, second: side, third: DebtKeyedBytes.noBytes, spans: spans.assumingMemoryBound(to: ByteSpan.self),
                       present: present, inTape: present & ~inSide, inSecond: inSide, verbatim: verbatim & present)
    }
}
