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
}
