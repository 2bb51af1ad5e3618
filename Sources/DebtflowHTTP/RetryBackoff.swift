/// Exponential backoff with full jitter for retries that are safe to make: attempt `n` waits a
/// random time in `[base·2ⁿ/2, base·2ⁿ]`, capped at ``maxDelaySeconds``.
public struct RetryBackoff: Sendable, Equatable {
    /// The wait before the first retry (upper bound), in seconds.
    public var baseDelaySeconds: Double
    /// The longest wait between two attempts, in seconds.
    public var maxDelaySeconds: Double

    public init(baseDelaySeconds: Double = 0.5, maxDelaySeconds: Double = 30) {
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
    }

    /// The wait before retry number `retry` (1 for the first retry).
    public func delay(forRetry retry: Int) -> Double {
        let exponent = min(max(retry - 1, 0), 30)
        let ceiling = min(maxDelaySeconds, baseDelaySeconds * Double(1 << exponent))
        guard ceiling > 0 else { return 0 }
        return Double.random(in: (ceiling / 2)...ceiling)
    }

    /// Sleeps `seconds` (nothing for zero or less). Cancellation ends the sleep early.
    public static func sleep(seconds: Double) async {
        guard seconds > 0 else { return }
        try? await Task.sleep(nanoseconds: UInt64(min(seconds, 86_400) * 1_000_000_000))
    }
}
