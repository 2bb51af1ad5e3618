import DebtflowClassify
import DebtflowCore
import DebtflowNormalize
import DebtflowValidate

/// A debt's source text that passes every rule: the base that each test spoils one way.
let validRaw: [String: String] = [
    "firstname": "Jean", "lastname": "Dupont", "amount": "1 234,50", "currency": "EUR",
    "phone": "06 12 34 56 78", "email": "jean.dupont@example.fr",
]

/// The record a CSV reader would have given for `raw` (the `data` of failed envelopes).
func dataRow(_ raw: [String: String]) -> RecordObject {
    RecordObject(entries: raw.sorted { $0.key < $1.key }.map { RecordObject.Entry(key: $0.key, value: .string($0.value)) })
}

/// `raw` with some keys changed (`nil` removes the key).
func spoiled(_ changes: [String: String?]) -> [String: String] {
    var raw = validRaw
    for (key, value) in changes { raw[key] = value }
    return raw
}

/// Runs one candidate through normalize, classify and validate.
func evaluate(_ raw: [String: String], data: RecordObject? = nil, tempID: String? = "T-1", phoneRegion: String? = nil,
              errors: [RecordError] = [], skipReason: SkipReason? = nil,
              normalize: NormalizeOptions = NormalizeOptions(), classify: ClassifyOptions = ClassifyOptions(),
              validate: ValidateOptions = ValidateOptions()) throws -> Outcome {
    var candidate = DebtCandidate(provenance: Provenance(source: "debts.csv", record: 3, line: 4),
                                  data: data ?? dataRow(raw), raw: raw, tempID: tempID, phoneRegion: phoneRegion)
    candidate.errors = errors
    candidate.skipReason = skipReason
    let normalized = try NormalizeStage(options: normalize).process(Chunk([candidate]))
    let classified = try ClassifyStage(options: classify).process(normalized)
    let outcomes = try ValidateStage(options: validate).process(classified).elements
    guard outcomes.count == 1 else { throw HarnessFailure.expectedOneOutcome(outcomes.count) }
    return outcomes[0]
}

enum HarnessFailure: Error { case expectedOneOutcome(Int) }
