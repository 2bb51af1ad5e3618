import DebtflowCore

/// The `classify` stage: sets the destination of every candidate whose phone `normalize` found
/// valid (``DebtflowCore/DebtCandidate/phoneNumber``: its calling code and region). Skipped
/// candidates and those without a valid phone pass unchanged; `validate` turns the destination
/// into `expensive_destination` or `unsupported_destination` where the rules say so.
public struct ClassifyStage: ElementStage {
    public typealias Input = DebtCandidate
    public typealias Output = DebtCandidate

    public let classifier: DestinationClassifier

    public init(options: ClassifyOptions = ClassifyOptions()) {
        self.classifier = DestinationClassifier(options: options)
    }

    /// Classifies the chunk's candidates in place (`consuming`: a chunk handed straight from the
    /// previous stage is not copied).
    public func process(_ chunk: consuming Chunk<DebtCandidate>) throws -> Chunk<DebtCandidate> {
        var chunk = chunk
        // Each candidate is changed where it lies (`forEachInPlace`: no copy in and out).
        chunk.elements.forEachInPlace(classify)
        return chunk
    }

    /// Sets `candidate`'s destination and hands it to `next` (``DebtflowCore/ElementStage``).
    public func pass(_ candidate: inout DebtCandidate, to next: (inout DebtCandidate) throws -> Void) throws {
        classify(&candidate)
        try next(&candidate)
    }

    /// Sets one candidate's destination.
    public func classify(_ candidate: inout DebtCandidate) {
        guard candidate.skipReason == nil, candidate.debt.has(.phone), let phone = candidate.phoneNumber else { return }
        candidate.destination = classifier.classify(phone)
    }
}
