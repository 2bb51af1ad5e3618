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
    }

    /// The source keys the plan was built for.
    let sourceKeys: [String]
    /// The record's shape: its keys, and the keys of each nested object (see ``signature(of:)``).
    let signature: [String]
    let slots: [Slot]

    /// Builds the plan for `sample`'s key list.
    ///
    /// Explicit `fields` come first. Then every other debt key is looked for among the top-level
    /// names whose value is text (a scalar, an XML element's `#text`, a list of those), and then
    /// among the names one level down in nested objects (`contact.mobile`, `adresse.ville`,
    /// XML attributes such as `adresse.@pays`), so JSON and XML records map without a config.
    /// - Parameter sample: the first record with this key list; nested names are taken from it.
    init(sample: RecordObject, options: MapOptions) {
        let sourceKeys = sample.entries.map(\.key)
        self.sourceKeys = sourceKeys
        self.signature = Self.signature(of: sample)
        let folded = sourceKeys.map(FieldNameMatcher.fold)
        var used = Set<Int>()
        var sources: [DebtKey: Source] = [:]
        // Explicit fields first, so automatic matching never takes a column the config named.
        for key in DebtKey.ordered {
            guard let sourceName = options.fields[key.name] else { continue }
            if let index = sourceKeys.firstIndex(of: sourceName) {
                sources[key] = .index(index)
                used.insert(index)
            } else if let index = folded.firstIndex(of: FieldNameMatcher.fold(sourceName)) {
                sources[key] = .index(index)
                used.insert(index)
            } else {
                sources[key] = .path(sourceName)
            }
        }
        if options.automaticMatching {
            // Top-level names holding text.
            for index in sourceKeys.indices where !used.contains(index) && Self.holdsText(sample.entries[index].value) {
                guard let key = FieldNameMatcher.synonyms[folded[index]], sources[key] == nil,
                      options.fields[key.name] == nil else { continue }
                sources[key] = .index(index)
                used.insert(index)
            }
            // One level down in nested objects.
            for index in sourceKeys.indices where !used.contains(index) {
                guard case .object(let nested) = sample.entries[index].value, nested["#text"] == nil else { continue }
                let parentKey = FieldNameMatcher.synonyms[folded[index]]
                for child in nested.entries where Self.holdsText(child.value) {
                    let childFolded = FieldNameMatcher.fold(child.key)
                    var key = FieldNameMatcher.synonyms[childFolded]
                    if parentKey == .streetAddress, FieldNameMatcher.streetNumberInAddress.contains(childFolded) {
                        key = .streetNumber
                    }
                    guard let key, sources[key] == nil, options.fields[key.name] == nil else { continue }
                    sources[key] = .path(sourceKeys[index] + "." + child.key)
                }
            }
        }
        var slots: [Slot] = []
        for key in DebtKey.ordered {
            let slot = Slot(key: key, source: sources[key], constant: options.constants[key.name])
            if slot.source != nil || slot.constant != nil { slots.append(slot) }
        }
        self.slots = slots
    }

    /// Whether a value can give a debt field's text: a scalar or null, an element with `#text`,
    /// or a list of those (the first is taken).
    static func holdsText(_ value: RecordValue) -> Bool {
        switch value {
        case .null, .bool, .number, .string: return true
        case .object(let object): return object["#text"] != nil
        case .array(let elements): return elements.allSatisfy { element in
            if case .array = element { return false }
            return holdsText(element)
        }
        }
    }

    /// The text of a value: a scalar's, an element's `#text`, or the first of a list's.
    static func text(of value: RecordValue) -> String? {
        switch value {
        case .string(let text): return text
        case .number(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return nil
        case .object(let object): return object["#text"]?.scalarText
        case .array(let elements):
            for element in elements {
                if let text = text(of: element), !TextScan.isBlank(text) { return text }
            }
            return nil
        }
    }

    /// Marks the start and the end of a nested object's keys in a ``signature``.
    private static let openMark = "\u{1}"
    private static let closeMark = "\u{2}"

    /// A record's shape: its keys in order, each nested object's keys in order between marks.
    /// Records with the same signature map the same way (nested names are part of the "header").
    static func signature(of record: RecordObject) -> [String] {
        var signature: [String] = []
        signature.reserveCapacity(record.entries.count)
        for entry in record.entries {
            signature.append(entry.key)
            if case .object(let nested) = entry.value, nested["#text"] == nil {
                signature.append(openMark)
                for child in nested.entries { signature.append(child.key) }
                signature.append(closeMark)
            }
        }
        return signature
    }

    /// Whether `record` has exactly the shape this plan was built for (no allocation).
    func matches(_ record: RecordObject) -> Bool {
        var position = 0
        let count = signature.count
        for entry in record.entries {
            guard position < count, signature[position] == entry.key else { return false }
            position += 1
            if case .object(let nested) = entry.value, nested["#text"] == nil {
                guard position < count, signature[position] == Self.openMark else { return false }
                position += 1
                for child in nested.entries {
                    guard position < count, signature[position] == child.key else { return false }
                    position += 1
                }
                guard position < count, signature[position] == Self.closeMark else { return false }
                position += 1
            }
        }
        return position == count
    }

    /// The source text of every mapped debt key of `record` (which must match this plan).
    func rawValues(of record: RecordObject) -> DebtRawFields {
        var raw = DebtRawFields()
        for slot in slots {
            var text: String?
            switch slot.source {
            case .index(let index): text = Self.text(of: record.entries[index].value)
            case .path(let path): text = record.value(atPath: path).flatMap(Self.text(of:))
            case nil: text = nil
            }
            if let value = text, !TextScan.isBlank(value) {
                raw[slot.key] = value
            } else if let constant = slot.constant {
                raw[slot.key] = constant
            }
        }
        return raw
    }
}

/// Small byte-level text checks for the per-record path.
enum TextScan {
    /// Whether `text` is empty or only ASCII spaces, tabs, CR/LF and no-break spaces.
    static func isBlank(_ text: String) -> Bool {
        var utf8 = text.utf8.makeIterator()
        var pendingNBSP = false
        while let byte = utf8.next() {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case 0xC2 where !pendingNBSP: pendingNBSP = true
            case 0xA0 where pendingNBSP: pendingNBSP = false
            default: return false
            }
        }
        return !pendingNBSP
    }

    /// `text` without leading and trailing ASCII whitespace (no copy when there is none).
    static func trimmed(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first, let last = utf8.last else { return text }
        if !isSpace(first) && !isSpace(last) { return text }
        var start = utf8.startIndex
        var end = utf8.endIndex
        while start < end, isSpace(utf8[start]) { start = utf8.index(after: start) }
        while end > start, isSpace(utf8[utf8.index(before: end)]) { end = utf8.index(before: end) }
        return String(text[start..<end])
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
}
