import DebtflowCore
import DebtflowHTTP

/// One request's worth of debts: its position in the run, its exact body and the key derived
/// from that body.
///
/// Batches are cut from the debts in input order, `batch_size` at a time, so the same input gives
/// the same batches, bodies and `Idempotency-Key`s on every run.
public struct PushBatch: Sendable, Equatable {
    /// 0-based position of the batch in the run.
    public var index: Int
    /// The temp_id of each debt, in body order.
    public var tempIDs: [String?]
    /// The exact request body.
    public var body: [UInt8]
    /// SHA-256 (hex) of ``body``: the batch's `Idempotency-Key`.
    public var idempotencyKey: String
    /// Each debt's ``debtDigest(_:)``, in body order: the journal keeps it with the debt's
    /// answer, so that `--resume` knows tonight's debt from another one under the same temp_id.
    public var debtDigests: [String]

    /// Builds the body `{"batch_name"?,"accept_expensive_destination"?,"debts":[…]}` with the
    /// contract's debt writer, and its key.
    /// - Parameter idempotencyKey: the key of an earlier send of these debts, to resend them
    ///   under it (`--resume`); by default the SHA-256 of the body.
    public init(index: Int, debts: [Debt], batchName: String?, acceptExpensiveDestination: Bool?,
                idempotencyKey: String? = nil) {
        var writer = JSONByteWriter(capacity: 512 * max(debts.count, 1))
        writer.beginObject()
        writer.optionalField("batch_name", batchName)
        if let acceptExpensiveDestination { writer.field("accept_expensive_destination", acceptExpensiveDestination) }
        writer.key("debts")
        writer.beginArray()
        for debt in debts { writer.debt(debt) }
        writer.endArray()
        writer.endObject()
        self.index = index
        self.tempIDs = debts.map(\.tempID)
        self.debtDigests = debts.map(Self.debtDigest)
        self.body = writer.bytes
        self.idempotencyKey = idempotencyKey ?? SHA256.hex(writer.bytes)
    }

    /// The number of debts.
    public var count: Int { tempIDs.count }

    /// 16 hex digits (FNV-1a, 64 bits) of `debt` as a batch body writes it, without the fields a
    /// run's config may set on every debt (`timeline_id`, `timeline_start_mode`,
    /// `accept_expensive_destination`): the same record gives the same digest on every run, and
    /// another debtor or debt another one.
    public static func debtDigest(_ debt: Debt) -> String {
        var own = debt
        own.timelineID = nil
        own.timelineStartMode = nil
        own.acceptExpensiveDestination = nil
        var writer = JSONByteWriter(capacity: 512)
        writer.debt(own)
        let hex = String(FNV1a.hash64(writer.bytes), radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The digest of each debt of this batch (``debtDigests``) by its temp_id.
    var debtDigestsByTempID: [String: String] {
        var digests: [String: String] = [:]
        for (tempID, digest) in zip(tempIDs, debtDigests) {
            if let tempID, digests[tempID] == nil { digests[tempID] = digest }
        }
        return digests
    }

    /// SHA-256 of the temp_ids joined by newlines, for the journal.
    var tempIDsDigest: String {
        var bytes: [UInt8] = []
        for tempID in tempIDs {
            bytes.append(contentsOf: (tempID ?? "").utf8)
            bytes.append(0x0A)
        }
        return SHA256.hex(bytes)
    }

    /// The batch without its body, for keeping in lists after it was sent.
    var withoutBody: PushBatch {
        var copy = self
        copy.body = []
        return copy
    }

    /// `a, b, c` for messages.
    var tempIDList: String { tempIDs.map { $0 ?? "(no temp_id)" }.joined(separator: ", ") }
}
