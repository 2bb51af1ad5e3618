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
    /// Outcomes that carry a warning (a contact dropped under `drop_invalid_contact`): each one's
    /// `warnings` says what.
    public var withWarnings = 0

    public init() {}

    /// Adds counts made elsewhere (one chunk's, counted by a transform task).
    public mutating func add(_ other: OutcomeCounts) {
        records += other.records
        valid += other.valid
        failed += other.failed
        skipped += other.skipped
        credits += other.credits
        withWarnings += other.withWarnings
        for (code, count) in other.errors { errors[code, default: 0] += count }
        for (reason, count) in other.skipReasons { skipReasons[reason, default: 0] += count }
        for (zone, total) in other.destinations {
            destinations[zone, default: RunSummary.ZoneTotal()].count += total.count
            destinations[zone, default: RunSummary.ZoneTotal()].credits += total.credits
        }
    }

    /// Counts one outcome (through ``OutcomeTally``, the one place that decides what an outcome
    /// adds; counting many, use a tally and add its counts once).
    public mutating func count(_ outcome: Outcome) {
        var tally = OutcomeTally()
        tally.count(outcome)
        add(tally.counts)
    }
}

extension RunSummary {
    /// Adds counts made elsewhere (one chunk's, counted by a transform task).
    public mutating func add(_ other: OutcomeCounts) {
        counts.add(other)
    }
}

/// Counts outcomes in fixed slots (one per status, error code, skip reason and zone) without
/// hashing a key per outcome; made into ``OutcomeCounts`` once, for a whole chunk.
public struct OutcomeTally: Sendable {
    private var records = 0
    private var valid = 0
    private var failed = 0
    private var skipped = 0
    private var credits = 0
    private var withWarnings = 0
    private var errors = InlineArray<32, Int>(repeating: 0)
    private var skipReasons = InlineArray<8, Int>(repeating: 0)
    private var zoneCounts = InlineArray<8, Int>(repeating: 0)
    private var zoneCredits = InlineArray<8, Int>(repeating: 0)

    private static let errorCodes = RecordErrorCode.allCases
    private static let reasons = SkipReason.allCases
    private static let zones = DestinationZone.allCases

    public init() {
        precondition(Self.errorCodes.count <= 32 && Self.reasons.count <= 8 && Self.zones.count <= 8,
                     "OutcomeTally: more cases than slots")
    }

    /// Counts one outcome: one more record of its status; a valid debt's zone and credits, a
    /// failed record's errors by code, a skipped record's reason.
    public mutating func count(_ outcome: borrowing Outcome) {
        tally(outcome)
    }

    /// ``count(_:)`` of an outcome the caller holds `inout` (the sink encoder): read where it
    /// lies and not modified. (An outcome is 481 bytes; a `borrowing` parameter of that size is
    /// copied by a caller in another module, an `inout` one is handed over as an address.)
    public mutating func count(inPlace outcome: inout Outcome) {
        tally(outcome)
    }

    /// The body of both ``count(_:)`` forms, inlined into each so that neither copies the outcome
    /// to call it.
    @inline(__always)
    private mutating func tally(_ outcome: borrowing Outcome) {
        records += 1
        if !outcome.warnings.isEmpty { withWarnings += 1 }
        switch outcome.status {
        case .valid:
            valid += 1
            if let destination = outcome.destination, let zone = Self.zones.firstIndex(of: destination.zone) {
                let credits = destination.credits ?? 0
                zoneCounts[zone] += 1
                zoneCredits[zone] += credits
                self.credits += credits
            }
        case .failed:
            failed += 1
            for error in outcome.errors {
                if let code = Self.errorCodes.firstIndex(of: error.code) { errors[code] += 1 }
            }
        case .skipped:
            skipped += 1
            if let reason = outcome.skipReason, let index = Self.reasons.firstIndex(of: reason) { skipReasons[index] += 1 }
        }
    }

    /// Counts a conversion pipeline's outcome for one record without making it: what
    /// ``count(_:)`` counts for ``Outcome/converted(provenance:view:problem:)``, `valid`, or
    /// `failed` with the reader's `problem`.
    public mutating func countConversion(problem: RecordError?) {
        records += 1
        guard let problem else {
            valid += 1
            return
        }
        failed += 1
        if let code = Self.errorCodes.firstIndex(of: problem.code) { errors[code] += 1 }
    }

    /// The counts, with a key for each code, reason and zone met.
    public var counts: OutcomeCounts {
        var counts = OutcomeCounts()
        counts.records = records
        counts.valid = valid
        counts.failed = failed
        counts.skipped = skipped
        counts.credits = credits
        counts.withWarnings = withWarnings
        for (index, code) in Self.errorCodes.enumerated() where errors[index] > 0 { counts.errors[code.rawValue] = errors[index] }
        for (index, reason) in Self.reasons.enumerated() where skipReasons[index] > 0 {
            counts.skipReasons[reason.rawValue] = skipReasons[index]
        }
        for (index, zone) in Self.zones.enumerated() where zoneCounts[index] > 0 {
            counts.destinations[zone.rawValue] = RunSummary.ZoneTotal(count: zoneCounts[index], credits: zoneCredits[index])
        }
        return counts
    }
}
