/// The end-of-run summary (CONTRACT.md §1, `--summary PATH`): counts of every outcome, errors by
/// code, skip reasons, destinations and credits, and the push's figures.
public struct RunSummary: Sendable, Equatable {
    /// Count and credits of the valid debts of one destination zone.
    public struct ZoneTotal: Sendable, Equatable {
        public var count: Int = 0
        public var credits: Int = 0
        public init(count: Int = 0, credits: Int = 0) {
            self.count = count
            self.credits = credits
        }
    }

    /// What an http sink did.
    public struct PushTotals: Sendable, Equatable {
        public var batches = 0
        public var created = 0
        public var failed = 0
        public var skipped = 0
        public var unknown = 0
        public var retries = 0
        public init() {}
    }

    /// What one input of a many-input run gave (CONTRACT.md §2 "Many inputs").
    public struct InputTotals: Sendable, Equatable {
        /// The matched path (or, for a pattern that matched nothing, the pattern).
        public var path: String
        public var records = 0
        public var valid = 0
        public var failed = 0
        public var skipped = 0
        public var seconds: Double = 0
        /// Why the input was not read through; its outputs were not published.
        public var error: String?

        public init(path: String, error: String? = nil) {
            self.path = path
            self.error = error
        }

        /// Adds one chunk's counts (made by a transform task) to this input's figures.
        public mutating func add(_ counts: OutcomeCounts) {
            records += counts.records
            valid += counts.valid
            failed += counts.failed
            skipped += counts.skipped
        }
    }

    public var pipeline: String
    /// Records the reader yielded (debtors, for the `magicline-debtor` preset).
    public var sourceRecords = 0
    /// The outcomes' counts, kept once: the properties below read and write them.
    public var counts = OutcomeCounts()
    /// Outcomes (one per collection case with the preset): `valid + failed + skipped`.
    public var records: Int { get { counts.records } set { counts.records = newValue } }
    public var valid: Int { get { counts.valid } set { counts.valid = newValue } }
    public var failed: Int { get { counts.failed } set { counts.failed = newValue } }
    public var skipped: Int { get { counts.skipped } set { counts.skipped = newValue } }
    public var errors: [String: Int] { get { counts.errors } set { counts.errors = newValue } }
    public var skipReasons: [String: Int] { get { counts.skipReasons } set { counts.skipReasons = newValue } }
    public var destinations: [String: ZoneTotal] { get { counts.destinations } set { counts.destinations = newValue } }
    /// The sum of credits per call over valid debts.
    public var credits: Int { get { counts.credits } set { counts.credits = newValue } }
    /// Outcomes that carry a warning (`with_warnings` in the JSON, written when not 0).
    public var withWarnings: Int { get { counts.withWarnings } set { counts.withWarnings = newValue } }
    public var pushed: PushTotals?
    /// One entry per input, in reading order, when `read.path` is a glob or an array; `nil` for a
    /// single path (the summary is then written exactly as before).
    public var inputs: [InputTotals]?
    public var seconds: Double = 0
    /// Set when the run was stopped early by an error or a signal.
    public var stoppedBy: String?
    /// The process's peak resident memory in bytes, when measured (proof of flat memory).
    public var peakMemoryBytes: Int?

    public init(pipeline: String) {
        self.pipeline = pipeline
    }

    /// Counts one chunk of outcomes.
    public mutating func count(_ outcomes: [Outcome]) {
        var tally = OutcomeTally()
        for index in outcomes.indices { tally.count(outcomes[index]) }
        add(tally.counts)
    }

    /// Counts one outcome.
    public mutating func count(_ outcome: Outcome) {
        var counts = OutcomeCounts()
        counts.count(outcome)
        add(counts)
    }

    /// The summary as one JSON object, keys in the contract's order, maps sorted by key.
    public var json: [UInt8] {
        var writer = JSONByteWriter(capacity: 1024)
        writer.beginObject()
        writer.field("pipeline", pipeline)
        writer.field("source_records", sourceRecords)
        writer.field("records", records)
        writer.field("valid", valid)
        writer.field("failed", failed)
        writer.field("skipped", skipped)
        writer.key("errors")
        writer.beginObject()
        for (code, count) in errors.sorted(by: { $0.key < $1.key }) { writer.field(code, count) }
        writer.endObject()
        writer.key("skip_reasons")
        writer.beginObject()
        for (reason, count) in skipReasons.sorted(by: { $0.key < $1.key }) { writer.field(reason, count) }
        writer.endObject()
        writer.key("destinations")
        writer.beginObject()
        for (zone, total) in destinations.sorted(by: { $0.key < $1.key }) {
            writer.key(zone)
            writer.beginObject()
            writer.field("count", total.count)
            writer.field("credits", total.credits)
            writer.endObject()
        }
        writer.endObject()
        writer.field("credits", credits)
        if withWarnings > 0 { writer.field("with_warnings", withWarnings) }
        if let pushed {
            writer.key("pushed")
            writer.beginObject()
            writer.field("batches", pushed.batches)
            writer.field("created", pushed.created)
            writer.field("failed", pushed.failed)
            writer.field("skipped", pushed.skipped)
            writer.field("unknown", pushed.unknown)
            writer.field("retries", pushed.retries)
            writer.endObject()
        }
        if let inputs {
            writer.key("inputs")
            writer.beginArray()
            for input in inputs {
                writer.beginObject()
                writer.field("path", input.path)
                writer.field("records", input.records)
                writer.field("valid", input.valid)
                writer.field("failed", input.failed)
                writer.field("skipped", input.skipped)
                writer.key("seconds")
                writer.numberText(Self.formatSeconds(input.seconds))
                if let error = input.error { writer.field("error", error) }
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("seconds")
        writer.numberText(Self.formatSeconds(seconds))
        if let stoppedBy { writer.field("stopped_by", stoppedBy) }
        if let peakMemoryBytes { writer.field("peak_rss_mb", (peakMemoryBytes + (1 << 19)) >> 20) }
        writer.endObject()
        return writer.bytes
    }

    /// The inputs that could not be read through (empty when none failed or for a single input).
    public var failedInputs: [InputTotals] { (inputs ?? []).filter { $0.error != nil } }

    /// Seconds with millisecond precision, as a JSON number.
    static func formatSeconds(_ seconds: Double) -> String {
        let millis = Int64((seconds * 1000).rounded())
        return MinorUnitAmount(minorUnits: max(0, millis), digits: 3).decimalText
    }
}
