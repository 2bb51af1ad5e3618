import DebtflowCore
import DebtflowGzip

/// An ndjson sink whose path holds `{input}` (CONTRACT.md §2 "Many inputs"): one output per input,
/// named after the input file (by `outputPath`), each published (temp file renamed into
/// place) as soon as its input is read through, and discarded when its input fails.
///
/// An output of an input that was read through stays published even when a later input stops
/// the run. Holds one open ``NDJSONFileSink`` at a time.
public final class PerInputNDJSONSink: NDJSONLineSink {
    public let accepts: Set<OutcomeStatus>
    /// The configured path with `{input}` in its file name.
    public let pathTemplate: String
    private let gzip: Bool
    private let outputPath: @Sendable (String) -> String
    private var current: NDJSONFileSink?
    private let notice: @Sendable (String) -> Void
    private let finishingKilledPublish: Bool
    /// The outputs published so far, in order.
    public private(set) var publishedPaths: [String] = []

    /// - Parameters:
    ///   - pathTemplate: the output path, `{input}` in its file name.
    ///   - accepts: the outcomes this sink receives.
    ///   - gzip: compress each output.
    ///   - outputPath: the output's path for an input's matched path (`{input}` filled in).
    ///   - notice: receives the warnings of each output (``NDJSONFileSink``).
    ///   - finishingKilledPublish: each output first finishes a killed run's publish in its folder
    ///     (``AtomicFile``); false for a dry run.
    public init(pathTemplate: String, accepts: Set<OutcomeStatus>, gzip: Bool,
                outputPath: @escaping @Sendable (String) -> String, notice: @escaping @Sendable (String) -> Void = { _ in },
                finishingKilledPublish: Bool = false) {
        self.pathTemplate = pathTemplate
        self.finishingKilledPublish = finishingKilledPublish
        self.notice = notice
        self.outputPath = outputPath
        self.accepts = accepts
        self.gzip = gzip
    }

    /// The sink a config's `ndjson` stage describes whose `path` holds `{input}`.
    /// - Parameter outputPath: the output's path for an input's matched path (`{input}` filled in).
    public convenience init(options: NDJSONSinkOptions, outputPath: @escaping @Sendable (String) -> String,
                            notice: @escaping @Sendable (String) -> Void = { _ in }, finishingKilledPublish: Bool = false) {
        self.init(pathTemplate: options.path, accepts: options.accepts, gzip: options.gzip, outputPath: outputPath, notice: notice,
                  finishingKilledPublish: finishingKilledPublish)
    }

    public func inputStarted(_ mark: InputMark) async throws {
        await current?.abort()
        current = try NDJSONFileSink(path: outputPath(mark.path), accepts: accepts,
                                     compressor: gzip ? GzipEncoder() : nil, includeSource: true, notice: notice,
                                     finishingKilledPublish: finishingKilledPublish)
    }

    public func write(_ outcomes: [Outcome]) async throws {
        guard let current else {
            throw DebtflowError.sink("internal: outcomes before their input started", location: .init(file: pathTemplate))
        }
        try await current.write(outcomes)
    }

    /// Every envelope names its input in `"source"`.
    public var includesSource: Bool { true }

    /// Appends lines the runner's transform tasks wrote to the current input's output.
    public func write(lines: NDJSONLines) async throws {
        guard let current else {
            throw DebtflowError.sink("internal: outcomes before their input started", location: .init(file: pathTemplate))
        }
        try await current.write(lines: lines)
    }

    /// The input's output, its last bytes written and flushed to disk, short of publishing it.
    public func prepareInputToPublish(_ mark: InputMark) async throws {
        try await current?.prepareToPublish()
    }

    public func inputFinished(_ mark: InputMark) async throws {
        guard let sink = current else { return }
        current = nil
        try await sink.finish()
        publishedPaths.append(sink.path)
    }

    public func inputFailed(_ mark: InputMark) async throws {
        await current?.abort()
        current = nil
    }

    /// The output of an input not ended yet (a `--limit` run's last), made ready to publish.
    public func prepareToPublish() async throws {
        try await current?.prepareToPublish()
    }

    /// Every input's output was published as its input ended.
    public func finish() async throws {
        if let sink = current {
            current = nil
            try await sink.finish()
        }
    }

    public func abort() async {
        await current?.abort()
        current = nil
    }
}
