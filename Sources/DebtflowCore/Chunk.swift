/// A batch of elements moved between stages in one step.
///
/// Stages exchange chunks of about ``Chunk/preferredSize`` elements, never one element per
/// `await` (DESIGN.md §3: one async hop costs more than the whole per-row budget).
public struct Chunk<Element: Sendable>: Sendable {
    /// The number of records a reader should put in one chunk.
    public static var preferredSize: Int { 1024 }

    public var elements: [Element]
    /// How many bytes of the input (as stored, compressed or not) had been consumed when the chunk
    /// was cut, for progress; `nil` when the source cannot tell.
    public var inputBytesConsumed: Int64?
    /// The input the chunk came from, in a many-input run (`nil` with a single input).
    public var input: InputMark?

    public init(_ elements: [Element] = [], inputBytesConsumed: Int64? = nil, input: InputMark? = nil) {
        self.elements = elements
        self.inputBytesConsumed = inputBytesConsumed
        self.input = input
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
}
