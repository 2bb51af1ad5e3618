/// A synchronous stage step over a chunk: `map`, `normalize`, `classify` and `validate` are
/// values of this shape. Stages chain with ``then(_:)`` into one stage (a ``ChainedStages``), which
/// a pipeline runs in one task per chunk, without an `await` per record.
///
/// The chunk is taken `consuming`, so a stage can change it in place when it is handed the only
/// reference (a chunk passed straight from the previous stage is never copied).
public protocol ChunkStage<Input, Output>: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable
    /// Turns one chunk into the next stage's chunk. Record problems become values in the output;
    /// only a failure of the whole run is thrown.
    func process(_ chunk: consuming Chunk<Input>) throws -> Chunk<Output>

    /// Hands each output of `chunk` to `body`, in order, as it is made: what ``process(_:)``
    /// returns, without gathering it into a chunk first. `body` may change the output it is
    /// given or move parts out of it; the caller does not read it after `body` returns (it may
    /// drop it, or reset and reuse it for the next output).
    ///
    /// A chain of stages that pass their elements on one at a time (``ElementStage``, and the
    /// config-built chain of ``AnyChunkStage/init(chaining:then:)``) takes each record through
    /// every stage before the next record: one debt candidate at a time lives on the stack,
    /// instead of a chunk of them being written to memory and read back by each stage. The
    /// default calls ``process(_:)`` and hands on the chunk it returns.
    func forEachOutput(of chunk: consuming Chunk<Input>, _ body: (inout Output) throws -> Void) throws
}

extension ChunkStage {
    public func forEachOutput(of chunk: consuming Chunk<Input>, _ body: (inout Output) throws -> Void) throws {
        var output = try process(chunk)
        try output.elements.forEachInPlace(body)
    }
}

/// A stage that makes exactly one output from each input, from that input alone (no state
/// across elements): `normalize`, `classify`, `validate`. Such a stage can take a chunk's
/// elements one at a time, as the previous stage makes them (``ChunkStage/forEachOutput(of:_:)``).
public protocol ElementStage: ChunkStage {
    /// Turns `element` into its output and hands that to `next`. The stage may change `element`
    /// or move parts out of it (the caller drops it after).
    func pass(_ element: inout Input, to next: (inout Output) throws -> Void) throws
}

extension ElementStage {
    /// Passes the chunk's elements one at a time (``pass(_:to:)``), each where it lies.
    public func forEachOutput(of chunk: consuming Chunk<Input>, _ body: (inout Output) throws -> Void) throws {
        var chunk = chunk
        try chunk.elements.forEachInPlace { element in try pass(&element, to: body) }
    }
}

extension ChunkStage {
    /// This stage, then `next` on its output: `map.then(normalize).then(validate)`.
    ///
    /// The composed type keeps both stages' concrete types (as hummingbird 2's `_Middleware2`),
    /// so a chain built in code is one specialized call per chunk.
    public func then<Next: ChunkStage>(_ next: Next) -> ChainedStages<Self, Next> where Next.Input == Output {
        ChainedStages(self, next)
    }
}

/// Two stages run one after the other on each chunk: the output of `first` is the input of `second`.
public struct ChainedStages<First: ChunkStage, Second: ChunkStage>: ChunkStage where First.Output == Second.Input {
    public let first: First
    public let second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    @inlinable
    public func process(_ chunk: consuming Chunk<First.Input>) throws -> Chunk<Second.Output> {
        try second.process(first.process(chunk))
    }
}

/// A stage whose concrete type is hidden: what a config-built chain is made of, since which
/// stages run is only known when the config is read. The cost is one closure call per chunk (per
/// element and stage when its elements are passed one at a time); the chunk is handed on owned
/// (never copied), so the wrapped stage still changes it in place.
///
/// It keeps its stage's way of handing outputs on one at a time (``ChunkStage/forEachOutput(of:_:)``)
/// and, for an ``ElementStage``, of taking one element; ``init(chaining:then:)`` joins two erased
/// stages so that each element goes through both before the next one.
public struct AnyChunkStage<Input: Sendable, Output: Sendable>: ChunkStage {
    /// A function that hands each output of a chunk to its second argument.
    public typealias Streaming = @Sendable (consuming Chunk<Input>, (inout Output) throws -> Void) throws -> Void
    /// A function that turns one element into its output and hands that to its second argument.
    public typealias Passing = @Sendable (inout Input, (inout Output) throws -> Void) throws -> Void

    private let step: @Sendable (consuming Chunk<Input>) throws -> Chunk<Output>
    private let streaming: Streaming
    /// Set when the stage makes one output per element on its own (an ``ElementStage``).
    private let passing: Passing?

    public init<Base: ChunkStage>(_ base: Base) where Base.Input == Input, Base.Output == Output {
        self.step = { chunk in try base.process(chunk) }
        self.streaming = { chunk, body in try base.forEachOutput(of: chunk, body) }
        self.passing = nil
    }

    public init<Base: ElementStage>(_ base: Base) where Base.Input == Input, Base.Output == Output {
        self.step = { chunk in try base.process(chunk) }
        self.streaming = { chunk, body in try base.forEachOutput(of: chunk, body) }
        self.passing = { element, next in try base.pass(&element, to: next) }
    }

    /// `first`, then `second` on its output. When `second` takes one element at a time, each
    /// output of `first` goes through `second` as soon as it is made
    /// (``ChunkStage/forEachOutput(of:_:)``); ``process(_:)`` still runs them a chunk at a time.
    public init<Middle: Sendable>(chaining first: AnyChunkStage<Input, Middle>, then second: AnyChunkStage<Middle, Output>) {
        self.step = { chunk in try second.process(first.process(chunk)) }
        if let secondPassing = second.passing {
            self.streaming = { chunk, body in
                try first.forEachOutput(of: chunk) { middle in try secondPassing(&middle, body) }
            }
            if let firstPassing = first.passing {
                self.passing = { element, next in
                    try firstPassing(&element) { middle in try secondPassing(&middle, next) }
                }
            } else {
                self.passing = nil
            }
        } else {
            self.streaming = { chunk, body in try second.forEachOutput(of: first.process(chunk), body) }
            self.passing = nil
        }
    }

    public func process(_ chunk: consuming Chunk<Input>) throws -> Chunk<Output> {
        try step(chunk)
    }

    public func forEachOutput(of chunk: consuming Chunk<Input>, _ body: (inout Output) throws -> Void) throws {
        try streaming(chunk, body)
    }

    /// Whether the stage takes one element at a time (it, or each stage it chains, is an ``ElementStage``).
    var passesElements: Bool { passing != nil }
}

/// Where records come from: a reader over a byte source, or a paged API. Its ``chunks`` are an
/// `AsyncSequence` of chunks of records, so operators compose on it:
/// `source.chunks.then(map).then(normalize)`.
///
/// (The protocol does not refine `AsyncSequence` itself: that would bring the sequence's `min()`
/// and `max()` members into every reader, shadowing Swift's global `min` and `max` there.)
///
/// A source is owned by one task; it is not shared, so it need not be `Sendable`.
public protocol RecordSource: AnyObject {
    /// The input's name for messages and provenance (a path, `-`, a URL without secrets).
    var name: String { get }
    /// The input's size in bytes when known (a regular file), for the progress percentage.
    var totalBytes: Int64? { get }
    /// The next chunk of records, or `nil` at the end of the input.
    /// - Throws: ``DebtflowError`` of kind `.input` when the input is unreadable or corrupt.
    func nextChunk() async throws -> Chunk<Record>?
}

/// A source that can tell, once it has read some records, that the config likely reads the
/// input the wrong way (a JSON answer `{"result":[…]}` read as one record): a warning, never an
/// error, since the input may really be shaped so.
public protocol RecordSourceReadingHint: AnyObject {
    /// What to tell the operator, or `nil` when nothing looks wrong.
    var readingHint: String? { get }
}

extension RecordSource {
    /// The source's chunks, as an `AsyncSequence` (one pass over the input).
    public var chunks: RecordChunks<Self> { RecordChunks(source: self) }
}

/// The chunks of a ``RecordSource``, in input order, as an `AsyncSequence`.
///
/// Buffering: none; each chunk is read when asked for. Throwing: the source's input errors.
/// Single pass: the source is consumed as it is iterated.
public struct RecordChunks<Source: RecordSource>: AsyncSequence {
    public typealias Element = Chunk<Record>
    let source: Source

    public struct Iterator: AsyncIteratorProtocol {
        let source: Source

        public mutating func next() async throws -> Chunk<Record>? {
            try await source.nextChunk()
        }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(source: source)
    }
}

/// Where outcomes go: an NDJSON file, an HTTP push target.
///
/// The runner calls ``write(_:)`` with the outcomes of each chunk that the sink accepts, then
/// exactly one of ``finish()`` (the run finished: publish) or ``abort()`` (the run failed or was
/// interrupted: publish nothing half-written). A file sink's ``finish()`` is preceded by
/// ``prepareToPublish()``, for every file sink, before the first one publishes.
public protocol OutcomeSink: AnyObject {
    /// Which outcomes this sink receives.
    var accepts: Set<OutcomeStatus> { get }
    func write(_ outcomes: [Outcome]) async throws
    /// Completes the sink's work and publishes its output (atomic rename).
    func finish() async throws
    /// Does everything of ``finish()`` that can fail, short of publishing: the last bytes (a gzip
    /// trailer) written, the file flushed to disk. The runner calls it on every file sink before
    /// any of them publishes, so that a disk that fills (or fails) at the end leaves every file
    /// unpublished (exit 4), never tonight's file beside last night's. ``finish()`` still does it
    /// when it was not called. Nothing to do for a sink without a file to publish.
    func prepareToPublish() async throws
    /// Discards unpublished output. Records of what happened (an http sink's results and
    /// journal) are still written.
    func abort() async
    /// Adds the sink's own figures to the summary (an http sink's `pushed`).
    func contribute(to summary: inout RunSummary)

    /// A many-input run is about to write the outcomes of input `mark.index` (called before its
    /// first ``write(_:)``, even when the input yields nothing). Single-input runs never call it.
    func inputStarted(_ mark: InputMark) async throws
    /// Input `mark.index` was read through: a per-input output is made ready to publish (its
    /// last bytes written and flushed to disk), before any sink's ``inputFinished(_:)`` publishes,
    /// so that the renames of one input's outputs are done together. Nothing to do for a sink
    /// without a per-input output.
    func prepareInputToPublish(_ mark: InputMark) async throws
    /// Input `mark.index` was read through: a per-input output is published now.
    func inputFinished(_ mark: InputMark) async throws
    /// Input `mark.index` failed: its outputs are not published, and its outcomes are taken back
    /// from a shared output where the sink can (an NDJSON file); pushed debts stay pushed.
    func inputFailed(_ mark: InputMark) async throws
    /// Called once, from any thread, when the run is interrupted (SIGINT, SIGTERM, SIGHUP),
    /// before ``abort()``: a sink waiting on the network stops waiting (an http sink cancels its
    /// batches in flight). `nil` for sinks with nothing to cancel.
    var interruptHandler: (@Sendable () -> Void)? { get }
    /// Whether the sink sends its outcomes to a server (an http sink, not in a dry run). The
    /// runner finishes such sinks first, and publishes the files after them, so that a push cut
    /// short or refused leaves no file published.
    var sends: Bool { get }
}

extension OutcomeSink {
    public func prepareToPublish() async throws {}
    public func contribute(to summary: inout RunSummary) {}
    public func inputStarted(_ mark: InputMark) async throws {}
    public func prepareInputToPublish(_ mark: InputMark) async throws {}
    public func inputFinished(_ mark: InputMark) async throws {}
    public func inputFailed(_ mark: InputMark) async throws {}
    public var interruptHandler: (@Sendable () -> Void)? { nil }
    public var sends: Bool { false }
}

/// A sink that takes its outcomes as NDJSON lines written by the transform tasks, which run in
/// parallel, instead of as outcome structs: the runner writes the lines of the outcomes it
/// accepts (``OutcomeSink/accepts``) with ``JSONByteWriter/outcome(_:includeSource:)``, one per
/// line, in order.
public protocol NDJSONLineSink: OutcomeSink {
    /// Whether each envelope names its input in `"source"` (a many-input run).
    var includesSource: Bool { get }
    /// Appends the lines of one chunk's accepted outcomes.
    func write(lines: NDJSONLines) async throws
}

/// Complete NDJSON lines (each ends with `\n`) and how many there are.
public struct NDJSONLines: Sendable {
    public var bytes: [UInt8]
    public var count: Int

    public init(bytes: [UInt8] = [], count: Int = 0) {
        self.bytes = bytes
        self.count = count
    }
}
