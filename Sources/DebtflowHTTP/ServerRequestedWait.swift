/// A wait a server asks for (`Retry-After`, a body's `retry_after`, `X-RateLimit-Reset`), read so
/// that no value it sends can stop a run or hang it.
///
/// The text is the server's: `1e19`, `inf`, `nan` or a reset time in milliseconds all parse as
/// numbers. A wait is therefore never longer than ``longestSeconds``; a server that asks for more
/// is waited for that long, and asked again (the sink's and the pull's retry limits still apply).
///
/// The clamp is applied where a server's value becomes a wait: a 429's wait in `BatchSender` and
/// in the Magicline pull, `X-RateLimit-Reset` in `HTTPRateLimitGate.resetDate` (the slow-down's
/// spread is a part of that window). `BatchStop.sleep` clamps once more, as a last guard.
public enum ServerRequestedWait {
    /// The longest wait sat out at once: one hour, GetBill's rate-limit window (its documentation
    /// in `shared/reference/`). Past it, the answer is more likely a wrong unit than a real wait.
    public static let longestSeconds = 3600.0

    /// A wait this long or longer (seconds) is said on stderr before it starts, by the push and
    /// by the pull alike: an operator watching a quiet run learns why.
    public static let announcedSeconds = 5.0

    /// A number of seconds the server asked for, as it asked (at least 0, possibly more than
    /// ``longestSeconds`` or infinite); `nil` when `text` is no number (or NaN).
    public static func askedSeconds(_ text: String) -> Double? {
        guard let value = Double(text.filter { $0 != " " && $0 != "\t" }), !value.isNaN else { return nil }
        return max(0, value)
    }

    /// `asked` as the wait sat out: at most ``longestSeconds``.
    public static func clamped(_ asked: Double) -> Double {
        asked.isNaN ? 0 : min(max(0, asked), longestSeconds)
    }

    /// How a wait reads in a message: tenths under 10 s, whole seconds else; any value, even one
    /// no integer holds.
    public static func describe(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "forever" }
        if seconds < 10 { return "\((seconds * 10).rounded() / 10) s" }
        if seconds < 1e15 { return "\(Int64(seconds.rounded())) s" }
        return "\(seconds) s"
    }

    /// `X-RateLimit-Reset` as seconds from `now` (a time since 1970): epoch milliseconds when above
    /// 10¹², epoch seconds when above 10⁹, else seconds from now; `nil` when no number. At least 0.
    public static func secondsUntilReset(_ text: String, now: Double) -> Double? {
        guard let value = askedSeconds(text) else { return nil }
        if value > 1e12 { return max(0, value / 1000 - now) }
        if value > 1e9 { return max(0, value - now) }
        return value
    }
}
