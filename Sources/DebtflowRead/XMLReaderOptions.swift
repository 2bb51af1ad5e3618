/// How an XML input is read into records (pipeline config: `read` with `format: xml`).
public struct XMLReaderOptions: Sendable, Equatable {
    /// The element name (local name, without namespace prefix) of one record, found at any depth.
    public var recordElement: String
    /// The most text one element inside a record may hold, in UTF-8 bytes (libxml2 does not bound
    /// text for a streaming reader; this does).
    public var maxTextBytes: Int

    public init(recordElement: String, maxTextBytes: Int = 16 << 20) {
        self.recordElement = recordElement
        self.maxTextBytes = maxTextBytes
    }
}
