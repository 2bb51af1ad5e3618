@testable import DebtflowCore
import Synchronization
import Testing

/// What the stages below did, in order.
private final class CallLog: Sendable {
    private let entries = Mutex<[String]>([])
    func note(_ entry: String) { entries.withLock { $0.append(entry) } }
    var all: [String] { entries.withLock { $0 } }
}

/// A stage that works on whole chunks: each number `n` becomes `n` and `n + 100`, handed on as
/// they are made.
private struct Splitting: ChunkStage {
    let log: CallLog
    func process(_ chunk: consuming Chunk<Int>) throws -> Chunk<Int> {
        var output: [Int] = []
        try forEachOutput(of: chunk) { output.append($0) }
        return Chunk(output)
    }
    func forEachOutput(of chunk: consuming Chunk<Int>, _ body: (inout Int) throws -> Void) throws {
        for number in chunk.elements {
            log.note("split \(number)")
            var first = number
            try body(&first)
            var second = number + 100
            try body(&second)
        }
    }
}

/// An element stage: doubles each number.
private struct Doubling: ElementStage {
    let log: CallLog
    func process(_ chunk: consuming Chunk<Int>) throws -> Chunk<Int> {
        Chunk(chunk.elements.map { number in log.note("double \(number)"); return number * 2 })
    }
    func pass(_ number: inout Int, to next: (inout Int) throws -> Void) throws {
        log.note("double \(number)")
        number *= 2
        try next(&number)
    }
}

/// An element stage that changes the element type: labels each number.
private struct Labelling: ElementStage {
    let log: CallLog
    func process(_ chunk: consuming Chunk<Int>) throws -> Chunk<String> {
        Chunk(chunk.elements.map { number in log.note("label \(number)"); return "#\(number)" })
    }
    func pass(_ number: inout Int, to next: (inout String) throws -> Void) throws {
        log.note("label \(number)")
        var label = "#\(number)"
        try next(&label)
    }
}

@Suite("Stages passing elements one at a time")
struct ElementPassingTests {
    @Test("a chain of erased stages hands each output of the first through the element stages before the next one is made")
    func elementByElement() throws {
        let log = CallLog()
        let chain = AnyChunkStage(chaining: AnyChunkStage(chaining: AnyChunkStage(Splitting(log: log)), then: AnyChunkStage(Doubling(log: log))),
                                  then: AnyChunkStage(Labelling(log: log)))
        var labels: [String] = []
        try chain.forEachOutput(of: Chunk([1, 2])) { labels.append($0) }
        #expect(labels == ["#2", "#202", "#4", "#204"])
        #expect(log.all == ["split 1", "double 1", "label 2", "double 101", "label 202",
                            "split 2", "double 2", "label 4", "double 102", "label 204"])
    }

    @Test("process(_:) of the same chain still runs a whole chunk through each stage in turn, with the same outputs")
    func chunkByChunk() throws {
        let log = CallLog()
        let chain = AnyChunkStage(chaining: AnyChunkStage(chaining: AnyChunkStage(Splitting(log: log)), then: AnyChunkStage(Doubling(log: log))),
                                  then: AnyChunkStage(Labelling(log: log)))
        #expect(try chain.process(Chunk([1, 2])).elements == ["#2", "#202", "#4", "#204"])
        #expect(log.all == ["split 1", "split 2", "double 1", "double 101", "double 2", "double 102",
                            "label 2", "label 202", "label 4", "label 204"])
    }

    @Test("only a chain of element stages takes one element at a time; a chunk stage after them gets their chunk")
    func passesElements() throws {
        let log = CallLog()
        #expect(AnyChunkStage(Doubling(log: log)).passesElements)
        #expect(!AnyChunkStage(Splitting(log: log)).passesElements)
        #expect(AnyChunkStage(chaining: AnyChunkStage(Doubling(log: log)), then: AnyChunkStage(Labelling(log: log))).passesElements)
        #expect(!AnyChunkStage(chaining: AnyChunkStage(Splitting(log: log)), then: AnyChunkStage(Doubling(log: log))).passesElements)
        let endsInChunkStage = AnyChunkStage(chaining: AnyChunkStage(Doubling(log: log)), then: AnyChunkStage(Splitting(log: log)))
        #expect(!endsInChunkStage.passesElements)
        var numbers: [Int] = []
        try endsInChunkStage.forEachOutput(of: Chunk([1, 2])) { numbers.append($0) }
        #expect(numbers == [2, 102, 4, 104])
        #expect(log.all == ["double 1", "double 2", "split 2", "split 4"])
    }

    @Test("a chunk stage's forEachOutput hands on what process(_:) returns; an element stage's passes each element; a body's error stops both")
    func defaultsAndErrors() throws {
        struct Stop: Error {}
        /// A chunk stage with only `process`: it notes the whole chunk, then adds one.
        struct Incrementing: ChunkStage {
            let log: CallLog
            func process(_ chunk: consuming Chunk<Int>) throws -> Chunk<Int> {
                log.note("process \(chunk.elements)")
                return Chunk(chunk.elements.map { $0 + 1 })
            }
        }
        let log = CallLog()
        var seen: [Int] = []
        #expect(throws: Stop.self) {
            try Incrementing(log: log).forEachOutput(of: Chunk([1, 2, 3])) { number in
                seen.append(number)
                log.note("body \(number)")
                if number == 3 { throw Stop() }
            }
        }
        #expect(seen == [2, 3])
        #expect(log.all == ["process [1, 2, 3]", "body 2", "body 3"])

        let elementLog = CallLog()
        var doubled: [Int] = []
        #expect(throws: Stop.self) {
            try Doubling(log: elementLog).forEachOutput(of: Chunk([1, 2, 3])) { number in
                doubled.append(number)
                if number == 4 { throw Stop() }
            }
        }
        #expect(doubled == [2, 4])
        #expect(elementLog.all == ["double 1", "double 2"])
    }
}

@Suite("A reused debt candidate")
struct DebtCandidateResetTests {
    @Test("reset makes a used candidate equal to a fresh one with the same parts, its fields empty over the new tape")
    func resetIsFresh() {
        let record = RecordView(RecordObject(["name": .string("Zoé")]))
        var used = DebtCandidate(provenance: Provenance(source: "old.csv", record: 7, line: 8), data: RecordView(RecordObject(["x": .string("1")])),
                                 raw: DebtRawFields(["firstname": "Old", "phone": "0612345678"]),
                                 metadata: DebtMetadata(RecordObject(["debtorId": .string("9")])), tempID: "old#7", phoneRegion: "FR")
        used.debt.firstname = "Old"
        used.debt.amount = MinorUnitAmount(minorUnits: 1250, digits: 2)
        used.destination = Destination(zone: .eu, country: "DE", credits: 30, multiplier: "1.2", expensive: false)
        used.phoneNumber = PhoneNumber(e164: "+33612345678", callingCode: 33, region: "FR")
        used.nonBlankFields.insert(.phone)
        used.errors = [RecordError(field: "phone", code: .invalidPhone, message: "bad")]
        used.skipReason = .emptyRow
        used.warnings = ["a warning"]

        let side = Array("EUR".utf8)
        used.reset(provenance: Provenance(source: "new.csv", record: 1, line: 2), data: record, rawSide: side, tempID: "new#1")
        var fresh = DebtCandidate(provenance: Provenance(source: "new.csv", record: 1, line: 2), data: record,
                                  raw: DebtRawFields(tape: record.tape, side: side), tempID: "new#1", phoneRegion: nil)
        #expect(used == fresh)
        #expect(used.raw.isEmpty)
        // The reset fields point into the new record's tape and side bytes.
        let nameSpan = record.tape.nodes[record.index + 1].value
        used.raw.set(.firstname, tapeSpan: nameSpan)
        used.raw.set(.currency, sideSpan: ByteSpan(offset: 0, length: 3))
        fresh.raw.set(.firstname, tapeSpan: nameSpan)
        fresh.raw.set(.currency, sideSpan: ByteSpan(offset: 0, length: 3))
        #expect(used == fresh)
        #expect(used.raw["firstname"] == "Zoé" && used.raw["currency"] == "EUR")
        #expect(used.phoneNumber == nil && used.nonBlankFields == DebtRawKeySet() && used.metadata == nil)
    }

    @Test("reset(taking:) makes the candidate the one reset(provenance:data:) makes, and leaves the record holding the previous record's provenance and view")
    func resetTakingSwaps() {
        let oldView = RecordView(RecordObject(["x": .string("1")]))
        let newView = RecordView(RecordObject(["name": .string("Zoé")]))
        let oldProvenance = Provenance(source: "old.csv", record: 7, line: 8)
        let newProvenance = Provenance(source: "new.csv", record: 1, line: 2)
        var taking = DebtCandidate(provenance: oldProvenance, data: oldView, tempID: "old#7")
        taking.errors = [RecordError(field: "phone", code: .invalidPhone, message: "bad")]
        var copying = taking
        let side = Array("EUR".utf8)
        var record = Record(provenance: newProvenance, view: newView)
        taking.reset(taking: &record, rawSide: side)
        copying.reset(provenance: newProvenance, data: newView, rawSide: side)
        #expect(taking == copying)
        #expect(taking.provenance == newProvenance && taking.data.tape === newView.tape && taking.errors.isEmpty)
        #expect(record.provenance == oldProvenance)
        #expect(record.view.tape === oldView.tape && record.view.index == oldView.index)
    }

    /// A candidate used for a record before: every part a reset clears holds something.
    private static func candidateHoldingEverything() -> DebtCandidate {
        var full = DebtCandidate(provenance: Provenance(source: "old.csv", record: 7, line: 8), data: RecordView(RecordObject(["x": .string("1")])),
                                 raw: DebtRawFields(["firstname": "Old"]),
                                 metadata: DebtMetadata(RecordObject(["debtorId": .string("9")])), tempID: "old#7", phoneRegion: "FR")
        full.debt.metadata = DebtMetadata(RecordObject(["debtId": .string("3")]))
        full.destination = Destination(zone: .eu, country: "DE", credits: 30, multiplier: "1.2", expensive: false)
        full.phoneNumber = PhoneNumber(e164: "+33612345678", callingCode: 33, region: "FR")
        full.nonBlankFields.insert(.phone)
        full.errors = [RecordError(field: "phone", code: .invalidPhone, message: "bad")]
        full.skipReason = .emptyRow
        full.warnings = ["a warning"]
        return full
    }

    @Test("resetAllButRecordAndIdentity, with tempID and phoneRegion set after it, makes the candidate reset(provenance:data:) makes, whether its parts held something or nothing")
    func resetAllButIdentityIsFresh() {
        let newView = RecordView(RecordObject(["name": .string("Zoé")]))
        let newProvenance = Provenance(source: "new.csv", record: 1, line: 2)
        let side = Array("EUR".utf8)
        let full = Self.candidateHoldingEverything()
        let empty = DebtCandidate(provenance: Provenance(source: "old.csv", record: 7), data: newView)
        for var used in [full, empty] {
            used.provenance = newProvenance
            used.data = newView
            used.resetAllButRecordAndIdentity(rawSide: side)
            used.tempID = "new#1"
            used.phoneRegion = nil
            var expected = used
            expected.reset(provenance: newProvenance, data: newView, rawSide: side, tempID: "new#1")
            #expect(used == expected)
            #expect(used.metadata == nil && used.debt.metadata == nil && used.destination == nil && used.errors.isEmpty
                        && used.warnings.isEmpty && used.skipReason == nil && used.phoneNumber == nil && used.raw.isEmpty)
        }
    }

    @Test("resetAllButRecord(raw:metadata:tempID:phoneRegion:), the provenance and view set before it, makes the candidate reset(provenance:data:raw:…) makes, whether its parts held something or nothing")
    func resetAllButRecordWithFieldsIsFresh() {
        let newView = RecordView(RecordObject(["name": .string("Zoé")]))
        let newProvenance = Provenance(source: "new.json", record: 1, line: 2, caseIndex: 3)
        let raw = DebtRawFields(["firstname": "Zoé", "currency": "EUR"])
        let metadata = DebtMetadata(RecordObject(["debtorId": .string("4")]))
        let full = Self.candidateHoldingEverything()
        let empty = DebtCandidate(provenance: Provenance(source: "old.csv", record: 7), data: newView)
        for var used in [full, empty] {
            var expected = used
            expected.reset(provenance: newProvenance, data: newView, raw: raw, metadata: metadata, tempID: "c3", phoneRegion: "BE")
            used.provenance = newProvenance
            used.data = newView
            used.resetAllButRecord(raw: raw, metadata: metadata, tempID: "c3", phoneRegion: "BE")
            #expect(used == expected)
            #expect(used.debt.metadata == nil && used.destination == nil && used.errors.isEmpty && used.warnings.isEmpty
                        && used.skipReason == nil && used.phoneNumber == nil && used.raw == raw)
        }
    }

    @Test("a reset to another side arena of the same length reads the new one's bytes, not the old one's")
    func resetToAnotherSideArena() {
        let view = RecordView(RecordObject(["x": .string("1")]))
        var candidate = DebtCandidate(provenance: Provenance(source: "a.csv", record: 1), data: view)
        let first = Array("EUR".utf8)
        let second = Array("USD".utf8)
        for (side, expected) in [(first, "EUR"), (first, "EUR"), (second, "USD"), (second, "USD"), (first, "EUR")] {
            candidate.reset(provenance: Provenance(source: "a.csv", record: 1), data: view, rawSide: side)
            candidate.raw.set(.currency, sideSpan: ByteSpan(offset: 0, length: 3))
            #expect(candidate.raw["currency"] == expected)
        }
    }

    @Test("a debt reset over a tape is the empty debt made over it: no text, amount, flag or metadata; texts of the new tape can be set")
    func debtReset() {
        let oldRecord = RecordView(RecordObject(["a": .string("Old name")]))
        let newRecord = RecordView(RecordObject(["a": .string("Neu")]))
        var debt = Debt(tape: oldRecord.tape)
        debt.firstname = "a text long enough to go to the arena, past the inline bytes"
        debt.currency = "EUR"
        debt.amount = MinorUnitAmount(minorUnits: 5, digits: 2)
        debt.acceptExpensiveDestination = true
        debt.metadata = DebtMetadata(RecordObject(["debtorId": .string("1")]))
        debt.reset(tape: newRecord.tape)
        #expect(debt == Debt(tape: newRecord.tape))
        #expect(debt.firstname == nil && debt.currency == nil && debt.amount == nil && debt.metadata == nil)
        newRecord.tape.bytes.withUnsafeBufferPointer { bytes in
            let span = newRecord.tape.nodes[newRecord.index + 1].value
            debt.setText(.lastname, UnsafeBufferPointer(rebasing: bytes[Int(span.offset)..<Int(span.offset + span.length)]))
        }
        #expect(debt.lastname == "Neu")
    }
}

@Suite("An outcome's debt payload")
struct OutcomeDebtPayloadTests {
    @Test("a candidate's debt is its settled outcome's payload, which the outcome carries only with hasDebt")
    func candidateDebtIsThePayload() {
        var candidate = DebtCandidate(provenance: Provenance(source: "a.csv", record: 1), data: RecordObject([:]))
        candidate.debt.firstname = "Zoé"
        #expect(candidate.settled.debtPayload.firstname == "Zoé")
        #expect(candidate.settled.debt == nil && !candidate.settled.hasDebt)
        candidate.settled.hasDebt = true
        #expect(candidate.settled.debt?.firstname == "Zoé")
        candidate.settled.debt = nil
        #expect(candidate.settled.debt == nil && candidate.debt.firstname == "Zoé")
    }

    @Test("outcomes compare their debts, not a payload they do not carry")
    func equalityIgnoresPayloadWithoutDebt() {
        let provenance = Provenance(source: "a.csv", record: 1)
        var failed = Outcome(status: .failed, provenance: provenance, data: RecordObject([:]))
        let other = failed
        failed.debtPayload.firstname = "Left over"
        #expect(failed == other)
        var debt = Debt()
        debt.firstname = "Zoé"
        var valid = Outcome(status: .valid, provenance: provenance, debt: debt)
        #expect(valid.hasDebt && valid.debt == debt)
        let same = valid
        valid.debtPayload.firstname = "Zoë"
        #expect(valid != same)
    }
}
