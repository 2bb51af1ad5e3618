import DebtflowCore

/// Turns a chunk of records into a chunk of outcomes: the synchronous middle of a pipeline, run in
/// one task without an `await` per record.
///
/// A conversion pipeline passes records through as they are; a debt pipeline chains `map`,
/// `normalize`, `classify` and `validate`.
public struct RecordTransform: Sendable {
    private let step: @Sendable (Chunk<Record>) throws -> Chunk<Outcome>

    public init(_ step: @escaping @Sendable (Chunk<Record>) throws -> Chunk<Outcome>) {
        self.step = step
    }

    public func callAsFunction(_ chunk: Chunk<Record>) throws -> Chunk<Outcome> {
        try step(chunk)
    }

    /// The conversion pipeline's transform: every record becomes a `valid` outcome holding it, or
    /// `failed` when the reader could not read it.
    public static var conversion: RecordTransform {
        RecordTransform { chunk in
            Chunk(chunk.elements.map(Outcome.converted), inputBytesConsumed: chunk.inputBytesConsumed)
        }
    }
}
