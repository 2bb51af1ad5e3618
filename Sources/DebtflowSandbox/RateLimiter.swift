import Foundation
import Synchronization

/// An optional fixed-window limit on batch writes (`--rate-limit N` per hour), answered with
/// GetBill-style `X-RateLimit-Limit`, `X-RateLimit-Remaining` and `X-RateLimit-Reset` headers
/// (`Reset` is the Unix time, in seconds, when the window ends).
final class RateLimiter: Sendable {
    struct Decision {
        var allowed: Bool
        var remaining: Int
        var resetEpochSeconds: Int
        var secondsToReset: Int
        var limit: Int

        var headers: [(name: String, value: String)] {
            [("X-RateLimit-Limit", String(limit)), ("X-RateLimit-Remaining", String(remaining)),
             ("X-RateLimit-Reset", String(resetEpochSeconds))]
        }
    }

    private let limit: Int
    private let window: TimeInterval
    private let state: Mutex<(windowStart: Date, used: Int)>

    init(limitPerHour: Int, window: TimeInterval = 3600) {
        limit = limitPerHour
        self.window = window
        state = Mutex((Date(), 0))
    }

    /// Counts one request against the window, if any is left.
    func take(now: Date = Date()) -> Decision {
        state.withLock { state in
            if now.timeIntervalSince(state.windowStart) >= window {
                state = (now, 0)
            }
            let reset = state.windowStart.addingTimeInterval(window)
            let secondsToReset = max(1, Int(reset.timeIntervalSince(now).rounded(.up)))
            let allowed = state.used < limit
            if allowed { state.used += 1 }
            return Decision(allowed: allowed, remaining: max(0, limit - state.used),
                            resetEpochSeconds: Int(reset.timeIntervalSince1970.rounded(.up)),
                            secondsToReset: secondsToReset, limit: limit)
        }
    }
}
