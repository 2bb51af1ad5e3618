import DebtflowCore

/// What the sandbox decided about one pushed debt.
public enum SandboxDebtVerdict: Sendable, Equatable {
    /// The debt is accepted; `stored` is the debt as the server keeps it (normalized), echoed as
    /// the created item's `data`. The ledger gets the debt as received.
    case created(stored: RecordObject)
    /// The debt is rejected with every problem found.
    case failed([RecordError])
    /// The row is not a debt (an empty or instruction row).
    case skipped(SkipReason)
}

/// Validates one pushed debt object by the contract's rules (CONTRACT.md §3–§4).
///
/// - Parameters:
///   - debt: the debt object exactly as the client sent it.
///   - batchAcceptsExpensiveDestination: the batch-level `accept_expensive_destination`
///     (a debt's own flag is inside `debt`).
public typealias SandboxDebtValidator = @Sendable (_ debt: RecordObject, _ batchAcceptsExpensiveDestination: Bool)
    -> SandboxDebtVerdict

/// Everything `debtflow sandbox` can be told: where to listen, what to serve, what to require,
/// and which faults to inject.
///
/// Fault rates are probabilities in 0…1. One uniform draw per request decides its fault, with the
/// rates stacked in the order fail, throttle, error, drop; ``validate()`` rejects a sum above 1.
public struct SandboxConfiguration: Sendable {
    /// The TCP port on 127.0.0.1; 0 picks a free one (``SandboxServer/start()`` returns it).
    public var port: Int = 0
    /// The debtors served by the Sportalliance route: a `{"result":[…]}` document, a JSON array,
    /// or NDJSON, gzip or plain. `nil` serves an empty list.
    public var debtorsPath: String?
    /// Where created debts are appended (NDJSON, fsynced before the answer). `nil`: kept nowhere.
    public var ledgerPath: String?
    /// Required as `Authorization: Bearer …` (GetBill) and `X-API-KEY` (Sportalliance) when set;
    /// also the access token `POST /token` issues.
    public var token: String?
    /// Probability of answering a request 503 without creating anything.
    public var failRate: Double = 0
    /// Probability of answering a batch 500 after creating its debts.
    public var errorRate: Double = 0
    /// Probability of answering 429 with `Retry-After: 1` without creating anything.
    public var throttleRate: Double = 0
    /// Probability of closing a batch's connection without an answer after creating its debts.
    public var dropRate: Double = 0
    /// Delay before every answer, in milliseconds.
    public var latencyMilliseconds: Int = 0
    /// Seed of the fault draws; `nil` seeds from the clock.
    public var seed: UInt64?
    /// Debtors per slice when the request names no `sliceSize` (Sportalliance's default: 10).
    public var defaultSliceSize: Int = 10
    /// The largest `sliceSize` accepted; larger ones are answered 400.
    public var maxSliceSize: Int = 1000
    /// Batch writes allowed per hour (GetBill allows 500); `nil`: no rate limit.
    public var rateLimitPerHour: Int?
    /// The `expires_in` of issued tokens, in seconds.
    public var tokenLifetimeSeconds: Int = 3600
    /// The largest request body accepted (413 above it).
    public var maxBodyBytes: Int = 16 << 20
    /// The largest request head (request line and headers) accepted (431 above it).
    public var maxHeaderBytes: Int = 64 << 10
    /// The most debts one batch may hold (422 above it).
    public var maxDebtsPerBatch: Int = 1000
    /// How many bytes of batch answers are kept for `Idempotency-Key` replays; beyond it the
    /// oldest keys are forgotten first.
    public var idempotencyMemoryBytes: Int = 256 << 20
    /// How long an idle keep-alive connection is kept open, in seconds.
    public var idleTimeoutSeconds: Int = 60
    /// Decides each pushed debt's fate. Defaults to the contract's rules
    /// (``ContractDebtValidator/verdict(for:batchAcceptsExpensiveDestination:)``); tests may use
    /// ``BasicDebtValidator`` or their own.
    public var validator: SandboxDebtValidator = ContractDebtValidator.verdict

    public init() {}

    /// Checks the values an operator can get wrong.
    /// - Throws: ``DebtflowError`` of kind `.usage` naming the option.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw DebtflowError.usage("--port must be between 0 and 65535") }
        let rates: [(String, Double)] = [("--fail-rate", failRate), ("--error-rate", errorRate),
                                         ("--throttle-rate", throttleRate), ("--drop-rate", dropRate)]
        for (name, rate) in rates where !(rate >= 0 && rate <= 1) {
            throw DebtflowError.usage("\(name) must be a probability between 0 and 1")
        }
        guard failRate + errorRate + throttleRate + dropRate <= 1.000_000_1 else {
            throw DebtflowError.usage("the fault rates add up to more than 1; one draw per request picks at most one fault")
        }
        guard latencyMilliseconds >= 0 else { throw DebtflowError.usage("--latency-ms must not be negative") }
        guard defaultSliceSize >= 1, maxSliceSize >= defaultSliceSize else {
            throw DebtflowError.usage("the default slice size must be between 1 and the largest slice size")
        }
        if let rateLimitPerHour, rateLimitPerHour < 1 { throw DebtflowError.usage("--rate-limit must be a positive integer") }
        if let token, token.isEmpty { throw DebtflowError.usage("--token must not be empty") }
    }
}
