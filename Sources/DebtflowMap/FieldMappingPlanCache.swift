import DebtflowCore
import Synchronization

/// The mapping plans built so far, one per distinct record shape (list of keys, nested keys included).
///
/// Safe to share (`Sendable`): the dictionary is only touched under the `Mutex`. A stage looks a
/// plan up once per change of key list within a chunk, not per record. The cache holds at most
/// ``capacity`` plans (records whose keys vary endlessly get a fresh plan each time instead).
final class FieldMappingPlanCache: Sendable {
    static let capacity = 256

    private let plans = Mutex<[FieldMappingPlan.Signature: FieldMappingPlan]>([:])
    private let options: MapOptions

    init(options: MapOptions) {
        self.options = options
    }

    /// The plan for `record`'s shape (its keys and its nested objects' keys), built on first use.
    /// The lookup makes the record's ``FieldMappingPlan/Signature`` (one byte array, no `String`).
    func plan(for record: RecordView) -> FieldMappingPlan {
        let keys = FieldMappingPlan.Signature(of: record)
        if let plan = plans.withLock({ $0[keys] }) { return plan }
        let plan = FieldMappingPlan(sample: record, options: options)
        plans.withLock { plans in
            if plans.count < Self.capacity { plans[keys] = plan }
        }
        return plan
    }
}
