import DebtflowCore

/// What a value read by ``JSONTokenizer/streamValue(listing:element:)`` turned out to be.
public enum JSONStreamedValue: Sendable, Equatable {
    /// An array: its elements were handed over.
    case array
    /// An object; what its listed member was (its elements were handed over only when `.array`).
    case object(JSONListedMember)
    /// A string, a number, `true`, `false` or `null`.
    case scalar
}

/// The member an object is read for (`"result"`), as ``RecordObject``'s subscript finds it: the
/// first member of that name.
public enum JSONListedMember: Sendable, Equatable {
    /// The first member of that name is an array.
    case array
    /// The first member of that name is not an array.
    case notArray
    /// The object has no member of that name.
    case absent
}

extension JSONTokenizer {
    /// Reads the value at the cursor (after whitespace), handing each element of it (an array) or
    /// of its first member named `listed` (an object) to `element` as soon as it is parsed; every
    /// other part is checked and skipped without being built. Memory holds one element at a time,
    /// whatever the document's size.
    ///
    /// The elements are parsed at the depth they have in the document and every check is the one
    /// ``JSONDocument/parse(_:name:limits:)`` makes, so a document broken anywhere throws what that
    /// parse would throw, at the same line, column and byte. The caller checks the end of input
    /// (``expectEndOfInput()``) and skips a byte-order mark before.
    /// - Parameters:
    ///   - listed: the member of a top-level object whose array elements are wanted (`"result"`).
    ///   - element: called with each element, in order.
    /// - Returns: what the value was.
    /// - Throws: ``DebtflowError`` of kind `.input` naming line, column and byte offset; errors of
    ///   `element` and of the byte source as thrown.
    public func streamValue(listing listed: String, element: (RecordValue) throws -> Void) throws -> JSONStreamedValue {
        guard let byte = try cursor.skipWhitespace() else {
            throw cursor.error("unexpected end of input; expected a JSON value")
        }
        switch byte {
        case UInt8(ascii: "["):
            try walkArray(depth: 1) { try element(try parseValue(depth: 1)) }
            return .array
        case UInt8(ascii: "{"):
            var member = JSONListedMember.absent
            try walkObject(depth: 1) { byte in
                let key = try parseKey(byte)
                guard member == .absent, key == listed else { return try skipValue(depth: 1) }
                if try cursor.skipWhitespace() == UInt8(ascii: "[") {
                    member = .array
                    try walkArray(depth: 2) { try element(try parseValue(depth: 2)) }
                } else {
                    member = .notArray
                    try skipValue(depth: 1)
                }
            }
            return .object(member)
        default:
            try skipValue(depth: 0)
            return .scalar
        }
    }
}
