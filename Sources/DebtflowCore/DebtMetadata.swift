/// A debt's `metadata` (the Magicline preset's `debtorId`, `membershipNr` and `debtIds`): a JSON
/// object written once, when the debt is made, and kept as its bytes.
///
/// Every writer of the debt (NDJSON lines, push batches) copies the bytes as they are. The preset
/// writes the object straight from the record's tape (``init(writing:)``), so a debt's metadata
/// costs one buffer, not an object tree with a `String` per value.
public struct DebtMetadata: Sendable, Equatable {
    /// The object's JSON text, `{` to `}`, UTF-8.
    public private(set) var json: [UInt8]

    /// The metadata holding `object`'s entries, in order.
    public init(_ object: RecordObject) {
        var writer = JSONByteWriter(capacity: 128)
        writer.object(object)
        json = writer.bytes
    }

    /// The metadata object that `body` writes: it is handed a writer inside the open object, and
    /// writes its members (`key`, then a value).
    public init(writing body: (inout JSONByteWriter) -> Void) {
        var writer = JSONByteWriter(capacity: 128)
        writer.beginObject()
        body(&writer)
        writer.endObject()
        json = writer.bytes
    }

    /// A member of ``init(scalarsOn:_:_:list:)``: its constant name (as ``JSONByteWriter/key(literal:)``
    /// takes it) and the scalar node of a record's tape it holds.
    public typealias TapeMember = (name: StaticString, node: RecordNode)

    /// The metadata `{"name":value,…}` of scalar values read from a record's tape (the Magicline
    /// preset's ids, once per case), written in one piece: `first` and `second` when given, then
    /// the member `list.name` holding `list.elements` as an array when `list` is given. Byte for
    /// byte what ``init(writing:)`` writes for the same members through
    /// ``JSONByteWriter/scalar(_:arena:member:)``, into one buffer of the size the values bound
    /// (a string at six bytes a byte when its flag says it may need escaping), with no capacity
    /// check or growth per value. `nil` when a node is a container (whose bytes the tape does not
    /// hold as a span): the caller writes those through ``init(writing:)``.
    /// - Parameter arena: the bytes of the tape the nodes lie on.
    public init?(scalarsOn arena: UnsafeBufferPointer<UInt8>, _ first: TapeMember?, _ second: TapeMember?,
                 list: (name: StaticString, elements: UnsafeBufferPointer<RecordNode>)?) {
        var bytes: [UInt8] = []
        guard Self.appendScalars(on: arena, first, second, list: list, to: &bytes) else { return nil }
        json = bytes
    }

    /// Makes this metadata what ``init(scalarsOn:_:_:list:)`` makes of the same members, in its
    /// own buffer when no other value shares it (the Magicline preset's metadata of the last case,
    /// handed back by the candidate once its outcome is written): the bytes are written over, with
    /// no allocation once the buffer is large enough. `false`, and this metadata left empty (`{`
    /// to `}` not written), when a node is a container: the caller writes those through
    /// ``init(writing:)``.
    public mutating func rewrite(scalarsOn arena: UnsafeBufferPointer<UInt8>, _ first: TapeMember?, _ second: TapeMember?,
                                 list: (name: StaticString, elements: UnsafeBufferPointer<RecordNode>)?) -> Bool {
        // (A shared buffer is not written: `removeAll` gives this value a buffer of its own.)
        json.removeAll(keepingCapacity: true)
        return Self.appendScalars(on: arena, first, second, list: list, to: &json)
    }

    /// Appends the object ``init(scalarsOn:_:_:list:)`` describes to `bytes`, reserving its bound
    /// first; `false`, with nothing appended, when a node is a container.
    private static func appendScalars(on arena: UnsafeBufferPointer<UInt8>, _ first: TapeMember?, _ second: TapeMember?,
                                      list: (name: StaticString, elements: UnsafeBufferPointer<RecordNode>)?,
                                      to bytes: inout [UInt8]) -> Bool {
        // `{`, `}`; per member its comma, quotes and colon; the list's brackets and a comma per element.
        func memberBound(_ member: TapeMember?) -> Int? {
            guard let member else { return 0 }
            return JSONRawCursor.tapeScalarBound(member.node).map { member.name.utf8CodeUnitCount + 4 + $0 }
        }
        guard let firstBound = memberBound(first), let secondBound = memberBound(second) else { return false }
        var bound = 2 + firstBound + secondBound
        if let list {
            bound += list.name.utf8CodeUnitCount + 6
            for element in list.elements {
                guard let valueBound = JSONRawCursor.tapeScalarBound(element) else { return false }
                bound += valueBound + 1
            }
        }
        bytes.reserveCapacity(bytes.count + bound)
        bytes.appendInPlace(upTo: bound) { buffer in
            var cursor = JSONRawCursor(buffer)
            cursor.byte(UInt8(ascii: "{"))
            var separate = false
            if let first {
                cursor.memberName(first.name, afterComma: separate)
                cursor.tapeScalar(first.node, arena: arena)
                separate = true
            }
            if let second {
                cursor.memberName(second.name, afterComma: separate)
                cursor.tapeScalar(second.node, arena: arena)
                separate = true
            }
            if let list {
                cursor.memberName(list.name, afterComma: separate)
                cursor.byte(UInt8(ascii: "["))
                for index in list.elements.indices {
                    if index > 0 { cursor.byte(UInt8(ascii: ",")) }
                    cursor.tapeScalar(list.elements[index], arena: arena)
                }
                cursor.byte(UInt8(ascii: "]"))
            }
            cursor.byte(UInt8(ascii: "}"))
            return cursor.count
        }
        return true
    }

    /// The metadata an object of a record holds (a source's own `metadata` member), written from
    /// its tape as read; `nil` when `object` is not an object.
    public init?(object: RecordView) {
        guard object.kind == .object else { return nil }
        var writer = JSONByteWriter(capacity: 128)
        writer.value(object)
        json = writer.bytes
    }

    /// Whether the object has no member (`{}`): such metadata is not written.
    public var isEmpty: Bool { json.count <= 2 }
}
