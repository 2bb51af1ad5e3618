import DebtflowCore

/// Reading helpers for the Sportalliance debtor shape as it arrives from the API's JSON, a JSON
/// export, or an XML export (where a list of one element may be a single object, a list may be
/// wrapped in an element per item, and every scalar is a string).
///
/// A shape reads one record's ``RecordTape`` in place for the length of a ``reading(_:_:)``
/// call: values are node indexes, names and texts are compared as bytes in the arena, and
/// nothing is retained or allocated per value looked at (a ``RecordView`` per value would retain
/// the tape each time). A `String` is made only for a text the debt keeps (``text(_:)``).
struct MagiclineShape {
    /// The tape read (spans handed to ``DebtRawFields`` point into it).
    let tape: RecordTape
    private let nodes: UnsafeBufferPointer<RecordNode>
    private let arena: UnsafeBufferPointer<UInt8>
    /// What ``lookUp(_:_:)`` learned of this tape's member names, when the shape reads many
    /// records of it (a chunk's debtors); `nil` for one record.
    private let memo: MemberNameMemo?

    /// Calls `body` with a shape reading `tape`; the shape must not escape `body`.
    /// - Parameter manyRecords: the shape reads many records of the tape (a chunk's rows): the
    ///   names ``lookUp(_:_:)`` compares are remembered by their spans (``MemberNameMemo``).
    static func reading<R>(_ tape: RecordTape, manyRecords: Bool = false, _ body: (MagiclineShape) throws -> R) rethrows -> R {
        try tape.nodes.withUnsafeBufferPointer { nodes in
            try tape.bytes.withUnsafeBufferPointer { arena in
                try body(MagiclineShape(tape: tape, nodes: nodes, arena: arena, memo: manyRecords ? MemberNameMemo() : nil))
            }
        }
    }

    func kind(_ index: Int) -> RecordNode.Kind { nodes[index].kind }

    /// A view of the value at `index` (for what leaves the mapping: `data`, `metadata`).
    func view(_ index: Int) -> RecordView { RecordView(tape: tape, index: index) }

    /// The children of the object or array at `index`, in order (each subtree stepped over).
    func children(_ index: Int) -> Children {
        let node = nodes[index]
        let isContainer = node.kind == .object || node.kind == .array
        return Children(nodes: nodes, position: index + 1, end: isContainer ? Int(node.end) : index + 1)
    }

    struct Children: Sequence, IteratorProtocol {
        let nodes: UnsafeBufferPointer<RecordNode>
        var position: Int
        let end: Int

        mutating func next() -> Int? {
            guard position < end else { return nil }
            let current = position
            position = Int(nodes[current].end)
            return current
        }
    }

    // MARK: - Members

    /// The member `name` of the object at `object`, or its attribute `@name` (XML); the first of
    /// each, and the member before the attribute. `nil` when `object` is not an object.
    func value(_ object: Int?, _ name: StaticString) -> Int? {
        guard let object else { return nil }
        let node = nodes[object]
        guard node.kind == .object else { return nil }
        // One loop over the members, stepping over each one's subtree: a name of the wanted
        // length is compared a word at a time; one a byte longer may be the attribute.
        let count = name.utf8CodeUnitCount
        let wanted = UnsafeRawPointer(name.utf8Start)
        let end = Int(node.end)
        var position = object + 1
        var attribute: Int?
        while position < end {
            let child = nodes[position]
            let length = Int(child.key.length)
            if length == count {
                if ByteWord.equal(UnsafeRawPointer(arena.baseAddress! + Int(child.key.offset)), wanted, count: count) { return position }
            } else if length == count + 1, attribute == nil, isAttribute(child.key, named: wanted, count: count) {
                attribute = position
            }
            position = Int(child.end)
        }
        return attribute
    }

    /// Whether the member name `key` is `@` and then the `count` bytes at `wanted` (an XML attribute).
    private func isAttribute(_ key: ByteSpan, named wanted: UnsafeRawPointer, count: Int) -> Bool {
        let bytes = arena.baseAddress! + Int(key.offset)
        return bytes[0] == UInt8(ascii: "@") && ByteWord.equal(UnsafeRawPointer(bytes + 1), wanted, count: count)
    }

    /// The first member of `object` named exactly `name` (no attribute), as ``RecordView``'s
    /// subscript.
    func member(_ object: Int, _ name: StaticString) -> Int? {
        guard nodes[object].kind == .object else { return nil }
        let wanted = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        for index in children(object) {
            let key = nodes[index].key
            if Int(key.length) == wanted.count, Self.equal(UnsafeBufferPointer(rebasing: arena[Int(key.offset)..<key.end]), wanted) {
                return index
            }
        }
        return nil
    }

    /// The value nodes of a debt's members the Magicline preset reads, each as
    /// ``value(_:_:)`` finds it (the first member so named, else the first attribute `@name`),
    /// `-1` for none: all found in one walk over the debt's members, each name compared only
    /// with the names of its length (five lookups of their own walked the debt five times).
    struct DebtValues {
        var debtId = -1, debtDate = -1, currency = -1, designation = -1, block = -1
    }

    /// ``DebtValues`` of the object at `object` (none for a value that is not an object).
    func debtValues(_ object: Int) -> DebtValues {
        var members = DebtValues()
        var attributes = DebtValues()
        let node = nodes[object]
        guard node.kind == .object else { return members }
        let end = Int(node.end)
        let base = UnsafeRawPointer(arena.baseAddress.unsafelyUnwrapped)
        var position = object &+ 1
        @inline(__always) func note(_ found: inout Int, _ position: Int) { if found < 0 { found = position } }
        @inline(__always) func named(_ key: UnsafeRawPointer, _ name: StaticString) -> Bool {
            ByteWord.equal(key, UnsafeRawPointer(name.utf8Start), count: name.utf8CodeUnitCount)
        }
        while position < end {
            let child = nodes[position]
            let key = base + Int(child.key.offset)
            switch child.key.length {
            case 5: if named(key, "block") { note(&members.block, position) }
            case 6:
                if named(key, "debtId") { note(&members.debtId, position) } else if named(key, "@block") { note(&attributes.block, position) }
            case 7: if named(key, "@debtId") { note(&attributes.debtId, position) }
            case 8:
                if named(key, "debtDate") { note(&members.debtDate, position) } else if named(key, "currency") { note(&members.currency, position) }
            case 9:
                if named(key, "@debtDate") { note(&attributes.debtDate, position) }
                else if named(key, "@currency") { note(&attributes.currency, position) }
            case 11: if named(key, "designation") { note(&members.designation, position) }
            case 12: if named(key, "@designation") { note(&attributes.designation, position) }
            default: break
            }
            position = Int(child.end)
        }
        // A member before an attribute of the same name (``value(_:_:)``).
        if members.debtId < 0 { members.debtId = attributes.debtId }
        if members.debtDate < 0 { members.debtDate = attributes.debtDate }
        if members.currency < 0 { members.currency = attributes.currency }
        if members.designation < 0 { members.designation = attributes.designation }
        if members.block < 0 { members.block = attributes.block }
        return members
    }

    /// The nodes of a collection case's members the Magicline preset reads, `-1` for none:
    /// `collectionCaseId`, `openAmount` and `block` as ``value(_:_:)`` finds each (a member
    /// before an attribute `@name`, the first of each), `debt` and `debts` as ``member(_:_:)``
    /// does (the first member so named). All found in one walk over the case's members.
    struct CaseValues {
        var collectionCaseId = -1, openAmount = -1, block = -1, debt = -1, debts = -1
    }

    /// ``CaseValues`` of the object at `object` (none for a value that is not an object).
    func caseValues(_ object: Int) -> CaseValues {
        var members = CaseValues()
        var attributes = CaseValues()
        let node = nodes[object]
        guard node.kind == .object else { return members }
        let end = Int(node.end)
        let base = UnsafeRawPointer(arena.baseAddress.unsafelyUnwrapped)
        var position = object &+ 1
        @inline(__always) func note(_ found: inout Int, _ position: Int) { if found < 0 { found = position } }
        @inline(__always) func named(_ key: UnsafeRawPointer, _ name: StaticString) -> Bool {
            ByteWord.equal(key, UnsafeRawPointer(name.utf8Start), count: name.utf8CodeUnitCount)
        }
        while position < end {
            let child = nodes[position]
            let key = base + Int(child.key.offset)
            switch child.key.length {
            case 4: if named(key, "debt") { note(&members.debt, position) }
            case 5:
                if named(key, "block") { note(&members.block, position) } else if named(key, "debts") { note(&members.debts, position) }
            case 6: if named(key, "@block") { note(&attributes.block, position) }
            case 10: if named(key, "openAmount") { note(&members.openAmount, position) }
            case 11: if named(key, "@openAmount") { note(&attributes.openAmount, position) }
            case 16: if named(key, "collectionCaseId") { note(&members.collectionCaseId, position) }
            case 17: if named(key, "@collectionCaseId") { note(&attributes.collectionCaseId, position) }
            default: break
            }
            position = Int(child.end)
        }
        // A member before an attribute of the same name (``value(_:_:)``); `debt` and `debts`
        // as members only (``member(_:_:)``).
        if members.collectionCaseId < 0 { members.collectionCaseId = attributes.collectionCaseId }
        if members.openAmount < 0 { members.openAmount = attributes.openAmount }
        if members.block < 0 { members.block = attributes.block }
        return members
    }

    /// The nodes of a contact's `type`, `value` and `status`, each as ``value(_:_:)`` finds it (a
    /// member before an attribute `@name`, the first of each), `-1` for none: found in one walk
    /// over the contact's members.
    struct ContactValues {
        var type = -1, value = -1, status = -1
    }

    /// ``ContactValues`` of the object at `object` (none for a value that is not an object).
    func contactValues(_ object: Int) -> ContactValues {
        var members = ContactValues()
        var attributes = ContactValues()
        let node = nodes[object]
        guard node.kind == .object else { return members }
        let end = Int(node.end)
        let base = UnsafeRawPointer(arena.baseAddress.unsafelyUnwrapped)
        var position = object &+ 1
        @inline(__always) func note(_ found: inout Int, _ position: Int) { if found < 0 { found = position } }
        @inline(__always) func named(_ key: UnsafeRawPointer, _ name: StaticString) -> Bool {
            ByteWord.equal(key, UnsafeRawPointer(name.utf8Start), count: name.utf8CodeUnitCount)
        }
        while position < end {
            let child = nodes[position]
            let key = base + Int(child.key.offset)
            switch child.key.length {
            case 4: if named(key, "type") { note(&members.type, position) }
            case 5:
                if named(key, "value") { note(&members.value, position) } else if named(key, "@type") { note(&attributes.type, position) }
            case 6:
                if named(key, "status") { note(&members.status, position) } else if named(key, "@value") { note(&attributes.value, position) }
            case 7: if named(key, "@status") { note(&attributes.status, position) }
            default: break
            }
            position = Int(child.end)
        }
        // A member before an attribute of the same name (``value(_:_:)``).
        if members.type < 0 { members.type = attributes.type }
        if members.value < 0 { members.value = attributes.value }
        if members.status < 0 { members.status = attributes.status }
        return members
    }

    /// ``value(_:_:)`` and ``member(_:_:)`` for each of `names`' names in one object, found in
    /// one pass over its members (a lookup of its own went over them again for each name: a
    /// debtor's dozen lookups looked at some 130 members). A member's name is compared only with
    /// the names of its length (``MemberNames``).
    ///
    /// With a ``MemberNameMemo`` (a shape reading a chunk's debtors), a member name's span is
    /// looked up there first: the debtors of a chunk share the spans of the names they repeat
    /// (the JSON reader's key table), so a name is compared byte by byte about once per chunk.
    /// The memo is for one list of names: only ``MagiclineDebtorMapping``'s debtor members are
    /// looked up this way.
    func lookUp(_ object: Int, _ names: MemberNames) -> FoundMembers {
        var found = FoundMembers()
        let node = nodes[object]
        guard node.kind == .object else { return found }
        let end = Int(node.end)
        var position = object + 1
        // The names found so far, as members and as attributes (bit `i`: `names.names[i]`).
        var foundMembers: UInt64 = 0
        var foundAttributes: UInt64 = 0
        while position < end {
            let child = nodes[position]
            let which: Int
            if let memo {
                if let known = memo.answer(for: child.key) {
                    which = known
                } else {
                    which = nameIndex(of: child.key, among: names)
                    memo.note(which, for: child.key)
                }
            } else {
                which = nameIndex(of: child.key, among: names)
            }
            if which >= 0 {
                if which < FoundMembers.capacity {
                    if foundMembers & (1 &<< which) == 0 {
                        found.members[which] = position
                        foundMembers |= 1 &<< which
                    }
                } else {
                    let index = which &- FoundMembers.capacity
                    if foundAttributes & (1 &<< index) == 0 {
                        found.attributes[index] = position
                        foundAttributes |= 1 &<< index
                    }
                }
            }
            position = Int(child.end)
        }
        return found
    }

    /// Which of `names` the member name `key` is: `i` for `names.names[i]`, the capacity of
    /// ``FoundMembers`` plus `i` for its attribute `@name`, `-1` for none. A name is compared
    /// only with the names of its length.
    private func nameIndex(of key: ByteSpan, among names: MemberNames) -> Int {
        let length = Int(key.length)
        guard length < MemberNames.longest else { return -1 }
        let bytes = UnsafeRawPointer(arena.baseAddress.unsafelyUnwrapped + Int(key.offset))
        var candidates = names.ofLength[length]
        while candidates != 0 {
            let index = candidates.trailingZeroBitCount
            candidates &= candidates &- 1
            if ByteWord.equal(bytes, UnsafeRawPointer(names.names[index].utf8Start), count: length) { return index }
        }
        candidates = names.ofLength[length &- 1 & (MemberNames.longest &- 1)]
        if length > 1, candidates != 0, bytes.load(as: UInt8.self) == UInt8(ascii: "@") {
            while candidates != 0 {
                let index = candidates.trailingZeroBitCount
                candidates &= candidates &- 1
                if ByteWord.equal(bytes + 1, UnsafeRawPointer(names.names[index].utf8Start), count: length &- 1) {
                    return FoundMembers.capacity &+ index
                }
            }
        }
        return -1
    }

    /// Names looked up together in one object (``lookUp(_:_:)``): at most 16, each shorter than
    /// ``longest`` bytes, ASCII.
    struct MemberNames: Sendable {
        /// Keys this long or longer are none of the names.
        static let longest = 64
        let names: [StaticString]
        /// For each length below ``longest``, the names of that length (bit `i`: `names[i]`).
        let ofLength: [UInt64]

        init(_ names: [StaticString]) {
            precondition(names.count <= FoundMembers.capacity, "MemberNames: more than \(FoundMembers.capacity) names")
            var ofLength = [UInt64](repeating: 0, count: Self.longest)
            for (index, name) in names.enumerated() {
                precondition(name.utf8CodeUnitCount > 0 && name.utf8CodeUnitCount < Self.longest, "MemberNames: \(name) too long")
                ofLength[name.utf8CodeUnitCount] |= 1 << index
            }
            self.names = names
            self.ofLength = ofLength
        }
    }

    /// What ``lookUp(_:_:)`` found for each name, by its position among the names.
    struct FoundMembers {
        static let capacity = 16
        /// The first member named so, `-1` for none.
        fileprivate(set) var members = InlineArray<16, Int>(repeating: -1)
        /// The first attribute `@name`, `-1` for none.
        fileprivate(set) var attributes = InlineArray<16, Int>(repeating: -1)

        /// `value(object, names[index])`: the member, else the attribute. (Inlined: a call of its
        /// own, about 14 a debtor, cost more than its two loads.)
        @inline(__always)
        func value(_ index: Int) -> Int? {
            let member = members[index]
            if member >= 0 { return member }
            let attribute = attributes[index]
            return attribute >= 0 ? attribute : nil
        }

        /// `member(object, names[index])`: the member named exactly so.
        func member(_ index: Int) -> Int? {
            let member = members[index]
            return member >= 0 ? member : nil
        }
    }

    /// `value` when it is a non-empty object (what ``object(_:_:)`` gives for it), else `nil`.
    func nonEmptyObject(_ value: Int?) -> Int? {
        guard let value, nodes[value].kind == .object, hasContent(value) else { return nil }
        return value
    }

    /// The object `name` of `object` when it is a non-empty object, else `nil`.
    func object(_ object: Int, _ name: StaticString) -> Int? {
        guard let inner = value(object, name), nodes[inner].kind == .object, hasContent(inner) else { return nil }
        return inner
    }

    /// Writes the value at `index` as it was read (a number stays a number), as the member
    /// `"name":` when `name` is given: a scalar straight from the tape
    /// (``JSONByteWriter/scalar(_:arena:member:)``), a container through its view.
    func write(_ index: Int, member name: StaticString?, to writer: inout JSONByteWriter) {
        switch nodes[index].kind {
        case .null, .true, .false, .number, .string:
            writer.scalar(nodes[index], arena: arena, member: name)
        case .object, .array:
            if let name { writer.key(literal: name) }
            writer.value(view(index))
        }
    }

    /// ``DebtflowCore/DebtMetadata/init(scalarsOn:_:_:list:)`` of this tape's values, written in
    /// one piece: the members `first` and `second` when they have a value, then, with a `list`,
    /// the member `list.name` holding the `debtId` of each of `list.debts` that has one with
    /// content (``hasContent(_:)``). Written over `reused` when it is given (a metadata whose
    /// outcome is written already: its buffer is kept, ``DebtflowCore/DebtMetadata/rewrite(scalarsOn:_:_:list:)``).
    /// `nil` when one of those values is a container: the caller writes those through
    /// ``write(_:member:to:)``.
    func scalarMetadata(_ first: (name: StaticString, value: Int?), _ second: (name: StaticString, value: Int?),
                        list: (name: StaticString, debts: UnsafeBufferPointer<DebtValues>)?,
                        reusing reused: consuming DebtMetadata?) -> DebtMetadata? {
        let firstMember = first.value.map { (name: first.name, node: nodes[$0]) }
        let secondMember = second.value.map { (name: second.name, node: nodes[$0]) }
        func written(_ elements: (name: StaticString, elements: UnsafeBufferPointer<RecordNode>)?) -> DebtMetadata? {
            guard var metadata = reused.take() else {
                return DebtMetadata(scalarsOn: arena, firstMember, secondMember, list: elements)
            }
            return metadata.rewrite(scalarsOn: arena, firstMember, secondMember, list: elements) ? metadata : nil
        }
        guard let list else { return written(nil) }
        // The items' values, gathered in temporary memory (no array per case).
        return withUnsafeTemporaryAllocation(of: RecordNode.self, capacity: max(1, list.debts.count)) { buffer in
            var count = 0
            for debt in list.debts where debt.debtId >= 0 && hasContent(debt.debtId) {
                (buffer.baseAddress.unsafelyUnwrapped + count).initialize(to: nodes[debt.debtId])
                count += 1
            }
            return written((list.name, UnsafeBufferPointer(rebasing: buffer[..<count])))
        }
    }

    // MARK: - Texts

    /// The scalar a text is read from: the value itself, or an object's `#text`. (Inlined, about
    /// twenty a debtor: the value itself costs a load and a comparison; an XML element's text is
    /// looked up out of line.)
    @inline(__always)
    private func scalar(_ index: Int) -> Int? {
        switch nodes[index].kind {
        case .string, .number, .true, .false: return index
        case .null, .array: return nil
        case .object: return elementText(index)
        }
    }

    /// ``scalar(_:)`` of an object: its `#text` member when that is a scalar.
    @inline(never)
    private func elementText(_ object: Int) -> Int? {
        guard let inner = member(object, "#text") else { return nil }
        switch nodes[inner].kind {
        case .string, .number, .true, .false: return inner
        case .null, .array, .object: return nil
        }
    }

    /// The bytes of a scalar's text (a string's or a number's; empty for the others).
    private func textBytes(_ scalar: Int) -> UnsafeBufferPointer<UInt8> {
        let span = nodes[scalar].value
        return UnsafeBufferPointer(rebasing: arena[Int(span.offset)..<span.end])
    }

    /// The trimmed, non-empty text of `name` in `object`, else `nil`.
    func text(_ object: Int, _ name: StaticString) -> String? {
        value(object, name).flatMap(text)
    }

    /// The trimmed, non-empty text of a scalar (or of an XML element's `#text`), else `nil`.
    func text(_ value: Int) -> String? {
        guard let scalar = scalar(value) else { return nil }
        switch nodes[scalar].kind {
        case .true: return "true"
        case .false: return "false"
        default:
            let bytes = textBytes(scalar)
            let trimmed = Self.trimmedRange(bytes)
            return trimmed.isEmpty ? nil : String(decoding: UnsafeBufferPointer(rebasing: bytes[trimmed]), as: UTF8.self)
        }
    }

    /// Whether a scalar (or `#text`) has a non-empty trimmed text (``text(_:)`` is not `nil`),
    /// without making a `String`.
    func hasText(_ value: Int) -> Bool {
        guard let scalar = scalar(value) else { return false }
        switch nodes[scalar].kind {
        case .true, .false: return true
        default: return !Self.trimmedRange(textBytes(scalar)).isEmpty
        }
    }

    /// The value of `name` in `object` when it has a text (``hasText(_:)``).
    func valueWithText(_ object: Int, _ name: StaticString) -> Int? {
        guard let found = value(object, name), hasText(found) else { return nil }
        return found
    }

    /// Sets `key` of `raw` to the trimmed, non-empty text of `value` (as ``text(_:)`` reads it)
    /// without making a `String`: a span of the tape (`raw` is built on it); a `true` / `false`
    /// literal, which has no text on the tape, is copied. Nothing when there is no such text.
    /// - Returns: whether `key` was set.
    @discardableResult
    func setText(_ key: DebtRawKey, of value: Int?, in raw: inout DebtRawFields) -> Bool {
        guard let value, let scalar = scalar(value) else { return false }
        switch nodes[scalar].kind {
        case .true: raw[key] = "true"
        case .false: raw[key] = "false"
        case .number: raw.set(key, number: nodes[scalar].value, text: textBytes(scalar))
        default:
            let trimmed = Self.trimmedRange(textBytes(scalar))
            guard !trimmed.isEmpty else { return false }
            // (Wrapping and truncating: the trimmed text lies inside the scalar's span, whose
            // offset and end are 32-bit already; each checked step was a branch to a trap.)
            raw.set(key, tapeSpan: ByteSpan(offset: nodes[scalar].value.offset &+ UInt32(truncatingIfNeeded: trimmed.lowerBound),
                                            length: UInt32(truncatingIfNeeded: trimmed.count)),
                    needsEscaping: nodes[scalar].flags.contains(.valueNeedsEscaping))
        }
        return true
    }

    /// Sets `tempID` to the trimmed, non-empty text of `value` (as ``text(_:)`` reads it)
    /// without making a `String`: its span of the tape; a `true` / `false` literal, which has no
    /// text on the tape, is copied. `false`, and `tempID` left as it is, when there is no such text.
    func setTempID(of value: Int?, in tempID: inout TempIDText) -> Bool {
        guard let value, let scalar = scalar(value) else { return false }
        switch nodes[scalar].kind {
        case .true: tempID.set("true")
        case .false: tempID.set("false")
        default:
            let trimmed = Self.trimmedRange(textBytes(scalar))
            guard !trimmed.isEmpty else { return false }
            tempID.set(tape: tape, span: ByteSpan(offset: nodes[scalar].value.offset &+ UInt32(truncatingIfNeeded: trimmed.lowerBound),
                                                  length: UInt32(truncatingIfNeeded: trimmed.count)),
                       verbatim: !nodes[scalar].flags.contains(.valueNeedsEscaping))
        }
        return true
    }

    /// A case's id, read once for its three uses: sets `raw`'s `internal_id` and `temp_id` as
    /// ``setText(_:of:in:)`` sets each, and `tempID` as ``setTempID(of:in:)`` does, with the
    /// scalar found and its text trimmed once (not three times). `false`, and nothing set, when
    /// there is no such text.
    func setCaseID(of value: Int?, in raw: inout DebtRawFields, tempID: inout TempIDText) -> Bool {
        guard let value, let scalar = scalar(value) else { return false }
        switch nodes[scalar].kind {
        case .string:
            let trimmed = Self.trimmedRange(textBytes(scalar))
            guard !trimmed.isEmpty else { return false }
            let span = ByteSpan(offset: nodes[scalar].value.offset &+ UInt32(truncatingIfNeeded: trimmed.lowerBound),
                                length: UInt32(truncatingIfNeeded: trimmed.count))
            let needsEscaping = nodes[scalar].flags.contains(.valueNeedsEscaping)
            raw.set(.internalID, tapeSpan: span, needsEscaping: needsEscaping)
            raw.set(.tempID, tapeSpan: span, needsEscaping: needsEscaping)
            tempID.set(tape: tape, span: span, verbatim: !needsEscaping)
            return true
        default:
            // A number or a literal (rare as an id): each set as it is alone.
            guard setTempID(of: value, in: &tempID) else { return false }
            setText(.internalID, of: value, in: &raw)
            setText(.tempID, of: value, in: &raw)
            return true
        }
    }

    /// ``setText(_:of:in:)`` for the member (or attribute) `name` of `object`.
    @discardableResult
    func setText(_ key: DebtRawKey, _ object: Int, _ name: StaticString, in raw: inout DebtRawFields) -> Bool {
        setText(key, of: value(object, name), in: &raw)
    }

    /// Appends the trimmed text of a scalar (or `#text`), as ``text(_:)`` reads it, to `bytes`
    /// without making a `String`. Nothing when it has none.
    func appendText(of value: Int, to bytes: inout [UInt8]) {
        guard let scalar = scalar(value) else { return }
        switch nodes[scalar].kind {
        case .true: bytes.append(contentsOf: "true".utf8)
        case .false: bytes.append(contentsOf: "false".utf8)
        default:
            let text = textBytes(scalar)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[Self.trimmedRange(text)]))
        }
    }

    /// Whether the text of `name` in `object`, uppercased, is `expected`: as
    /// `text(object, name)?.uppercased() == expected`, compared in place for ASCII text.
    func text(_ object: Int, _ name: StaticString, uppercasedIs expected: StaticString) -> Bool {
        guard let value = value(object, name) else { return false }
        return text(value, uppercasedIs: expected)
    }

    /// Whether a scalar's (or `#text`'s) trimmed text, uppercased, is the constant `expected`
    /// (ASCII): as `text(value)?.uppercased() == expected`, compared as bytes with no `String`
    /// made for ASCII text.
    func text(_ value: Int, uppercasedIs expected: StaticString) -> Bool {
        guard let text = asciiTrimmedText(value) else {
            // Unicode case mapping (`ı` uppercases to `I`), and `true`/`false`: the String path decides.
            return self.text(value)?.uppercased() == expected.description
        }
        return expected.withUTF8Buffer { Self.asciiUppercased(text, is: $0) }
    }

    /// Whether a scalar's (or `#text`'s) trimmed text, uppercased, is `expected`.
    func text(_ value: Int, uppercasedIsString expected: String) -> Bool {
        guard let text = asciiTrimmedText(value) else {
            // Unicode case mapping (`ı` uppercases to `I`), and `true`/`false`: the String path decides.
            return self.text(value)?.uppercased() == expected
        }
        var expected = expected
        return expected.withUTF8 { Self.asciiUppercased(text, is: $0) }
    }

    /// The trimmed text of a string or number (or `#text`) that is ASCII, in place (empty when
    /// blank); `nil` for a non-ASCII one, a literal or none (what only the `String` path reads
    /// as ``text(_:)`` does).
    private func asciiTrimmedText(_ value: Int) -> UnsafeBufferPointer<UInt8>? {
        guard let scalar = scalar(value), nodes[scalar].kind == .string || nodes[scalar].kind == .number,
              !nodes[scalar].flags.contains(.valueIsNonASCII) else { return nil }
        let bytes = textBytes(scalar)
        return UnsafeBufferPointer(rebasing: bytes[Self.trimmedRange(bytes)])
    }

    /// The trimmed text of a string (or `#text`) when it is ASCII with no `a`–`z`: a text that
    /// reads the same uppercased (`text(value)?.uppercased() == text(value)`), in place. `nil`
    /// for any other value, blank, non-ASCII or not a string.
    func uppercaseASCIIText(_ value: Int) -> UnsafeBufferPointer<UInt8>? {
        guard let scalar = scalar(value), nodes[scalar].kind == .string, !nodes[scalar].flags.contains(.valueIsNonASCII) else {
            return nil
        }
        let bytes = textBytes(scalar)
        let trimmed = Self.trimmedRange(bytes)
        guard !trimmed.isEmpty else { return nil }
        let text = UnsafeBufferPointer(rebasing: bytes[trimmed])
        for byte in text where byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { return nil }
        return text
    }

    /// Whether a string's or number's (or `#text`'s) trimmed ASCII text, uppercased, is the ASCII
    /// bytes `expected`: as `text(value)?.uppercased() == String(decoding: expected, as: UTF8.self)`
    /// for such a value; `false` for any other (non-ASCII, a literal, none).
    func text(_ value: Int, uppercasedIsASCII expected: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let scalar = scalar(value), nodes[scalar].kind == .string || nodes[scalar].kind == .number,
              !nodes[scalar].flags.contains(.valueIsNonASCII) else { return false }
        let bytes = textBytes(scalar)
        let trimmed = Self.trimmedRange(bytes)
        guard trimmed.count == expected.count else { return false }
        for index in 0..<expected.count {
            var byte = bytes[trimmed.lowerBound + index]
            if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { byte -= 0x20 }
            guard byte == expected[index] else { return false }
        }
        return true
    }

    /// Whether ASCII `bytes`, non-empty and uppercased (`a`–`z` only), are the bytes `wanted`
    /// (uppercase ASCII). Compared as words first: the sources write their types and statuses
    /// in capitals (`TEL_PRIVATE_MOBILE`), which then match with no byte uppercased.
    private static func asciiUppercased(_ bytes: UnsafeBufferPointer<UInt8>, is wanted: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count == wanted.count else { return false }
        if ByteWord.equal(UnsafeRawPointer(bytes.baseAddress.unsafelyUnwrapped), UnsafeRawPointer(wanted.baseAddress.unsafelyUnwrapped),
                          count: bytes.count) {
            return true
        }
        for index in 0..<bytes.count {
            var byte = bytes[index]
            if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { byte -= 0x20 }
            guard byte == wanted[index] else { return false }
        }
        return true
    }

    /// The position in `candidates` (ASCII constants) of the first that a scalar's (or
    /// `#text`'s) trimmed text, uppercased, is: as `candidates.firstIndex { text(value,
    /// uppercasedIs: $0) }`, with the text found and trimmed once for all of them (and only a
    /// candidate of its length compared byte by byte).
    func text(_ value: Int, uppercasedIsOneOf candidates: [StaticString]) -> Int? {
        guard let text = asciiTrimmedText(value) else {
            // Unicode case mapping, and `true`/`false`: the String path decides.
            guard let uppercased = self.text(value)?.uppercased() else { return nil }
            return candidates.firstIndex { $0.description == uppercased }
        }
        return candidates.firstIndex { $0.withUTF8Buffer { Self.asciiUppercased(text, is: $0) } }
    }

    /// The span on the tape of the `YYYY-MM-DD` a scalar's trimmed text starts with (a date-time
    /// is cut to its day, as `ISODay.prefix(of:)`), else `nil`.
    func isoDaySpan(_ value: Int) -> ByteSpan? {
        guard let scalar = scalar(value), nodes[scalar].kind == .string || nodes[scalar].kind == .number else { return nil }
        let text = textBytes(scalar)
        let trimmed = Self.trimmedRange(text)
        guard trimmed.count >= 10 else { return nil }
        // The ten bytes as an eight-byte and a two-byte word: the dashes (bytes 4 and 7) compared
        // at once, the digits checked together (a byte is a digit when its xor with `0` and that
        // plus 6 are both below 16; no carry crosses bytes but from a byte that fails already).
        let raw = UnsafeRawPointer(text.baseAddress.unsafelyUnwrapped + trimmed.lowerBound)
        let head = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
        let tail = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        let dashes: UInt64 = 0xFF << 32 | 0xFF << 56
        guard head & dashes == 0x2D << 32 | 0x2D << 56 else { return nil }
        let digits = (head ^ 0x3030_3030_3030_3030) & ~dashes
        let tailDigits = tail ^ 0x3030
        guard (digits | (digits &+ 0x0606_0606_0606_0606)) & 0xF0F0_F0F0_F0F0_F0F0 == 0,
              (tailDigits | (tailDigits &+ 0x0606)) & 0xF0F0 == 0 else { return nil }
        return ByteSpan(offset: nodes[scalar].value.offset + UInt32(trimmed.lowerBound), length: 10)
    }

    /// A two-letter region code read from a scalar's text in place (`RegionCode.parse(utf8:)`):
    /// as `text(value).flatMap(RegionCode.parse)`.
    func regionCode(_ value: Int?) -> String? {
        guard let value, let scalar = scalar(value), nodes[scalar].kind == .string || nodes[scalar].kind == .number else {
            return nil
        }
        return RegionCode.parse(utf8: textBytes(scalar))
    }

    /// Whether the day `a` comes before the day `b`, both spans of ``isoDaySpan(_:)`` (ten bytes
    /// each): their bytes in byte order (as `String`'s `<` for ASCII), compared as an eight-byte
    /// and a two-byte big-endian word (byte by byte, `lexicographicallyPrecedes` cost about 90
    /// instructions a compare).
    func day(_ a: ByteSpan, precedes b: ByteSpan) -> Bool {
        precondition(a.length == 10 && b.length == 10, "MagiclineShape: not a day's span")
        let base = UnsafeRawPointer(arena.baseAddress.unsafelyUnwrapped)
        let headA = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: Int(a.offset), as: UInt64.self))
        let headB = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: Int(b.offset), as: UInt64.self))
        if headA != headB { return headA < headB }
        let tailA = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: Int(a.offset) + 8, as: UInt16.self))
        let tailB = UInt16(bigEndian: base.loadUnaligned(fromByteOffset: Int(b.offset) + 8, as: UInt16.self))
        return tailA < tailB
    }

    // MARK: - Lists

    /// The items of a list field, whatever its shape: an array; a single object (an XML list of
    /// one); or a wrapper element holding the items under one name
    /// (`<collectionCases><collectionCase>…</collectionCase></collectionCases>`).
    /// - Parameters:
    ///   - marker: a key every item has (`collectionCaseId`), to tell an item from a wrapper;
    ///   - alternative: another key that marks an item when `marker` is missing (`openAmount`).
    func items(_ value: Int?, marker: StaticString, or alternative: StaticString? = nil) -> Items {
        guard let value else { return Items(nodes: nodes, gathered: []) }
        // An array whose every element is an item (the API's lists, a JSON export's): its
        // children, with no list made.
        if nodes[value].kind == .array {
            var count = 0
            var allItems = true
            for element in children(value) {
                guard nodes[element].kind == .object, isItem(element, marker: marker, alternative: alternative) else {
                    allItems = false
                    break
                }
                count += 1
            }
            if allItems { return Items(nodes: nodes, childrenOf: value, count: count) }
        }
        var found: [Int] = []
        // An array's items are (usually) its children: one allocation, not one per doubling.
        found.reserveCapacity(max(1, nodes[value].kind == .array ? nodes[value].childCount : 1))
        collectItems(value, marker: marker, alternative: alternative, into: &found)
        return Items(nodes: nodes, gathered: found)
    }

    /// The items of a list field (``items(_:marker:or:)``), in order: an array's children when
    /// they are all items (no list made), else the items gathered from the list's shape.
    struct Items: Sequence {
        private let nodes: UnsafeBufferPointer<RecordNode>
        /// The array whose children are the items, or `-1`.
        private let array: Int
        private let gathered: [Int]
        /// How many items there are.
        let count: Int

        fileprivate init(nodes: UnsafeBufferPointer<RecordNode>, childrenOf array: Int, count: Int) {
            self.nodes = nodes
            self.array = array
            self.gathered = []
            self.count = count
        }

        fileprivate init(nodes: UnsafeBufferPointer<RecordNode>, gathered: [Int]) {
            self.nodes = nodes
            self.array = -1
            self.gathered = gathered
            self.count = gathered.count
        }

        var isEmpty: Bool { count == 0 }

        func makeIterator() -> Iterator {
            guard array >= 0 else { return Iterator(nodes: nodes, position: 0, end: 0, gathered: gathered.makeIterator()) }
            return Iterator(nodes: nodes, position: array + 1, end: Int(nodes[array].end), gathered: nil)
        }

        struct Iterator: IteratorProtocol {
            fileprivate let nodes: UnsafeBufferPointer<RecordNode>
            fileprivate var position: Int
            fileprivate let end: Int
            fileprivate var gathered: IndexingIterator<[Int]>?

            mutating func next() -> Int? {
                if gathered != nil { return gathered!.next() }
                guard position < end else { return nil }
                let current = position
                position = Int(nodes[current].end)
                return current
            }
        }
    }

    private func collectItems(_ value: Int, marker: StaticString, alternative: StaticString?, into found: inout [Int]) {
        switch nodes[value].kind {
        case .array:
            for element in children(value) where nodes[element].kind == .object {
                if isItem(element, marker: marker, alternative: alternative) {
                    found.append(element)
                } else {
                    collectItems(element, marker: marker, alternative: alternative, into: &found)
                }
            }
        case .object:
            if isItem(value, marker: marker, alternative: alternative) {
                found.append(value)
                return
            }
            var hasContainer = false
            for child in children(value) where nodes[child].kind == .array || nodes[child].kind == .object {
                hasContainer = true
                collectItems(child, marker: marker, alternative: alternative, into: &found)
            }
            if !hasContainer && hasContent(value) { found.append(value) }
        case .null, .true, .false, .number, .string:
            return
        }
    }

    private func isItem(_ object: Int, marker: StaticString, alternative: StaticString?) -> Bool {
        value(object, marker) != nil || alternative.map { value(object, $0) != nil } == true
    }

    /// Whether a value holds anything: a non-blank scalar, or a container with such a scalar inside.
    func hasContent(_ value: Int) -> Bool {
        switch nodes[value].kind {
        case .null: return false
        case .true, .false, .number: return true
        case .string: return !TextTrimming.isBlank(textBytes(value))
        case .array, .object: return children(value).contains(where: hasContent)
        }
    }

    /// ``TextTrimming/asciiTrimmedRange(_:)`` of a text, with no call for one that starts and
    /// ends with a byte above the space (no ASCII white space to take off): nearly every text
    /// the preset reads (about 40 a debtor, some 20 instructions each in the call).
    @inline(__always)
    private static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        if let first = bytes.first, let last = bytes.last, first > 0x20, last > 0x20 { return 0..<bytes.count }
        return TextTrimming.asciiTrimmedRange(bytes)
    }

    /// Whether two runs of bytes are the same (compared a word at a time: ``ByteWord/equal(_:_:count:)``).
    @inline(__always)
    private static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard let left = a.baseAddress, let right = b.baseAddress else { return true }
        return ByteWord.equal(left, right, count: a.count)
    }
}

/// What ``MagiclineShape/lookUp(_:_:)`` found a member name of one tape to be (which of its
/// names, or none), by the name's span: a span of a tape's arena always holds the same bytes, so
/// the answer holds for every member with that span. A chunk's debtors share the spans of the
/// names they repeat (the JSON reader's key table), so each is compared byte by byte about once
/// per chunk; a name stored once per record (unshared) is simply compared each time.
///
/// Direct-mapped on the span: a slot keeps the last span noted there. Its memory is its own
/// (two fixed tables, allocated once per chunk): read and written with no exclusivity or bounds
/// check per member.
final class MemberNameMemo {
    /// How many spans it keeps at most (a power of two).
    static let slots = 256
    /// Each slot's span, as `offset << 32 | length`; `UInt64.max` when empty.
    private let spans: UnsafeMutablePointer<UInt64>
    /// Each slot's answer (as ``MagiclineShape/lookUp(_:_:)``'s `nameIndex` gives it).
    private let answers: UnsafeMutablePointer<Int>

    init() {
        spans = .allocate(capacity: Self.slots)
        spans.initialize(repeating: .max, count: Self.slots)
        answers = .allocate(capacity: Self.slots)
        answers.initialize(repeating: -1, count: Self.slots)
    }

    deinit {
        spans.deallocate()
        answers.deallocate()
    }

    /// The slot of `span` (its offset's bits mixed, its length added).
    @inline(__always)
    private static func slot(_ span: ByteSpan) -> Int {
        Int(truncatingIfNeeded: (span.offset &* 0x9E37_79B1 &+ span.length) >> 24) & (slots &- 1)
    }

    @inline(__always)
    private static func word(_ span: ByteSpan) -> UInt64 { UInt64(span.offset) << 32 | UInt64(span.length) }

    /// The answer noted for `span`, if it is still kept.
    @inline(__always)
    func answer(for span: ByteSpan) -> Int? {
        let slot = Self.slot(span)
        return spans[slot] == Self.word(span) ? answers[slot] : nil
    }

    /// Notes `answer` for `span` (replacing what its slot kept).
    @inline(__always)
    func note(_ answer: Int, for span: ByteSpan) {
        let slot = Self.slot(span)
        spans[slot] = Self.word(span)
        answers[slot] = answer
    }
}
