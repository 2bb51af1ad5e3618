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
        var key: String
        var source: Source?
        var constant: String?
    }

    /// The source keys the plan was built for.
    let sourceKeys: [String]
    let slots: [Slot]

    init(sourceKeys: [String], options: MapOptions) {
        self.sourceKeys = sourceKeys
        let folded = sourceKeys.map(FieldNameMatcher.fold)
        var used = Set<Int>()
        var slots: [Slot] = []
        // Explicit fields first, so automatic matching never takes a column the config named.
        var explicit: [String: Source] = [:]
        for key in DebtFieldKey.all {
            guard let sourceName = options.fields[key] else { continue }
            if let index = sourceKeys.firstIndex(of: sourceName) {
                explicit[key] = .index(index)
                used.insert(index)
            } else if let index = folded.firstIndex(of: FieldNameMatcher.fold(sourceName)) {
                explicit[key] = .index(index)
                used.insert(index)
            } else {
                explicit[key] = .path(sourceName)
            }
        }
        for key in DebtFieldKey.all {
            var slot = Slot(key: key, source: explicit[key], constant: options.constants[key])
            if slot.source == nil, options.fields[key] == nil, slot.constant == nil, options.automaticMatching {
                for index in sourceKeys.indices where !used.contains(index) {
                    if FieldNameMatcher.synonyms[folded[index]] == key {
                        slot.source = .index(index)
                        used.insert(index)
                        break
                    }
                }
            }
            if slot.source != nil || slot.constant != nil { slots.append(slot) }
        }
        self.slots = slots
    }

    /// Whether `record`'s keys are exactly the keys this plan was built for.
    func matches(_ record: RecordObject) -> Bool {
        guard record.entries.count == sourceKeys.count else { return false }
        var index = 0
        for entry in record.entries {
            if entry.key != sourceKeys[index] { return false }
            index += 1
        }
        return true
    }

    /// The source text of every mapped debt key of `record` (which must match this plan).
    func rawValues(of record: RecordObject) -> [String: String] {
        var raw: [String: String] = [:]
        raw.reserveCapacity(slots.count)
        for slot in slots {
            var text: String?
            switch slot.source {
            case .index(let index): text = record.entries[index].value.scalarText
            case .path(let path): text = record.value(atPath: path)?.scalarText
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
