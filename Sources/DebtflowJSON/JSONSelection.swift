import DebtflowCore

/// Which parts of a JSON document to build, for a document whose size another party decides (an
/// HTTP answer): the parts not selected are read and checked, but never built, so memory follows
/// what is kept, not what was sent.
public indirect enum JSONSelection: Sendable {
    /// The whole value.
    case whole
    /// In an object, only the members named (each selected in turn); a scalar as it is. An array
    /// is not the shape expected: it is skipped and read as empty (`.first(n, each:)` selects
    /// the elements of a list).
    case members([String: JSONSelection])
    /// Of an array, the first `count` elements (each selected by `each`); the others skipped.
    /// Anything else as `each` selects it.
    case first(Int, each: JSONSelection)
    /// Any value, with every array and object in it cut to its first `count` elements or
    /// members (free text whose shape varies: a server's error messages).
    case bounded(Int)
}

extension JSONTokenizer {
    /// Parses the next value (after whitespace), building only what `selection` keeps.
    func parseValue(depth: Int, selecting selection: JSONSelection) throws -> RecordValue {
        if case .whole = selection { return try parseValue(depth: depth) }
        guard let byte = try cursor.skipWhitespace() else {
            throw cursor.error("unexpected end of input; expected a JSON value")
        }
        switch (byte, selection) {
        case (UInt8(ascii: "{"), .bounded(let count)):
            return .object(try parseObject(depth: depth + 1, keepingFirst: count))
        case (UInt8(ascii: "{"), .members(let wanted)):
            return .object(try parseObject(depth: depth + 1, keeping: wanted))
        case (UInt8(ascii: "{"), .first(_, let each)):
            return try parseValue(depth: depth, selecting: each)
        case (UInt8(ascii: "["), .members):
            try skipValue(depth: depth)
            return .array([])
        case (UInt8(ascii: "["), _):
            return .array(try parseArray(depth: depth + 1, selecting: selection))
        default:
            return try parseValue(depth: depth)
        }
    }

    /// An object's members named in `wanted`, each selected by its entry; the cursor is at `{`.
    private func parseObject(depth: Int, keeping wanted: [String: JSONSelection]) throws -> RecordObject {
        var object = RecordObject()
        try walkObject(depth: depth) { byte in
            let key = try parseKey(byte)
            if let selection = wanted[key] {
                object.append(key, try parseValue(depth: depth, selecting: selection))
            } else {
                try skipValue(depth: depth)
            }
        }
        return object
    }

    /// An object's first `count` members, each `.bounded(count)`; the cursor is at `{`.
    private func parseObject(depth: Int, keepingFirst count: Int) throws -> RecordObject {
        var object = RecordObject()
        var members = 0
        try walkObject(depth: depth) { byte in
            if members < count {
                let key = try parseKey(byte)
                object.append(key, try parseValue(depth: depth, selecting: .bounded(count)))
            } else {
                try skipKey(byte)
                try skipValue(depth: depth)
            }
            members += 1
        }
        return object
    }

    /// An array's elements as `selection` says (`.first(n, each:)`, `.bounded(n)`: the first n);
    /// the cursor is at `[`.
    private func parseArray(depth: Int, selecting selection: JSONSelection) throws -> [RecordValue] {
        var limit = Int.max
        var each = selection
        switch selection {
        case .first(let count, let inner):
            limit = count
            each = inner
        case .bounded(let count):
            limit = count
        case .whole, .members:
            break   // (`.members` never reaches here: an array under it is skipped)
        }
        var elements: [RecordValue] = []
        try walkArray(depth: depth) {
            if elements.count < limit {
                elements.append(try parseValue(depth: depth, selecting: each))
            } else {
                try skipValue(depth: depth)
            }
        }
        return elements
    }
}

extension JSONDocument {
    /// Parses one complete JSON value as ``parse(_:name:limits:)`` does, building only the parts
    /// `selection` keeps (the rest is read through and checked: a malformed document still throws).
    public static func parse(_ bytes: [UInt8], name: String, selecting selection: JSONSelection,
                             limits: JSONLimits = JSONLimits()) throws -> RecordValue {
        let tokenizer = try makeTokenizer(reading: bytes, name: name, limits: limits)
        let value = try tokenizer.parseValue(depth: 0, selecting: selection)
        try tokenizer.expectEndOfInput()
        return value
    }
}
