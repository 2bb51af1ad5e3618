/// How a JSON input is read into records (pipeline config: `read` with `format: json`).
public struct JSONReaderOptions: Sendable, Equatable {
    /// Where the array of records is. `""`: the top-level array of objects, or NDJSON /
    /// concatenated objects (one object per line, blank lines ignored). `"result"` or a dotted
    /// path (`"data.items"`): the array under that key of the top-level object; other keys are
    /// skipped while streaming.
    public var recordsPath: String
    /// The deepest nesting of arrays and objects accepted, counted from the document's root.
    public var maxDepth: Int
    /// The largest single token (a string after unescaping, or a number) in bytes.
    public var maxTokenBytes: Int
    /// The largest single record in bytes of input (a record is built in memory whole).
    public var maxRecordBytes: Int

    public init(recordsPath: String = "", maxDepth: Int = 512, maxTokenBytes: Int = 16 << 20,
                maxRecordBytes: Int = 16 << 20) {
        self.recordsPath = recordsPath
        self.maxDepth = maxDepth
        self.maxTokenBytes = maxTokenBytes
        self.maxRecordBytes = max(1, maxRecordBytes)
    }
}
