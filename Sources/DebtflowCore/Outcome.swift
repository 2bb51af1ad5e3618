/// How a record ended.
public enum OutcomeStatus: String, CaseIterable, Sendable, Codable {
    case valid
    case failed
    case skipped
}

/// The one outcome of one record, as sinks receive it.
///
/// A debt pipeline's outcomes carry a ``debt`` (valid) or ``data`` with ``errors`` / ``skipReason``.
/// A conversion pipeline's outcomes carry the converted record in ``data`` and are written as that
/// record alone (``isConversion``).
///
/// The debt is stored whole (``debtPayload``) with a flag that says whether it is the outcome's
/// (``hasDebt``), not as an optional: a candidate's debt is worked on where it will be handed on
/// (``DebtCandidate/debt`` is its outcome's payload), so `validate` settles a valid outcome and
/// the writer reads its debt without a copy of the 296 bytes. (As an optional, the debt was
/// copied five times per valid record on its way from `validate` to the writer.)
public struct Outcome: Sendable {
    public var status: OutcomeStatus
    public var provenance: Provenance
    /// The record's `temp_id`, where its text is (the candidate's, swapped in by `validate`, so
    /// no `String` per record); ``tempID`` reads and writes it as a `String`.
    public var tempIDText: TempIDText
    /// ``tempIDText`` as a `String` (made on request: the envelope writer reads the bytes).
    public var tempID: String? {
        get { tempIDText.string }
        set { tempIDText.set(newValue) }
    }
    /// The storage of ``debt``: the outcome's debt when ``hasDebt`` is set, else only storage
    /// (empty, or, in an outcome a candidate settles, the candidate's worked-on debt, which a
    /// failed or skipped outcome does not carry). Readers that want the debt read ``debt``, or
    /// this behind ``hasDebt`` to read it where it lies.
    public var debtPayload: Debt
    /// Whether the outcome carries a debt (a valid debt pipeline's outcome): ``debtPayload`` is it.
    public var hasDebt: Bool
    public var destination: Destination?
    /// The record as read (a conversion's output, a failed or skipped envelope's `data`): a view
    /// of its root on the chunk's tape, written byte for byte from the tape.
    public var data: RecordView?
    public var errors: [RecordError]
    public var skipReason: SkipReason?
    public var warnings: [String]
    /// True for a conversion pipeline (no `map`): sinks write ``data`` as it is.
    public var isConversion: Bool

    @inlinable
    public init(status: OutcomeStatus, provenance: Provenance, tempID: String? = nil, debt: Debt? = nil,
                destination: Destination? = nil, data: RecordView? = nil, errors: [RecordError] = [],
                skipReason: SkipReason? = nil, warnings: [String] = [], isConversion: Bool = false) {
        self.status = status
        self.provenance = provenance
        self.tempIDText = TempIDText(tempID)
        self.debtPayload = debt ?? Debt()
        self.hasDebt = debt != nil
        self.destination = destination
        self.data = data
        self.errors = errors
        self.skipReason = skipReason
        self.warnings = warnings
        self.isConversion = isConversion
    }

    /// The outcome's debt, or `nil` when it carries none (a failed or skipped record, a
    /// conversion). Setting `nil` only clears ``hasDebt``: the payload's storage is kept.
    public var debt: Debt? {
        get { hasDebt ? debtPayload : nil }
        set {
            if let newValue {
                debtPayload = newValue
                hasDebt = true
            } else {
                hasDebt = false
            }
        }
    }

    /// An outcome with nothing in it yet, for a stage that fills one where it lies (`validate`,
    /// in a candidate's ``DebtCandidate/settled``): no provenance, debt, data, errors or
    /// warnings; its status (`skipped`) is a placeholder the stage sets. Copied from one made
    /// once: building an outcome (481 bytes)
    /// field by field, or through the default arguments of
    /// ``init(status:provenance:tempID:debt:destination:data:errors:skipReason:warnings:isConversion:)``,
    /// makes the compiler build it in temporaries and copy it three times.
    public static let unsettled = Outcome(status: .skipped, provenance: Provenance(source: "", record: 0))

    /// An outcome whose record is a tree built in memory (tests, the sandbox): stored on a tape
    /// of its own.
    public init(status: OutcomeStatus, provenance: Provenance, tempID: String? = nil, debt: Debt? = nil,
                destination: Destination? = nil, data: RecordObject, errors: [RecordError] = [],
                skipReason: SkipReason? = nil, warnings: [String] = [], isConversion: Bool = false) {
        self.init(status: status, provenance: provenance, tempID: tempID, debt: debt, destination: destination,
                  data: RecordView(data), errors: errors, skipReason: skipReason, warnings: warnings,
                  isConversion: isConversion)
    }

    /// A conversion pipeline's outcome for one record: `valid` with the record, or `failed` with
    /// the reader's problem.
    public static func converted(_ record: Record) -> Outcome {
        converted(provenance: record.provenance, view: record.view, problem: record.problem)
    }

    /// ``converted(_:)`` from a record's parts.
    @inlinable
    public static func converted(provenance: Provenance, view: RecordView, problem: RecordError?) -> Outcome {
        if let problem {
            return Outcome(status: .failed, provenance: provenance, data: view, errors: [problem], isConversion: true)
        }
        return Outcome(status: .valid, provenance: provenance, data: view, isConversion: true)
    }
}

extension Outcome: Equatable {
    /// The same outcome: every member equal, and the same ``debt`` (a payload that is not the
    /// outcome's debt, with ``hasDebt`` clear, is not compared).
    public static func == (lhs: Outcome, rhs: Outcome) -> Bool {
        lhs.status == rhs.status && lhs.provenance == rhs.provenance && lhs.tempIDText == rhs.tempIDText
            && lhs.hasDebt == rhs.hasDebt && (!lhs.hasDebt || lhs.debtPayload == rhs.debtPayload)
            && lhs.destination == rhs.destination && lhs.data == rhs.data && lhs.errors == rhs.errors
            && lhs.skipReason == rhs.skipReason && lhs.warnings == rhs.warnings && lhs.isConversion == rhs.isConversion
    }
}
