import DebtflowHTTP
import Foundation

/// Paces the sends of one http sink: honours a 429's wait for every batch in flight, and slows
/// down when `X-RateLimit-Remaining` runs low (CONTRACT.md §5).
///
/// When the server reports `remaining` ≤ the sink's concurrency, the next send waits
/// `time until reset / max(remaining, 1)` (the whole time when nothing remains), so the
/// remaining quota is spread until the window resets; without a reset time it waits 1 s.
actor HTTPRateLimitGate {
    private let concurrency: Int
    private var pausedUntil: Date?
    private var remaining: Int?
    private var resetAt: Date?

    init(concurrency: Int) {
        self.concurrency = concurrency
    }

    /// How long the next send must wait, and why (`nil` when it need not): a 429's pause, or the
    /// slow-down while `X-RateLimit-Remaining` is low. Takes in the slow-down report it acts on.
    func nextWait() -> (seconds: Double, reason: String?) {
        var delay = 0.0
        var reason: String?
        let now = Date()
        if let pausedUntil, pausedUntil > now {
            delay = pausedUntil.timeIntervalSince(now)
            reason = "the server asked to wait (HTTP 429)"
        }
        if let remaining, remaining <= concurrency {
            var spread = 1.0
            if let resetAt {
                let window = max(0, resetAt.timeIntervalSince(now))
                spread = window / Double(max(remaining, 1))
            }
            if spread > delay {
                delay = spread
                reason = "the server reports \(remaining) request(s) left (X-RateLimit-Remaining)"
                    + (resetAt == nil ? "" : " until its window resets")
            }
            self.remaining = nil // one slow-down per report; the next answer reports again
        }
        return (delay, delay > 0 ? reason : nil)
    }

    /// Takes in the rate-limit headers of an answer.
    func observe(_ response: HTTPResponse) {
        if let text = response.header("X-RateLimit-Remaining"), let value = Int(text.trimmingCharacters(in: .whitespaces)) {
            remaining = value
        }
        if let reset = Self.resetDate(response.header("X-RateLimit-Reset")) { resetAt = reset }
    }

    /// Makes every batch wait `seconds` (a 429's, clamped where it was read) before its next send.
    func pause(seconds: Double) {
        let until = Date().addingTimeInterval(seconds)
        if pausedUntil.map({ $0 < until }) ?? true { pausedUntil = until }
    }

    /// `X-RateLimit-Reset` (``ServerRequestedWait/secondsUntilReset(_:now:)``), as a date at most
    /// ``ServerRequestedWait/longestSeconds`` from now.
    static func resetDate(_ text: String?) -> Date? {
        let now = Date()
        guard let text, let seconds = ServerRequestedWait.secondsUntilReset(text, now: now.timeIntervalSince1970) else { return nil }
        return now.addingTimeInterval(ServerRequestedWait.clamped(seconds))
    }

    /// The wait a 429 asks for, as the server asked it (possibly longer than the wait sat out):
    /// `Retry-After` (seconds or an HTTP date), else `details.retry_after`, else
    /// `X-RateLimit-Reset`; `nil` when none says.
    static func waitAfterTooManyRequests(_ response: HTTPResponse) -> Double? {
        if let text = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces) {
            if let seconds = ServerRequestedWait.askedSeconds(text) { return seconds }
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
            if let date = formatter.date(from: text) { return max(0, date.timeIntervalSinceNow) }
        }
        if let seconds = BatchAnswerParser.retryAfter(inBody: response.body) { return seconds }
        if let text = response.header("X-RateLimit-Reset") {
            return ServerRequestedWait.secondsUntilReset(text, now: Date().timeIntervalSince1970)
        }
        return nil
    }
}
