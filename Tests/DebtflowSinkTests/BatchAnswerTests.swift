import DebtflowCore
@testable import DebtflowSink
import Testing

@Suite("Reading GetBill's batch answers")
struct BatchAnswerTests {
    let batch = PushBatch(index: 0, debts: (1...3).map(PushFixtures.debt), batchName: nil, acceptExpensiveDestination: nil)

    @Test("matches items by temp_id whatever their order, and reads created, failed and skipped")
    func matchesByTempID() {
        let answer = #"""
        {"error":false,"message":"ok","data":{"import_id":"I","created":[{"index":9,"temp_id":"T3","debt_id":"D3","status":"created","data":{}}],
         "failed":[{"index":9,"temp_id":"T1","data":{},"errors":{"phone":["Invalid phone","Too short"],"email":["Bad email"]}}],
         "skipped":[{"index":9,"temp_id":"T2","data":{},"reason":"instruction_row"}],"summary":{}}}
        """#
        let reading = BatchAnswerParser.readSuccess(Array(answer.utf8), batch: batch)
        guard case .perDebt(let results) = reading else { Issue.record("\(reading)"); return }
        #expect(results.map(\.status) == [.failed, .skipped, .created])
        #expect(results[0].errors == [.init(field: "phone", message: "Invalid phone"), .init(field: "phone", message: "Too short"),
                                      .init(field: "email", message: "Bad email")])
        #expect(results[1].reason == "instruction_row")
        #expect(results[2].debtID == "D3")
    }

    @Test("matches items by index when they carry no temp_id, and reads errors given as a list")
    func matchesByIndex() {
        let answer = #"""
        {"error":false,"data":{"created":[{"index":0,"debt_id":42},{"index":2,"debt_id":43}],
         "failed":[{"index":1,"errors":["amount must be positive",{"field":"currency","message":"unknown"}]}]}}
        """#
        guard case .perDebt(let results) = BatchAnswerParser.readSuccess(Array(answer.utf8), batch: batch) else {
            Issue.record("not per debt"); return
        }
        #expect(results.map(\.status) == [.created, .failed, .created])
        #expect(results.map(\.tempID) == ["T1", "T2", "T3"])
        #expect(results[0].debtID == "42")
        #expect(results[1].errors == [.init(field: nil, message: "amount must be positive"), .init(field: "currency", message: "unknown")])
    }

    @Test("an item naming a temp_id the batch did not send, or one it named already, is not matched by its index: that debt stays unknown")
    func contradictingItemsAreNotBelieved() {
        guard case .perDebt(let results) = BatchAnswerParser.readSuccess(Array(#"""
            {"error":false,"data":{"created":[{"index":0,"temp_id":"ZZ-0","debt_id":"D0"},{"index":1,"temp_id":"T1","debt_id":"D1"},
             {"index":2,"temp_id":"T1","debt_id":"D1-again"}]}}
            """#.utf8), batch: batch) else {
            Issue.record("not per debt"); return
        }
        #expect(results.map(\.status) == [.created, .unknown, .unknown])
        #expect(results[0].tempID == "T1" && results[0].debtID == "D1")
    }

    @Test("a debt the answer does not name is unknown")
    func unnamedIsUnknown() {
        guard case .perDebt(let results) = BatchAnswerParser.readSuccess(
            Array(#"{"error":false,"data":{"created":[{"temp_id":"T1","debt_id":"D"}]}}"#.utf8), batch: batch) else {
            Issue.record("not per debt"); return
        }
        #expect(results.map(\.status) == [.created, .unknown, .unknown])
    }

    @Test("reads a whole-request failure in a 2xx answer")
    func wholeRequestFailure() {
        let reading = BatchAnswerParser.readSuccess(
            Array(#"{"error":true,"message":"Batch too large","code":"BATCH_LIMIT","details":{"debts":["max 1000"]}}"#.utf8),
            batch: batch)
        #expect(reading == .wholeRequestFailed([.init(field: nil, message: "Batch too large (BATCH_LIMIT)"),
                                                .init(field: "debts", message: "max 1000")]))
    }

    @Test("an unreadable 2xx answer is unreadable, not a success")
    func unreadable() {
        guard case .unreadable = BatchAnswerParser.readSuccess(Array("<html>".utf8), batch: batch) else {
            Issue.record("expected unreadable"); return
        }
    }

    @Test("forms the body with the debt writer and keys it by its SHA-256")
    func bodyAndKey() {
        let one = PushBatch(index: 0, debts: [PushFixtures.debt(1)], batchName: "b", acceptExpensiveDestination: false)
        #expect(String(decoding: one.body, as: UTF8.self) == #"{"batch_name":"b","accept_expensive_destination":false,"debts":[{"firstname":"Jean1","lastname":"Dupont","amount":10.01,"currency":"EUR","email":"jean1@example.fr","temp_id":"T1"}]}"#)
        let again = PushBatch(index: 5, debts: [PushFixtures.debt(1)], batchName: "b", acceptExpensiveDestination: false)
        #expect(one.idempotencyKey == again.idempotencyKey)
        let other = PushBatch(index: 0, debts: [PushFixtures.debt(2)], batchName: "b", acceptExpensiveDestination: false)
        #expect(one.idempotencyKey != other.idempotencyKey)
        #expect(one.idempotencyKey.count == 64)
    }
}
