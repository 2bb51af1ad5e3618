import DebtflowCore
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// How a `--resume` run reads the journal: a block at a time, keeping per debt only fingerprints
/// and the place of its result, and reading a result again when the run meets its debt.
@Suite("HTTP push sink: reading the journal back")
struct JournalStateTests {
    private func journal(_ lines: [String], tail: String = "") throws -> URL {
        let url = try TestSupport.makeTemporaryDirectory("debtflow-journal-state").appendingPathComponent("journal.jsonl")
        try Data((lines.map { $0 + "\n" }.joined() + tail).utf8).write(to: url)
        return url
    }

    private func started(_ batch: Int, _ key: String, _ ids: [String]) -> String {
        let list = ids.map { "\"\($0)\"" }.joined(separator: ",")
        return #"{"event":"started","batch":\#(batch),"key":"\#(key)","count":\#(ids.count),"temp_ids":"x","ids":[\#(list)]}"#
    }

    private func done(_ batch: Int, _ key: String, _ results: [String]) -> String {
        #"{"event":"done","batch":\#(batch),"key":"\#(key)","count":\#(results.count),"results":[\#(results.joined(separator: ","))]}"#
    }

    @Test("lines are passed whole, with their byte offsets and line numbers, however the reads cut them", arguments: [1, 3, 7, 1 << 20])
    func linesAcrossBlocks(blockSize: Int) throws {
        let url = try journal(["first", "", "a longer second line", "3"], tail: "torn, never durable")
        let fd = open(url.path, O_RDONLY)
        defer { close(fd) }
        var seen: [String] = []
        try JournalLines.read(descriptor: fd, path: url.path, blockSize: blockSize) { line, offset, number in
            seen.append("\(number)@\(offset):\(String(decoding: line, as: UTF8.self))")
        }
        #expect(seen == ["1@0:first", "3@7:a longer second line", "4@28:3"])
    }

    @Test("a debt's result is read again from the journal, whole (debt_id, errors, reason), with its batch number")
    func resultsAreReadAgain() throws {
        let failed = #"{"temp_id":"B","status":"failed","errors":[{"field":"phone","message":"invalid \"phone\""}],"reason":"why"}"#
        let url = try journal([
            started(4, "k4", ["A", "B"]),
            done(4, "k4", [#"{"temp_id":"A","status":"created","debt_id":"D-A"}"#, failed]),
        ])
        let state = try #require(try JournalState.load(path: url.path))
        #expect(try state.fate(ofDebt: "A") == .acknowledged(DebtPushResult(tempID: "A", status: .created, debtID: "D-A"), batch: 4))
        #expect(try state.fate(ofDebt: "B") == .acknowledged(DebtPushResult(
            tempID: "B", status: .failed, errors: [.init(field: "phone", message: #"invalid "phone""#)], reason: "why"), batch: 4))
        #expect(try state.fate(ofDebt: "C") == nil)
        #expect(state.nextBatchIndex == 5)
    }

    @Test("temp_ids are kept only for batches whose debts are not all acknowledged (the memory a long journal costs)")
    func idsKeptOnlyWhileUnresolved() throws {
        let url = try journal([
            started(0, "all", ["A", "B"]),
            done(0, "all", [#"{"temp_id":"A","status":"created"}"#, #"{"temp_id":"B","status":"skipped"}"#]),
            started(1, "part", ["C", "D", "E"]),
            done(1, "part", [#"{"temp_id":"C","status":"created"}"#, #"{"temp_id":"D","status":"unknown"}"#]),
            started(2, "open", ["F"]),
        ])
        let state = try #require(try JournalState.load(path: url.path))
        #expect(state.tempIDs(ofBatch: "all") == nil)
        #expect(state.tempIDs(ofBatch: "part") == ["C", "D", "E"])
        #expect(state.tempIDs(ofBatch: "open") == ["F"])
        #expect(try state.fate(ofDebt: "D") == .unresolved(key: "part", startedOnly: false))
        #expect(try state.fate(ofDebt: "E") == .unresolved(key: "part", startedOnly: true), "left out by the answer")
        #expect(try state.fate(ofDebt: "F") == .unresolved(key: "open", startedOnly: true))
        #expect(state.fate(of: "all") == .acknowledged && state.fate(of: "open") == .startedOnly)
        #expect(state.index(ofBatch: "part") == 1 && state.batchFate(of: "part") == nil)
    }

    @Test("the last event about a debt wins: sent again in a later batch, then certainly not sent")
    func lastEventWins() throws {
        let url = try journal([
            started(0, "k0", ["A"]),
            #"{"event":"unknown","batch":0,"key":"k0","count":1,"reason":"time-out"}"#,
            started(1, "k1", ["A", "B"]),
            #"{"event":"not_sent","batch":1,"key":"k1","count":2,"reason":"refused"}"#,
            started(2, "k2", ["B"]),
            done(2, "k2", [#"{"temp_id":"B","status":"created","debt_id":"D-B"}"#]),
        ])
        let state = try #require(try JournalState.load(path: url.path))
        #expect(try state.fate(ofDebt: "A") == nil, "its last batch was certainly not applied")
        #expect(try state.fate(ofDebt: "B") == .acknowledged(DebtPushResult(tempID: "B", status: .created, debtID: "D-B"), batch: 2))
        #expect(state.fate(of: "k0") == .unknown && state.fate(of: "k1") == .notSent)
    }

    @Test("an `unknown` after a batch's answer makes its debts unresolved again: their temp_ids, dropped at the answer, are read again")
    func unknownAfterDone() throws {
        let url = try journal([
            started(0, "k0", ["A", "B"]),
            done(0, "k0", [#"{"temp_id":"A","status":"created"}"#, #"{"temp_id":"B","status":"created"}"#]),
            #"{"event":"unknown","batch":0,"key":"k0","count":2,"reason":"hand-written"}"#,
        ])
        let state = try #require(try JournalState.load(path: url.path))
        #expect(try state.fate(ofDebt: "A") == .unresolved(key: "k0", startedOnly: false))
        #expect(try state.fate(ofDebt: "B") == .unresolved(key: "k0", startedOnly: false))
        #expect(state.tempIDs(ofBatch: "k0") == ["A", "B"])
        #expect(state.fate(of: "k0") == .unknown)
    }

    @Test("an event this version does not know (a newer version's) says nothing about its batch")
    func unknownEventKind() throws {
        let url = try journal([#"{"event":"retried","batch":4,"key":"k4","count":500}"#])
        let state = try #require(try JournalState.load(path: url.path))
        #expect(state.fate(of: "k4") == nil && state.batchFate(of: "k4") == nil)
        #expect(state.nextBatchIndex == 5)
    }

    @Test("a resume cuts a whole last line that is not an event, so the resume after it still reads the journal")
    func unreadableLastLineCut() throws {
        let good = started(0, "k", ["A"])
        let url = try journal([good, #"{"event":"done","key":"k","results":[{]}"#])
        #expect(try JournalState.load(path: url.path)?.fate(of: "k") == .startedOnly, "passed over while it is the last")
        let file = try JournalFile(path: url.path, truncate: false)
        try file.append(Array(#"{"event":"not_sent","batch":0,"key":"k","count":1,"reason":"stopped"}"#.utf8))
        file.close()
        #expect(try String(contentsOf: url, encoding: .utf8)
                == good + "\n" + #"{"event":"not_sent","batch":0,"key":"k","count":1,"reason":"stopped"}"# + "\n")
        #expect(try JournalState.load(path: url.path)?.fate(of: "k") == .notSent)
    }

    @Test("a journal that became a FIFO after the config was checked is a sink error at once, for writing and for reading back")
    func fifoJournal() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-journal-fifo")
        let fifo = folder.appendingPathComponent("journal.jsonl").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for truncate in [true, false] {
            let error = #expect(throws: DebtflowError.self) { try JournalFile(path: fifo, truncate: truncate) }
            #expect(error?.kind == .sink && error?.message.contains("cannot open the journal") == true, "\(String(describing: error))")
        }
        let error = #expect(throws: DebtflowError.self) { try JournalState.load(path: fifo) }
        #expect(error?.cause?.contains("not a regular file") == true, "\(String(describing: error))")
    }

    @Test("a damaged line followed by another is an error naming its line in the file; the same line last is passed over")
    func damagedLine() throws {
        let good = started(0, "k", ["A"])
        let url = try journal([good, "", "not json", good])
        let error = #expect(throws: DebtflowError.self) { try JournalState.load(path: url.path) }
        #expect(error?.kind == .sink && error?.message.contains("damaged at line 3") == true, "\(String(describing: error))")
        #expect(try JournalState.load(path: try journal([good, #"{"event":"done","key":"k","results":[{]}"#]).path)?.fate(of: "k")
                == .startedOnly)
    }

    @Test("a journal changed under the run (its result no longer where it was) is a sink error, never a wrong result")
    func changedUnderTheRun() throws {
        let url = try journal([started(0, "k", ["A"]), done(0, "k", [#"{"temp_id":"A","status":"created","debt_id":"D-A"}"#])])
        let state = try #require(try JournalState.load(path: url.path))
        try Data((started(0, "k", ["Z"]) + "\n" + done(0, "k", [#"{"temp_id":"Z","status":"created","debt_id":"D-A"}"#])).utf8)
            .write(to: url)
        let error = #expect(throws: DebtflowError.self) { try state.fate(ofDebt: "A") }
        #expect(error?.kind == .sink && error?.message.contains("changed during the run") == true, "\(String(describing: error))")
    }

    @Test("two temp_ids sharing the first fingerprint are both kept, set and cleared one without the other")
    func collidingFingerprints() {
        // "a" and "b" share the first fingerprint; each has its own second one.
        var index = JournalDebtIndex { id in (7, id == "a" ? 1 : 2) }
        index["a"] = .unresolved(batch: 0, startedOnly: true)
        index["b"] = .acknowledged(batch: 3, resultOffset: 10, resultLength: 5)
        #expect(index["a"] == .unresolved(batch: 0, startedOnly: true))
        #expect(index["b"] == .acknowledged(batch: 3, resultOffset: 10, resultLength: 5))
        #expect(index.count == 2)
        index["a"] = nil
        #expect(index["a"] == nil && index["b"] == .acknowledged(batch: 3, resultOffset: 10, resultLength: 5))
        // "b" now takes the free place; clearing it must not bring back its old overflow entry.
        index["b"] = .unresolved(batch: 1, startedOnly: false)
        index["b"] = nil
        #expect(index["b"] == nil && index.count == 0)
        // A temp_id matching neither fingerprint pair is unknown to the index.
        let other = JournalDebtIndex { _ in (7, 3) }
        #expect(other["a"] == nil)
    }

    @Test("a place past what a slot packs (a result over 4 MiB, a journal over 1 TiB) is kept whole, and forgotten when replaced")
    func placesThatDoNotPack() {
        var index = JournalDebtIndex()
        let long = JournalDebtIndex.Entry.acknowledged(batch: 2, resultOffset: 77, resultLength: 5_000_000)
        let far = JournalDebtIndex.Entry.acknowledged(batch: 3, resultOffset: 1 << 41, resultLength: 12)
        let edge = JournalDebtIndex.Entry.acknowledged(batch: 4, resultOffset: (1 << 40) - 1, resultLength: (1 << 22) - 1)
        index["long"] = long
        index["far"] = far
        index["edge"] = edge
        #expect(index["long"] == long && index["far"] == far && index["edge"] == edge)
        index["long"] = .acknowledged(batch: 5, resultOffset: 9, resultLength: 30)
        #expect(index["long"] == .acknowledged(batch: 5, resultOffset: 9, resultLength: 30))
        index["far"] = .unresolved(batch: 1, startedOnly: true)
        #expect(index["far"] == .unresolved(batch: 1, startedOnly: true))
    }
}
