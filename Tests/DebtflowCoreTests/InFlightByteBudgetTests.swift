import DebtflowCore
import Testing

@Suite("In-flight byte budget")
struct InFlightByteBudgetTests {
    @Test("admit waits while the limit is reached and resumes once bytes are released")
    func waitsAndResumes() async throws {
        let budget = InFlightByteBudget(limit: 100)
        try await budget.admit()
        budget.add(150)
        #expect(budget.isExhausted)
        let admitted = Task { try await budget.admit() }
        try await Task.sleep(for: .milliseconds(50))
        budget.release(150)
        try await admitted.value
        #expect(!budget.isExhausted)
        #expect(budget.inFlight == 0)
    }

    @Test("cancel wakes a waiting admit with CancellationError")
    func cancelWakes() async throws {
        let budget = InFlightByteBudget(limit: 10)
        budget.add(10)
        let waiting = Task { try await budget.admit() }
        try await Task.sleep(for: .milliseconds(20))
        budget.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
    }
}
