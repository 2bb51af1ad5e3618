import DebtflowCore

/// The answers of batches that created debts, by `Idempotency-Key`, so that a replayed key gets
/// the first answer byte for byte and creates nothing.
///
/// Kept in memory within a byte budget: when the stored answers exceed it, the oldest keys are
/// forgotten first (a client retries a batch soon after its first attempt, not hours later).
/// Each entry remembers a fingerprint of the body, so a key reused with a different body can be
/// refused. Not locked itself: the batch endpoint uses it under its own lock.
struct IdempotencyStore {
    struct Entry {
        var bodyFingerprint: UInt64
        var bodyLength: Int
        var response: HTTPResponse
    }

    private var entries: [String: Entry] = [:]
    /// Keys in the order they were stored, oldest first, from `oldestIndex` on.
    private var order: [String] = []
    private var oldestIndex = 0
    private var storedBytes = 0
    private let budgetBytes: Int

    /// - Parameter budgetBytes: how many bytes of answers (and keys) to keep at most.
    init(budgetBytes: Int = 256 << 20) {
        self.budgetBytes = budgetBytes
    }

    /// How many keys are remembered.
    var count: Int { entries.count }

    func entry(for key: String) -> Entry? { entries[key] }

    mutating func store(_ response: HTTPResponse, for key: String, body: [UInt8]) {
        guard entries[key] == nil else { return }
        entries[key] = Entry(bodyFingerprint: Self.fingerprint(body), bodyLength: body.count, response: response)
        order.append(key)
        storedBytes += Self.cost(key: key, response: response)
        while storedBytes > budgetBytes && entries.count > 1 {
            let oldest = order[oldestIndex]
            oldestIndex += 1
            if let removed = entries.removeValue(forKey: oldest) {
                storedBytes -= Self.cost(key: oldest, response: removed.response)
            }
        }
        if oldestIndex > 1024 && oldestIndex * 2 > order.count {
            order.removeFirst(oldestIndex)
            oldestIndex = 0
        }
    }

    private static func cost(key: String, response: HTTPResponse) -> Int {
        key.utf8.count + response.body.count + 64
    }

    /// Whether `body` is the one first sent under the entry's key.
    static func matches(_ entry: Entry, body: [UInt8]) -> Bool {
        entry.bodyLength == body.count && entry.bodyFingerprint == fingerprint(body)
    }

    /// FNV-1a, 64 bits (``DebtflowCore/FNV1a``).
    static func fingerprint(_ bytes: [UInt8]) -> UInt64 { FNV1a.hash64(bytes) }
}
