/// A debt's `metadata` (the Magicline preset's `debtorId`, `membershipNr` and `debtIds`): a JSON
/// object written once, when the debt is made, and kept as its bytes.
///
/// Every writer of the debt (NDJSON lines, push batches) copies the bytes as they are. The preset
/// writes the object straight from the record's tape (``init(writing:)``), so a debt's metadata
/// costs one buffer, not an object tree with a `String` per value.
public struct DebtMetadata: Sendable, Equatable {
    /// The object's JSON text, `{` to `}`, UTF-8.
    public let json: [UInt8]

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
