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
        guard case .perDebt(let results, _) = reading else { Issue.record("\(reading)"); return }
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
        guard case .perDebt(let results, _) = BatchAnswerParser.readSuccess(Array(answer.utf8), batch: batch) else {
            Issue.record("not per debt"); return
        }
        #expect(results.map(\.status) == [.created, .failed, .created])
        #expect(results.map(\.tempID) == ["T1", "T2", "T3"])
        #expect(results[0].debtID == "42")
        #expect(results[1].errors == [.init(field: nil, message: "amount must be positive"), .init(field: "currency", message: "unknown")])
    }

    @Test("an item naming a temp_id the batch did not send, or one it named already, is not matched by its index: that debt stays unknown")
    func contradictingItemsAreNotBelieved() {
        guard case .perDebt(let results, _) = BatchAnswerParser.readSuccess(Array(#"""
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
        guard case .perDebt(let results, _) = BatchAnswerParser.readSuccess(
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
        #expect(reading == .wholeRequestFailed(.init(messages: [.init(field: nil, message: "Batch too large (BATCH_LIMIT)"),
                                                                 .init(field: "debts", message: "max 1000")])))
    }

    @Test("a refusal's details keyed debts.N.field go to debt N alone; the others stay the batch's")
    func refusalDetailsByDebt() {
        let refusal = BatchAnswerParser.refusal(ofStatus: 422, body: Array(#"""
            {"message":"The given data was invalid.","details":{"debts.1.phone":["Invalid phone"],"debts.2":"duplicate",
             "debts.9.email":["out of range"],"batch_name":["too long"],"debts.x.phone":["odd"]}}
            """#.utf8), debts: 3)
        #expect(refusal.byDebt[0] == nil)
        #expect(refusal.byDebt[1] == [.init(field: "phone", message: "Invalid phone")])
        #expect(refusal.byDebt[2] == [.init(field: nil, message: "duplicate")])
        #expect(refusal.messages.map(\.field) == [nil, "debts.9.email", "batch_name", "debts.x.phone"])
        #expect(refusal.summary.contains("(and 2 message(s) about 2 single debt(s), in the results)"))
        // One detail for each debt of a batch of 1,000: the last debt gets its own.
        let details = (0..<1000).map { #""debts.\#($0).phone":["bad phone \#($0)"]"# }.joined(separator: ",")
        let large = BatchAnswerParser.refusal(ofStatus: 422, body: Array(#"{"message":"invalid","details":{\#(details)}}"#.utf8), debts: 1000)
        #expect(large.byDebt.count == 1000)
        #expect(large.byDebt[999] == [.init(field: "phone", message: "bad phone 999")])
    }

    @Test("a 2xx whose data lists no fate, or a fate that is not a list, is unreadable (ambiguous), not an answer naming none")
    func dataWithoutLists() {
        for body in [#"{"error":false,"data":{}}"#, #"{"error":false,"data":{"created":"all of them"}}"#,
                     #"{"error":false,"data":{"import_id":"I","summary":{"created":3}}}"#,
                     #"{"error":false,"data":{"created":[],"failed":{"T1":"bad"}}}"#] {
            guard case .unreadable = BatchAnswerParser.readSuccess(Array(body.utf8), batch: batch) else {
                Issue.record("read as an answer: \(body)"); continue
            }
        }
        // Empty lists are an answer: it names no debt.
        guard case .perDebt(let results, _) = BatchAnswerParser.readSuccess(Array(#"{"error":false,"data":{"created":[]}}"#.utf8), batch: batch) else {
            Issue.record("empty lists are an answer"); return
        }
        #expect(results.map(\.status) == [.unknown, .unknown, .unknown])
    }

    @Test("an index written as a number with a zero fraction places its item; other numbers do not")
    func fractionalIndex() {
        guard case .perDebt(let results, _) = BatchAnswerParser.readSuccess(Array(#"""
            {"error":false,"data":{"created":[{"index":0.0,"debt_id":"A"},{"index":1e0,"debt_id":"B"},{"index":2.5,"debt_id":"C"}]}}
            """#.utf8), batch: batch) else {
            Issue.record("not per debt"); return
        }
        #expect(results.map(\.status) == [.created, .created, .unknown])
    }

    @Test("an answer that names a debt twice, with two debt_ids or two fates, or temp_ids never sent, says so; the first fate is kept")
    func contradictionsAreSaid() {
        guard case .perDebt(let results, let contradictions) = BatchAnswerParser.readSuccess(Array(#"""
            {"error":false,"data":{"created":[{"temp_id":"T1","debt_id":"D1"},{"temp_id":"T1","debt_id":"D1-bis"},{"temp_id":"T2","debt_id":"D2"},
             {"temp_id":"ZZ-1","debt_id":"X"},{"temp_id":"ZZ-2","debt_id":"Y"}],
             "failed":[{"temp_id":"T2","errors":["duplicate"]}],"skipped":[{"temp_id":"T3","reason":"instruction_row"}]}}
            """#.utf8), batch: batch) else {
            Issue.record("not per debt"); return
        }
        #expect(results.map(\.status) == [.created, .created, .skipped])
        #expect(results[0].debtID == "D1")
        #expect(contradictions.count == 2)
        #expect(contradictions[0].contains("names 2 debt(s) more than once"))
        #expect(contradictions[0].contains("T1 (created, then created: debt_ids D1 and D1-bis, so the server may hold it twice)"))
        #expect(contradictions[0].contains("T2 (created, then failed)"))
        #expect(contradictions[1] == "the answer names 2 temp_id(s) this batch did not send: ZZ-1, ZZ-2")
        // Named by index, then by temp_id, or three times: one debt, its first fate kept.
        guard case .perDebt(let mixed, let mixedContradictions) = BatchAnswerParser.readSuccess(Array(#"""
            {"error":false,"data":{"created":[{"index":0,"debt_id":"D1"},{"index":0,"debt_id":"D1-bis"}],
             "failed":[{"temp_id":"T1","errors":["taken"]},{"temp_id":"T2","errors":["bad"]},{"index":1,"errors":["bad again"]}]}}
            """#.utf8), batch: batch) else {
            Issue.record("not per debt"); return
        }
        #expect(mixed.map(\.status) == [.created, .failed, .unknown])
        #expect(mixed[0].debtID == "D1")
        #expect(mixedContradictions.count == 1)
        #expect(mixedContradictions.first?.hasPrefix("the answer names 2 debt(s) more than once") == true)
        #expect(mixedContradictions.first?.contains("T1 (created, then created: debt_ids D1 and D1-bis") == true)
        guard case .perDebt(_, let none) = BatchAnswerParser.readSuccess(Array(#"{"error":false,"data":{"created":[{"temp_id":"T1","debt_id":"D"}]}}"#.utf8),
                                                                         batch: batch) else { return }
        #expect(none.isEmpty)
    }

    @Test("errors of any shape keep what the server said: numbers, objects as JSON, objects without a message")
    func errorsOfAnyShape() {
        #expect(BatchAnswerParser.messages(.number("42")) == [.init(field: nil, message: "42")])
        let list = RecordValue.array([.object(RecordObject(entries: [.init(key: "field", value: .string("phone")),
                                                                    .init(key: "message", value: .object(RecordObject(entries: [.init(key: "en", value: .string("bad"))])))])),
                                      .object(RecordObject(entries: [.init(key: "field", value: .string("email"))]))])
        #expect(BatchAnswerParser.messages(list) == [.init(field: "phone", message: #"{"en":"bad"}"#),
                                                     .init(field: "email", message: #"{"field":"email"}"#)])
        #expect(BatchAnswerParser.messages(.object(RecordObject(entries: [.init(key: "amount", value: .number("0"))])))
                == [.init(field: "amount", message: "0")])
        let long = String(repeating: "x", count: BatchAnswerParser.messageCharactersKept + 10)
        #expect(BatchAnswerParser.messages(.string(long)).first?.message.count == BatchAnswerParser.messageCharactersKept)
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
