import DebtflowCore

extension JSONDocument {
    /// A located element: where it lies in the document, and the part of it that was built.
    public struct LocatedElement {
        public var range: Range<Int>
        public var value: RecordValue
    }

    /// Parses a document that is one object, as ``parse(_:name:selecting:limits:)`` does with
    /// `.members(wanted)`, and notes where each element of its array member `listed` lies in
    /// `bytes`, building of it only what `each` selects: for a caller that keeps those places and
    /// reads one element again, whole, when it needs it (the push journal's per-debt results).
    ///
    /// Every part of the document is still read and checked: a malformed document throws.
    /// - Returns: the members kept, and `listed`'s elements in order (none when the member is
    ///   absent or not an array; the last one wins when it repeats).
    public static func parseObject(_ bytes: [UInt8], name: String, keeping wanted: [String: JSONSelection],
                                   locatingElementsOf listed: String, each: JSONSelection,
                                   limits: JSONLimits = JSONLimits()) throws -> (object: RecordObject, elements: [LocatedElement]) {
        let tokenizer = try makeTokenizer(reading: bytes, name: name, limits: limits)
        let cursor = tokenizer.cursor
        guard let first = try cursor.skipWhitespace() else {
            throw cursor.error("unexpected end of input; expected a JSON object")
        }
        guard first == UInt8(ascii: "{") else { throw tokenizer.unexpectedByte(first, expected: "a JSON object") }
        var object = RecordObject()
        var elements: [LocatedElement] = []
        try tokenizer.walkObject(depth: 1) { byte in
            let key = try tokenizer.parseKey(byte)
            if key == listed, try cursor.skipWhitespace() == UInt8(ascii: "[") {
                elements = []
                try tokenizer.walkArray(depth: 2) {
                    _ = try cursor.skipWhitespace()
                    let start = Int(cursor.offset)
                    let value = try tokenizer.parseValue(depth: 2, selecting: each)
                    elements.append(LocatedElement(range: start..<Int(cursor.offset), value: value))
                }
            } else if let selection = wanted[key] {
                object.append(key, try tokenizer.parseValue(depth: 1, selecting: selection))
            } else {
                try tokenizer.skipValue(depth: 1)
            }
        }
        try tokenizer.expectEndOfInput()
        return (object, elements)
    }
}
