import Synchronization
import DebtflowClassify
import DebtflowCore
import DebtflowMap
import DebtflowNormalize
import DebtflowPipeline
import DebtflowTestSupport
import DebtflowValidate
import Testing

/// Pipelines built from stages in code, without a config: the typed combinators are the API.
@Suite("Stage composition")
struct StageCompositionTests {
    /// Debtor rows as a CSV reader gives them: a French mobile (valid), a Guadeloupe mobile
    /// (DOM-TOM: expensive when classified), and one without any contact.
    private static let rows: [Record] = [
        ("Jean", "Dupont", "12,50", "06 12 34 56 78"),
        ("Marie", "Curie", "30,00", "0690 12 34 56"),
        ("Paul", "Martin", "8,00", ""),
    ].enumerated().map { index, row in
        Record(provenance: Provenance(source: "debts.csv", record: index + 1, line: index + 2),
               fields: RecordObject(["Prénom": .string(row.0), "Nom": .string(row.1), "Montant": .string(row.2),
                                     "Téléphone": .string(row.3)]))
    }

    @Test("source.chunks.then(map).then(normalize).then(validate) runs the stages in order on every chunk")
    func sourceThenStages() async throws {
        let source = ArrayRecordSource(Self.rows, chunkSize: 2)
        var outcomes: [Outcome] = []
        let pipeline = source.chunks
            .then(MapStage(options: MapOptions(constants: ["currency": "EUR"])))
            .then(NormalizeStage())
            .then(ClassifyStage())
            .then(ValidateStage())
        for try await chunk in pipeline { outcomes += chunk.elements }
        #expect(outcomes.map(\.status) == [.valid, .failed, .failed])
        #expect(outcomes[0].destination?.zone == .frMainland)
        #expect(outcomes[1].errors.map(\.code) == [.expensiveDestination])
        #expect(outcomes[2].errors.map(\.code) == [.missingContact])
    }

    @Test("a chain composed with then(_:) is one stage the runner is generic over; without classify no destination rule applies")
    func runnerOverComposedStage() async throws {
        let stages = MapStage(options: MapOptions(constants: ["currency": "EUR"]))
            .then(NormalizeStage())
            .then(ValidateStage())
        let sink = RecordingSink()
        let runner = PipelineRunner(name: "in-code", makeSource: { ArrayRecordSource(Self.rows, chunkSize: 1) },
                                    transform: stages, sinks: [sink], options: RunOptions(),
                                    log: OperatorLog(format: .text), interruption: InterruptionFlag())
        let summary = try await runner.run()
        #expect(sink.received.map(\.status) == [.valid, .valid, .failed])
        #expect(sink.received.allSatisfy { $0.destination == nil })
        #expect(summary.credits == 0 && summary.destinations.isEmpty)
        #expect(summary.valid == 2 && summary.failed == 1)
    }

    @Test("the ordered concurrent map keeps input order whatever the width and however long each element takes",
          arguments: [1, 2, 3, 8])
    func orderedConcurrentMap(width: Int) async throws {
        let channel = BoundedChannel<Int>(capacity: 2)
        let producer = Task {
            for value in 0..<200 { try await channel.send(value) }
            channel.finish()
        }
        var results: [Int] = []
        for try await value in channel.orderedConcurrentMap(width: width, { value -> Int in
            // Uneven work, so later elements often finish first.
            var sum = 0
            for step in 0..<((200 - value) * 50) { sum &+= step }
            return value * 2 + (sum == -1 ? 1 : 0)
        }) {
            results.append(value)
        }
        try await producer.value
        #expect(results == (0..<200).map { $0 * 2 })
    }

    @Test("a transform error ends the concurrent map with that error")
    func concurrentMapError() async throws {
        let channel = BoundedChannel<Int>(capacity: 4)
        let producer = Task {
            for value in 0..<50 { try? await channel.send(value) }
            channel.finish()
        }
        var seen: [Int] = []
        await #expect(throws: DebtflowError.self) {
            for try await value in channel.orderedConcurrentMap(width: 3, { value -> Int in
                if value == 10 { throw DebtflowError.input("bad chunk") }
                return value
            }) {
                seen.append(value)
            }
        }
        channel.cancel()
        _ = await producer.result
        #expect(seen == Array(0..<10))
    }

    /// 0, 1, 2, … up to `count`, noting for each element how many results its consumer had
    /// when the element was asked for.
    private final class CountingSource: AsyncSequence, Sendable {
        let count: Int
        let received = Mutex(0)
        let receivedWhenAsked = Mutex<[Int]>([])

        init(count: Int) { self.count = count }

        struct AsyncIterator: AsyncIteratorProtocol {
            let source: CountingSource
            var next = 0
            mutating func next() async -> Int? {
                guard next < source.count else { return nil }
                let received = source.received.withLock { $0 }
                source.receivedWhenAsked.withLock { $0.append(received) }
                defer { next += 1 }
                return next
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: self) }
    }

    @Test("an element that ends something is handed on, with those before it, before the base is asked for the next one")
    func handsOnBeforeNext() async throws {
        let source = CountingSource(count: 8)
        var results: [Int] = []
        for try await value in source.orderedConcurrentMap(width: 4, handsOnBeforeNext: { $0 == 2 || $0 == 5 }, { $0 * 10 }) {
            results.append(value)
            source.received.withLock { $0 += 1 }
        }
        #expect(results == (0..<8).map { $0 * 10 })
        let asked = source.receivedWhenAsked.withLock { $0 }
        // Element 3 is asked for only once 0, 1 and 2 were handed on; element 6 once 3, 4 and 5 were.
        #expect(asked.count == 8)
        #expect(asked[3] == 3 && asked[6] == 6, "\(asked)")
        // Otherwise the width is filled as before: 0–2 at once, 3–5 at once.
        #expect(asked[0...2] == [0, 0, 0] && asked[4...5] == [3, 3], "\(asked)")
    }

    private final class Token: Sendable {
        let number: Int
        init(_ number: Int) { self.number = number }
    }

    @Test("each transform owns its element: no other reference to it is kept, so a chunk can be changed in place")
    func transformOwnsItsElement() async throws {
        let channel = BoundedChannel<Token>(capacity: 2)
        let producer = Task {
            for number in 0..<50 { try await channel.send(Token(number)) }
            channel.finish()
        }
        var unique: [Bool] = []
        for try await wasUnique in channel.orderedConcurrentMap(width: 3, { (token: consuming Token) -> Bool in
            isKnownUniquelyReferenced(&token)
        }) {
            unique.append(wasUnique)
        }
        try await producer.value
        #expect(unique.count == 50)
        #expect(unique.allSatisfy { $0 })
    }
}

