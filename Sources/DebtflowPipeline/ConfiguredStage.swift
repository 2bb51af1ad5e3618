import DebtflowCore

/// A transform stage as the config listed it: its kind, where it was written, its decoded options
/// (the stage module's own options type), and how to make the stage.
public struct ConfiguredStage: Sendable {
    /// `map`, `normalize`, `classify`, `validate`.
    public let kind: String
    /// `stages[N].kind`, for messages.
    public let jsonPath: String
    /// The stage's options: `MapOptions`, `NormalizeOptions`, `ClassifyOptions`, `ValidateOptions`.
    public let options: any Sendable
    /// Makes the stage (each call a fresh one).
    let makeLink: @Sendable () -> StageLink
}

/// A made stage, by the elements it takes and gives, so that a list of them can be chained with
/// their types checked: records → debt candidates → … → outcomes.
public enum StageLink: Sendable {
    /// Records in, debt candidates out (`map`).
    case mapping(AnyChunkStage<Record, DebtCandidate>)
    /// Debt candidates in and out (`normalize`, `classify`).
    case refining(AnyChunkStage<DebtCandidate, DebtCandidate>)
    /// Debt candidates in, outcomes out (`validate`).
    case deciding(AnyChunkStage<DebtCandidate, Outcome>)
}

extension StageLink {
    /// The chain of `links` in order, from records to outcomes; no links is a conversion
    /// (every record becomes an outcome holding it).
    /// - Throws: `.configuration` when the links do not chain from records to outcomes (the
    ///   config decoder's placement rules keep that from happening).
    static func chain(_ links: [StageLink]) throws -> RecordTransform {
        enum Partial {
            case records
            case candidates(AnyChunkStage<Record, DebtCandidate>)
            case outcomes(AnyChunkStage<Record, Outcome>)
        }
        var partial = Partial.records
        for link in links {
            switch (partial, link) {
            case (.records, .mapping(let map)):
                partial = .candidates(map)
            case (.candidates(let chain), .refining(let stage)):
                partial = .candidates(AnyChunkStage(chaining: chain, then: stage))
            case (.candidates(let chain), .deciding(let stage)):
                partial = .outcomes(AnyChunkStage(chaining: chain, then: stage))
            default:
                throw DebtflowError.configuration("the stages do not chain from records to outcomes", path: "stages")
            }
        }
        switch partial {
        case .records: return RecordTransform.conversion
        case .outcomes(let chain): return RecordTransform(chain)
        case .candidates: throw DebtflowError.configuration("the debt stages end before `validate`", path: "stages")
        }
    }
}
