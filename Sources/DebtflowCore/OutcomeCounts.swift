/// The summary's counts of a set of outcomes (CONTRACT.md §1): how many valid, failed and skipped,
/// errors by code, skip reasons, destinations and credits.
///
/// The transform tasks count each chunk into one of these while they write its NDJSON lines, so
/// the outcomes themselves never have to reach the run's summary; ``RunSummary/add(_:)`` sums them.
public struct OutcomeCounts: Sendable, Equatable {
    public var records = 0
    public var valid = 0
    public var failed = 0
    public var skipped = 0
    public var errors: [String: Int] = [:]
    public var skipReasons: [String: Int] = [:]
    public var destinations: [String: RunSummary.ZoneTotal] = [:]
    /// The sum of credits per call over valid debts.
    public var credits = 0

    public init() {}

    /// Adds counts made elsewhere (one chunk's, counted by a transform task).
    public mutating func add(_ other: OutcomeCounts) {
        records += other.records
        valid += other.valid
        failed += other.failed
        skipped += other.skipped
        credits += other.credits
        for (code, count) in other.errors { errors[code, default: 0] += count }
        for (reason, count) in other.skipReasons { skipReasons[reason, default: 0] += count }
        for (zone, total) in other.destinations {
            destinations[zone, default: RunSummary.ZoneTotal()].count += total.count
            destinations[zone, default: RunSummary.ZoneTotal()].credits += total.credits
        }
    }

    /// Counts one outcome.
    public mutating func count(_ outcome: Outcome) {
        records += 1
        switch outcome.status {
        case .valid:
            valid += 1
            if let destination = outcome.destination {
                let credits = destination.credits ?? 0
                destinations[destination.zone.rawValue, default: RunSummary.ZoneTotal()].count += 1
                destinations[destination.zone.rawValue, default: RunSummary.ZoneTotal()].credits += credits
                self.credits += credits
            }
        case .failed:
            failed += 1
            for error in outcome.errors { errors[error.code.rawValue, default: 0] += 1 }
        case .skipped:
            skipped += 1
            if let reason = outcome.skipReason { skipReasons[reason.rawValue, default: 0] += 1 }
        }
    }
}

extension RunSummary {
    /// Adds counts made elsewhere (one chunk's, counted by a transform task).
    public mutating func add(_ other: OutcomeCounts) {
        counts.add(other)
    }
}
