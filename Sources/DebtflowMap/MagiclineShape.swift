import DebtflowCore

/// Reading helpers for the Sportalliance debtor shape as it arrives from the API's JSON, a JSON
/// export, or an XML export (where a list of one element may be a single object, a list may be
/// wrapped in an element per item, and every scalar is a string).
enum MagiclineShape {
    /// The value of `name` in `object`, or of the attribute `@name` (XML).
    static func value(_ object: RecordObject, _ name: String) -> RecordValue? {
        if let value = object[name] { return value }
        return object["@" + name]
    }

    /// The trimmed, non-empty text of `name` in `object`, else `nil`.
    static func text(_ object: RecordObject, _ name: String) -> String? {
        guard let value = value(object, name) else { return nil }
        return text(value)
    }

    /// The trimmed, non-empty text of a scalar (or of an XML element's `#text`), else `nil`.
    static func text(_ value: RecordValue) -> String? {
        var scalar = value.scalarText
        if scalar == nil, let object = value.objectValue, let inner = object["#text"] { scalar = inner.scalarText }
        guard let scalar else { return nil }
        let trimmed = TextScan.trimmed(scalar)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// The object of `name` in `object` when it is a non-empty object, else `nil`.
    static func object(_ object: RecordObject, _ name: String) -> RecordObject? {
        guard let inner = value(object, name)?.objectValue, hasContent(.object(inner)) else { return nil }
        return inner
    }

    /// The items of a list field, whatever its shape: an array; a single object (an XML list of
    /// one); or a wrapper element holding the items under one name
    /// (`<collectionCases><collectionCase>…</collectionCase></collectionCases>`).
    /// - Parameter marker: a key every item has (`collectionCaseId`), to tell an item from a wrapper.
    static func items(_ value: RecordValue?, marker: String) -> [RecordObject] {
        guard let value else { return [] }
        switch value {
        case .array(let elements):
            return elements.flatMap { element -> [RecordObject] in
                guard case .object(let object) = element else { return [] }
                return isItem(object, marker: marker) ? [object] : items(element, marker: marker)
            }
        case .object(let object):
            if isItem(object, marker: marker) { return [object] }
            let containers = object.entries.filter {
                if case .array = $0.value { return true }
                if case .object = $0.value { return true }
                return false
            }
            guard !containers.isEmpty else { return hasContent(value) ? [object] : [] }
            return containers.flatMap { items($0.value, marker: marker) }
        case .null, .bool, .number, .string:
            return []
        }
    }

    private static func isItem(_ object: RecordObject, marker: String) -> Bool {
        value(object, marker) != nil
    }

    /// Whether a value holds anything: a non-blank scalar, or a container with such a scalar inside.
    static func hasContent(_ value: RecordValue) -> Bool {
        switch value {
        case .null: return false
        case .bool, .number: return true
        case .string(let text): return !TextScan.isBlank(text)
        case .array(let elements): return elements.contains(where: hasContent)
        case .object(let object): return object.entries.contains { hasContent($0.value) }
        }
    }
}
