import DebtflowCore
import Synchronization
import Testing

/// Counts live instances, so a test can see what a channel still holds after handing it out.
private final class Tracked: Sendable {
    static let live = Atomic<Int>(0)
    init() { Self.live.add(1, ordering: .relaxed) }
    deinit { Self.live.subtract(1, ordering: .relaxed) }
}

@Suite("Bounded channel retention")
struct BoundedChannelRetentionTests {
    @Test("elements handed out are released even when the buffer never runs empty")
    func releasesTakenElements() async throws {
        let channel = BoundedChannel<Tracked>(capacity: 4)
        // Keep two elements waiting at all times: the buffer is never empty after a `next`.
        try await channel.send(Tracked())
        try await channel.send(Tracked())
        var peak = 0
        for _ in 0..<10_000 {
            try await channel.send(Tracked())
            _ = try await channel.next()
            peak = max(peak, Tracked.live.load(ordering: .relaxed))
        }
        // Before the fix all 10,002 stayed alive; now at most the waiting ones and a small
        // compaction slack are.
        #expect(peak <= 4 + 16 + 1, "peak live elements \(peak)")
        channel.finish()
        while try await channel.next() != nil {}
    }
}
