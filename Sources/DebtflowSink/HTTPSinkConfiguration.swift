import DebtflowCore
import DebtflowHTTP
import Foundation

/// The options of an `http` sink (CONTRACT.md §2, §5), with the contract's defaults.
///
/// The pipeline config decoder builds it straight from the `sink` object; ``validate(jsonPath:)`` checks
/// what the decoder cannot (batch size limit, URL policy, complete OAuth2 settings).
public struct HTTPSinkConfiguration: Sendable, Equatable {
    /// How the sink authenticates.
    public enum Authentication: Sendable, Equatable {
        /// A static bearer token (`token`).
        case bearer(token: String)
        /// OAuth2 client credentials (`token_url`, `client_id`, `client_secret`, `scope`).
        case clientCredentials(tokenURL: String, clientID: String, clientSecret: String, scope: String?)
    }

    /// What to do when a batch may have reached the server but no answer came (`on_ambiguous`).
    public enum AmbiguousPolicy: String, Sendable, Equatable, CaseIterable {
        /// Record the batch `unknown`, send nothing more, exit 4.
        case stop
        /// Resend it with the same `Idempotency-Key` (for servers that honour it).
        case retry
    }

    /// The most debts one request may carry.
    public static let maximumBatchSize = 1000

    /// `url`: where batches are POSTed.
    public var url: String
    public var authentication: Authentication
    /// `batch_size` (500, at most 1000).
    public var batchSize: Int = 500
    /// `batch_name`, sent in every batch's body when set.
    public var batchName: String?
    /// `accept_expensive_destination`, sent at batch level only when set.
    public var acceptExpensiveDestination: Bool?
    /// `concurrency` (2): batches in flight at once.
    public var concurrency: Int = 2
    /// `timeout_s` (30).
    public var timeoutSeconds: Double = 30
    /// `max_retries` (8): resends after 502/503/504, an unsent request, or (under `retry`) an
    /// ambiguous failure, per batch.
    public var maxRetries: Int = 8
    /// `on_ambiguous` (`stop`).
    public var onAmbiguous: AmbiguousPolicy = .stop
    /// `results`: path of the per-debt results file (resolved by the caller).
    public var resultsPath: String?
    /// `journal`: path of the batch journal (resolved by the caller); enables `--resume`.
    public var journalPath: String?
    /// `accept`: which outcomes the sink receives (only outcomes with a debt are pushed).
    public var accepts: Set<OutcomeStatus> = [.valid]
    /// Backoff between retries (an extension for tests and tuning; not a contract key).
    public var backoff = RetryBackoff()
    /// How long to wait after a 429 that names no delay, in seconds.
    public var defaultRateLimitWaitSeconds: Double = 60
    /// How many 429 answers in a row one batch tolerates before the run stops (exit 4).
    public var maxRateLimitedAttempts: Int = 100

    public init(url: String, authentication: Authentication) {
        self.url = url
        self.authentication = authentication
    }

    /// Checks the options the contract constrains.
    /// - Parameter jsonPath: the sink's place in the config (`stages[5].sink`), for messages.
    /// - Throws: ``DebtflowError`` of kind `.configuration` naming the option's JSON path.
    public func validate(jsonPath: String = "sink") throws(DebtflowError) {
        _ = try HTTPURLPolicy.validate(url, jsonPath: "\(jsonPath).url")
        guard (1...Self.maximumBatchSize).contains(batchSize) else {
            throw .configuration("expected a positive integer of at most \(Self.maximumBatchSize)",
                                 path: "\(jsonPath).batch_size")
        }
        guard concurrency >= 1 else { throw .configuration("expected a positive integer", path: "\(jsonPath).concurrency") }
        guard timeoutSeconds > 0 else { throw .configuration("expected a positive number", path: "\(jsonPath).timeout_s") }
        guard maxRetries >= 0 else { throw .configuration("expected a non-negative integer", path: "\(jsonPath).max_retries") }
        switch authentication {
        case .bearer(let token):
            guard !token.isEmpty else { throw .configuration("the token is empty", path: "\(jsonPath).token") }
        case .clientCredentials(let tokenURL, let clientID, let clientSecret, _):
            _ = try HTTPURLPolicy.validate(tokenURL, jsonPath: "\(jsonPath).token_url")
            guard !clientID.isEmpty else { throw .configuration("expected a non-empty string", path: "\(jsonPath).client_id") }
            guard !clientSecret.isEmpty else {
                throw .configuration("expected a non-empty string", path: "\(jsonPath).client_secret")
            }
        }
    }

    /// The secrets of this configuration, to scrub from any message: the token or the client
    /// secret, and the password of any URL's user info.
    var secrets: [String] {
        switch authentication {
        case .bearer(let token): return [token] + Redaction.urlPasswords(url)
        case .clientCredentials(let tokenURL, _, let clientSecret, _):
            return [clientSecret] + Redaction.urlPasswords(url) + Redaction.urlPasswords(tokenURL)
        }
    }
}

/// How this run of an http sink behaves (command-line flags, CONTRACT.md §1, §5).
public struct HTTPSinkRunOptions: Sendable {
    /// `--dry-run`: form the batches, send nothing, write no journal and no results.
    public var dryRun = false
    /// `--resume`: skip the batches the journal shows acknowledged.
    public var resume = false
    /// `--retry-unknown`: with `--resume`, resend batches recorded `unknown` (same key).
    public var retryUnknown = false
    /// With `--dry-run`: where to write what would be sent, one line per batch (`-` = stdout);
    /// `nil` writes nothing.
    public var dryRunOutputPath: String?
    /// With `--resume`: the starts of positional temp_ids (`export.csv#`, `in/b/export.csv#`) that
    /// this run's inputs do not give tonight but would have given with other inputs beside them
    /// (``DebtflowCore/Provenance/idsByPath``). A journal holding one is refused: its debts would
    /// be sent again under their new temp_ids.
    public var foreignIDPrefixes: Set<String>

    public init(dryRun: Bool = false, resume: Bool = false, retryUnknown: Bool = false, dryRunOutputPath: String? = nil,
                foreignIDPrefixes: Set<String> = []) {
        self.dryRun = dryRun
        self.resume = resume
        self.retryUnknown = retryUnknown
        self.dryRunOutputPath = dryRunOutputPath
        self.foreignIDPrefixes = foreignIDPrefixes
    }
}
