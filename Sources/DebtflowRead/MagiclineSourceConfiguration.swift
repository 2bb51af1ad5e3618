import DebtflowCore
import DebtflowHTTP

/// The options of a `magicline` read (CONTRACT.md §2, §5): Sportalliance's paged debtors API.
public struct MagiclineSourceConfiguration: Sendable, Equatable {
    /// `base_url`: the studio's Open API URL (`https://TENANT.open-api.magicline.com/v1`).
    public var baseURL: String
    /// `run_id`: the debt collection run (integer or string in the config).
    public var runID: String
    /// `api_key`: sent as `X-API-KEY`; never shown.
    public var apiKey: String
    /// `slice_size` (100): debtors asked for per page.
    public var sliceSize: Int = 100
    /// `rate_limit_wait_s` (60): how long a 429 blocks the key.
    public var rateLimitWaitSeconds: Double = 60
    /// `max_retries` (8): resends of one page after a 429, a 5xx, a time-out or an unsent request.
    public var maxRetries: Int = 8
    /// Seconds without progress before a page request is abandoned (and retried).
    public var timeoutSeconds: Double = 30
    /// Backoff between retries after a 5xx or a network failure (an extension for tests).
    public var backoff = RetryBackoff()
    /// The largest debtor, in bytes of its text (keys and values as read): the record size limit
    /// of every reader (CONTRACT.md §3: 16 MiB). A page holding a larger one is an input error.
    public var maxDebtorBytes = 16 << 20

    public init(baseURL: String, runID: String, apiKey: String) {
        self.baseURL = baseURL
        self.runID = runID
        self.apiKey = apiKey
    }

    /// Checks the URL policy and the numbers.
    /// - Parameter jsonPath: the stage's place in the config (`stages[0].read`).
    /// - Throws: ``DebtflowError`` `.configuration` naming the option.
    public func validate(jsonPath: String = "read") throws(DebtflowError) {
        _ = try HTTPURLPolicy.validate(baseURL, jsonPath: "\(jsonPath).base_url")
        guard !runID.isEmpty else { throw .configuration("expected a run id", path: "\(jsonPath).run_id") }
        guard !apiKey.isEmpty else { throw .configuration("the API key is empty", path: "\(jsonPath).api_key") }
        guard sliceSize >= 1 else { throw .configuration("expected a positive integer", path: "\(jsonPath).slice_size") }
        guard rateLimitWaitSeconds >= 0 else {
            throw .configuration("expected a non-negative number", path: "\(jsonPath).rate_limit_wait_s")
        }
        guard maxRetries >= 0 else { throw .configuration("expected a non-negative integer", path: "\(jsonPath).max_retries") }
    }

    /// `{base_url}/debt-collection/{run_id}/debtors`: the input's name (no key in it).
    public var debtorsURL: String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        return "\(base)/debt-collection/\(Self.percentEncode(runID))/debtors"
    }

    static func percentEncode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                output += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
            }
        }
        return output
    }
}
