/// A value read from a source record: the JSON data model, with numbers kept as their exact text.
///
/// CSV fields are `.string`; JSON keeps its own types; XML elements become `.object`s whose
/// attributes are keys starting with `@`, and repeated child elements become `.array`s.
public enum RecordValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number as written in the source (`"1234.50"`, `"1e3"`): never passed through `Double`.
    case number(String)
    case string(String)
    case array([RecordValue])
    case object(RecordObject)

    /// The value as text when it is a scalar (`.string`, `.number`, `.bool`), else `nil`.
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// The object when this is an `.object`, else `nil`.
    public var objectValue: RecordObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements when this is an `.array`, else `nil`.
    public var arrayValue: [RecordValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }
}

/// An ordered JSON object: keys keep the order in which the source wrote them.
///
/// Lookups are linear, which is faster than hashing for the dozen-odd keys of a debtor record.
public struct RecordObject: Sendable, Equatable {
    /// One key and its value.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: RecordValue
        public init(key: String, value: RecordValue) {
            self.key = key
            self.value = value
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    public init(_ pairs: KeyValuePairs<String, RecordValue>) {
        self.entries = pairs.map { Entry(key: $0.key, value: $0.value) }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// The value of the first entry named `key`.
    public subscript(key: String) -> RecordValue? {
        get {
            for entry in entries where entry.key == key { return entry.value }
            return nil
        }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    /// Appends an entry without looking for an existing one (readers that know keys are unique).
    public mutating func append(_ key: String, _ value: RecordValue) {
        entries.append(Entry(key: key, value: value))
    }

    /// The value at a dotted path (`"contact.mobile"`), reaching into nested objects.
    /// A key that itself contains dots is found first as a whole.
    public func value(atPath path: String) -> RecordValue? {
        if let direct = self[path] { return direct }
        guard path.contains(".") else { return nil }
        var current: RecordValue = .object(self)
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard case .object(let object) = current, let next = object[String(part)] else { return nil }
            current = next
        }
        return current
    }
}
