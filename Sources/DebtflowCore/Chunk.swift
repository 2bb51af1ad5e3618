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

    /// The chunk's elements. A chunk of records a reader handed on as a table (``recordRows``)
    /// makes them from it when they are read or changed here (once: changing them replaces the
    /// table); a stage that reads the table itself makes none.
    public var elements: [Element] {
        get {
            if let recordRows { return Self.elements(of: recordRows) }
            return storedElements
        }
        set {
            storedElements = newValue
            recordRows = nil
        }
        _modify {
            if let recordRows {
                storedElements = Self.elements(of: recordRows)
                self.recordRows = nil
            }
            yield &storedElements
        }
    }
    private var storedElements: [Element]
    /// A chunk of records as its reader made them, one table for the chunk (``RecordRows``)
    /// instead of a ``Record`` per record; `nil` for every other chunk. Only a chunk of `Record`s
    /// holds one (``init(recordRows:inputBytesConsumed:textByteCount:input:)``).
    public private(set) var recordRows: RecordRows?
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
        self.storedElements = elements
        self.recordRows = nil
        self.inputBytesConsumed = inputBytesConsumed
        self.textByteCount = textByteCount
        self.input = input
    }

    public var count: Int { recordRows?.count ?? storedElements.count }
    public var isEmpty: Bool { count == 0 }

    /// The records of `rows` as this chunk's elements (only a chunk of `Record`s holds rows).
    private static func elements(of rows: RecordRows) -> [Element] {
        precondition(Element.self == Record.self, "record rows in a chunk of \(Element.self)")
        return unsafeBitCast(rows.records(), to: [Element].self)
    }

    /// Takes the chunk's record table out (leaving it with no elements), or `nil` when it holds
    /// none: for a stage that reads the table itself.
    public mutating func takeRecordRows() -> RecordRows? {
        guard let rows = recordRows else { return nil }
        recordRows = nil
        storedElements = []
        return rows
    }

    /// Sets every record's ``Provenance/idsByPath``, in the table when the chunk holds one.
    public mutating func setIDsByPath() where Element == Record {
        if recordRows != nil {
            recordRows!.idsByPath = true
        } else {
            for index in storedElements.indices { storedElements[index].provenance.idsByPath = true }
        }
    }
}

extension Chunk where Element == Record {
    /// A chunk of the records of `recordRows`, as a reader hands them on (``recordRows``).
    public init(recordRows: RecordRows, inputBytesConsumed: Int64? = nil, textByteCount: Int = 0, input: InputMark? = nil) {
        self.init([], inputBytesConsumed: inputBytesConsumed, textByteCount: textByteCount, input: input)
        self.recordRows = recordRows
    }
}
