import DebtflowCore

/// The per-input figures of a many-input run (the summary's `inputs`), kept by the runner's
/// drain as outcome chunks arrive in input order.
struct InputTally {
    private(set) var totals: [RunSummary.InputTotals]
    private var currentIndex: Int?
    private var currentStart = ContinuousClock.now

    /// - Parameter unmatched: patterns that matched nothing, listed first with their error.
    init(unmatched: [RunSummary.InputTotals]) {
        totals = unmatched
    }

    /// Notes the chunk's input; true when it is a new one (its sinks must hear of it).
    mutating func start(_ mark: InputMark) -> Bool {
        guard mark.index != currentIndex else { return false }
        currentIndex = mark.index
        currentStart = ContinuousClock.now
        totals.append(RunSummary.InputTotals(path: mark.path))
        return true
    }

    /// Adds one chunk's counts (made by a transform task) to the current input's figures.
    mutating func count(_ counts: OutcomeCounts) {
        guard !totals.isEmpty else { return }
        totals[totals.count - 1].add(counts)
    }

    /// Closes the current input: its time, and its error when it failed.
    mutating func end(_ mark: InputMark) {
        guard !totals.isEmpty else { return }
        let elapsed = ContinuousClock.now - currentStart
        totals[totals.count - 1].seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        if let failure = mark.failure { totals[totals.count - 1].error = failure.description }
    }
}
