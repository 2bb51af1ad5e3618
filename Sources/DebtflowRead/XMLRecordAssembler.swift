import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// Turns SAX events into records: one record per record element, its content converted as in
/// CONTRACT §3 (child elements as keys, attributes as `@name`, repeated children as arrays, text
/// trimmed; an element with only text is a string; one with attributes or children and text keeps
/// the text as `#text`; an empty element is `""`).
///
/// Knows nothing of libxml2: it is fed name ids (``nameID(_:attribute:)``), attribute values and
/// text as bytes. A struct, owned by the parser's ``XMLSAXState`` at a fixed address: its
/// methods mutate it in place, with no dynamic exclusivity check and no retain per event.
///
/// Records go onto one ``RecordTape`` per chunk (issue 10), without a ``RecordValue`` tree or a
/// `String` per value. A record is assembled in scratch storage reused from record to record —
/// its texts in ``arena``, its values in ``nodes`` (each node's `size` holding its subtree's
/// size while the record is open, since a repeated child moves the blocks after it) — and copied
/// onto the chunk's tape when its element closes: the tape never holds half a record, so a chunk
/// can be handed out between any two SAX events.
///
/// Names (element names and `@attribute` keys) are stored once per input with their key flags,
/// and once per tape: a record's nodes hold name ids until the record is copied to the tape,
/// where each id becomes the span of the name's one copy on that tape (as a CSV header's keys).
///
/// An element's text goes straight to the arena while the element has no child (a leaf, nearly
/// every element of an export); an element that gets a child keeps its own text on a stack of
/// text runs instead (``text``: a child's text is taken off when it closes, so mixed content
/// stays contiguous) and stores it trimmed when it closes.
///
/// A record is built whole, so its size is counted (text, element names, attributes) in
/// ``recordBytes``; the parser stops with an input error once it passes ``maxRecordBytes``.
struct XMLRecordAssembler {
    /// One open element inside a record.
    private struct Frame {
        /// The element's name id.
        var name: Int
        /// Its node in ``nodes``: a placeholder until the element closes; its attributes' nodes
        /// follow it, then its children's blocks.
        var node: Int
        var attributeCount = 0
        /// How many children it has closed (their blocks follow its attributes' nodes).
        var childCount = 0
        /// Where its own text begins: in ``arena`` while ``textInArena``, else in ``text``.
        var textStart: Int
        /// Whether its text so far is the tail of ``arena`` (no child opened yet).
        var textInArena = true
        /// The ids below 64 of its children's names, one bit each, to see repeats as they come.
        var childNames: UInt64 = 0
        /// Whether two children may share a name (certain below id 64, a guess above).
        var mayRepeat = false
    }

    /// A closed child of an element being grouped: its name and the first node of its block.
    private struct Child {
        var name: Int
        var node: Int
    }

    /// A value of the record being built: a ``RecordNode`` whose key is still a name id.
    private struct Node {
        var kind: RecordNode.Kind
        /// The value's flags (the key's are added from its name when copied to the tape).
        var flags: RecordNode.Flags
        /// The name id of its key; `-1` for none (an array element, the root).
        var name: Int32
        /// A scalar's text in ``arena``; a container's child count as the length.
        var value: ByteSpan
        /// How many nodes its subtree takes, itself included.
        var size: UInt32
    }

    /// A name: where its bytes are, its key flags, and its copy on the current tape.
    private struct Name {
        var bytes: Range<Int>
        var keyFlags: RecordNode.Flags
        var tapeSpan = ByteSpan.empty
        /// The ``tapeGeneration`` ``tapeSpan`` belongs to (`-1`: not on a tape yet).
        var tapeGeneration = -1
    }

    let sourceName: String
    let recordElement: String
    /// The largest record accepted, in bytes of text, names and attributes.
    let maxRecordBytes: Int
    /// The size of the record being built so far (see ``maxRecordBytes``).
    private(set) var recordBytes = 0
    /// The open elements: the first ``openCount`` slots (slots above are kept for reuse, so
    /// closing an element shrinks no array).
    private var frames: [Frame] = []
    private var openCount = 0
    private var recordLine: Int?
    private(set) var recordCount = 0

    // Names: element names and attribute keys (`@name`), each given an id once per input.
    private var nameBytes: [UInt8] = []
    private var names: [Name] = []
    private var nameIDs: [[UInt8]: Int] = [:]
    private var recordElementID = -1
    private let textKeyID: Int

    // The record being built (reused from record to record).
    private var arena: [UInt8] = []
    private var nodes: [Node] = []
    /// The children of the element being grouped (scratch for ``groupChildren(of:)``).
    private var children: [Child] = []
    private var text: [UInt8] = []
    private var regrouped: [Node] = []
    private var finished: [RecordNode] = []

    // The chunk.
    private var tape = RecordTapeBuilder()
    /// Counts the tapes handed out: a name's ``Name/tapeSpan`` is valid on this one only.
    private var tapeGeneration = 0
    /// Records on ``tape`` (not finished yet): number, line and root node.
    private var pending: [(record: Int, line: Int?, node: Int)] = []
    /// Records on finished tapes, not handed out yet.
    private var ready: [Record] = []

    init(sourceName: String, recordElement: String, maxRecordBytes: Int = 16 << 20) {
        self.sourceName = sourceName
        self.recordElement = recordElement
        self.maxRecordBytes = maxRecordBytes
        textKeyID = 0
        _ = register(Array("#text".utf8))
        recordElementID = register(Array(recordElement.utf8))
    }

    /// Whether the record being built has grown past ``maxRecordBytes``.
    var recordIsTooLarge: Bool { recordBytes > maxRecordBytes }

    /// The 1-based number and start line of the record being built.
    var currentRecord: (number: Int, line: Int?) { (recordCount, recordLine) }

    /// Whether an element is open inside a record (text then matters).
    var isInsideRecord: Bool { openCount > 0 }

    /// How many records are complete and not handed out yet.
    var completedCount: Int { pending.count + ready.count }

    // MARK: - Names

    /// The id of an element name (or, with `attribute`, of the attribute key `@name`). The
    /// caller remembers it per name (``XMLNamePointerTable``): this hashes the bytes.
    mutating func nameID(_ name: UnsafeBufferPointer<UInt8>, attribute: Bool = false) -> Int {
        let bytes = attribute ? [UInt8(ascii: "@")] + Array(name) : Array(name)
        return nameIDs[bytes] ?? register(bytes)
    }

    /// A name as text, for messages.
    func name(_ id: Int) -> String { String(decoding: nameBytes[names[id].bytes], as: UTF8.self) }

    private mutating func register(_ bytes: [UInt8]) -> Int {
        if let id = nameIDs[bytes] { return id }
        let id = names.count
        let start = nameBytes.count
        nameBytes.append(contentsOf: bytes)
        let flags = bytes.withUnsafeBufferPointer { RecordNode.Flags.of($0) }
        names.append(Name(bytes: start..<nameBytes.count, keyFlags: flags.contains(.valueNeedsEscaping) ? .keyNeedsEscaping : []))
        nameIDs[bytes] = id
        return id
    }

    /// The span of a name on the current tape, copied there the first time a record of the tape
    /// uses it.
    private mutating func tapeSpan(ofName id: Int) -> ByteSpan {
        if names[id].tapeGeneration == tapeGeneration { return names[id].tapeSpan }
        return copyNameToTape(id)
    }

    /// ``tapeSpan(ofName:)``'s first use of a name on a tape. (Kept out of line: inlined, the
    /// arena's append made every call of the short path above pay for its set-up.)
    @inline(never)
    private mutating func copyNameToTape(_ id: Int) -> ByteSpan {
        let range = names[id].bytes
        let span = nameBytes.withUnsafeBufferPointer { tape.appendBytes(UnsafeBufferPointer(rebasing: $0[range])) }
        names[id].tapeSpan = span
        names[id].tapeGeneration = tapeGeneration
        return span
    }

    // MARK: - Events

    /// Whether an element with this name is kept: any element inside a record, or a record
    /// element. The caller converts attributes only for kept elements.
    func wantsElement(_ name: Int) -> Bool {
        openCount > 0 || name == recordElementID
    }

    /// Opens an element that ``wantsElement(_:)`` accepted.
    /// - Parameter line: the line where the element is, used when it starts a record (the
    ///   caller may pass anything when ``isInsideRecord``).
    mutating func startElement(_ name: Int, line: Int) {
        if openCount == 0 {
            recordCount += 1
            recordLine = line
            recordBytes = 0
            arena.removeAll(keepingCapacity: true)
            nodes.removeAll(keepingCapacity: true)
        } else if frames[openCount - 1].textInArena {
            moveTextToStack(of: openCount - 1)
        }
        recordBytes += names[name].bytes.count + 16
        let node = nodes.count
        nodes.append(Node(kind: .object, flags: [], name: Int32(truncatingIfNeeded: name), value: .empty, size: 1))
        let frame = Frame(name: name, node: node, textStart: arena.count)
        if openCount < frames.count {
            frames[openCount] = frame
        } else {
            frames.append(frame)
        }
        openCount += 1
    }

    /// The element at `index` of ``frames`` gets its first child: its text so far (at the end of
    /// the arena) moves to the text stack, where the rest of its text will go.
    private mutating func moveTextToStack(of index: Int) {
        let start = frames[index].textStart
        frames[index].textStart = text.count
        frames[index].textInArena = false
        let moved = arena.count - start
        guard moved > 0 else { return }
        arena.withUnsafeBufferPointer { text.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start...])) }
        arena.removeLast(moved)
    }

    /// Adds an attribute to the element just opened: its key's id (``nameID(_:attribute:)``) and
    /// its value as libxml2 hands it over without entity substitution (`&` arrives re-escaped as
    /// `&#38;`, for a tree builder to decode; that is undone here).
    mutating func addAttribute(_ key: Int, rawValue: UnsafeBufferPointer<UInt8>) {
        let start = arena.count
        var index = 0
        var runStart = 0
        let count = rawValue.count
        while index < count {
            if rawValue[index] == UInt8(ascii: "&"), index + 5 <= count, rawValue[index + 1] == UInt8(ascii: "#"),
               rawValue[index + 2] == UInt8(ascii: "3"), rawValue[index + 3] == UInt8(ascii: "8"),
               rawValue[index + 4] == UInt8(ascii: ";") {
                arena.append(contentsOf: UnsafeBufferPointer(rebasing: rawValue[runStart..<index]))
                arena.append(UInt8(ascii: "&"))
                index += 5
                runStart = index
            } else {
                index += 1
            }
        }
        arena.append(contentsOf: UnsafeBufferPointer(rebasing: rawValue[runStart..<count]))
        let length = arena.count - start
        recordBytes += names[key].bytes.count + length + 16
        let value = ByteSpan(offset: UInt32(truncatingIfNeeded: start), length: UInt32(truncatingIfNeeded: length))
        nodes.append(Node(kind: .string, flags: flags(of: value), name: Int32(truncatingIfNeeded: key), value: value, size: 1))
        let last = openCount - 1
        frames[last].attributeCount += 1
        // The element's own text starts after its attributes' values.
        frames[last].textStart = arena.count
    }

    /// Adds text to the innermost open element.
    /// - Returns: how many bytes of text that element now holds.
    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard openCount > 0 else { return 0 }
        let frame = frames[openCount - 1]
        recordBytes += bytes.count
        if frame.textInArena {
            arena.append(contentsOf: bytes)
            return arena.count - frame.textStart
        }
        text.append(contentsOf: bytes)
        return text.count - frame.textStart
    }

    /// Closes the innermost open element (no-op outside records).
    mutating func endElement() {
        guard openCount > 0 else { return }
        openCount -= 1
        let frame = frames[openCount]
        let trimmed = frame.textInArena ? trimArenaText(from: frame.textStart) : storeStackText(from: frame.textStart)

        if frame.attributeCount == 0 && frame.childCount == 0 {
            // Only text (maybe none): a string.
            nodes[frame.node] = Node(kind: .string, flags: flags(of: trimmed), name: Int32(truncatingIfNeeded: frame.name),
                                     value: trimmed, size: 1)
        } else {
            var count = frame.attributeCount + (frame.mayRepeat ? groupChildren(of: frame) : frame.childCount)
            if !trimmed.isEmpty {
                nodes.append(Node(kind: .string, flags: flags(of: trimmed), name: Int32(truncatingIfNeeded: textKeyID),
                                  value: trimmed, size: 1))
                count += 1
            }
            nodes[frame.node] = Node(kind: .object, flags: [], name: Int32(truncatingIfNeeded: frame.name),
                                     value: ByteSpan(offset: 0, length: UInt32(truncatingIfNeeded: count)),
                                     size: UInt32(truncatingIfNeeded: nodes.count - frame.node))
        }
        if openCount == 0 {
            finishRecord()
            return
        }
        let parent = openCount - 1
        frames[parent].childCount += 1
        if frame.name < 64 {
            let bit: UInt64 = 1 << UInt64(frame.name)
            if frames[parent].childNames & bit != 0 { frames[parent].mayRepeat = true }
            frames[parent].childNames |= bit
        } else {
            frames[parent].mayRepeat = true
        }
    }

    // MARK: - Chunks

    /// Up to `limit` complete records, in document order; the records on the chunk's tape so far
    /// are handed on with it (one tape), the rest wait for the next call.
    mutating func takeRecords(max limit: Int) -> [Record] {
        if !pending.isEmpty {
            let lastTapeBytes = tape.byteCount
            let lastTapeNodes = tape.nodeCount
            let finishedTape = tape.finish()
            ready.reserveCapacity(ready.count + pending.count)
            for root in pending {
                ready.append(Record(provenance: Provenance(source: sourceName, record: root.record, line: root.line),
                                    view: RecordView(tape: finishedTape, index: root.node)))
            }
            pending.removeAll(keepingCapacity: true)
            // Reserved a quarter above the last tape (as the JSON reader does), capped.
            tape = RecordTapeBuilder(byteCapacity: min(lastTapeBytes + lastTapeBytes / 4, 4 << 20),
                                     nodeCapacity: min(lastTapeNodes + lastTapeNodes / 4, 1 << 20))
            tapeGeneration += 1
        }
        guard ready.count > limit else {
            let taken = ready
            ready = []
            return taken
        }
        // The few records past the limit are copied to wait; the chunk keeps the array.
        var taken = ready
        ready = Array(taken[limit...])
        taken.removeLast(taken.count - limit)
        return taken
    }

    // MARK: - Building

    /// The text of a leaf, the arena from `start` on, trimmed in place.
    private mutating func trimArenaText(from start: Int) -> ByteSpan {
        let end = arena.count
        guard end > start else { return ByteSpan(offset: UInt32(truncatingIfNeeded: start), length: 0) }
        let kept = arena.withUnsafeMutableBufferPointer { all -> Range<Int> in
            let kept = TextTrimming.asciiTrimmedRange(UnsafeBufferPointer(rebasing: all[start..<end]))
            if kept.lowerBound > 0 && !kept.isEmpty {
                // Leading white space: the kept bytes move down to `start`.
                let base = all.baseAddress! + start
                memmove(base, base + kept.lowerBound, kept.count)
            }
            return kept
        }
        if end - start > kept.count { arena.removeLast(end - start - kept.count) }
        return ByteSpan(offset: UInt32(truncatingIfNeeded: start), length: UInt32(truncatingIfNeeded: kept.count))
    }

    /// The text of an element that had children, ``text`` from `start` on: trimmed, copied to the
    /// arena and taken off the stack.
    private mutating func storeStackText(from start: Int) -> ByteSpan {
        let offset = UInt32(truncatingIfNeeded: arena.count)
        let stored = text.withUnsafeBufferPointer { all -> Int in
            let run = UnsafeBufferPointer(rebasing: all[start...])
            let kept = TextTrimming.asciiTrimmedRange(run)
            arena.append(contentsOf: UnsafeBufferPointer(rebasing: run[kept]))
            return kept.count
        }
        if text.count > start { text.removeLast(text.count - start) }
        return ByteSpan(offset: offset, length: UInt32(truncatingIfNeeded: stored))
    }

    private func flags(of span: ByteSpan) -> RecordNode.Flags {
        guard !span.isEmpty else { return [] }
        return arena.withUnsafeBufferPointer { RecordNode.Flags.of(UnsafeBufferPointer(rebasing: $0[Int(span.offset)..<span.end])) }
    }

    /// Puts the closed children of `frame` in their final shape: each name once, at its first
    /// place; a name given several times becomes an array of the values in document order.
    /// - Returns: how many members the children make.
    private mutating func groupChildren(of frame: Frame) -> Int {
        let count = frame.childCount
        // The children's blocks lie one after the other after the element's attributes.
        let blocksStart = frame.node + 1 + frame.attributeCount
        children.removeAll(keepingCapacity: true)
        var block = blocksStart
        for _ in 0..<count {
            children.append(Child(name: Int(nodes[block].name), node: block))
            block += Int(nodes[block].size)
        }
        let first = 0
        guard count > 1, hasRepeatedName(from: first) else { return count }
        regrouped.removeAll(keepingCapacity: true)
        var members = 0
        // A child whose name came earlier is already placed (by the first of its name).
        var placed = [Bool](repeating: false, count: count)
        var sameName: [Int: [Int]] = [:]
        let indexed = count > 16
        if indexed {
            for offset in 0..<count { sameName[children[first + offset].name, default: []].append(offset) }
        }
        for offset in 0..<count where !placed[offset] {
            let name = children[first + offset].name
            let group = indexed ? sameName[name]! : (offset..<count).filter { children[first + $0].name == name }
            members += 1
            if group.count == 1 {
                appendBlock(of: children[first + offset].node, asElement: false)
                placed[offset] = true
                continue
            }
            let arrayIndex = regrouped.count
            regrouped.append(Node(kind: .array, flags: [], name: Int32(truncatingIfNeeded: name),
                                  value: ByteSpan(offset: 0, length: UInt32(truncatingIfNeeded: group.count)), size: 1))
            for member in group {
                appendBlock(of: children[first + member].node, asElement: true)
                placed[member] = true
            }
            regrouped[arrayIndex].size = UInt32(truncatingIfNeeded: regrouped.count - arrayIndex)
        }
        nodes.replaceSubrange(blocksStart..<nodes.count, with: regrouped)
        return members
    }

    private func hasRepeatedName(from first: Int) -> Bool {
        let count = children.count - first
        if count <= 16 {
            for i in first..<children.count {
                for j in (i + 1)..<children.count where children[i].name == children[j].name { return true }
            }
            return false
        }
        var seen = Set<Int>()
        for i in first..<children.count where !seen.insert(children[i].name).inserted { return true }
        return false
    }

    /// Copies a child's block (its node and subtree) to ``regrouped``; as an array element it
    /// loses its name.
    private mutating func appendBlock(of node: Int, asElement: Bool) {
        let start = regrouped.count
        regrouped.append(contentsOf: nodes[node..<node + Int(nodes[node].size)])
        if asElement { regrouped[start].name = -1 }
    }

    /// The record element closed: its value becomes the record's fields (an object as it is,
    /// a text as `{"#text": …}`, nothing as `{}`) and is copied onto the chunk's tape: its texts
    /// in one piece, its nodes with their names' spans on the tape, absolute ends and texts
    /// moved by where the texts went.
    private mutating func finishRecord() {
        nodes[0].name = -1
        if nodes[0].kind == .string {
            let value = nodes[0].value
            if value.isEmpty {
                nodes[0] = Node(kind: .object, flags: [], name: -1, value: .empty, size: 1)
            } else {
                let flags = nodes[0].flags
                nodes[0] = Node(kind: .object, flags: [], name: -1, value: ByteSpan(offset: 0, length: 1), size: 2)
                nodes.append(Node(kind: .string, flags: flags, name: Int32(truncatingIfNeeded: textKeyID), value: value, size: 1))
            }
        }
        let textBase = UInt32(truncatingIfNeeded: tape.byteCount)
        arena.withUnsafeBufferPointer { _ = tape.appendBytes($0) }
        let nodeBase = tape.nodeCount
        finished.removeAll(keepingCapacity: true)
        for index in nodes.indices {
            let node = nodes[index]
            var flags = node.flags
            var key = ByteSpan.empty
            if node.name >= 0 {
                key = tapeSpan(ofName: Int(node.name))
                flags.formUnion(names[Int(node.name)].keyFlags)
            }
            var value = node.value
            if node.kind == .object || node.kind == .array {
                value = ByteSpan(offset: 0, length: value.length)
            } else if value.isEmpty {
                value = .empty
            } else {
                value.offset += textBase
            }
            finished.append(RecordNode(kind: node.kind, flags: flags, key: key, value: value,
                                       end: UInt32(truncatingIfNeeded: nodeBase + index) + node.size))
        }
        finished.withUnsafeBufferPointer { tape.appendNodes($0) }
        pending.append((recordCount, recordLine, nodeBase))
    }
}
