import DebtflowCore
import DebtflowHTTP
import DebtflowJSON
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What an earlier run's journal says, per debt (by temp_id) and per batch (by
/// `Idempotency-Key`); the last event about a debt or a key wins. Read once at the start of a
/// `--resume` run, so that the resumed run sends only the debts never acknowledged, however
/// this run's batches fall (CONTRACT.md §5).
///
/// Memory follows the number of debts, not the journal's bytes: the journal is read a block at
/// a time, and a debt is kept as two fingerprints of its temp_id and the place of its result in
/// the journal (``JournalDebtIndex``: a 24-byte slot with its key, about 70 bytes a debt with the
/// table's spare room, where each debt takes about 110 bytes of journal). A debt's result is read
/// again from the journal when this run meets the debt. The temp_ids themselves are kept only for
/// the batches whose debts are not all acknowledged; the others' are read again from their
/// `started` line if a later event needs them.
///
/// Journals written before `started` lines carried their temp_ids (`ids`) are still read: their
/// `done` lines give per-debt results, and their other events are kept per key, for a batch
/// this run forms again identically (``batchFate(of:)``).
///
/// A class: it holds the journal open for reading the results again, and closes it when it goes.
final class JournalState {
    /// A batch's fate, by key.
    enum Fate: Equatable {
        /// Sent and never answered or given up: the process died in between (ambiguous).
        case startedOnly
        /// Answered (the per-debt results are in the journal).
        case acknowledged
        /// Recorded unknown: it may or may not have reached the server.
        case unknown
        /// Certainly not applied: send it again.
        case notSent
    }

    /// One debt's fate.
    enum DebtFate: Equatable {
        /// The server answered about it (created, failed or skipped): never sent again; its
        /// result is written again from the journal.
        case acknowledged(DebtPushResult, batch: Int)
        /// It was in the batch `key` that may have reached the server (sent, then no answer, or
        /// an answer that did not name it, or the process died while waiting).
        case unresolved(key: String, startedOnly: Bool)
    }

    /// A batch, by its key.
    private struct BatchRecord {
        var key: String
        var fate: Fate
        /// Its number, as its `started` line gave it.
        var startedIndex: Int?
        /// Whether its `started` line listed its temp_ids (journals older than `ids` did not).
        var tracksDebts = false
        /// Its temp_ids in body order, while some of its debts are not acknowledged.
        var tempIDs: [String]?
        /// Where its last `started` line is in the journal (to read its temp_ids again).
        var startedLine: (offset: Int64, length: Int)?
    }

    let path: String
    /// The journal, open for reading the results of acknowledged debts again.
    private let descriptor: Int32
    private var batchSlots: [String: Int] = [:]
    private var batchRecords: [BatchRecord] = []
    private var debts = JournalDebtIndex()
    /// One more than the highest batch number in the journal: this run numbers its batches on.
    private(set) var nextBatchIndex = 0
    /// The starts of positional temp_ids this run's inputs no longer give (``load(path:foreignIDPrefixes:)``).
    private var foreignIDPrefixes: Set<String> = []
    /// The first temp_id of the journal that is a record's position under one of
    /// ``foreignIDPrefixes`` (`export.csv#12`): the inputs changed since the journal was written.
    private(set) var foreignID: String?
    /// The host the journal's answers came from (``JournalFile/target(_:)``); `nil` in journals
    /// written before it was kept.
    private(set) var target: String?

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { _ = Glibc.close(descriptor) }

    /// Reads the journal at `path`; `nil` when there is none (an ordinary run). A torn last line
    /// (the process died while writing it) is ignored, and so is a last line that does not read.
    /// - Parameter foreignIDPrefixes: see ``HTTPSinkRunOptions/foreignIDPrefixes``; the first
    ///   journal temp_id that is one of them and then a position is kept in ``foreignID``.
    static func load(path: String, foreignIDPrefixes: Set<String> = []) throws(DebtflowError) -> JournalState? {
        guard let fd = try JournalFile.openRegularFile(path, flags: O_RDONLY, failure: "cannot read the journal \(path)") else {
            return nil
        }
        let state = JournalState(path: path, descriptor: fd)
        state.foreignIDPrefixes = foreignIDPrefixes
        // A line that does not read is an error only when another line follows it: the last one
        // may be the one the process died writing.
        var damagedLine: Int?
        try JournalLines.read(descriptor: fd, path: path) { (line: ArraySlice<UInt8>, offset: Int64, number: Int) throws(DebtflowError) in
            if let damagedLine {
                throw .sink("the journal \(path) is damaged at line \(damagedLine); move it away to start afresh")
            }
            if !state.take(line: line, at: offset) { damagedLine = number }
        }
        return state
    }

    /// The members of a journal line that are built; a `done` line's `results` are only located.
    private static let members: [String: JSONSelection] = ["event": .whole, "key": .whole, "batch": .whole, "ids": .whole,
                                                            "host": .whole]
    /// What is built of each per-debt result while the journal is read: whose it is, and whether
    /// it is settled. (The rest of a result is read again, whole, by ``fate(ofDebt:)``.)
    private static let resultMembers = JSONSelection.members(["temp_id": .whole, "status": .whole])

    /// A journal line as read: its members, its results located, its event and key; `nil` when it
    /// is not a journal event.
    private static func event(in line: [UInt8]) -> (object: RecordObject, results: [JSONDocument.LocatedElement], event: String, key: String)? {
        guard let (object, results) = try? JSONDocument.parseObject(line, name: "the journal", keeping: members,
                                                                   locatingElementsOf: "results", each: resultMembers),
              let event = object["event"]?.scalarText, let key = object["key"]?.scalarText else { return nil }
        return (object, results, event, key)
    }

    /// Takes one complete line that starts at byte `offset` of the journal.
    /// - Returns: `false` when it is not a journal event.
    private func take(line: ArraySlice<UInt8>, at offset: Int64) -> Bool {
        guard let (object, results, event, key) = Self.event(in: Array(line)) else { return false }
        let index = object["batch"]?.scalarText.flatMap { Int($0) } ?? -1
        nextBatchIndex = max(nextBatchIndex, index + 1)
        if event == "target" {
            target = object["host"]?.scalarText
            return true
        }
        // An event this version does not know (a newer version's) says nothing about the batch.
        guard Self.events.contains(event) else { return true }
        let slot = self.slot(of: key)
        switch event {
        case "started":
            let ids = object["ids"]?.arrayValue?.map { $0.scalarText ?? "" }
            batchRecords[slot].fate = .startedOnly
            batchRecords[slot].startedIndex = index
            batchRecords[slot].tracksDebts = ids != nil
            batchRecords[slot].tempIDs = ids
            batchRecords[slot].startedLine = (offset, line.count)
            for id in ids ?? [] where !id.isEmpty { debts[id] = .unresolved(batch: slot, startedOnly: true) }
            if !foreignIDPrefixes.isEmpty, foreignID == nil { foreignID = ids?.first(where: isForeign) }
        case "done":
            batchRecords[slot].fate = .acknowledged
            var acknowledged = Set<String>()
            for element in results {
                guard let result = DebtPushResult(json: element.value), let id = result.tempID, !id.isEmpty else { continue }
                if !foreignIDPrefixes.isEmpty, foreignID == nil, isForeign(id) { foreignID = id }
                let range = element.range
                if result.status == .unknown {
                    debts[id] = .unresolved(batch: slot, startedOnly: false)
                } else {
                    debts[id] = .acknowledged(batch: index, resultOffset: offset + Int64(range.lowerBound),
                                              resultLength: range.count)
                    acknowledged.insert(id)
                }
            }
            // Every debt of the batch has its result: its temp_ids are no longer needed.
            if let ids = batchRecords[slot].tempIDs, ids.allSatisfy({ $0.isEmpty || acknowledged.contains($0) }) {
                batchRecords[slot].tempIDs = nil
            }
        case "unknown":
            batchRecords[slot].fate = .unknown
            // Its debts are unresolved again, those an earlier answer settled included.
            let ids = tempIDsReadAgain(slot)
            batchRecords[slot].tempIDs = ids
            for id in ids ?? [] where !id.isEmpty { debts[id] = .unresolved(batch: slot, startedOnly: false) }
        default:  // "not_sent"
            batchRecords[slot].fate = .notSent
            for id in tempIDsReadAgain(slot) ?? [] where !id.isEmpty {
                if case .unresolved(slot, _)? = debts[id] { debts[id] = nil }
            }
        }
        return true
    }

    /// Whether `id` is one of ``foreignIDPrefixes`` and then a record's position (`12`, or a
    /// case's, `3.2`).
    private func isForeign(_ id: String) -> Bool {
        guard let mark = id.lastIndex(of: "#") else { return false }
        let position = id[id.index(after: mark)...]
        guard let first = position.first, first.isASCII, first.isNumber,
              position.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else { return false }
        return foreignIDPrefixes.contains(String(id[...mark]))
    }

    /// The events a journal line may say (``JournalFile``).
    private static let events: Set<String> = ["started", "done", "unknown", "not_sent"]

    /// Whether `line` reads as a journal event (``JournalFile`` cuts a last line that does not).
    static func readsAsEvent(_ line: [UInt8]) -> Bool { event(in: line) != nil }

    /// The temp_ids of the batch in `slot`: those kept, else those of its `started` line read
    /// again from the journal (dropped once every debt was answered); `nil` for a batch whose
    /// `started` line had none (journals older than `ids`).
    private func tempIDsReadAgain(_ slot: Int) -> [String]? {
        if let ids = batchRecords[slot].tempIDs { return ids }
        guard batchRecords[slot].tracksDebts, let line = batchRecords[slot].startedLine,
              let bytes = JournalFile.bytes(descriptor, count: line.length, at: line.offset),
              let value = try? JSONDocument.parse(bytes, name: "the journal", selecting: .members(["ids": .whole])) else { return nil }
        return value.objectValue?["ids"]?.arrayValue?.map { $0.scalarText ?? "" }
    }

    /// The slot of the batch `key`, made when the key is new.
    private func slot(of key: String) -> Int {
        if let slot = batchSlots[key] { return slot }
        batchRecords.append(BatchRecord(key: key, fate: .startedOnly))
        batchSlots[key] = batchRecords.count - 1
        return batchRecords.count - 1
    }

    /// One per-debt result of a `done` line.
    private static func result(_ bytes: [UInt8]) -> DebtPushResult? {
        guard let value = try? JSONDocument.parse(bytes, name: "the journal") else { return nil }
        return DebtPushResult(json: value)
    }

    /// The fate of the batch with this key.
    func fate(of key: String) -> Fate? { batchSlots[key].map { batchRecords[$0].fate } }

    /// The batch's fate when the journal could not tie it to its debts (a journal older than
    /// `ids` on `started` lines); `nil` for batches whose debts are tracked one by one.
    func batchFate(of key: String) -> Fate? {
        guard let slot = batchSlots[key], !batchRecords[slot].tracksDebts else { return nil }
        let fate = batchRecords[slot].fate
        return fate == .acknowledged ? nil : fate
    }

    /// What the journal says about the debt `tempID`; `nil` when it was never sent or was
    /// certainly not applied. An acknowledged debt's result is read again from the journal.
    /// - Throws: ``DebtflowError`` `.sink` when the journal cannot be read again, or no longer
    ///   holds that result where it did (it was changed during the run).
    func fate(ofDebt tempID: String) throws(DebtflowError) -> DebtFate? {
        switch debts[tempID] {
        case nil:
            return nil
        case .unresolved(let slot, let startedOnly)?:
            return .unresolved(key: batchRecords[slot].key, startedOnly: startedOnly)
        case .acknowledged(let batch, let resultOffset, let resultLength)?:
            let bytes = JournalFile.bytes(descriptor, count: resultLength, at: resultOffset)
            guard let bytes, let result = Self.result(bytes), result.tempID == tempID else {
                let cause = bytes == nil && errno != 0 ? String(cString: strerror(errno)) : "the result of \(tempID) is no longer where it was"
                throw .sink("cannot read the journal \(path) again; was it changed during the run?", cause: cause)
            }
            return .acknowledged(result, batch: batch)
        }
    }

    /// The temp_ids of the batch `key` in body order, while the journal has some of its debts
    /// unresolved (`nil` once all are acknowledged, and for journals older than `ids`).
    func tempIDs(ofBatch key: String) -> [String]? { batchSlots[key].flatMap { batchRecords[$0].tempIDs } }

    /// The number the batch `key` had.
    func index(ofBatch key: String) -> Int? { batchSlots[key].flatMap { batchRecords[$0].startedIndex } }
}

/// The lines of a journal, read a block at a time.
enum JournalLines {
    /// Calls `body` with each complete line (without its line break; empty lines are passed
    /// over), its byte offset and its 1-based line number. A last line without its line break
    /// was never made durable: it is not passed.
    /// - Parameter blockSize: how many bytes one `read(2)` asks for (tests make it small, so that
    ///   lines straddle blocks).
    static func read(descriptor: Int32, path: String, blockSize: Int = 1 << 20,
                     _ body: (ArraySlice<UInt8>, Int64, Int) throws(DebtflowError) -> Void) throws(DebtflowError) {
        var buffer: [UInt8] = []
        var block = [UInt8](repeating: 0, count: max(1, blockSize))
        var bufferOffset: Int64 = 0
        var number = 0
        while true {
            let count = block.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .sink("cannot read the journal \(path)", cause: String(cString: strerror(errno)))
            }
            if count == 0 { return }
            // The bytes already held were searched: a line longer than a block is searched once.
            var searchFrom = buffer.count
            buffer.append(contentsOf: block[..<count])
            var start = 0
            while let end = buffer[searchFrom...].firstIndex(of: 0x0A) {
                number += 1
                if end > start { try body(buffer[start..<end], bufferOffset + Int64(start), number) }
                start = end + 1
                searchFrom = start
            }
            buffer.removeFirst(start)
            bufferOffset += Int64(start)
        }
    }
}

/// A debt's fate in a journal, by temp_id, in a few bytes: two independent 64-bit fingerprints
/// of the temp_id (`Hasher`, seeded once per process: only this run compares them) instead of
/// the temp_id, and the place of its result in the journal instead of the result.
///
/// One fingerprint keys the table and 32 bits of the other check the entry. When two temp_ids
/// share the first (a chance of about n²/2⁶⁵ in a journal of n debts), the later one is kept by
/// its second one instead; two temp_ids sharing 96 bits (about n²/2⁹⁷) would be taken for one. An
/// acknowledged debt is checked once more against the temp_id of the result read again
/// (``JournalState/fate(ofDebt:)``).
struct JournalDebtIndex {
    enum Entry: Equatable {
        case acknowledged(batch: Int, resultOffset: Int64, resultLength: Int)
        case unresolved(batch: Int, startedOnly: Bool)
    }

    /// What the table holds per debt: 16 bytes, 24 with its key.
    private struct Slot {
        /// 32 bits of the other fingerprint.
        var check: UInt32
        /// The batch number (acknowledged) or the batch record's slot (unresolved).
        var batch: Int32
        /// Acknowledged: the result's offset in the journal (bits 0–39: up to 1 TiB) and length
        /// (bits 40–61: up to 4 MiB; a longer one is in ``JournalDebtIndex/longResults``);
        /// the kind in bits 62–63.
        var place: UInt64

        static let acknowledged: UInt64 = 0, unresolved: UInt64 = 1, startedOnly: UInt64 = 2
        static let offsetBits: UInt64 = 40, lengthBits: UInt64 = 22
        static let maxLength = Int(1 << lengthBits) - 1
        static let maxOffset = Int64(1 << offsetBits) - 1

        init(check: UInt64, _ entry: Entry) {
            self.check = UInt32(truncatingIfNeeded: check)
            switch entry {
            case .acknowledged(let batch, let resultOffset, let resultLength):
                self.batch = Int32(clamping: batch)
                // A place that does not fit is given as length 0 (`longResults` has it).
                let fits = resultLength <= Self.maxLength && resultOffset <= Self.maxOffset
                place = fits ? UInt64(resultOffset) | UInt64(resultLength) << Self.offsetBits : 0
            case .unresolved(let batch, let startedOnly):
                self.batch = Int32(clamping: batch)
                place = (startedOnly ? Self.startedOnly : Self.unresolved) << (Self.offsetBits + Self.lengthBits)
            }
        }

        var kind: UInt64 { place >> (Self.offsetBits + Self.lengthBits) }

        func entry(long: (offset: Int64, length: Int)?) -> Entry {
            switch kind {
            case Self.acknowledged:
                if place == 0, let long { return .acknowledged(batch: Int(batch), resultOffset: long.offset, resultLength: long.length) }
                return .acknowledged(batch: Int(batch), resultOffset: Int64(place & UInt64(Self.maxOffset)),
                                     resultLength: Int(place >> Self.offsetBits) & Self.maxLength)
            default:
                return .unresolved(batch: Int(batch), startedOnly: kind == Self.startedOnly)
            }
        }
    }

    private var table: [UInt64: Slot] = [:]
    /// Debts whose first fingerprint another debt has, keyed by their second one.
    private var overflow: [UInt64: Slot] = [:]
    /// The places of results longer than 4 MiB (a server's very long messages), by both fingerprints.
    private var longResults: [Fingerprints: (offset: Int64, length: Int)] = [:]
    private let fingerprints: (String) -> (UInt64, UInt64)

    private struct Fingerprints: Hashable {
        var first: UInt64
        var second: UInt64
    }

    /// - Parameter fingerprints: a temp_id's two fingerprints (tests give ones that collide).
    init(fingerprints: @escaping (String) -> (UInt64, UInt64) = JournalDebtIndex.hashed) {
        self.fingerprints = fingerprints
    }

    var count: Int { table.count + overflow.count }

    subscript(tempID: String) -> Entry? {
        get {
            let (first, second) = fingerprints(tempID)
            let slot: Slot
            if let found = table[first], found.check == UInt32(truncatingIfNeeded: second) {
                slot = found
            } else if let found = overflow[second], found.check == UInt32(truncatingIfNeeded: first) {
                slot = found
            } else {
                return nil
            }
            return slot.entry(long: slot.place == 0 ? longResults[Fingerprints(first: first, second: second)] : nil)
        }
        set {
            let (first, second) = fingerprints(tempID)
            let both = Fingerprints(first: first, second: second)
            if case .acknowledged(_, let offset, let length)? = newValue, length > Slot.maxLength || offset > Slot.maxOffset {
                longResults[both] = (offset, length)
            } else if !longResults.isEmpty {
                longResults[both] = nil
            }
            if let slot = table[first], slot.check != UInt32(truncatingIfNeeded: second) {
                overflow[second] = newValue.map { Slot(check: first, $0) }
                return
            }
            table[first] = newValue.map { Slot(check: second, $0) }
            if overflow[second]?.check == UInt32(truncatingIfNeeded: first) { overflow[second] = nil }
        }
    }

    static func hashed(_ tempID: String) -> (UInt64, UInt64) {
        var first = Hasher()
        first.combine(tempID)
        var second = Hasher()
        second.combine(0x6a6f75726e616c as UInt64)
        second.combine(tempID)
        return (UInt64(truncatingIfNeeded: first.finalize()), UInt64(truncatingIfNeeded: second.finalize()))
    }
}
