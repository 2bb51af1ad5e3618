import DebtflowCore
import Synchronization

/// The mapping plans built so far, one per distinct record shape (list of keys, nested keys included).
///
/// Safe to share (`Sendable`): the dictionary is only touched under the `Mutex`. A stage looks a
/// plan up once per change of key list within a chunk, not per record. The cache holds at most
/// ``capacity`` plans, and their signatures at most ``byteCapacity`` bytes beside the newest one
/// (records whose keys vary endlessly get a fresh plan each time instead; records of a million
/// keys each do not keep hundreds of millions of bytes of names).
final class FieldMappingPlanCache: Sendable {
    static let capacity = 256
    /// The signature bytes the cache keeps beside its newest plan (16 MiB unless a test asks less).
    let byteCapacity: Int

    private struct Plans {
        var bySignature: [FieldMappingPlan.Signature: FieldMappingPlan] = [:]
        var signatureBytes = 0
    }

    private let plans = Mutex(Plans())
    private let options: MapOptions

    init(options: MapOptions, byteCapacity: Int = 16 << 20) {
        self.options = options
        self.byteCapacity = byteCapacity
    }

    /// How many plans are kept, and their signatures' bytes (for tests).
    var kept: (plans: Int, signatureBytes: Int) {
        plans.withLock { ($0.bySignature.count, $0.signatureBytes) }
    }

    /// The plan for `record`'s shape (its keys and its nested objects' keys), built on first use.
    /// The lookup makes the record's ``FieldMappingPlan/Signature`` (one byte array, no `String`).
    func plan(for record: RecordView) -> FieldMappingPlan {
        let keys = FieldMappingPlan.Signature(of: record)
        if let plan = plans.withLock({ $0.bySignature[keys] }) { return plan }
        let plan = FieldMappingPlan(sample: record, options: options, signature: keys)
        plans.withLock { plans in
            guard plans.bySignature[keys] == nil else { return }
            let size = keys.bytes.count
            if plans.signatureBytes + size > byteCapacity && !plans.bySignature.isEmpty {
                // Over the bytes: the cache starts again with this plan (one shape this large is
                // kept whatever its size, so a wide header is not planned again at every chunk).
                plans = Plans()
            }
            guard plans.bySignature.count < Self.capacity else { return }
            plans.bySignature[keys] = plan
            plans.signatureBytes += size
        }
        return plan
    }
}
