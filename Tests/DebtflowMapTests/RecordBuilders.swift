import DebtflowCore
import DebtflowMap

/// Small builders for records in tests: `object(("firstName", "Jean"))`.
func object(_ pairs: (String, RecordValue)...) -> RecordValue {
    .object(RecordObject(entries: pairs.map { RecordObject.Entry(key: $0.0, value: $0.1) }))
}

func fields(_ pairs: (String, RecordValue)...) -> RecordObject {
    RecordObject(entries: pairs.map { RecordObject.Entry(key: $0.0, value: $0.1) })
}

/// A CSV-like record: every value a string.
func row(_ pairs: [(String, String)]) -> RecordObject {
    RecordObject(entries: pairs.map { RecordObject.Entry(key: $0.0, value: .string($0.1)) })
}

func record(_ fields: RecordObject, number: Int = 1, source: String = "/data/in/debtors.csv",
            problem: RecordError? = nil) -> Record {
    Record(provenance: Provenance(source: source, record: number, line: number + 1), fields: fields, problem: problem)
}

extension RecordValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension RecordValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: RecordValue...) { self = .array(elements) }
}

/// Runs the map stage over records in one chunk.
func map(_ records: [Record], options: MapOptions = MapOptions(), today: String = "2026-06-15") throws -> [DebtCandidate] {
    try MapStage(options: options, today: today).process(Chunk(records)).elements
}

/// The one candidate of one record.
func mapOne(_ fields: RecordObject, options: MapOptions = MapOptions()) throws -> DebtCandidate {
    let candidates = try map([record(fields)], options: options)
    guard candidates.count == 1 else { throw MapTestFailure.expectedOneCandidate(candidates.count) }
    return candidates[0]
}

enum MapTestFailure: Error { case expectedOneCandidate(Int) }
