import DebtflowCore

/// Where each debt key's value comes from, for one header set (one list of source keys).
///
/// Built once per distinct key list and reused for every record with the same keys, so the
/// per-record work is an index lookup per mapped key (DESIGN.md §3).
struct FieldMappingPlan: Sendable {
    /// Where one debt key's text is read.
    enum Source: Sendable, Equatable {
        /// The value at this position of the record's entries.
        case index(Int)
        /// A dotted path into nested objects, looked up per record.
        case path(String)
    }

    /// One debt key: its source (if any) and the constant used when the source gives nothing.
    struct Slot: Sendable, Equatable {
        var key: DebtKey
        var source: Source?
        var constant: String?
        /// Where ``constant`` is in the plan's ``side`` bytes.
        var constantSpan: ByteSpan?
    }

    /// The record's shape: its keys, and the keys of each nested object (see ``Signature``).
    let signature: Signature
    /// The slots read from a top-level member, by member position (ascending): one pass over a
    /// record's members fills them all. Each as the per-record pass needs it: the member's
    /// position, the slot's key and its constant's span, with nothing to retain (a ``Slot``
    /// copied per member retained its constant and source).
    private let memberKeys: [(member: Int, key: DebtKey, constantSpan: ByteSpan?)]
    /// Further columns automatic matching found for a key already read from a member
    /// (`téléphone`, then `portable`), in order: each gives its text only when the columns before
    /// it gave none. Empty for most plans, so the pass above is not slowed by them.
    private let fallbackKeys: [(member: Int, key: DebtKey, constantSpan: ByteSpan?)]
    /// The other slots (a path into nested objects, or a constant alone): a record's pass visits
    /// only these after its members (most plans have none), instead of every slot.
    /// `fallback`: a further nested name found for a key already read (`contact.mobile` after a
    /// blank `contact.telephone` or a blank top-level `téléphone`), read only when the key has no
    /// text yet.
    private let otherSlots: [(path: String?, key: DebtKey, constantSpan: ByteSpan?, fallback: Bool)]
    /// Where a record's `metadata` object is (CONTRACT.md §3: a debt key, an object): the
    /// `fields` entry `metadata`, else a top-level member named `metadata` holding an object in
    /// the sample. `nil`: the debts get none from the source.
    let metadataSource: Source?
    /// The texts a record's fields may take that are not on its tape: the constants, then `true`
    /// and `false` (a JSON boolean's text). Shared by every record the plan maps (one retain each).
    let side: [UInt8]
    private let trueSpan: ByteSpan
    private let falseSpan: ByteSpan

    /// Builds the plan for `sample`'s key list.
    ///
    /// Explicit `fields` come first. Then every other debt key is looked for among the top-level
    /// names whose value is text (a scalar, an XML element's `#text`, a list of those), and then
    /// among the names one level down in nested objects (`contact.mobile`, `adresse.ville`,
    /// XML attributes such as `adresse.@pays`), so JSON and XML records map without a config.
    /// - Parameters:
    ///   - sample: the first record with this key list; nested names are taken from it.
    ///   - signature: `sample`'s signature when the caller has made it already (the cache has).
    init(sample view: RecordView, options: MapOptions, signature: Signature? = nil) {
        self.signature = signature ?? Signature(of: view)
        // The members a mapping can take, in order: a wide header is millions of keys, and a
        // plan keeps none of the others (it once held every key three times, as Strings).
        let members = Self.candidateMembers(of: view, options: options)
        var used = Set<Int>()
        var sources: [DebtKey: Source] = [:]
        /// The first member named `name`, else the first whose folded name is `name`'s.
        func member(named name: String) -> Int? {
            if let exact = members.first(where: { $0.key == name }) { return exact.index }
            let folded = FieldNameMatcher.fold(name)
            return members.first(where: { $0.folded == folded })?.index
        }
        // Explicit fields first, so automatic matching never takes a column the config named.
        for key in DebtKey.ordered {
            guard let sourceName = options.fields[key.name] else { continue }
            if let index = member(named: sourceName) {
                sources[key] = .index(index)
                used.insert(index)
            } else {
                sources[key] = .path(Self.resolvedPath(sourceName, in: view))
            }
        }
        // Further columns automatic matching finds for a key already matched, in order: read when
        // the ones before are blank (a landline column left empty beside a mobile one).
        var alternates: [DebtKey: [Int]] = [:]
        // Further names one level down for a key already matched, in order.
        var nestedAlternates: [DebtKey: [String]] = [:]
        var metadataSource: Source?
        if let sourceName = options.fields[Self.metadataKey] {
            if let index = member(named: sourceName) {
                metadataSource = .index(index)
                used.insert(index)
            } else {
                metadataSource = .path(sourceName)
            }
        } else if options.automaticMatching,
                  let found = members.first(where: { $0.folded == Self.metadataKey }), !used.contains(found.index),
                  found.value.kind == .object {
            metadataSource = .index(found.index)
            used.insert(found.index)
        }
        self.metadataSource = metadataSource
        if options.automaticMatching {
            // Top-level names holding text.
            for member in members where !used.contains(member.index) && Self.holdsText(member.value) {
                guard let key = FieldNameMatcher.synonyms[member.folded], options.fields[key.name] == nil else { continue }
                // An id is the first id column's or none (then the record's position): another
                // column (a customer number) would give different debts one id.
                if case .index = sources[key], key != .internalID, key != .tempID {
                    alternates[key, default: []].append(member.index)
                } else if sources[key] == nil {
                    sources[key] = .index(member.index)
                } else {
                    continue
                }
                used.insert(member.index)
            }
            // One level down in nested objects.
            for member in members where member.isNested && !used.contains(member.index) {
                let parentKey = FieldNameMatcher.synonyms[member.folded]
                for child in member.value.children where Self.holdsText(child) {
                    let childName = child.key
                    let childFolded = FieldNameMatcher.fold(childName)
                    var key = FieldNameMatcher.synonyms[childFolded]
                    if parentKey == .streetAddress, FieldNameMatcher.streetNumberInAddress.contains(childFolded) {
                        key = .streetNumber
                    }
                    guard let key, options.fields[key.name] == nil else { continue }
                    let path = member.key + "." + childName
                    if sources[key] == nil {
                        sources[key] = .path(path)
                    } else if key != .internalID, key != .tempID {
                        // Read when the names before it gave nothing, as columns are (not for an id).
                        nestedAlternates[key, default: []].append(path)
                    }
                }
            }
            // The amount's own currency attribute (`<montant devise="CHF">12.50</montant>`:
            // `montant.@devise`), when nothing else gives the currency. Only the element the amount
            // is read from: another element's attributes (`<frais devise="USD">`, `<agence id="7">`)
            // say nothing about the debt. Nor when a second amount element may give the amount
            // instead (`<montant devise="CHF"> </montant><solde devise="EUR">13,50</solde>`): the
            // currency would be the blank one's.
            if sources[.currency] == nil, options.fields[DebtKey.currency.name] == nil, alternates[.amount] == nil,
               case .index(let amountIndex) = sources[.amount],
               let amount = members.first(where: { $0.index == amountIndex }), amount.value.kind == .object {
                for child in amount.value.children where Self.isAttributeName(child) {
                    guard FieldNameMatcher.synonyms[FieldNameMatcher.fold(child.key)] == .currency else { continue }
                    sources[.currency] = .path(amount.key + "." + child.key)
                    break
                }
            }
        }
        var slots: [Slot] = []
        var side: [UInt8] = []
        func appendSide(_ text: String) -> ByteSpan {
            let offset = side.count
            side.append(contentsOf: text.utf8)
            return ByteSpan(offset: UInt32(offset), length: UInt32(side.count - offset))
        }
        for key in DebtKey.ordered {
            let constant = options.constants[key.name]
            let slot = Slot(key: key, source: sources[key], constant: constant, constantSpan: constant.map(appendSide))
            if slot.source != nil || slot.constant != nil { slots.append(slot) }
        }
        self.trueSpan = appendSide("true")
        self.falseSpan = appendSide("false")
        self.side = side
        var memberKeys: [(member: Int, key: DebtKey, constantSpan: ByteSpan?)] = []
        var fallbackKeys: [(member: Int, key: DebtKey, constantSpan: ByteSpan?)] = []
        var otherSlots: [(path: String?, key: DebtKey, constantSpan: ByteSpan?, fallback: Bool)] = []
        for slot in slots {
            // The constant applies after the last name of the key (columns, then nested names),
            // when all were blank.
            let paths = nestedAlternates[slot.key] ?? []
            switch slot.source {
            case .index(let member):
                let others = alternates[slot.key] ?? []
                memberKeys.append((member, slot.key, others.isEmpty && paths.isEmpty ? slot.constantSpan : nil))
                for (position, column) in others.enumerated() {
                    fallbackKeys.append((column, slot.key, position == others.count - 1 && paths.isEmpty ? slot.constantSpan : nil))
                }
            case .path(let path): otherSlots.append((path, slot.key, paths.isEmpty ? slot.constantSpan : nil, false))
            case nil: otherSlots.append((nil, slot.key, slot.constantSpan, false))
            }
            for (position, path) in paths.enumerated() {
                otherSlots.append((path, slot.key, position == paths.count - 1 ? slot.constantSpan : nil, true))
            }
        }
        self.memberKeys = memberKeys.sorted { $0.member < $1.member }
        self.fallbackKeys = fallbackKeys
        self.otherSlots = otherSlots
    }

    /// A dotted `fields` path as `record` spells its names: its first two parts (a top-level name
    /// and one in the object under it, both part of the record's shape) each matched exactly,
    /// else by folded name, as a flat `fields` name is (`Contact.Mobile` for `contact.mobile`);
    /// the rest as written. `path` itself when a part is not found.
    static func resolvedPath(_ path: String, in record: RecordView) -> String {
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var current = record
        var names: [String] = []
        for part in parts.prefix(2) {
            guard current.kind == .object else { return path }
            let children = Array(current.children)
            if let exact = children.first(where: { $0.key == part }) {
                names.append(part)
                current = exact
                continue
            }
            let folded = FieldNameMatcher.fold(part)
            guard let match = children.first(where: { FieldNameMatcher.fold($0.key) == folded }) else { return path }
            names.append(match.key)
            current = match
        }
        return (names + parts.dropFirst(2)).joined(separator: ".")
    }

    /// The debt key that is an object, not a text: `metadata`.
    static let metadataKey = "metadata"

    /// The metadata of `record` when the plan knows where it is and it is an object there.
    func metadata(of record: RecordView) -> DebtMetadata? {
        guard let metadataSource else { return nil }
        switch metadataSource {
        case .index(let member):
            for (position, child) in record.children.enumerated() where position == member {
                return DebtMetadata(object: child)
            }
            return nil
        case .path(let path):
            return record.value(atPath: path).flatMap(DebtMetadata.init(object:))
        }
    }

    /// Whether a value can give a debt field's text: a scalar or null, an element with `#text`,
    /// or a list of those (the first non-blank is taken), in which an empty XML element with
    /// attributes only (`<telephone type="fixe"/>` before `<telephone type="mobile">06…`) is
    /// one without text.
    static func holdsText(_ value: RecordView) -> Bool {
        switch value.kind {
        case .null, .true, .false, .number, .string: return true
        case .object: return value["#text"] != nil
        case .array:
            return value.children.allSatisfy { element in
                element.kind != .array && (holdsText(element) || isAttributesOnlyElement(element))
            }
        }
    }

    /// Whether `value` is an XML element that holds attributes only (`{"@type":"fixe"}`): no
    /// text, no child element.
    static func isAttributesOnlyElement(_ value: RecordView) -> Bool {
        value.kind == .object && value.children.allSatisfy(isAttribute)
    }

    /// Whether `value` is an XML attribute of its element (`@devise`): text under a name that
    /// starts with `@`.
    static func isAttribute(_ value: RecordView) -> Bool {
        value.kind == .string && isAttributeName(value)
    }

    /// Whether `value`'s name is an attribute's (starts with `@`), whatever the value. (A plan
    /// chooses by names only, which the record's shape holds: a JSON `"@devise": null` in one
    /// record and `"CHF"` in the next must map alike.)
    static func isAttributeName(_ value: RecordView) -> Bool {
        value.withKeyBytes { $0.first == UInt8(ascii: "@") }
    }

    /// What a plan reads of a value beyond its name, as the record's shape (``Signature``) marks
    /// it: `nil` for text (a scalar, `null`, a list of those); else whether it is an element with
    /// `#text`, or holds no text at all (a list holding lists or objects; an object one level
    /// down). A plan takes a member by this (``holdsText(_:)``, `metadata` an object), so two
    /// records whose values differ so must not share a plan: built from whichever of them came
    /// first, it would map them as the first one, and which came first depends on how the chunks
    /// fell between the transform tasks.
    static func valueMark(_ value: RecordView) -> UInt32? {
        switch value.kind {
        case .null, .true, .false, .number, .string: return nil
        case .object: return value["#text"] != nil ? Signature.textObjectMark : Signature.textlessMark
        case .array: return holdsText(value) ? nil : Signature.textlessMark
        }
    }

    /// A top-level member a plan may take: its position, name, folded name and value, and whether
    /// it is a nested object (``isNestedObject(_:)``).
    struct CandidateMember {
        var index: Int
        var key: String
        var folded: String
        var value: RecordView
        var isNested: Bool
    }

    /// Whether a member is a nested object whose names are part of the record's shape: an object
    /// that is not an XML element's text (`#text`), which counts as a value.
    @inline(__always)
    static func isNestedObject(_ value: RecordView) -> Bool {
        value.kind == .object && value["#text"] == nil
    }

    /// The members of `record` a plan may take, in order: those whose name (as it is, or folded)
    /// is a `fields` source, a synonym of a debt key or `metadata`, and the nested objects (whose
    /// children may be). The other members, most of a wide header, are passed over.
    static func candidateMembers(of record: RecordView, options: MapOptions) -> [CandidateMember] {
        let fieldSources = Set(options.fields.values)
        let foldedFieldSources = Set(options.fields.values.map(FieldNameMatcher.fold))
        var members: [CandidateMember] = []
        for (index, member) in record.children.enumerated() {
            let key = member.key
            let folded = FieldNameMatcher.fold(key)
            let nested = isNestedObject(member)
            guard nested || folded == metadataKey || FieldNameMatcher.synonyms[folded] != nil
                    || fieldSources.contains(key) || foldedFieldSources.contains(folded) else { continue }
            members.append(CandidateMember(index: index, key: key, folded: folded, value: member, isNested: nested))
        }
        return members
    }

    /// The value that gives a debt field's text: a scalar itself, an element's `#text`, or the first non-blank one of a list's. `nil` for
    /// `null` and for a value with no text.
    static func textSpan(of value: RecordView) -> RecordView? {
        switch value.kind {
        case .string, .number, .true, .false: return value
        case .null: return nil
        case .object:
            guard let text = value["#text"] else { return nil }
            switch text.kind {
            case .string, .number, .true, .false: return text
            case .null, .array, .object: return nil
            }
        case .array:
            for element in value.children {
                if let text = textSpan(of: element), !TextScan.isBlank(text) { return text }
            }
            return nil
        }
    }

    /// Whether `record` has exactly the shape this plan was built for (no allocation).
    func matches(_ record: RecordView) -> Bool {
        signature.matches(record)
    }

    /// Writes the source text of every mapped debt key of `record` (which must match this plan)
    /// into `raw` where it lies: empty fields over `record`'s tape and this plan's ``side`` bytes
    /// (``DebtflowCore/DebtCandidate/reset(provenance:data:rawSide:metadata:tempID:phoneRegion:)``).
    func fillRawValues(of record: RecordView, into raw: inout DebtRawFields) {
        precondition(raw.isEmpty, "the fields to fill are not empty")
        // Members read by position: one pass over the record's members.
        var next = 0
        if !memberKeys.isEmpty {
            if record.isFlat {
                // Member `i` is node `root + 1 + i` (a record of the same signature may still hold
                // a list where the sample held a scalar, so this is checked per record).
                let tape = record.tape
                tape.nodes.withUnsafeBufferPointer { nodes in
                    tape.bytes.withUnsafeBufferPointer { arena in
                        for target in memberKeys {
                            take(nodes[record.index + 1 + target.member], arena: arena, into: &raw,
                                 key: target.key, constantSpan: target.constantSpan)
                        }
                        for target in fallbackKeys where !raw.has(target.key) {
                            take(nodes[record.index + 1 + target.member], arena: arena, into: &raw,
                                 key: target.key, constantSpan: target.constantSpan)
                        }
                    }
                }
            } else {
                var position = 0
                for member in record.children {
                    while next < memberKeys.count && memberKeys[next].member == position {
                        take(member, into: &raw, key: memberKeys[next].key, constantSpan: memberKeys[next].constantSpan)
                        next += 1
                    }
                    if next == memberKeys.count { break }
                    position += 1
                }
                for target in fallbackKeys where !raw.has(target.key) {
                    for (position, member) in record.children.enumerated() where position == target.member {
                        take(member, into: &raw, key: target.key, constantSpan: target.constantSpan)
                        break
                    }
                }
            }
        }
        for other in otherSlots where !(other.fallback && raw.has(other.key)) {
            take(other.path.flatMap { record.value(atPath: $0) }, into: &raw, key: other.key, constantSpan: other.constantSpan)
        }
    }

    /// ``take(_:into:key:constantSpan:)`` for a member that takes one node, read from the node table.
    @inline(__always)
    private func take(_ node: RecordNode, arena: UnsafeBufferPointer<UInt8>, into raw: inout DebtRawFields,
                      key: DebtKey, constantSpan: ByteSpan?) {
        switch node.kind {
        case .number:
            return raw.set(key, number: node.value, text: UnsafeBufferPointer(rebasing: arena[Int(node.value.offset)..<node.value.end]))
        case .string:
            // An empty text (a CSV row's empty cells) is blank without a call to the blank scan.
            if node.value.length != 0, !TextScan.isBlank(UnsafeBufferPointer(rebasing: arena[Int(node.value.offset)..<node.value.end])) {
                raw.set(key, tapeSpan: node.value, needsEscaping: node.flags.contains(.valueNeedsEscaping))
                return
            }
        case .true: return raw.set(key, sideSpan: trueSpan)
        case .false: return raw.set(key, sideSpan: falseSpan)
        case .null, .object, .array: break   // no text (an empty container has no `#text`)
        }
        if let constantSpan { raw.set(key, sideSpan: constantSpan) }
    }

    /// Points `key`'s field at `value`'s text when it gives a non-blank one, else at its
    /// constant (at `constantSpan` of ``side``), if any.
    @inline(__always)
    private func take(_ value: RecordView?, into raw: inout DebtRawFields, key: DebtKey, constantSpan: ByteSpan?) {
        if let value, let text = Self.textSpan(of: value), !TextScan.isBlank(text) {
            switch text.kind {
            case .true: raw.set(key, sideSpan: trueSpan)
            case .false: raw.set(key, sideSpan: falseSpan)
            case .number: text.withTextBytes { raw.set(key, number: text.node.value, text: $0) }
            default: raw.set(key, tapeSpan: text.node.value, needsEscaping: text.node.flags.contains(.valueNeedsEscaping))
            }
        } else if let constantSpan {
            raw.set(key, sideSpan: constantSpan)
        }
    }
}

extension FieldMappingPlan {
    /// A record's shape, as bytes: its member names in order, and each nested object's names in
    /// order between marks (nested names are part of the "header": records with the same
    /// signature map the same way). An XML element with `#text` counts as a value, not an object.
    ///
    /// Stored length-prefixed (4 bytes of length, then the name; a mark is a length that no name
    /// has), so it hashes as the plan cache's key and a record is compared with it in place,
    /// without making a `String`.
    struct Signature: Hashable, Sendable {
        private(set) var bytes: [UInt8] = []
        private static let openMark: UInt32 = .max
        private static let closeMark: UInt32 = .max - 1
        /// After a name whose value is an element with `#text` (``FieldMappingPlan/valueMark(_:)``).
        static let textObjectMark: UInt32 = .max - 2
        /// After a name whose value holds no text (a list of lists or objects, or an object one level down).
        static let textlessMark: UInt32 = .max - 3

        init(of record: RecordView) {
            // Sized first, so a wide record's names are not held with up to as much again spare.
            var size = 0
            Self.walk(record) { entry in
                if case .key(let key) = entry { size += key.count }
                size += 4
                return true
            }
            bytes.reserveCapacity(size)
            Self.walk(record) { entry in
                switch entry {
                case .key(let key):
                    append(length: UInt32(truncatingIfNeeded: key.count))
                    bytes.append(contentsOf: key)
                case .open: append(length: Self.openMark)
                case .close: append(length: Self.closeMark)
                case .value(let mark): append(length: mark)
                }
                return true
            }
        }

        private mutating func append(length: UInt32) {
            withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
        }

        /// Whether `record`'s shape is this one: compared entry by entry, stopping at the first
        /// difference.
        func matches(_ record: RecordView) -> Bool {
            bytes.withUnsafeBufferPointer { stored in
                var position = 0
                func takeLength() -> UInt32? {
                    guard position + 4 <= stored.count else { return nil }
                    let length = UInt32(stored[position]) | UInt32(stored[position + 1]) << 8
                        | UInt32(stored[position + 2]) << 16 | UInt32(stored[position + 3]) << 24
                    position += 4
                    return length
                }
                let complete = Self.walk(record) { entry in
                    guard let length = takeLength() else { return false }
                    switch entry {
                    case .key(let key):
                        guard Int(length) == key.count, length < Self.textlessMark,
                              key.sameBytes(as: UnsafeBufferPointer(rebasing: stored[position..<position + key.count])) else { return false }
                        position += key.count
                        return true
                    case .open: return length == Self.openMark
                    case .close: return length == Self.closeMark
                    case .value(let mark): return length == mark
                    }
                }
                return complete && position == stored.count
            }
        }

        enum Entry {
            case key(UnsafeBufferPointer<UInt8>)
            case open, close
            /// What the value under the name before is, when it is not plain text.
            case value(UInt32)
        }

        /// Calls `body` with each entry of `record`'s shape, in order, until it returns `false`;
        /// returns whether every entry was taken.
        @discardableResult
        static func walk(_ record: RecordView, _ body: (Entry) -> Bool) -> Bool {
            for member in record.children {
                guard member.withKeyBytes({ body(.key($0)) }) else { return false }
                guard FieldMappingPlan.isNestedObject(member) else {
                    guard let mark = FieldMappingPlan.valueMark(member) else { continue }
                    guard body(.value(mark)) else { return false }
                    // An element with text: its attributes' names are part of the shape, since a
                    // plan may take one (`montant.@devise`).
                    if mark == textObjectMark {
                        guard body(.open) else { return false }
                        for child in member.children {
                            guard child.withKeyBytes({ body(.key($0)) }) else { return false }
                        }
                        guard body(.close) else { return false }
                    }
                    continue
                }
                guard body(.open) else { return false }
                for child in member.children {
                    guard child.withKeyBytes({ body(.key($0)) }) else { return false }
                    if let mark = FieldMappingPlan.valueMark(child), !body(.value(mark)) { return false }
                }
                guard body(.close) else { return false }
            }
            return true
        }
    }

    /// Whether two records have the same shape: at once for two records of one tape that their
    /// reader gave the same ``DebtflowCore/RecordNode/shapeMark`` (rows of one CSV chunk with the
    /// header's fields); else looking at key spans first (rows of one CSV chunk point at the same
    /// header key spans, so they compare without reading a byte).
    static func sameShape(_ a: RecordView, _ b: RecordView) -> Bool {
        let sameTape = a.tape === b.tape
        if sameTape {
            let mark = a.node.shapeMark
            if mark != 0 && mark == b.node.shapeMark { return true }
            // Two flat records of one tape: the same count of members, each with the same key.
            // (The node table is opened once, and both roots read from it.)
            let tape = a.tape
            let flat: Bool? = tape.nodes.withUnsafeBufferPointer { nodes in
                let leftRoot = nodes[a.index]
                let rightRoot = nodes[b.index]
                let count = leftRoot.childCount
                // ``DebtflowCore/RecordView/isFlat`` of both, read on the opened table (through
                // the views, each read the tape's node array again).
                guard (leftRoot.kind == .object || leftRoot.kind == .array) && Int(leftRoot.end) == a.index + 1 + count,
                      (rightRoot.kind == .object || rightRoot.kind == .array)
                        && Int(rightRoot.end) == b.index + 1 + rightRoot.childCount else { return nil }
                guard rightRoot.childCount == count else { return false }
                var left = nodes.baseAddress.unsafelyUnwrapped + a.index + 1
                var right = nodes.baseAddress.unsafelyUnwrapped + b.index + 1
                for _ in 0..<count {
                    // An empty object counts as a nested object (no names) in the signature.
                    guard (left.pointee.kind == .object) == (right.pointee.kind == .object) else { return false }
                    if left.pointee.key != right.pointee.key && !tape.bytes(left.pointee.key, equal: right.pointee.key) {
                        return false
                    }
                    left += 1
                    right += 1
                }
                return true
            }
            if let flat { return flat }
        }
        var left = a.children.makeIterator()
        var right = b.children.makeIterator()
        while true {
            let l = left.next()
            let r = right.next()
            guard let l, let r else { return l == nil && r == nil }
            guard sameKey(l, r, sameTape: sameTape) else { return false }
            let lNested = isNestedObject(l)
            let rNested = isNestedObject(r)
            guard lNested == rNested else { return false }
            let lMark = lNested ? nil : valueMark(l)
            guard lNested || lMark == valueMark(r) else { return false }
            // A nested object's names, and an element's with text (its attributes), are part of
            // the shape (``Signature/walk(_:_:)``).
            if lNested || lMark == Signature.textObjectMark {
                var lc = l.children.makeIterator()
                var rc = r.children.makeIterator()
                while true {
                    let lChild = lc.next()
                    let rChild = rc.next()
                    guard let lChild, let rChild else {
                        if lChild == nil && rChild == nil { break }
                        return false
                    }
                    guard sameKey(lChild, rChild, sameTape: sameTape), valueMark(lChild) == valueMark(rChild) else { return false }
                }
            }
        }
    }

    @inline(__always)
    private static func sameKey(_ a: RecordView, _ b: RecordView, sameTape: Bool) -> Bool {
        let left = a.node.key
        let right = b.node.key
        if sameTape && left == right { return true }
        guard left.length == right.length else { return false }
        return a.withKeyBytes { l in b.withKeyBytes { r in l.sameBytes(as: r) } }
    }
}

/// The mapping's text checks, which are the core's ``DebtflowCore/TextTrimming`` ASCII rules.
enum TextScan {
    /// Whether `text` is empty or only ASCII spaces, tabs, CR/LF and no-break spaces.
    static func isBlank(_ text: String) -> Bool { TextTrimming.isBlank(text) }

    /// ``isBlank(_:)-(String)`` of a scalar's text on a tape.
    static func isBlank(_ text: RecordView) -> Bool {
        if text.kind == .true || text.kind == .false { return false }
        return text.withTextBytes { TextTrimming.isBlank($0) }
    }

    /// ``isBlank(_:)-(String)`` of UTF-8 bytes.
    static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { TextTrimming.isBlank(bytes) }

    /// `text` without leading and trailing ASCII whitespace (no copy when there is none).
    static func trimmed(_ text: String) -> String { TextTrimming.asciiTrimmed(text) }
}
