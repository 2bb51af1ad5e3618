import DebtflowCore
import Foundation

/// A record source over records held in memory, cut into chunks of `chunkSize`; optionally throws
/// `failure` after `failAfter` records.
public final class ArrayRecordSource: RecordSource {
    public let name: String
    private var records: ArraySlice<Record>
    private let chunkSize: Int
    private let failAfter: Int?
    private let failure: DebtflowError
    private var delivered = 0

    public init(_ records: [Record], name: String = "memory", chunkSize: Int = 1024, failAfter: Int? = nil,
                failure: DebtflowError = .input("corrupt input")) {
        self.records = records[...]
        self.name = name
        self.chunkSize = chunkSize
        self.failAfter = failAfter
        self.failure = failure
    }

    public var totalBytes: Int64? { nil }

    public func nextChunk() async throws -> Chunk<Record>? {
        if let failAfter, delivered >= failAfter { throw failure }
        guard !records.isEmpty else { return nil }
        var count = min(chunkSize, records.count)
        if let failAfter { count = min(count, failAfter - delivered) }
        let chunk = Array(records.prefix(count))
        records = records.dropFirst(count)
        delivered += count
        return Chunk(chunk)
    }

    /// `count` records with fields `id` and `name`, numbered from 1.
    public static func numbered(_ count: Int, name: String = "memory") -> [Record] {
        (1...max(count, 1)).prefix(count).map { index in
            Record(provenance: Provenance(source: name, record: index, line: index + 1),
                   fields: RecordObject(["id": .string("\(index)"), "name": .string("n\(index)")]))
        }
    }
}

/// A sink that keeps what it receives and whether it was finished or aborted; it can be slowed
/// down or made to fail.
public final class RecordingSink: OutcomeSink {
    public let accepts: Set<OutcomeStatus>
    public private(set) var received: [Outcome] = []
    public private(set) var finished = false
    public private(set) var aborted = false
    /// ``prepareToPublish()`` was called (by the runner, or by ``finish()``).
    public private(set) var prepared = false
    /// ``prepareToPublish()`` fails, as a disk that fills at the end would make it.
    private let failsToPrepare: Bool
    private let delay: Duration?
    private let failAfterWrites: Int?
    private var writes = 0
    /// Called as the sink publishes (a signal arriving then, say).
    private let onFinish: @Sendable () -> Void

    public init(accepts: Set<OutcomeStatus> = [.valid, .failed, .skipped], delay: Duration? = nil, failAfterWrites: Int? = nil,
                failsToPrepare: Bool = false, onFinish: @escaping @Sendable () -> Void = {}) {
        self.accepts = accepts
        self.failsToPrepare = failsToPrepare
        self.delay = delay
        self.failAfterWrites = failAfterWrites
        self.onFinish = onFinish
    }

    public func write(_ outcomes: [Outcome]) async throws {
        if let failAfterWrites, writes >= failAfterWrites { throw DebtflowError.sink("disk full") }
        writes += 1
        if let delay { try await Task.sleep(for: delay) }
        received.append(contentsOf: outcomes)
    }

    public func prepareToPublish() async throws {
        prepared = true
        if failsToPrepare { throw DebtflowError.sink("disk full while writing output") }
    }

    /// Prepares first when the runner did not (as a file sink does), then publishes.
    public func finish() async throws {
        if !prepared { try await prepareToPublish() }
        onFinish()
        finished = true
    }
    public func abort() async { aborted = true }
}
