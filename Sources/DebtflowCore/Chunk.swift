/// A batch of elements moved between stages in one step.
///
/// Stages exchange chunks of about ``Chunk/preferredSize`` elements, never one element per
/// `await` (DESIGN.md §3: one async hop costs more than the whole per-row budget). A reader also
/// cuts a chunk once its records hold ``Chunk/preferredByteBudget`` bytes of input text, whichever
/// comes first, so that memory is bounded by bytes and not only by records (a chunk of a thousand
/// 8 MB records would be 8 GB).
public struct Chunk<Element: Sendable>: Sendable {
    /// The number of records a reader should put in one chunk.
    public static var preferredSize: Int { 1024 }
    /// How many bytes of input text a reader puts in one chunk at most (1 MiB); a chunk holds at
    /// least one record, however long.
    public static var preferredByteBudget: Int { 1 << 20 }

    public var elements: [Element]
    /// How many bytes of the input (as stored, compressed or not) had been consumed when the chunk
    /// was cut, for progress; `nil` when the source cannot tell.
    public var inputBytesConsumed: Int64?
    /// How many bytes of input text the chunk's records were read from (0 when the reader does
    /// not tell): what the runner counts against ``InFlightByteBudget``.
    public var textByteCount: Int
    /// The input the chunk came from, in a many-input run (`nil` with a single input).
    public var input: InputMark?

    public init(_ elements: [Element] = [], inputBytesConsumed: Int64? = nil, textByteCount: Int = 0,
                input: InputMark? = nil) {
        self.elements = elements
        self.inputBytesConsumed = inputBytesConsumed
        self.textByteCount = textByteCount
        self.input = input
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
}
