import Synchronization

/// The fault a request gets, if any.
enum InjectedFault: Equatable, Sendable {
    case none
    /// 503, nothing created.
    case fail
    /// 429 with `Retry-After: 1`, nothing created.
    case throttle
    /// 500 after creating the debts.
    case error
    /// Close the connection after creating the debts, without answering.
    case drop
}

/// SplitMix64: a tiny, well-mixed PRNG whose sequence is fixed by its seed.
struct SplitMix64: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1) with 53 random bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// Picks each request's fault from the configured rates with one seeded draw per request, so a
/// given `--seed` and request order always give the same faults.
final class FaultInjector: Sendable {
    private let generator: Mutex<SplitMix64>
    private let failRate: Double
    private let throttleRate: Double
    private let errorRate: Double
    private let dropRate: Double

    init(configuration: SandboxConfiguration, seed: UInt64) {
        generator = Mutex(SplitMix64(seed: seed))
        failRate = configuration.failRate
        throttleRate = configuration.throttleRate
        errorRate = configuration.errorRate
        dropRate = configuration.dropRate
    }

    /// True when no fault can ever be drawn (no draw is then spent).
    var isQuiet: Bool { failRate == 0 && throttleRate == 0 && errorRate == 0 && dropRate == 0 }

    /// Draws the fault for the next request. The rates are stacked in the order fail, throttle,
    /// error, drop over one uniform draw.
    func draw() -> InjectedFault {
        if isQuiet { return .none }
        let unit = generator.withLock { $0.nextUnit() }
        var bound = failRate
        if unit < bound { return .fail }
        bound += throttleRate
        if unit < bound { return .throttle }
        bound += errorRate
        if unit < bound { return .error }
        bound += dropRate
        if unit < bound { return .drop }
        return .none
    }
}
