import DebtflowCore

/// Runs a stage and gives its output chunk the input chunk's ``InputMark`` (stages build new
/// chunks and know nothing of inputs), so the drain of a many-input run knows which input each
/// chunk of outcomes belongs to. It also carries the chunk's text byte count, which the drain
/// releases from the run's ``InFlightByteBudget``. A chunk without a mark passes as it would
/// through `base`.
struct InputMarkKeeping<Base: ChunkStage>: ChunkStage {
    let base: Base

    init(_ base: Base) {
        self.base = base
    }

    func process(_ chunk: consuming Chunk<Base.Input>) throws -> Chunk<Base.Output> {
        let mark = chunk.input
        let textByteCount = chunk.textByteCount
        var output = try base.process(chunk)
        if mark != nil { output.input = mark }
        output.textByteCount = textByteCount
        return output
    }

    /// The outputs are handed on as `base` makes them (the caller holds the input chunk's mark).
    func forEachOutput(of chunk: consuming Chunk<Base.Input>, _ body: (inout Base.Output) throws -> Void) throws {
        try base.forEachOutput(of: chunk, body)
    }
}
