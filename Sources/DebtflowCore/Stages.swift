/// A synchronous stage step over a chunk: `map`, `normalize`, `classify` and `validate` are
/// values of this shape, so the runner can chain them in one task without an `await` per record.
public protocol ChunkStage<Input, Output>: Sendable {
    associatedtype Input: Sendable
    associatedtype Output: Sendable
    /// Turns one chunk into the next stage's chunk. Record problems become values in the output;
    /// only a failure of the whole run is thrown.
    func process(_ chunk: Chunk<Input>) throws -> Chunk<Output>
}

/// Where records come from: a reader over a byte source, or a paged API.
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

/// Where outcomes go: an NDJSON file, an HTTP push target.
///
/// The runner calls ``write(_:)`` with the outcomes of each chunk that the sink accepts, then
/// exactly one of ``finish()`` (the run finished: publish) or ``abort()`` (the run failed or was
/// interrupted: publish nothing half-written).
public protocol OutcomeSink: AnyObject {
    /// Which outcomes this sink receives.
    var accepts: Set<OutcomeStatus> { get }
    func write(_ outcomes: [Outcome]) async throws
    /// Completes the sink's work and publishes its output (atomic rename).
    func finish() async throws
    /// Discards unpublished output. Records of what happened (an http sink's results and
    /// journal) are still written.
    func abort() async
    /// Adds the sink's own figures to the summary (an http sink's `pushed`).
    func contribute(to summary: inout RunSummary)

    /// A many-input run is about to write the outcomes of input `mark.index` (called before its
    /// first ``write(_:)``, even when the input yields nothing). Single-input runs never call it.
    func inputStarted(_ mark: InputMark) async throws
    /// Input `mark.index` was read through: a per-input output is published now.
    func inputFinished(_ mark: InputMark) async throws
    /// Input `mark.index` failed: its outputs are not published, and its outcomes are taken back
    /// from a shared output where the sink can (an NDJSON file); pushed debts stay pushed.
    func inputFailed(_ mark: InputMark) async throws
}

extension OutcomeSink {
    public func contribute(to summary: inout RunSummary) {}
    public func inputStarted(_ mark: InputMark) async throws {}
    public func inputFinished(_ mark: InputMark) async throws {}
    public func inputFailed(_ mark: InputMark) async throws {}
}
