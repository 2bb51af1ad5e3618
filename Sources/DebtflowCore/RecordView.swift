/// One value on a ``RecordTape`` — usually a record's root object: the tape and a node index.
///
/// A view is two words and one retain; it reads keys and texts as bytes in place. The
/// ``RecordValue`` / ``RecordObject`` tree is made from it only on request (``value``,
/// ``object``) for code off the hot path: messages, tests, the sandbox.
public struct RecordView: Sendable {
    public let tape: RecordTape
    /// The value's node on ``tape``. (Settable: a stage that walks the rows of one tape moves one
    /// view from row to row instead of making a view, and a reference to the tape, per row.)
    public var index: Int

    @inlinable
    public init(tape: RecordTape, index: Int) {
        self.tape = tape
        self.index = index
    }

    /// A view of a tree built in memory (tests, records made up by code): a tape of its own.
    public init(_ value: RecordValue) {
        var builder = RecordTapeBuilder()
        builder.append(value)
        self.init(tape: builder.finish(), index: 0)
    }

    /// A view of an object built in memory.
    public init(_ object: RecordObject) {
        self.init(.object(object))
    }

    @inlinable public var node: RecordNode { tape.nodes[index] }
    @inlinable public var kind: RecordNode.Kind { tape.nodes[index].kind }

    /// An object's or array's number of children (0 for a scalar).
    public var count: Int {
        let node = self.node
        return node.kind == .object || node.kind == .array ? node.childCount : 0
    }

    /// Whether an object or array has no children (a scalar is "empty" too).
    public var isEmpty: Bool { count == 0 }

    /// Whether this is an object or array whose children each take one node (scalars or empty
    /// containers; every CSV row): child `i` is node `index + 1 + i`, read from the node table
    /// without walking.
    public var isFlat: Bool {
        let node = self.node
        return (node.kind == .object || node.kind == .array) && Int(node.end) == index + 1 + node.childCount
    }

    /// The member name of this value in its object, as bytes.
    @inlinable
    public func withKeyBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try tape.withBytes(node.key, body)
    }

    /// The member name of this value in its object (`""` for an array element or a root).
    public var key: String { tape.string(node.key) }

    /// A scalar's text as bytes: a string's UTF-8, a number as written, empty for the others
    /// (use ``scalarText`` for `true` / `false`).
    @inlinable
    public func withTextBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try tape.withBytes(node.value, body)
    }

    /// The value as text when it is a scalar (`string`, `number`, `true`, `false`), else `nil`;
    /// as ``RecordValue/scalarText``.
    public var scalarText: String? {
        let node = self.node
        switch node.kind {
        case .string, .number: return tape.string(node.value)
        case .true: return "true"
        case .false: return "false"
        case .null, .array, .object: return nil
        }
    }

    /// The children of an object or array, in order (none for a scalar).
    public var children: Children { Children(tape: tape, parent: index) }

    /// Whether a direct child satisfies `predicate`, given the child's node, its index on the
    /// tape and the tape's bytes (a scalar's text is `bytes[node.value]`), in order: a scan of
    /// the node table with no view (and no retain) per child. `false` for a scalar.
    public func containsChild(where predicate: (RecordNode, Int, UnsafeBufferPointer<UInt8>) throws -> Bool) rethrows -> Bool {
        let node = self.node
        guard node.kind == .object || node.kind == .array else { return false }
        return try tape.nodes.withUnsafeBufferPointer { nodes in
            try tape.bytes.withUnsafeBufferPointer { bytes in
                var position = index + 1
                let end = Int(node.end)
                while position < end {
                    let child = nodes[position]
                    if try predicate(child, position, bytes) { return true }
                    position = Int(child.end)
                }
                return false
            }
        }
    }

    /// The first member named `key` of an object, or `nil` (also for a non-object).
    public subscript(key: String) -> RecordView? {
        guard kind == .object else { return nil }
        var key = key
        return key.withUTF8 { wanted in
            for child in children where child.withKeyBytes({ $0.sameBytes(as: wanted) }) { return child }
            return nil
        }
    }

    /// The value at a dotted path (`"contact.mobile"`), as ``RecordObject/value(atPath:)``: a key
    /// that itself contains dots is found first as a whole.
    public func value(atPath path: String) -> RecordView? {
        if let direct = self[path] { return direct }
        guard path.contains(".") else { return nil }
        var current = self
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            guard let next = current[String(part)] else { return nil }
            current = next
        }
        return current
    }

    /// The value as a ``RecordValue`` tree (allocates: off the hot path only).
    public var value: RecordValue {
        let node = self.node
        switch node.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number: return .number(tape.string(node.value))
        case .string: return .string(tape.string(node.value))
        case .array: return .array(children.map(\.value))
        case .object: return .object(object)
        }
    }

    /// An object's members as a ``RecordObject`` (empty for a non-object; allocates).
    public var object: RecordObject {
        guard kind == .object else { return RecordObject() }
        var object = RecordObject()
        object.entries.reserveCapacity(count)
        for child in children { object.append(child.key, child.value) }
        return object
    }

    /// The children of one object or array node: each a view; the next one is found by jumping
    /// over the previous one's subtree.
    public struct Children: Sequence, Sendable {
        let tape: RecordTape
        let parent: Int

        public func makeIterator() -> Iterator {
            let node = tape.nodes[parent]
            let isContainer = node.kind == .object || node.kind == .array
            return Iterator(tape: tape, position: parent + 1, end: isContainer ? Int(node.end) : parent + 1)
        }

        public struct Iterator: IteratorProtocol {
            let tape: RecordTape
            var position: Int
            let end: Int

            public mutating func next() -> RecordView? {
                guard position < end else { return nil }
                let view = RecordView(tape: tape, index: position)
                position = Int(tape.nodes[position].end)
                return view
            }
        }
    }
}

extension RecordView: Equatable {
    /// Same values (keys, order and texts), wherever they are stored.
    public static func == (lhs: RecordView, rhs: RecordView) -> Bool {
        lhs.value == rhs.value
    }
}

extension RecordTapeBuilder {
    /// Appends a ``RecordValue`` tree (code that makes records, tests).
    public mutating func append(_ value: RecordValue, key: ByteSpan = .empty) {
        switch value {
        case .null: appendScalar(.null, key: key)
        case .bool(let flag): appendScalar(flag ? .true : .false, key: key)
        case .number(let text): appendScalar(.number, key: key, value: appendBytes(text))
        case .string(let text): appendScalar(.string, key: key, value: appendBytes(text))
        case .array(let elements):
            let node = beginArray(key: key)
            for element in elements { append(element) }
            end(node)
        case .object(let object):
            let node = beginObject(key: key)
            for entry in object.entries { append(entry.value, key: appendBytes(entry.key)) }
            end(node)
        }
    }
}
