/// An amount as an integer count of minor units with the currency's number of decimals:
/// `1234.50` EUR is `MinorUnitAmount(minorUnits: 123450, digits: 2)`. Never a `Double`.
public struct MinorUnitAmount: Sendable, Equatable, Hashable {
    public var minorUnits: Int64
    public var digits: Int

    public init(minorUnits: Int64, digits: Int) {
        self.minorUnits = minorUnits
        self.digits = digits
    }

    /// The decimal text with exactly `digits` decimals (`1234.50`, `1234`, `12.500`, `-0.05`).
    public var decimalText: String {
        let negative = minorUnits < 0
        let magnitude = minorUnits.magnitude
        guard digits > 0 else { return (negative ? "-" : "") + String(magnitude) }
        var scale: UInt64 = 1
        for _ in 0..<digits { scale *= 10 }
        let whole = magnitude / scale
        var fraction = String(magnitude % scale)
        if fraction.count < digits { fraction = String(repeating: "0", count: digits - fraction.count) + fraction }
        return (negative ? "-" : "") + String(whole) + "." + fraction
    }
}

/// The call destination of a debt's phone number and what a call there costs (CONTRACT.md §4).
///
/// Plain values only (its two texts are ``ShortText``s): a destination is made for every record
/// with a phone and copied into its outcome, and copying or dropping it calls nothing.
public struct Destination: Sendable, Equatable {
    /// `fr_mainland`, `eu`, `dom_tom`, `maghreb` or `other` (written as its raw value).
    public var zone: DestinationZone
    /// Credits per call; `nil` for an unsupported zone.
    public var credits: Int?
    public var expensive: Bool
    /// ``country``'s bytes.
    public var countryText: ShortText
    /// ``multiplier``'s bytes; `nil` for an unsupported zone.
    public var multiplierText: ShortText?

    /// ISO 3166 region of the number (`FR`, `GP`, `DE`).
    public var country: String {
        get { countryText.string }
        set { countryText = ShortText(newValue) }
    }

    /// Cost multiplier as written in the table (`"1.0"`, `"1.2"`); `nil` for an unsupported zone.
    public var multiplier: String? {
        get { multiplierText?.string }
        set { multiplierText = newValue.map(ShortText.init) }
    }

    /// - Precondition: `country` and `multiplier` have at most ``ShortText/capacity`` bytes (a
    ///   region code has two or three; a multiplier is a `Double`'s description).
    public init(zone: DestinationZone, country: String, credits: Int?, multiplier: String?, expensive: Bool) {
        self.init(zone: zone, countryText: ShortText(country), credits: credits,
                  multiplierText: multiplier.map(ShortText.init), expensive: expensive)
    }

    /// A destination from texts already made short (the classifier's, once per zone).
    @inline(__always)
    public init(zone: DestinationZone, countryText: ShortText, credits: Int?, multiplierText: ShortText?, expensive: Bool) {
        self.zone = zone
        self.countryText = countryText
        self.credits = credits
        self.multiplierText = multiplierText
        self.expensive = expensive
    }
}

/// A debt exactly as the GetBill bulk-import API takes it (CONTRACT.md §3). Optional keys stay
/// `nil` and are left out of the JSON.
///
/// Flat storage (issue 10, "flat per-record state"): each text key is a ``ByteSpan`` in one
/// fixed inline table, pointing into the record's ``RecordTape`` (a text `normalize` kept as the
/// input had it: a name, a city, an IBAN without spaces to take out — no copy), or into 32 inline
/// bytes for the few short texts a rule rewrote (the phone in E.164, the currency code: no heap
/// allocation), or, past those, into the debt's own byte arena. Copying or dropping a debt is
/// then at most three references, not one `String` per key.
/// The `String` properties (``firstname``, ``phone``, …) read and write that storage; hot paths
/// use ``withText(_:_:)`` and ``setText(_:_:)``.
public struct Debt: Sendable {
    // (The stored properties that ``setText(_:_:verbatim:)``'s tape path writes are usable from
    // inlinable code: that path is inlined where `normalize` sets a record's texts.)

    /// The record's tape, which tape spans point into (`nil` for a debt built by hand).
    @usableFromInline internal private(set) var tape: RecordTape?
    /// Texts that are not in the tape, while they fit.
    private var small = InlineArray<32, UInt8>.allZeros
    /// How many bytes of ``small`` are used.
    private var smallCount: UInt8 = 0
    /// Texts that are neither in the tape nor in ``small``.
    private var arena: [UInt8] = []
    /// One span per ``DebtKey`` (by raw value); only text keys are used.
    @usableFromInline internal private(set) var spans = InlineArray<24, ByteSpan>.allEmptySpans  // DebtKey.slotCount
    /// One bit per ``DebtKey``: the key has a text. (Usable from inlinable code so that ``has(_:)``
    /// reads one word where the debt lies: called across modules, it was handed a copy of the
    /// whole debt, 296 bytes.)
    @usableFromInline internal private(set) var present: UInt32 = 0
    /// One bit per ``DebtKey``: the key's span is in ``tape``.
    @usableFromInline internal private(set) var inTape: UInt32 = 0
    /// One bit per ``DebtKey``: the key's span is in ``small`` (neither bit: in ``arena``).
    @usableFromInline internal private(set) var inSmall: UInt32 = 0
    /// One bit per ``DebtKey``: the text holds nothing JSON must escape
    /// (``DebtKeyedBytes/isVerbatim(_:)``), as its setter said.
    @usableFromInline internal private(set) var verbatim: UInt32 = 0

    public var amount: MinorUnitAmount?
    public var acceptExpensiveDestination: Bool?
    public var metadata: DebtMetadata?

    /// An empty debt whose texts are copied into its own arena.
    public init() {}

    /// An empty debt whose texts, when ``setText(_:_:)`` is given bytes of `tape`, point into it
    /// instead of being copied.
    public init(tape: RecordTape?) { self.tape = tape }

    /// Makes this the empty debt ``init(tape:)`` makes, in place (a debt is a wide value: one
    /// built in a temporary is copied where it is stored).
    public mutating func reset(tape: RecordTape?) {
        // The next record of a chunk has the same tape: storing it again would release and
        // retain it, two atomic operations per record.
        if self.tape !== tape { self.tape = tape }
        smallCount = 0
        // The arena keeps its buffer for the next record's texts (a Magicline case's joined
        // designations, past the inline bytes): dropping it cost a free here and a malloc at the
        // next record's first copied text. (Still this debt's alone: a debt handed on is
        // another's copy, and a shared buffer is replaced, not written.)
        if !arena.isEmpty { arena.removeAll(keepingCapacity: true) }
        present = 0
        inTape = 0
        inSmall = 0
        verbatim = 0
        amount = nil
        acceptExpensiveDestination = nil
        // Most debts have none: storing nil over nil still destroys the old value.
        if metadata != nil { metadata = nil }
    }

    /// Whether `key` has a text (always `false` for `amount` and `accept_expensive_destination`,
    /// whose values are ``amount`` and ``acceptExpensiveDestination``).
    @inlinable @inline(__always)
    public func has(_ key: DebtKey) -> Bool { present & (1 << UInt32(key.rawValue)) != 0 }

    /// Calls `body` with `key`'s text as UTF-8 bytes, or with `nil` when the debt has none.
    @inline(__always)
    public func withText<R>(_ key: DebtKey, _ body: (UnsafeBufferPointer<UInt8>?) throws -> R) rethrows -> R {
        guard has(key) else { return try body(nil) }
        return try withKeyedBytes { try body($0[key]) }
    }

    /// Sets `key`'s text to `bytes`: pointed at where they are when they lie in the debt's tape,
    /// else copied into its arena. `verbatim: true` is the caller's word that the bytes hold
    /// nothing JSON must escape (``DebtKeyedBytes/isVerbatim(_:)``): the writer then copies them
    /// without looking.
    ///
    /// Inlinable: bytes of the tape (most of a record's texts, kept as the input had them) are a
    /// span stored where the caller is; a call per text cost more than its few stores. (Always
    /// inlined: left to the optimizer, it stayed a call from `normalize`, a dozen a record.) Other
    /// bytes are copied by ``setCopiedText(_:_:verbatim:)``.
    @inlinable @inline(__always)
    public mutating func setText(_ key: DebtKey, _ bytes: UnsafeBufferPointer<UInt8>, verbatim isVerbatim: Bool = false) {
        precondition(key.isText, "Debt.setText: not a text key")
        guard let offset = tapeOffset(of: bytes) else { return setCopiedText(key, bytes, verbatim: isVerbatim) }
        let bit: UInt32 = 1 << UInt32(key.rawValue)
        spans[key.rawValue] = ByteSpan(offset: UInt32(truncatingIfNeeded: offset), length: UInt32(truncatingIfNeeded: bytes.count))
        present |= bit
        inTape |= bit
        inSmall &= ~bit
        if isVerbatim { verbatim |= bit } else { verbatim &= ~bit }
    }

    /// Where `bytes` start in the debt's tape, or `nil` when they do not lie in it (or it has none).
    @inlinable @inline(__always)
    func tapeOffset(of bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        // Unwrapped behind the nil check: binding the tape would retain and release it.
        guard tape != nil, let base = bytes.baseAddress else { return nil }
        return tape.unsafelyUnwrapped.bytes.withUnsafeBufferPointer { all -> Int? in
            guard let start = all.baseAddress, base >= start, base + bytes.count <= start + all.count else { return nil }
            return base - start
        }
    }

    /// ``setText(_:_:verbatim:)`` for bytes that are not in the tape: copied into the inline
    /// bytes while they fit, else into the arena.
    @usableFromInline
    mutating func setCopiedText(_ key: DebtKey, _ bytes: UnsafeBufferPointer<UInt8>, verbatim isVerbatim: Bool) {
        let bit: UInt32 = 1 << UInt32(key.rawValue)
        if isVerbatim { verbatim |= bit } else { verbatim &= ~bit }
        let used = Int(smallCount)
        if bytes.count <= small.count - used {
            if let base = bytes.baseAddress {
                withUnsafeMutableBytes(of: &small) { ByteWord.copy(bytes.count, from: UnsafeRawPointer(base), to: $0.baseAddress! + used) }
            }
            smallCount = UInt8(used + bytes.count)
            spans[key.rawValue] = ByteSpan(offset: UInt32(used), length: UInt32(bytes.count))
            present |= bit
            inTape &= ~bit
            inSmall |= bit
            return
        }
        if arena.capacity == 0 { arena.reserveCapacity(64) }
        let offset = arena.count
        arena.append(contentsOf: bytes)
        spans[key.rawValue] = ByteSpan(offset: UInt32(truncatingIfNeeded: offset), length: UInt32(truncatingIfNeeded: bytes.count))
        present |= bit
        inTape &= ~bit
        inSmall &= ~bit
    }

    /// Sets `key`'s text to `number`'s E.164 text (`+` and digits: nothing JSON must escape),
    /// written where the debt keeps it: in its inline bytes while they have room (no `String`,
    /// no buffer between), else copied into its arena.
    public mutating func setText(_ key: DebtKey, e164 number: PhoneNumber) {
        precondition(key.isText, "Debt.setText: not a text key")
        let byteCount = number.e164ByteCount
        let used = Int(smallCount)
        guard byteCount <= small.count - used else {
            var buffer = InlineArray<32, UInt8>.allZeros  // PhoneNumber.maxE164ByteCount (23) fits
            withUnsafeMutableBytes(of: &buffer) { raw in
                let start = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                number.writeE164(to: start)
                setCopiedText(key, UnsafeBufferPointer(start: start, count: byteCount), verbatim: true)
            }
            return
        }
        withUnsafeMutableBytes(of: &small) { raw in
            number.writeE164(to: raw.baseAddress!.assumingMemoryBound(to: UInt8.self) + used)
        }
        let bit: UInt32 = 1 << UInt32(key.rawValue)
        smallCount = UInt8(used + byteCount)
        spans[key.rawValue] = ByteSpan(offset: UInt32(used), length: UInt32(byteCount))
        present |= bit
        inTape &= ~bit
        inSmall |= bit
        verbatim |= bit
    }

    /// Sets `key`'s text (copied), or removes it with `nil`.
    public mutating func setText(_ key: DebtKey, _ text: String?) {
        guard var text else {
            precondition(key.isText, "\(key) is not a text key")
            present &= ~(1 << UInt32(key.rawValue))
            return
        }
        text.withUTF8 { setText(key, $0) }
    }

    /// `key`'s text as a `String`, or `nil` when the debt has none (made on request: hot paths
    /// read ``withText(_:_:)``).
    public func text(_ key: DebtKey) -> String? {
        withText(key) { $0.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The same debt with every text in its own arena and no reference to the record's tape: for
    /// a debt kept long after its chunk (an http sink's batches), so it does not hold the chunk.
    public func detached() -> Debt {
        guard tape != nil else { return self }
        var copy = Debt()
        copy.amount = amount
        copy.acceptExpensiveDestination = acceptExpensiveDestination
        copy.metadata = metadata
        withKeyedBytes { texts in
            for key in DebtKey.ordered where key.isText {
                if let bytes = texts[key] { copy.setText(key, bytes) }
            }
        }
        return copy
    }

    public var firstname: String? { get { text(.firstname) } set { setText(.firstname, newValue) } }
    public var lastname: String? { get { text(.lastname) } set { setText(.lastname, newValue) } }
    public var currency: String? { get { text(.currency) } set { setText(.currency, newValue) } }
    public var phone: String? { get { text(.phone) } set { setText(.phone, newValue) } }
    public var email: String? { get { text(.email) } set { setText(.email, newValue) } }
    public var tempID: String? { get { text(.tempID) } set { setText(.tempID, newValue) } }
    public var internalID: String? { get { text(.internalID) } set { setText(.internalID, newValue) } }
    public var timelineID: String? { get { text(.timelineID) } set { setText(.timelineID, newValue) } }
    public var timelineStartMode: String? { get { text(.timelineStartMode) } set { setText(.timelineStartMode, newValue) } }
    public var civility: String? { get { text(.civility) } set { setText(.civility, newValue) } }
    public var birthdate: String? { get { text(.birthdate) } set { setText(.birthdate, newValue) } }
    public var object: String? { get { text(.object) } set { setText(.object, newValue) } }
    public var invoiceDate: String? { get { text(.invoiceDate) } set { setText(.invoiceDate, newValue) } }
    public var dueDate: String? { get { text(.dueDate) } set { setText(.dueDate, newValue) } }
    public var iban: String? { get { text(.iban) } set { setText(.iban, newValue) } }
    public var company: String? { get { text(.company) } set { setText(.company, newValue) } }
    public var streetAddress: String? { get { text(.streetAddress) } set { setText(.streetAddress, newValue) } }
    public var streetNumber: String? { get { text(.streetNumber) } set { setText(.streetNumber, newValue) } }
    public var postalCode: String? { get { text(.postalCode) } set { setText(.postalCode, newValue) } }
    public var city: String? { get { text(.city) } set { setText(.city, newValue) } }
    public var country: String? { get { text(.country) } set { setText(.country, newValue) } }
}

extension Debt: Equatable {
    /// Same values for every key, wherever the texts are stored.
    public static func == (lhs: Debt, rhs: Debt) -> Bool {
        guard lhs.amount == rhs.amount, lhs.acceptExpensiveDestination == rhs.acceptExpensiveDestination,
              lhs.metadata == rhs.metadata else { return false }
        return DebtKey.ordered.allSatisfy { key in
            !key.isText || lhs.withText(key) { left in
                rhs.withText(key) { right in
                    switch (left, right) {
                    case (nil, nil): true
                    case (let left?, let right?): left.elementsEqual(right)
                    default: false
                    }
                }
            }
        }
    }
}

extension Debt {
    /// Calls `body` with every text's bytes at hand (``DebtKeyedBytes``): the tape, the inline
    /// bytes and the arena are opened once for all the keys, where ``withText(_:_:)`` opens them
    /// per key. For the writer, which reads every key of every debt.
    public func withKeyedBytes<R>(_ body: (DebtKeyedBytes) throws -> R) rethrows -> R {
        try DebtKeyedBytes.withTapeBytes(tape) { tapeBytes in
            try withUnsafeBytes(of: small) { small in
                try arena.withUnsafeBufferPointer { arena in
                    try withUnsafeBytes(of: spans) { spans in
                        try body(DebtKeyedBytes(tape: tapeBytes, second: small.bindMemory(to: UInt8.self), third: arena,
                                                spans: spans.assumingMemoryBound(to: ByteSpan.self), present: present,
                                                inTape: inTape, inSecond: inSmall, verbatim: verbatim & present))
                    }
                }
            }
        }
    }

    /// ``withKeyedBytes(_:)`` of the debt at `debt`, read where it lies: its span table (192
    /// bytes) and inline bytes (32) are not copied to the stack first, nor its tape and arena
    /// retained. For the writer, which reads every valid debt where its outcome holds it.
    ///
    /// - Precondition: the debt at `debt` stays where it is, alive and unchanged, while `body`
    ///   runs.
    static func withKeyedBytes<R>(at debt: UnsafePointer<Debt>, _ body: (DebtKeyedBytes) -> R) -> R {
        // The tape is read as the debt holds it, unretained: the debt keeps it alive and
        // unchanged while `body` runs.
        let tape = UnsafeRawPointer(debt.pointer(to: \.tape)!).load(as: Unmanaged<RecordTape>?.self)
        let small = UnsafeRawPointer(debt.pointer(to: \.small)!).assumingMemoryBound(to: UInt8.self)
        let spans = UnsafeRawPointer(debt.pointer(to: \.spans)!).assumingMemoryBound(to: ByteSpan.self)
        func open(_ tapeBytes: UnsafeBufferPointer<UInt8>, _ arena: UnsafeBufferPointer<UInt8>) -> R {
            let present = debt.pointee.present
            return body(DebtKeyedBytes(tape: tapeBytes, second: UnsafeBufferPointer(start: small, count: MemoryLayout<InlineArray<32, UInt8>>.size),
                                       third: arena,
                                       spans: UnsafeBufferPointer(start: spans, count: DebtKey.slotCount), present: present,
                                       inTape: debt.pointee.inTape, inSecond: debt.pointee.inSmall,
                                       verbatim: debt.pointee.verbatim & present))
        }
        return debt.pointee.arena.withUnsafeBufferPointer { arena in
            guard let tape else { return open(DebtKeyedBytes.noBytes, arena) }
            return tape._withUnsafeGuaranteedRef { $0.bytes.withUnsafeBufferPointer { open($0, arena) } }
        }
    }
}
