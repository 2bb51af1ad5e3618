@testable import DebtflowSandbox
import Testing

@Suite("The idempotency store")
struct IdempotencyStoreTests {
    static func answer(_ size: Int) -> HTTPResponse { .json(200, [UInt8](repeating: 0x41, count: size)) }

    @Test("forgets the oldest keys first once its byte budget is exceeded")
    func evictsOldestFirst() {
        var store = IdempotencyStore(budgetBytes: 10_000)
        for index in 0..<100 { store.store(Self.answer(1000), for: "k\(index)", body: [UInt8(index)]) }
        #expect(store.count < 11)
        #expect(store.entry(for: "k99") != nil)
        #expect(store.entry(for: "k0") == nil)
    }

    @Test("keeps the first answer of a key and matches only the first body")
    func firstAnswerWins() throws {
        var store = IdempotencyStore()
        store.store(Self.answer(3), for: "k", body: [1, 2, 3])
        store.store(Self.answer(5), for: "k", body: [9])
        let entry = try #require(store.entry(for: "k"))
        #expect(entry.response.body.count == 3)
        #expect(IdempotencyStore.matches(entry, body: [1, 2, 3]))
        #expect(!IdempotencyStore.matches(entry, body: [1, 2, 4]))
    }
}
