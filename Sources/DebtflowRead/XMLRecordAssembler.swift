import DebtflowCore

/// Turns SAX events into records: one record per record element, its content converted as in
/// CONTRACT §3 (child elements as keys, attributes as `@name`, repeated children as arrays, text
/// trimmed; an element with only text is a string; one with attributes or children and text keeps
/// the text as `#text`; an empty element is `""`).
///
/// Knows nothing of libxml2: it is fed name ids (``nameID(_:attribute:)``), attribute values and
/// text as bytes. A struct, owned by the ``XMLPushParser``: its methods mutate it in place with
/// no dynamic exclusivity check per field (as a class, those checks were a fifth of W3's CPU).
///
/// Records go onto one ``RecordTape`` per chunk (issue 10), without a ``RecordValue`` tree or a
/// `String` per value. A record is assembled in scratch storage reused from record to record —
/// its texts in ``arena``, its values in ``nodes`` (each node's `end` holding its subtree's size
/// while the record is open, since a repeated child moves the blocks after it) — and copied onto
/// the chunk's tape when its element closes: the tape never holds half a record, so a chunk can
/// be handed out between any two SAX events.
///
/// A record is built whole, so its size is counted (text, element names, attributes) in
/// ``recordBytes``; the parser stops with an input error once it passes ``maxRecordBytes``.
struct XMLRecordAssembler {
    /// One open element inside a record.
    private struct Frame {
        /// The element's name, an id into ``names``.
        var name: Int
        /// Its node in ``nodes``: a placeholder until the element closes; its attributes' nodes
        /// follow it, then its children's blocks.
        var node: Int
        var attributeCount = 0
        /// Where its closed children begin in ``children``.
        var firstChild: Int
        /// Where its own text begins in ``text`` (a child's text is taken off when it closes).
        var textStart: Int
    }

    /// A closed child of an open element: its name and the first node of its block.
    private struct Child {
        var name: Int
        var node: Int
    }

    let sourceName: String
    let recordElement: String
    /// The largest record accepted, in bytes of text, names and attributes.
    let maxRecordBytes: Int
    /// The size of the record being built so far (see ``maxRecordBytes``).
    private(set) var recordBytes = 0
    private var frames: [Frame] = []
    private var recordLine: Int?
    private(set) var recordCount = 0

    // Names: element names and attribute keys (`@name`), each given an id once per input.
    private var names: [[UInt8]] = []
    private var nameFlags: [RecordNode.Flags] = []
    private var nameIDs: [[UInt8]: Int] = [:]
    private var recordElementID = -1
    /// Where each name is in the current record's ``arena``, valid when its ``nameSpanRecord`` is
    /// the current record's number.
    private var nameSpans: [ByteSpan] = []
    private var nameSpanRecord: [Int] = []
    private let textKeyID: Int

    // The record being built (reused from record to record).
    private var arena: [UInt8] = []
    private var nodes: [RecordNode] = []
    private var children: [Child] = []
    private var text: [UInt8] = []
    private var regrouped: [RecordNode] = []
    private var openContainers: [(index: Int, end: Int)] = []

    // The chunk.
    private var tape = RecordTapeBuilder()
    private var lastTapeBytes = 0
    private var lastTapeNodes = 0
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
    var isInsideRecord: Bool { !frames.isEmpty }

    /// How many records are complete and not handed out yet.
    var completedCount: Int { pending.count + ready.count }

    // MARK: - Names

    /// The id of an element name (or, with `attribute`, of the attribute key `@name`).
    mutating func nameID(_ name: UnsafeBufferPointer<UInt8>, attribute: Bool = false) -> Int {
        let bytes = attribute ? [UInt8(ascii: "@")] + Array(name) : Array(name)
        return nameIDs[bytes] ?? register(bytes)
    }

    /// A name as text, for messages.
    func name(_ id: Int) -> String { String(decoding: names[id], as: UTF8.self) }

    private mutating func register(_ bytes: [UInt8]) -> Int {
        if let id = nameIDs[bytes] { return id }
        let id = names.count
        names.append(bytes)
        let flags = bytes.withUnsafeBufferPointer { RecordNode.Flags.of($0) }
        nameFlags.append(flags.contains(.valueNeedsEscaping) ? .keyNeedsEscaping : [])
        nameIDs[bytes] = id
        nameSpans.append(.empty)
        nameSpanRecord.append(0)
        return id
    }

    /// The span of a name in the current record's arena (stored once per record).
    private mutating func nameSpan(_ id: Int) -> ByteSpan {
        if nameSpanRecord[id] == recordCount { return nameSpans[id] }
        let span = ByteSpan(offset: UInt32(truncatingIfNeeded: arena.count), length: UInt32(truncatingIfNeeded: names[id].count))
        arena.append(contentsOf: names[id])
        nameSpans[id] = span
        nameSpanRecord[id] = recordCount
        return span
    }

    // MARK: - Events

    /// Whether an element with this name is kept: any element inside a record, or a record
    /// element. The caller converts attributes only for kept elements.
    func wantsElement(_ name: Int) -> Bool {
        !frames.isEmpty || name == recordElementID
    }

    /// Opens an element that ``wantsElement(_:)`` accepted.
    /// - Parameter line: the line where the element is, used when it starts a record.
    mutating func startElement(_ name: Int, line: Int) {
        if frames.isEmpty {
            recordCount += 1
            recordLine = line
            recordBytes = 0
            arena.removeAll(keepingCapacity: true)
            nodes.removeAll(keepingCapacity: true)
        }
        recordBytes += names[name].count + 16
        let node = nodes.count
        nodes.append(RecordNode(kind: .object, flags: [], key: .empty, value: .empty, end: 1))
        frames.append(Frame(name: name, node: node, firstChild: children.count, textStart: text.count))
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
        recordBytes += names[key].count + length + 16
        let value = ByteSpan(offset: UInt32(truncatingIfNeeded: start), length: UInt32(truncatingIfNeeded: length))
        nodes.append(RecordNode(kind: .string, flags: flags(of: value).union(nameFlags[key]), key: nameSpan(key), value: value, end: 1))
        frames[frames.count - 1].attributeCount += 1
    }

    /// Adds text to the innermost open element.
    /// - Returns: how many bytes of text that element now holds.
    mutating func characters(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard let frame = frames.last else { return 0 }
        recordBytes += bytes.count
        text.append(contentsOf: bytes)
        return text.count - frame.textStart
    }

    /// Closes the innermost open element (no-op outside records).
    mutating func endElement() {
        guard let frame = frames.popLast() else { return }
        let kept = text.withUnsafeBufferPointer { all in
            TextTrimming.asciiTrimmedRange(UnsafeBufferPointer(rebasing: all[frame.textStart...]))
        }
        let trimmed = appendText(frame.textStart + kept.lowerBound..<frame.textStart + kept.upperBound)
        text.removeLast(text.count - frame.textStart)

        if frame.attributeCount == 0 && children.count == frame.firstChild {
            // Only text (maybe none): a string.
            nodes[frame.node] = RecordNode(kind: .string, flags: flags(of: trimmed).union(nameFlags[frame.name]),
                                           key: nameSpan(frame.name), value: trimmed, end: 1)
        } else {
            var count = frame.attributeCount + groupChildren(of: frame)
            if !trimmed.isEmpty {
                nodes.append(RecordNode(kind: .string, flags: flags(of: trimmed), key: nameSpan(textKeyID), value: trimmed, end: 1))
                count += 1
            }
            nodes[frame.node] = RecordNode(kind: .object, flags: nameFlags[frame.name], key: nameSpan(frame.name),
                                           value: ByteSpan(offset: 0, length: UInt32(truncatingIfNeeded: count)),
                                           end: UInt32(truncatingIfNeeded: nodes.count - frame.node))
        }
        children.removeLast(children.count - frame.firstChild)
        if frames.isEmpty {
            finishRecord()
        } else {
            children.append(Child(name: frame.name, node: frame.node))
        }
    }

    // MARK: - Chunks

    /// Up to `limit` complete records, in document order; the records on the chunk's tape so far
    /// are handed on with it (one tape), the rest wait for the next call.
    mutating func takeRecords(max limit: Int) -> [Record] {
        if !pending.isEmpty {
            lastTapeBytes = tape.byteCount
            lastTapeNodes = tape.nodeCount
            let finished = tape.finish()
            ready.reserveCapacity(ready.count + pending.count)
            for root in pending {
                ready.append(Record(provenance: Provenance(source: sourceName, record: root.record, line: root.line),
                                    view: RecordView(tape: finished, index: root.node)))
            }
            pending.removeAll(keepingCapacity: true)
            // Reserved a quarter above the last tape (as the JSON reader does), capped.
            tape = RecordTapeBuilder(byteCapacity: min(lastTapeBytes + lastTapeBytes / 4, 4 << 20),
                                     nodeCapacity: min(lastTapeNodes + lastTapeNodes / 4, 1 << 20))
        }
        guard ready.count > limit else {
            let taken = ready
            ready = []
            return taken
        }
        let taken = Array(ready.prefix(limit))
        ready.removeFirst(limit)
        return taken
    }

    // MARK: - Building

    /// Copies `range` of ``text`` into the record's arena.
    private mutating func appendText(_ range: Range<Int>) -> ByteSpan {
        let offset = UInt32(truncatingIfNeeded: arena.count)
        guard !range.isEmpty else { return ByteSpan(offset: offset, length: 0) }
        let text = self.text
        text.withUnsafeBufferPointer { arena.append(contentsOf: UnsafeBufferPointer(rebasing: $0[range])) }
        return ByteSpan(offset: offset, length: UInt32(truncatingIfNeeded: range.count))
    }

    private func flags(of span: ByteSpan) -> RecordNode.Flags {
        guard !span.isEmpty else { return [] }
        return arena.withUnsafeBufferPointer { RecordNode.Flags.of(UnsafeBufferPointer(rebasing: $0[Int(span.offset)..<span.end])) }
    }

    /// Puts the closed children of `frame` in their final shape: each name once, at its first
    /// place; a name given several times becomes an array of the values in document order.
    /// - Returns: how many members the children make.
    private mutating func groupChildren(of frame: Frame) -> Int {
        let first = frame.firstChild
        let count = children.count - first
        guard count > 1, hasRepeatedName(from: first) else { return count }
        // The children's blocks lie one after the other from the first child's node on.
        let blocksStart = children[first].node
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
            regrouped.append(RecordNode(kind: .array, flags: nameFlags[name], key: nameSpan(name),
                                        value: ByteSpan(offset: 0, length: UInt32(truncatingIfNeeded: group.count)), end: 1))
            for member in group {
                appendBlock(of: children[first + member].node, asElement: true)
                placed[member] = true
            }
            regrouped[arrayIndex].end = UInt32(truncatingIfNeeded: regrouped.count - arrayIndex)
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
        regrouped.append(contentsOf: nodes[node..<node + Int(nodes[node].end)])
        if asElement {
            regrouped[start].key = .empty
            regrouped[start].flags.remove(.keyNeedsEscaping)
        }
    }

    /// The record element closed: its value becomes the record's fields (an object as it is,
    /// a text as `{"#text": …}`, nothing as `{}`) and is copied onto the chunk's tape.
    private mutating func finishRecord() {
        var root = nodes[0]
        root.key = .empty
        root.flags.remove(.keyNeedsEscaping)
        if root.kind == .string {
            let value = root.value
            if value.isEmpty {
                nodes[0] = RecordNode(kind: .object, flags: [], key: .empty, value: .empty, end: 1)
            } else {
                nodes[0] = RecordNode(kind: .object, flags: [], key: .empty, value: ByteSpan(offset: 0, length: 1), end: 2)
                nodes.append(RecordNode(kind: .string, flags: root.flags, key: nameSpan(textKeyID), value: value, end: 1))
            }
        } else {
            nodes[0] = root
        }
        let base = UInt32(truncatingIfNeeded: tape.byteCount)
        let arena = self.arena
        arena.withUnsafeBufferPointer { _ = tape.appendBytes($0) }
        func rebased(_ span: ByteSpan) -> ByteSpan {
            span.isEmpty ? .empty : ByteSpan(offset: span.offset + base, length: span.length)
        }
        let rootIndex = tape.nodeCount
        openContainers.removeAll(keepingCapacity: true)
        for index in nodes.indices {
            while let last = openContainers.last, last.end == index {
                tape.end(last.index)
                openContainers.removeLast()
            }
            let node = nodes[index]
            switch node.kind {
            case .object:
                openContainers.append((tape.beginObject(key: rebased(node.key)), index + Int(node.end)))
            case .array:
                openContainers.append((tape.beginArray(key: rebased(node.key)), index + Int(node.end)))
            case .null, .true, .false, .number, .string:
                tape.appendScalar(node.kind, key: rebased(node.key), value: rebased(node.value), flags: node.flags)
            }
        }
        while let last = openContainers.popLast() { tape.end(last.index) }
        pending.append((recordCount, recordLine, rootIndex))
    }
}
