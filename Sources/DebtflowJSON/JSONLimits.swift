/// How deep and how large JSON may be before it is an input error (DESIGN.md §4: a depth limit
/// and a maximum token size).
public struct JSONLimits: Sendable, Equatable {
    /// The deepest nesting of arrays and objects accepted, counted from the document's root.
    public var maxDepth: Int
    /// The largest single token (a string after unescaping, or a number) in bytes.
    public var maxTokenBytes: Int

    public init(maxDepth: Int = 512, maxTokenBytes: Int = 16 << 20) {
        self.maxDepth = maxDepth
        self.maxTokenBytes = maxTokenBytes
    }
}
