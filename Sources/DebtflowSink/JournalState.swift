import DebtflowCore
import DebtflowHTTP
import DebtflowJSON
import Foundation

/// What an earlier run's journal says, per debt (by temp_id) and per batch (by
/// `Idempotency-Key`); the last event about a debt or a key wins. Read once at the start of a
/// `--resume` run, so that the resumed run sends only the debts never acknowledged, however
/// this run's batches fall (CONTRACT.md §5).
///
/// Journals written before `started` lines carried their temp_ids (`ids`) are still read: their
/// `done` lines give per-debt results, and their other events are kept per key, for a batch
/// this run forms again identically (``batchFate(of:)``).
struct JournalState {
    /// A batch's fate, by key.
    enum Fate: Equatable {
        /// Sent and never answered or given up: the process died in between (ambiguous).
        case startedOnly
        /// Answered: the per-debt results.
        case acknowledged([DebtPushResult])
        /// Recorded unknown: it may or may not have reached the server.
        case unknown
        /// Certainly not applied: send it again.
        case notSent
    }

    /// One debt's fate.
    enum DebtFate: Equatable {
        /// The server answered about it (created, failed or skipped): never sent again; its
        /// result is written again from the journal.
        case acknowledged(DebtPushResult, batch: Int)
        /// It was in the batch `key` that may have reached the server (sent, then no answer, or
        /// an answer that did not name it, or the process died while waiting).
        case unresolved(key: String, startedOnly: Bool)
    }

    /// A batch as its `started` line described it.
    struct BatchRecord: Equatable {
        var index: Int
        /// Its temp_ids in body order (`nil` for journals older than `ids`).
        var tempIDs: [String]?
    }

    private(set) var batchFates: [String: Fate] = [:]
    private(set) var batches: [String: BatchRecord] = [:]
    private(set) var debts: [String: DebtFate] = [:]
    /// One more than the highest batch number in the journal: this run numbers its batches on.
    private(set) var nextBatchIndex = 0

    /// Reads the journal at `path`; `nil` when there is none (an ordinary run). A torn last line
    /// (the process died while writing it) is ignored.
    static func load(path: String) throws(DebtflowError) -> JournalState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .sink("cannot read the journal \(path)")
        }
        var state = JournalState()
        // A last line without its line break was never made durable (its write or fsync failed,
        // or the process died in the middle): it is not read, and a resume cuts it
        // (``JournalFile``), so that reading and cutting agree.
        let complete = data.last == 0x0A ? data[...] : data[..<(data.lastIndex(of: 0x0A).map { $0 + 1 } ?? data.startIndex)]
        let lines = complete.split(separator: 0x0A, omittingEmptySubsequences: true)
        for (number, line) in lines.enumerated() {
            guard let value = try? JSONDocument.parse(Array(line), name: "the journal"), let object = value.objectValue,
                  let event = object["event"]?.scalarText, let key = object["key"]?.scalarText else {
                if number == lines.count - 1 { break }
                throw .sink("the journal \(path) is damaged at line \(number + 1); move it away to start afresh")
            }
            state.take(event: event, key: key, object: object)
        }
        return state
    }

    private mutating func take(event: String, key: String, object: RecordObject) {
        let index = object["batch"]?.scalarText.flatMap { Int($0) } ?? -1
        nextBatchIndex = max(nextBatchIndex, index + 1)
        switch event {
        case "started":
            let ids = object["ids"]?.arrayValue?.map { $0.scalarText ?? "" }
            batches[key] = BatchRecord(index: index, tempIDs: ids)
            batchFates[key] = .startedOnly
            for id in ids ?? [] where !id.isEmpty { debts[id] = .unresolved(key: key, startedOnly: true) }
        case "done":
            let results = (object["results"]?.arrayValue ?? []).compactMap(DebtPushResult.init(json:))
            batchFates[key] = .acknowledged(results)
            for result in results {
                guard let id = result.tempID, !id.isEmpty else { continue }
                debts[id] = result.status == .unknown
                    ? .unresolved(key: key, startedOnly: false)
                    : .acknowledged(result, batch: index)
            }
        case "unknown":
            batchFates[key] = .unknown
            for id in batches[key]?.tempIDs ?? [] where !id.isEmpty { debts[id] = .unresolved(key: key, startedOnly: false) }
        case "not_sent":
            batchFates[key] = .notSent
            for id in batches[key]?.tempIDs ?? [] where !id.isEmpty {
                if case .unresolved(key, _)? = debts[id] { debts[id] = nil }
            }
        default:
            break
        }
    }

    /// The fate of the batch with this key.
    func fate(of key: String) -> Fate? { batchFates[key] }

    /// The batch's fate when the journal could not tie it to its debts (a journal older than
    /// `ids` on `started` lines); `nil` for batches whose debts are tracked one by one.
    func batchFate(of key: String) -> Fate? {
        guard let fate = batchFates[key], batches[key]?.tempIDs == nil else { return nil }
        if case .acknowledged = fate { return nil }
        return fate
    }

    /// What the journal says about the debt `tempID`; `nil` when it was never sent or was
    /// certainly not applied.
    func fate(ofDebt tempID: String) -> DebtFate? { debts[tempID] }

    /// The temp_ids of the batch `key` in body order, when the journal has them.
    func tempIDs(ofBatch key: String) -> [String]? { batches[key]?.tempIDs }

    /// The number the batch `key` had.
    func index(ofBatch key: String) -> Int? { batches[key]?.index }
}
