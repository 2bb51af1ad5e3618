import DebtflowCore
import DebtflowHTTP
import DebtflowJSON
import Foundation

/// What an earlier run's journal says about each batch, by `Idempotency-Key` (the last event of
/// a key wins). Read once at the start of a `--resume` run.
struct JournalState {
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

    private(set) var fates: [String: Fate] = [:]

    /// Reads the journal at `path`; `nil` when there is none (an ordinary run). A torn last line
    /// (the process died while writing it) is ignored.
    static func load(path: String) throws(DebtflowError) -> JournalState? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .sink("cannot read the journal \(path)")
        }
        var state = JournalState()
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: true)
        for (number, line) in lines.enumerated() {
            guard let value = try? JSONDocument.parse(Array(line), name: "the journal"), let object = value.objectValue,
                  let event = object["event"]?.scalarText, let key = object["key"]?.scalarText else {
                if number == lines.count - 1 { break }
                throw .sink("the journal \(path) is damaged at line \(number + 1); move it away to start afresh")
            }
            switch event {
            case "started": state.fates[key] = .startedOnly
            case "done":
                let results = (object["results"]?.arrayValue ?? []).compactMap(DebtPushResult.init(json:))
                state.fates[key] = .acknowledged(results)
            case "unknown": state.fates[key] = .unknown
            case "not_sent": state.fates[key] = .notSent
            default: continue
            }
        }
        return state
    }

    func fate(of key: String) -> Fate? { fates[key] }
}
