/// How an XML input is read into records (pipeline config: `read` with `format: xml`).
public struct XMLReaderOptions: Sendable, Equatable {
    /// The element name (local name, without namespace prefix) of one record, found at any depth.
    public var recordElement: String

    public init(recordElement: String) {
        self.recordElement = recordElement
    }
}
