extension AsyncSequence {
    /// Runs `stage` on each chunk of this sequence, in the consumer's task, one chunk at a time:
    /// `source.then(map).then(normalize)`.
    ///
    /// Buffering: none; each chunk is processed when the consumer asks for it. Throwing: rethrows
    /// the base sequence's errors and the stage's.
    public func then<Stage: ChunkStage>(_ stage: Stage) -> AsyncStageSequence<Self, Stage>
    where Element == Chunk<Stage.Input> {
        AsyncStageSequence(base: self, stage: stage)
    }
}

/// An async sequence of chunks passed through a ``ChunkStage``; see ``AsyncSequence/then(_:)``.
public struct AsyncStageSequence<Base: AsyncSequence, Stage: ChunkStage>: AsyncSequence
where Base.Element == Chunk<Stage.Input> {
    public typealias Element = Chunk<Stage.Output>

    let base: Base
    let stage: Stage

    public struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let stage: Stage

        public mutating func next() async throws -> Chunk<Stage.Output>? {
            guard let chunk = try await base.next() else { return nil }
            return try stage.process(chunk)
        }
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), stage: stage)
    }
}

extension AsyncStageSequence: Sendable where Base: Sendable {}
