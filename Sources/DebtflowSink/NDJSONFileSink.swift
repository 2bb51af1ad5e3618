import DebtflowCore
import DebtflowGzip

/// Writes outcomes as NDJSON, one JSON object per line, to a file published atomically at the end
/// of the run (or to stdout for `-`, or in place to an existing device or FIFO: see ``AtomicFile``).
///
/// Each chunk's lines come written by the runner's transform tasks (or are encoded here into one
/// reused buffer) and are written with one `write` (DESIGN.md §3). With
/// `gzip`, the stream is compressed at a fast level. The file is created 0600.
public final class NDJSONFileSink: NDJSONLineSink {
    public let accepts: Set<OutcomeStatus>
    private let file: AtomicFile
    private var writer = JSONByteWriter(capacity: 1 << 20)
    private let compressor: (any ByteCompressor)?
    /// Lines written so far.
    public private(set) var linesWritten = 0
    /// Envelopes name their input in `"source"` (a many-input run).
    private let includeSource: Bool
    /// Where the current input's lines begin in the file, to cut them back if the input fails.
    private var currentInputStart: Int64 = 0
    /// The gzip member of the previous input was ended; the next input starts a new one.
    private var memberEnded = false

    /// - Parameters:
    ///   - path: the output path, or `-` for stdout.
    ///   - accepts: the outcomes this sink receives.
    ///   - compressor: a gzip compressor when the output is to be gzipped.
    ///   - includeSource: write each envelope's input in `"source"` (a many-input run).
    ///   - isInterrupted: ends the wait for a FIFO's reader (see ``AtomicFile``).
    ///   - notice: receives a warning while a FIFO waits for its reader, and when temporary files
    ///     a killed run left beside the output were removed.
    ///   - finishingKilledPublish: first finish a killed run's publish in the output's folder
    ///     (``AtomicFile``); false for a dry run, which publishes nothing.
    /// - Throws: `.sink` when the temporary file cannot be created.
    public init(path: String, accepts: Set<OutcomeStatus>, compressor: (any ByteCompressor)? = nil, includeSource: Bool = false,
                isInterrupted: @escaping () -> Bool = { false }, notice: (String) -> Void = { _ in },
                finishingKilledPublish: Bool = false) throws {
        self.accepts = accepts
        self.file = try AtomicFile(path: path, isInterrupted: isInterrupted, waitingForReader: notice, removedLeftovers: notice,
                                   finishingKilledPublish: finishingKilledPublish)
        self.compressor = compressor
        self.includeSource = includeSource
    }

    /// The sink a config's `ndjson` stage describes (its `path`, `gzip` and `accept`).
    /// - Parameters:
    ///   - path: the file to write instead of `options.path` (a `{input}` path filled in).
    ///   - Other parameters: as ``init(path:accepts:compressor:includeSource:isInterrupted:notice:finishingKilledPublish:)``.
    public convenience init(options: NDJSONSinkOptions, path: String? = nil, includeSource: Bool = false,
                            isInterrupted: @escaping () -> Bool = { false }, notice: (String) -> Void = { _ in },
                            finishingKilledPublish: Bool = false) throws {
        try self.init(path: path ?? options.path, accepts: options.accepts, compressor: options.gzip ? GzipEncoder() : nil,
                      includeSource: includeSource, isInterrupted: isInterrupted, notice: notice,
                      finishingKilledPublish: finishingKilledPublish)
    }

    /// Whether envelopes name their input in `"source"` (the lines the runner writes must too).
    public var includesSource: Bool { includeSource }

    /// The output's final path.
    public var path: String { file.path }

    public func write(_ outcomes: [Outcome]) async throws {
        writer.removeAll()
        for outcome in outcomes {
            writer.outcome(outcome, includeSource: includeSource)
            writer.newline()
        }
        try write(bytes: writer.bytes, lines: outcomes.count)
    }

    /// Appends lines the runner's transform tasks wrote (the same bytes as ``write(_:)``).
    public func write(lines: NDJSONLines) async throws {
        try write(bytes: lines.bytes, lines: lines.count)
    }

    private func write(bytes: [UInt8], lines: Int) throws {
        linesWritten += lines
        if let compressor {
            try file.write(try compressor.compress(bytes))
        } else {
            try file.write(bytes)
        }
    }

    /// Writes the gzip trailer (with `gzip`) and flushes the file to disk, short of publishing it.
    public func prepareToPublish() async throws {
        if let compressor, !memberEnded {
            try file.write(try compressor.finish())
            memberEnded = true
        }
        try file.flushToDisk()
    }

    public func finish() async throws {
        try await prepareToPublish()
        try file.publish()
    }

    /// A shared output of a many-input run: remembers where this input's lines begin, and with
    /// gzip starts a new member, so that cutting back lands on a member boundary.
    public func inputStarted(_ mark: InputMark) async throws {
        if let compressor, memberEnded { try compressor.startNewMember() }
        memberEnded = false
        currentInputStart = file.bytesWritten
    }

    /// Ends the input's gzip member (the file stays unpublished until the run ends).
    public func inputFinished(_ mark: InputMark) async throws {
        if let compressor {
            try file.write(try compressor.finish())
            memberEnded = true
        }
    }

    /// Cuts the failed input's lines (its whole gzip member) back out of the file.
    public func inputFailed(_ mark: InputMark) async throws {
        try file.truncate(to: currentInputStart)
        if compressor != nil {
            // The unfinished member is dropped; the next input (or the run's end) starts afresh.
            try compressor?.startNewMember()
            memberEnded = false
        }
    }

    public func abort() async {
        file.discard()
    }
}

/// A streaming compressor (gzip) for sink output.
public protocol ByteCompressor: AnyObject {
    /// Compresses more input; returns whatever compressed bytes are ready.
    func compress(_ bytes: [UInt8]) throws -> [UInt8]
    /// Ends the stream; returns the remaining compressed bytes.
    func finish() throws -> [UInt8]
    /// Starts a new stream (gzip member), dropping whatever an unfinished one holds.
    func startNewMember() throws
}

extension GzipEncoder: ByteCompressor {
    public func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        try compress(bytes[...])
    }
}
