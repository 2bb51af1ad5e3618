/// A hand-written JSON writer into a reusable byte buffer (DESIGN.md §3: ~30× faster than
/// `JSONEncoder` per record). Keys are written in the order the caller gives them.
///
/// Strings are escaped per RFC 8259: `"` and `\`, control characters as `\n`, `\t`, … or
/// `\u00XX`; everything else, non-ASCII included, is written as UTF-8.
public struct JSONByteWriter: Sendable {
    /// The bytes written so far. Callers may take them and call ``removeAll()`` to reuse capacity.
    public private(set) var bytes: [UInt8]
    /// One bit per open container, the innermost in bit 0: whether its next member needs a comma
    /// before it. Only containers nested deeper than 64 push the outermost bits to ``deeperLevels``.
    private var commaBits: UInt64 = 0
    /// How many containers are open.
    private var depth = 0
    /// The comma flags of the outermost containers, for documents nested deeper than 64 levels.
    private var deeperLevels: [Bool] = []

    public init(capacity: Int = 64 * 1024) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Forgets what was written, keeping the buffer's capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        echoedTape = nil
        echoedBytes = 0..<0
        commaBits = 0
        depth = 0
        deeperLevels.removeAll(keepingCapacity: true)
    }

    public mutating func beginObject() { separate(); bytes.append(UInt8(ascii: "{")); open() }
    public mutating func endObject() { close(); bytes.append(UInt8(ascii: "}")) }
    public mutating func beginArray() { separate(); bytes.append(UInt8(ascii: "[")); open() }
    public mutating func endArray() { close(); bytes.append(UInt8(ascii: "]")) }

    /// Writes `"key":`; the value written next belongs to it.
    public mutating func key(_ key: String) {
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        // The value that follows must not get a comma of its own.
        pendingValueAfterKey = true
    }

    private var pendingValueAfterKey = false

    /// The destination ``destination(_:member:)`` wrote last, and its value's bytes (`{…}`), for
    /// the next outcome with the same one. Kept across ``removeAll()``: they are a copy.
    var lastDestination: Destination?
    var lastDestinationJSON: [UInt8] = []

    /// The record ``echo(_:member:)`` wrote last: its tape and root node, and where its value's
    /// bytes lie in ``bytes`` (empty: none to copy).
    private var echoedTape: RecordTape?
    private var echoedIndex = 0
    private var echoedBytes = 0..<0

    /// Writes `"name":` for a member name known at compile time, copied as it is (no escaping
    /// scan): the name must be ASCII without `"`, `\` or control characters, as every constant
    /// key of the contract's envelopes is.
    public mutating func key(literal name: StaticString) {
        let comma = needsCommaAndMark()
        name.withUTF8Buffer { appendPiece(comma: comma, name: $0, verbatimValue: nil) }
        pendingValueAfterKey = true
    }

    public mutating func string(_ value: String) { separate(); appendQuoted(value) }
    /// Writes a string from its UTF-8 bytes, escaped where JSON needs it.
    public mutating func string(utf8 value: UnsafeBufferPointer<UInt8>) { separate(); appendQuoted(utf8: value) }
    public mutating func bool(_ value: Bool) { separate(); appendLiteral(value ? "true" : "false") }
    public mutating func null() { separate(); appendLiteral("null") }
    public mutating func int(_ value: Int) { separate(); appendDecimal(Int64(value)) }
    public mutating func int64(_ value: Int64) { separate(); appendDecimal(value) }
    /// Writes an amount as a JSON number with exactly its currency's decimals (`1234.50`,
    /// `1234`, `12.500`, `-0.05`): the bytes of ``MinorUnitAmount/decimalText``, written without
    /// making that string.
    public mutating func amount(_ amount: MinorUnitAmount) {
        separate()
        guard amount.digits >= 0, amount.digits <= 18 else {
            numberTextWithoutSeparator(amount.decimalText)
            return
        }
        throughCursor(upTo: JSONRawCursor.amountBound) { $0.amount(amount) }
    }
    /// Writes a number from its exact decimal text (`"1234.50"`). The caller guarantees it is a
    /// valid JSON number.
    public mutating func numberText(_ text: String) { separate(); numberTextWithoutSeparator(text) }
    /// Appends already-serialized JSON (one complete value).
    public mutating func rawJSON(_ json: [UInt8]) { separate(); bytes.append(contentsOf: json) }
    /// Appends already-serialized JSON (complete values or lines) from another buffer.
    public mutating func rawJSON(_ json: ArraySlice<UInt8>) { separate(); bytes.append(contentsOf: json) }
    /// Appends a byte outside any value (the newline between NDJSON lines).
    public mutating func newline() { bytes.append(UInt8(ascii: "\n")) }

    // Convenience members: `"key":value`.
    public mutating func field(_ name: String, _ value: String) { key(name); string(value) }
    public mutating func field(_ name: String, _ value: Int) { key(name); int(value) }
    public mutating func field(_ name: String, _ value: Bool) { key(name); bool(value) }
    /// Writes the member only when `value` is not `nil`.
    public mutating func optionalField(_ name: String, _ value: String?) { if let value { field(name, value) } }
    public mutating func optionalField(_ name: String, _ value: Int?) { if let value { field(name, value) } }
    // The same with a constant member name (see ``key(literal:)``).
    public mutating func field(literal name: StaticString, _ value: String) {
        var value = value
        value.withUTF8 { field(literal: name, utf8: $0) }
    }
    /// `"name":"value"` from the value's UTF-8 bytes, escaped where JSON needs it. A value that
    /// needs no escaping is written with its key in one piece (one capacity check).
    public mutating func field(literal name: StaticString, utf8 value: UnsafeBufferPointer<UInt8>) {
        guard JSONEscapeScan.firstByteToEscape(in: value) == value.count else {
            key(literal: name)
            string(utf8: value)
            return
        }
        let comma = needsCommaAndMark()
        name.withUTF8Buffer { appendPiece(comma: comma, name: $0, verbatimValue: value) }
    }
    public mutating func field(literal name: StaticString, _ value: Int) { key(literal: name); int(value) }
    public mutating func field(literal name: StaticString, _ value: Bool) { key(literal: name); bool(value) }
    public mutating func optionalField(literal name: StaticString, _ value: String?) { if let value { field(literal: name, value) } }
    public mutating func optionalField(literal name: StaticString, _ value: Int?) { if let value { field(literal: name, value) } }

    /// Writes a ``RecordValue`` tree.
    public mutating func value(_ value: RecordValue) {
        switch value {
        case .null: null()
        case .bool(let b): bool(b)
        case .number(let n): numberText(n)
        case .string(let s): string(s)
        case .array(let elements):
            beginArray()
            for element in elements { self.value(element) }
            endArray()
        case .object(let object): self.object(object)
        }
    }

    public mutating func object(_ object: RecordObject) {
        beginObject()
        for entry in object.entries {
            key(entry.key)
            value(entry.value)
        }
        endObject()
    }

    /// The comma before a member or element, when one came before it in the same container.
    @inline(__always)
    private mutating func separate() {
        if needsCommaAndMark() { bytes.append(UInt8(ascii: ",")) }
    }

    /// What ``separate()`` decides, without writing: whether a comma is due before the value
    /// about to be written (and notes that the container now has a member).
    @inline(__always)
    private mutating func needsCommaAndMark() -> Bool {
        if pendingValueAfterKey {
            pendingValueAfterKey = false
            return false
        }
        guard depth > 0 else { return false }
        if commaBits & 1 != 0 { return true }
        commaBits |= 1
        return false
    }

    /// A container was opened: its first member needs no comma.
    @inline(__always)
    private mutating func open() {
        if depth >= 64 { deeperLevels.append(commaBits >> 63 != 0) }
        commaBits <<= 1
        depth += 1
    }

    /// The innermost container was closed.
    @inline(__always)
    private mutating func close() {
        precondition(depth > 0, "JSONByteWriter: no container to close")
        commaBits >>= 1
        depth -= 1
        if depth >= 64, deeperLevels.removeLast() { commaBits |= 1 << 63 }
    }

    /// `numberText` for a text known to be a JSON number, after `separate()` was called.
    private mutating func numberTextWithoutSeparator(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func appendLiteral(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A signed integer in decimal.
    private mutating func appendDecimal(_ value: Int64) {
        throughCursor(upTo: JSONRawCursor.decimalBound) { $0.decimal(value) }
    }

    /// Appends at most `bound` bytes written by a ``JSONRawCursor`` (one capacity and uniqueness
    /// check on ``bytes``).
    @inline(__always)
    private mutating func throughCursor(upTo bound: Int, _ write: (inout JSONRawCursor) -> Void) {
        bytes.appendInPlace(upTo: bound) { buffer in
            var cursor = JSONRawCursor(buffer)
            write(&cursor)
            return cursor.count
        }
    }

    private mutating func appendQuoted(_ text: String) {
        var text = text
        text.withUTF8 { appendQuoted(utf8: $0) }
    }

    /// `"…"` with the bytes escaped where JSON needs it. Most strings need nothing: they are
    /// found so eight bytes at a time (``JSONEscapeScan``) and copied in one piece. The others are
    /// escaped by ``JSONRawCursor`` in runs of at most 8 KiB (each reserved at six bytes per
    /// byte, so a long text never reserves six times its size at once).
    private mutating func appendQuoted(utf8: UnsafeBufferPointer<UInt8>) {
        let count = utf8.count
        let firstEscape = JSONEscapeScan.firstByteToEscape(in: utf8)
        if firstEscape == count {
            appendQuotedVerbatim(utf8)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        var runStart = 0
        var runFirstEscape = firstEscape
        while runStart < count {
            let runEnd = min(count, runStart + Self.escapedRunLength)
            let run = UnsafeBufferPointer(rebasing: utf8[runStart..<runEnd])
            let escapeInRun = min(runFirstEscape, run.count)
            throughCursor(upTo: 6 * run.count) { $0.escaped(run, from: escapeInRun) }
            runFirstEscape = max(0, runFirstEscape - run.count)
            runStart = runEnd
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// How many bytes of a string that needs escaping go through the cursor at once.
    static let escapedRunLength = 8 * 1024

    /// Appends `"text"` copied as it is: the caller knows it needs no escaping.
    private mutating func appendQuotedVerbatim(_ utf8: UnsafeBufferPointer<UInt8>) {
        appendPiece(comma: false, name: nil, verbatimValue: utf8)
    }

    /// Appends `,"name":"value"` in one piece through a ``JSONRawCursor`` (one capacity and
    /// uniqueness check instead of one per part): the comma only when `comma`, the name's part
    /// only with a name, the value's only with a value. Both are copied as they are: the caller
    /// knows they need no escaping.
    private mutating func appendPiece(comma: Bool, name: UnsafeBufferPointer<UInt8>?, verbatimValue value: UnsafeBufferPointer<UInt8>?) {
        let bound = (name?.count ?? 0) + (value?.count ?? 0) + 6
        throughCursor(upTo: bound) { cursor in
            if comma { cursor.byte(UInt8(ascii: ",")) }
            if let name {
                cursor.quoted(name, needsEscaping: false)
                cursor.byte(UInt8(ascii: ":"))
            }
            if let value { cursor.quoted(value, needsEscaping: false) }
        }
    }

    // MARK: Records on a tape

    /// Writes a ``RecordView`` (a record read into a ``RecordTape``) — byte for byte what
    /// ``value(_:)`` writes for the same values as a ``RecordValue`` tree, copying the tape's
    /// texts that need no escaping as they are.
    public mutating func value(_ view: RecordView) {
        value(view, member: nil)
    }

    /// ``value(_:)``, as the member `"name":` when `name` is given (in one piece with the value
    /// when the value is).
    /// - Returns: where the value's bytes start in ``bytes`` when it was written in one piece.
    @discardableResult
    mutating func value(_ view: RecordView, member name: StaticString?) -> Int? {
        let tape = view.tape
        return tape.bytes.withUnsafeBufferPointer { arena in
            tape.nodes.withUnsafeBufferPointer { nodes in
                let root = nodes[view.index]
                return writeNodes(from: view.index, to: Int(root.end), arena: arena, nodes: nodes, member: name)
            }
        }
    }

    /// ``value(_:member:)`` for a record echoed in a case's envelope (`"data":`): when it is
    /// the record this writer echoed last (the same tape and root node: the Magicline preset's
    /// cases of one debtor, each an outcome with the whole debtor as its data, about 1.4 KB),
    /// its bytes are copied from where they were written in ``bytes``, not written again node by
    /// node. The same bytes either way: a tape does not change.
    mutating func echo(_ view: RecordView, member name: StaticString) {
        if view.index == echoedIndex, !echoedBytes.isEmpty, view.tape === echoedTape {
            echoAgain(member: name)
            return
        }
        let start = value(view, member: name)
        noteEchoed(view.tape, index: view.index, start: start)
    }

    /// Notes the record ``echo(_:member:)`` wrote, its value from `start` (`nil`: written past
    /// the one-piece bound, not kept) to the end of ``bytes``. The tape is stored only when it is
    /// another than the one noted before (once a chunk).
    private mutating func noteEchoed(_ tape: RecordTape, index: Int, start: Int?) {
        echoedBytes = start.map { $0..<bytes.count } ?? 0..<0
        echoedIndex = index
        if echoedTape !== tape { echoedTape = tape }
    }

    /// The member `"name":` with the bytes ``echo(_:member:)`` wrote last, copied.
    private mutating func echoAgain(member name: StaticString) {
        let comma = needsCommaAndMark()
        let range = echoedBytes
        // Through a temporary copy: the writer's own bytes cannot be read while it appends.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: range.count) { copy in
            bytes.withUnsafeBufferPointer { written in
                _ = copy.initialize(fromContentsOf: UnsafeBufferPointer(rebasing: written[range]))
            }
            throughCursor(upTo: name.utf8CodeUnitCount + 4 + range.count) { cursor in
                cursor.memberName(name, afterComma: comma)
                cursor.bytes(UnsafeBufferPointer(copy))
            }
        }
    }

    /// Writes the scalar `node` of a tape whose bytes are `arena` — byte for byte what
    /// ``value(_:)`` writes for a view of it — as the member `"name":` when `name` is given (a
    /// string that needs no escaping in one piece with its key). For a reader of a tape in place
    /// (the Magicline preset's metadata ids): no view made, the tape's storage not opened again.
    /// `node` must not be a container.
    public mutating func scalar(_ node: RecordNode, arena: UnsafeBufferPointer<UInt8>, member name: StaticString?) {
        if let name, node.kind == .string, !node.flags.contains(.valueNeedsEscaping) {
            let comma = needsCommaAndMark()
            let text = UnsafeBufferPointer(rebasing: arena[Int(node.value.offset)..<node.value.end])
            name.withUTF8Buffer { appendPiece(comma: comma, name: $0, verbatimValue: text) }
            return
        }
        if let name { key(literal: name) }
        writeScalar(node, arena: arena)
    }

    /// The largest value written in one piece (``writeBounded(upTo:_:)``): a bound past it (a
    /// long text that may need escaping, bounded at six bytes per byte) is written piece by piece,
    /// so no buffer grows by more than the value needs.
    static let boundedPieceLimit = 64 * 1024

    /// The bytes reserved for a record written before it is bounded (``writeNodes``' first try):
    /// a CSV row or a Magicline debtor (some 1.4 KB) fits many times over.
    static let optimisticPiece = 8 * 1024

    /// Writes one whole value of at most `bound` bytes through a ``JSONRawCursor`` (one capacity
    /// and uniqueness check on ``bytes``), after the comma due before it. `write` must write
    /// exactly one complete JSON value.
    @inline(__always)
    mutating func writeBounded(upTo bound: Int, _ write: (inout JSONRawCursor) -> Void) {
        let comma = needsCommaAndMark()
        throughCursor(upTo: bound + 1) { cursor in
            if comma { cursor.byte(UInt8(ascii: ",")) }
            write(&cursor)
        }
    }

    /// Writes the member `"name":` and its whole value of at most `bound` bytes through one
    /// ``JSONRawCursor`` (``writeBounded(upTo:_:)`` with the key in the same piece); `name` is a
    /// constant as ``key(literal:)`` takes it. Without a name, the value alone.
    @inline(__always)
    mutating func writeBounded(member name: StaticString?, upTo bound: Int, _ write: (inout JSONRawCursor) -> Void) {
        guard let name else { return writeBounded(upTo: bound, write) }
        writeBounded(upTo: bound + name.utf8CodeUnitCount + 3) { cursor in
            cursor.byte(UInt8(ascii: "\""))
            cursor.literal(name)
            cursor.byte(UInt8(ascii: "\""))
            cursor.byte(UInt8(ascii: ":"))
            write(&cursor)
        }
    }

    /// ``writeBounded(member:upTo:_:)`` for a piece that opens an object and writes its first
    /// members without closing it (`write` writes the `{` and at least one member): the members
    /// written after it get their commas as usual, and ``endObject()`` closes it.
    mutating func beginObjectBounded(member name: StaticString?, upTo bound: Int, _ write: (inout JSONRawCursor) -> Void) {
        writeBounded(member: name, upTo: bound, write)
        open()
        commaBits |= 1
    }

    /// Opens an object and writes its first members in one piece through a ``JSONRawCursor``
    /// (at most `bound` bytes; `write` writes at least one member, without the `{`): the members
    /// written after it get their commas as usual. (``beginObjectBounded(member:upTo:_:)`` with
    /// the `{` written first, spelled out: every envelope's head goes through here, and built on
    /// that function it cost 40 instructions more per record.)
    mutating func beginObject(writingFirstMembersUpTo bound: Int, _ write: (inout JSONRawCursor) -> Void) {
        let comma = needsCommaAndMark()
        throughCursor(upTo: bound + 2) { cursor in
            if comma { cursor.byte(UInt8(ascii: ",")) }
            cursor.byte(UInt8(ascii: "{"))
            write(&cursor)
        }
        open()
        commaBits |= 1
    }

    /// Writes `"key":` of an object member from the tape (escaped only when its flag says so).
    @inline(__always)
    private mutating func writeMemberKey(_ node: RecordNode, arena: UnsafeBufferPointer<UInt8>) {
        separate()
        let key = UnsafeBufferPointer(rebasing: arena[Int(node.key.offset)..<node.key.end])
        if node.flags.contains(.keyNeedsEscaping) { appendQuoted(utf8: key) } else { appendQuotedVerbatim(key) }
        bytes.append(UInt8(ascii: ":"))
        pendingValueAfterKey = true
    }

    /// Writes a scalar node from the tape: a number as written, a string escaped only when its
    /// flag says so. `node` must not be a container (its `value` is a child count, not a span).
    @inline(__always)
    private mutating func writeScalar(_ node: RecordNode, arena: UnsafeBufferPointer<UInt8>) {
        switch node.kind {
        case .null: null()
        case .true: bool(true)
        case .false: bool(false)
        case .number:
            separate()
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: arena[Int(node.value.offset)..<node.value.end]))
        case .string:
            separate()
            let text = UnsafeBufferPointer(rebasing: arena[Int(node.value.offset)..<node.value.end])
            if node.flags.contains(.valueNeedsEscaping) { appendQuoted(utf8: text) } else { appendQuotedVerbatim(text) }
        case .object, .array: preconditionFailure("not a scalar")
        }
    }

    /// Writes the values of nodes `first..<end` (a root and its subtree: a CSV row, a JSON or
    /// XML record, Magicline's debtor). In one piece when its size is bounded below
    /// ``boundedPieceLimit`` (the tape's flags say which texts may need escaping, at six bytes per
    /// byte): a scalar through a ``JSONRawCursor``, a container by ``TapeNodeWriter``; else value
    /// by value. As the member `"name":` when `name` is given.
    /// - Returns: where the value's bytes start in ``bytes`` when it was written in one piece.
    @discardableResult
    private mutating func writeNodes(from first: Int, to end: Int, arena: UnsafeBufferPointer<UInt8>,
                                     nodes: UnsafeBufferPointer<RecordNode>, member name: StaticString?) -> Int? {
        // A record (a CSV row, Magicline's debtor) is written first with no bound known, each
        // node checked to fit (``TapeNodeWriter/write(from:to:arena:nodes:into:room:)``), in
        // ``optimisticPiece`` bytes reserved: most records fit (else nothing is kept of the try,
        // the container's comma is due again, and the record is bounded first, as below).
        if nodes[first].kind.rawValue >= RecordNode.Kind.array.rawValue {
            let (pending, bits) = (pendingValueAfterKey, commaBits)
            let comma = needsCommaAndMark()
            let pieceStart = bytes.count
            var valueStart = -1
            bytes.appendInPlace(upTo: Self.optimisticPiece) { buffer in
                var cursor = JSONRawCursor(buffer)
                if let name {
                    cursor.memberName(name, afterComma: comma)
                } else if comma {
                    cursor.byte(UInt8(ascii: ","))
                }
                guard let written = TapeNodeWriter.write(from: first, to: end, arena: arena, nodes: nodes,
                                                         into: buffer.baseAddress.unsafelyUnwrapped + cursor.count,
                                                         room: buffer.count - cursor.count - TapeNodeWriter.optimisticTail) else { return 0 }
                valueStart = cursor.count
                return valueStart + written
            }
            if valueStart >= 0 { return pieceStart + valueStart }
            (pendingValueAfterKey, commaBits) = (pending, bits)
        }
        // The bound, in one pass without a branch per node: every key's and value's bytes (a
        // container's child count among them, a little too much), six bytes for each when one
        // text may need escaping, and nine per node for its quotes, colon, comma and a literal
        // (`false`) or brackets.
        var textBytes = 0
        var flags: RecordNode.Flags = []
        var containers = 0
        for index in first..<end {
            let node = nodes[index]
            textBytes += Int(node.key.length) + Int(node.value.length)
            flags.formUnion(node.flags)
            containers += node.kind.rawValue >= RecordNode.Kind.array.rawValue ? 1 : 0
        }
        let bound = 9 * (end - first) + (flags.isDisjoint(with: [.keyNeedsEscaping, .valueNeedsEscaping]) ? 1 : 6) * textBytes
        if bound <= Self.boundedPieceLimit {
            let pieceStart = bytes.count
            var valueStart = 0
            if containers == 0 {
                writeBounded(member: name, upTo: bound) { cursor in
                    valueStart = cursor.count
                    cursor.tapeScalar(nodes[first], arena: arena)
                }
                return pieceStart + valueStart
            }
            // A record (a CSV row, Magicline's debtor): through ``TapeNodeWriter``, straight into
            // the reserved bytes, its slack reserved after the bound.
            let comma = needsCommaAndMark()
            bytes.appendInPlace(upTo: bound + (name.map { $0.utf8CodeUnitCount + 4 } ?? 1) + TapeNodeWriter.slack) { buffer in
                var cursor = JSONRawCursor(buffer)
                if let name {
                    cursor.memberName(name, afterComma: comma)
                } else if comma {
                    cursor.byte(UInt8(ascii: ","))
                }
                valueStart = cursor.count
                return valueStart + TapeNodeWriter.write(from: first, to: end, containers: containers, arena: arena, nodes: nodes,
                                                         into: buffer.baseAddress.unsafelyUnwrapped + valueStart)
            }
            return pieceStart + valueStart
        }
        if let name { key(literal: name) }
        // Closing positions of the open containers, innermost last.
        var closes: [(end: Int, kind: RecordNode.Kind)] = []
        var index = first
        while index < end {
            while let last = closes.last, last.end == index {
                closes.removeLast()
                if last.kind == .object { endObject() } else { endArray() }
            }
            let node = nodes[index]
            if index != first, closes.last?.kind == .object { writeMemberKey(node, arena: arena) }
            switch node.kind {
            case .null, .true, .false, .number, .string: writeScalar(node, arena: arena)
            case .object:
                beginObject()
                closes.append((Int(node.end), .object))
            case .array:
                beginArray()
                closes.append((Int(node.end), .array))
            }
            index += 1
        }
        while let last = closes.popLast() {
            if last.kind == .object { endObject() } else { endArray() }
        }
        return nil
    }
}

/// Finds the bytes a JSON string must escape (`"`, `\`, controls below 0x20), eight at a time
/// (``ByteWord``).
public enum JSONEscapeScan {
    /// The index of the first byte of `utf8` that needs escaping, or `utf8.count` when none does.
    ///
    /// Every byte is looked at in a word: eight at a time, then the last bytes as the word that
    /// ends at the last byte (its bytes shared with the words before are known not to need
    /// escaping, so its first match is the text's); a text of four to seven bytes as two
    /// overlapping four-byte reads side by side; only one of one to three bytes byte by byte.
    static func firstByteToEscape(in utf8: UnsafeBufferPointer<UInt8>) -> Int {
        scan(utf8, copyingTo: nil)
    }

    /// Copies `utf8` to `target` while looking for the first byte that needs escaping, the way
    /// ``firstByteToEscape(in:)`` looks, and returns its index (`utf8.count` when none does).
    ///
    /// The bytes before the returned index are copied as they are; those from it on may be
    /// written too and are for the caller to overwrite. Nothing is written at or past
    /// `target + utf8.count`. One pass over the text instead of a scan and then a copy.
    @inline(__always)
    static func copyUntilEscape(_ utf8: UnsafeBufferPointer<UInt8>, to target: UnsafeMutableRawPointer) -> Int {
        scan(utf8, copyingTo: target)
    }

    /// The scan of ``firstByteToEscape(in:)``, writing each word it reads to `target` as well when
    /// there is one (``copyUntilEscape(_:to:)``). Always inlined, so each caller gets the form
    /// it asks for with no test of `target` left per word.
    @inline(__always)
    private static func scan(_ utf8: UnsafeBufferPointer<UInt8>, copyingTo target: UnsafeMutableRawPointer?) -> Int {
        let count = utf8.count
        guard let base = utf8.baseAddress else { return count }
        let raw = UnsafeRawPointer(base)
        if count >= 8 {
            var index = 0
            while index + 8 <= count {
                let word = ByteWord.load(raw, at: index)
                target?.storeBytes(of: word.littleEndian, toByteOffset: index, as: UInt64.self)
                let mask = escapeMask(word)
                if mask != 0 { return index + ByteWord.firstMarked(mask) }
                index += 8
            }
            guard index < count else { return count }
            // The word ending at the last byte: its bytes before `index` are known not to need
            // escaping (and are written again with the same values).
            let last = count - 8
            let word = ByteWord.load(raw, at: last)
            target?.storeBytes(of: word.littleEndian, toByteOffset: last, as: UInt64.self)
            let mask = escapeMask(word)
            return mask == 0 ? count : last + ByteWord.firstMarked(mask)
        }
        if count >= 4 {
            let head = raw.loadUnaligned(as: UInt32.self)
            let tail = raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
            target?.storeBytes(of: head, as: UInt32.self)
            target?.storeBytes(of: tail, toByteOffset: count - 4, as: UInt32.self)
            let mask = escapeMask(UInt64(UInt32(littleEndian: head)) | UInt64(UInt32(littleEndian: tail)) << 32)
            guard mask != 0 else { return count }
            let first = ByteWord.firstMarked(mask)
            // Bytes 4 ... 7 of the word are the text's last four.
            return first < 4 ? first : count - 8 + first
        }
        for index in 0..<count {
            let byte = base[index]
            if needsEscape(byte) { return index }
            target?.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
        }
        return count
    }

    /// Whether a JSON string must escape `byte`.
    @inlinable @inline(__always)
    public static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    /// The ``ByteWord`` mask of the bytes of `word` a JSON string must escape: below 0x20, `"`
    /// or `\` (bytes of 0x80 and above, UTF-8's multi-byte sequences, never are).
    @inlinable @inline(__always)
    public static func escapeMask(_ word: UInt64) -> UInt64 {
        ByteWord.bytes(equalTo: UInt8(ascii: "\""), in: word) | ByteWord.bytes(equalTo: UInt8(ascii: "\\"), in: word)
            | ByteWord.bytes(below: 0x20, in: word)
    }

    /// Whether one of the eight bytes of `word` must be escaped (``escapeMask(_:)``).
    @inlinable @inline(__always)
    public static func holdsByteToEscape(_ word: UInt64) -> Bool { escapeMask(word) != 0 }
}
