/// The answers of batches that created debts, by `Idempotency-Key`, so that a replayed key gets
/// the first answer byte for byte and creates nothing.
///
/// Kept in memory for the server's life (a sandbox is short-lived). Each entry remembers a
/// fingerprint of the body, so a key reused with a different body can be refused.
/// Not locked itself: the batch endpoint uses it under its own lock.
struct IdempotencyStore {
    struct Entry {
        var bodyFingerprint: UInt64
        var bodyLength: Int
        var response: HTTPResponse
    }

    private var entries: [String: Entry] = [:]

    func entry(for key: String) -> Entry? { entries[key] }

    mutating func store(_ response: HTTPResponse, for key: String, body: [UInt8]) {
        entries[key] = Entry(bodyFingerprint: Self.fingerprint(body), bodyLength: body.count, response: response)
    }

    /// Whether `body` is the one first sent under the entry's key.
    static func matches(_ entry: Entry, body: [UInt8]) -> Bool {
        entry.bodyLength == body.count && entry.bodyFingerprint == fingerprint(body)
    }

    /// FNV-1a, 64 bits.
    static func fingerprint(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
