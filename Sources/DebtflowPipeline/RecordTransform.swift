import DebtflowCore

/// Turns a chunk of records into a chunk of outcomes: the synchronous middle of a pipeline, run on
/// a chunk at a time without an `await` per record. The stage a config builds (its listed stages,
/// chained; see ``StageLink``), with its concrete type hidden.
///
/// A conversion pipeline passes records through as they are (``conversion``); a debt pipeline
/// chains `map`, `normalize`, [`classify`], `validate`.
public struct RecordTransform: ChunkStage {
    private let step: @Sendable (consuming Chunk<Record>) throws -> Chunk<Outcome>
    /// Hands each outcome of a chunk on as it is made (``forEachOutput(of:_:)``).
    private let streaming: AnyChunkStage<Record, Outcome>.Streaming
    /// Whether this is ``conversion``: every record passes through as it was read, so the runner
    /// writes the sinks' lines straight from the records (``SinkChunkEncoder/encodeConversion(_:)``),
    /// without the outcomes.
    public private(set) var isConversion = false

    /// A transform from a closure.
    public init(_ step: @escaping @Sendable (consuming Chunk<Record>) throws -> Chunk<Outcome>) {
        self.step = step
        self.streaming = { chunk, body in
            var outcomes = try step(chunk)
            try outcomes.elements.forEachInPlace(body)
        }
    }

    /// A transform that runs `stage`.
    public init<Stage: ChunkStage>(_ stage: Stage) where Stage.Input == Record, Stage.Output == Outcome {
        self.step = { chunk in try stage.process(chunk) }
        self.streaming = { chunk, body in try stage.forEachOutput(of: chunk, body) }
    }

    public func process(_ chunk: consuming Chunk<Record>) throws -> Chunk<Outcome> {
        try step(chunk)
    }

    /// Hands each outcome on as it is made: for a config-built debt chain, each record goes
    /// through every stage before the next (see ``DebtflowCore/AnyChunkStage/init(chaining:then:)``).
    public func forEachOutput(of chunk: consuming Chunk<Record>, _ body: (inout Outcome) throws -> Void) throws {
        try streaming(chunk, body)
    }

    /// The conversion pipeline's transform: every record becomes a `valid` outcome holding it, or
    /// `failed` when the reader could not read it.
    public static var conversion: RecordTransform {
        var transform = RecordTransform(ConversionStage())
        transform.isConversion = true
        return transform
    }
}

/// The conversion pipeline's one stage: each record becomes an outcome holding it as it was
/// read (`valid`), or `failed` with the reader's problem (``Outcome/converted(_:)``).
public struct ConversionStage: ChunkStage {
    public init() {}

    public func process(_ chunk: consuming Chunk<Record>) throws -> Chunk<Outcome> {
        // Each outcome is built in place from its record's fields (`map(Outcome.converted)`
        // copies every record, a retain per reference, before converting it).
        let outcomes = chunk.elements.withUnsafeBufferPointer { records in
            [Outcome](unsafeUninitializedCapacity: records.count) { buffer, initializedCount in
                for index in records.indices {
                    (buffer.baseAddress! + index).initialize(to: Outcome.converted(provenance: records[index].provenance,
                                                                                   view: records[index].view,
                                                                                   problem: records[index].problem))
                }
                initializedCount = records.count
            }
        }
        return Chunk(outcomes, inputBytesConsumed: chunk.inputBytesConsumed)
    }
}
