import DebtflowCore
import Synchronization
import Testing

@Suite("Bounded channel")
struct BoundedChannelTests {
    @Test("delivers every element in order, then nil", arguments: [1, 2, 4])
    func order(capacity: Int) async throws {
        let channel = BoundedChannel<Int>(capacity: capacity)
        let producer = Task {
            for i in 0..<1000 { try await channel.send(i) }
            channel.finish()
        }
        var received: [Int] = []
        while let value = try await channel.next() { received.append(value) }
        try await producer.value
        #expect(received == Array(0..<1000))
    }

    @Test("never holds more than its capacity while the consumer is slow")
    func backPressure() async throws {
        let channel = BoundedChannel<Int>(capacity: 3)
        let sent = Atomic<Int>(0)
        let producer = Task {
            for i in 0..<50 {
                try await channel.send(i)
                sent.add(1, ordering: .relaxed)
            }
            channel.finish()
        }
        var received = 0
        while try await channel.next() != nil {
            received += 1
            try await Task.sleep(for: .milliseconds(2))
            // Sent but not yet received: at most the capacity, plus the one just handed over.
            #expect(sent.load(ordering: .relaxed) - received <= 3 + 1)
        }
        try await producer.value
        #expect(received == 50)
    }

    @Test("rethrows the producer's error after the elements sent before it")
    func failure() async throws {
        struct Boom: Error {}
        let channel = BoundedChannel<Int>(capacity: 2)
        try await channel.send(1)
        channel.finish(throwing: Boom())
        #expect(try await channel.next() == 1)
        await #expect(throws: Boom.self) { try await channel.next() }
    }

    @Test("a cancelled channel makes a waiting sender throw")
    func cancel() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        try await channel.send(0)
        let producer = Task { try await channel.send(1) }
        try await Task.sleep(for: .milliseconds(20))
        channel.cancel()
        await #expect(throws: CancellationError.self) { try await producer.value }
    }

    /// Counts live instances, to prove the channel lets go of what it handed on.
    final class Tracked: Sendable {
        static let live = Atomic<Int>(0)
        init() { Self.live.add(1, ordering: .relaxed) }
        deinit { Self.live.subtract(1, ordering: .relaxed) }
    }

    @Test("releases every element it hands on, even when it never runs empty")
    func releasesHandedOnElements() async throws {
        let channel = BoundedChannel<Tracked>(capacity: 4)
        let producer = Task {
            for _ in 0..<2000 { try await channel.send(Tracked()) }
            channel.finish()
        }
        var maxLive = 0
        while let element = try await channel.next() {
            _ = element
            maxLive = max(maxLive, Tracked.live.load(ordering: .relaxed))
        }
        try await producer.value
        // Capacity, plus one in the producer's hand, plus the one just received.
        #expect(maxLive <= 4 + 2, "\(maxLive) elements were alive at once")
    }
}

@Suite("Bounded channel as an async sequence")
struct BoundedChannelSequenceTests {
    @Test("for-await over a channel yields every element sent, in order, and ends when the producer finishes")
    func iterates() async throws {
        let channel = BoundedChannel<Int>(capacity: 3)
        let producer = Task {
            for value in 1...100 { try await channel.send(value) }
            channel.finish()
        }
        var received: [Int] = []
        for try await value in channel { received.append(value) }
        try await producer.value
        #expect(received == Array(1...100))
    }

    @Test("the producer's error ends the iteration")
    func producerError() async throws {
        let channel = BoundedChannel<Int>(capacity: 1)
        Task {
            try await channel.send(1)
            channel.finish(throwing: DebtflowError.input("truncated"))
        }
        var received: [Int] = []
        await #expect(throws: DebtflowError.self) {
            for try await value in channel { received.append(value) }
        }
        #expect(received == [1])
    }
}
