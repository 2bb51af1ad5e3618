/// Where some bytes are in a ``RecordTape``'s arena: an offset and a length, 32 bits each.
///
/// 32-bit offsets are enough: a tape holds one chunk (about 1 MiB of text; one record at most
/// the readers' 16 MiB record limit), far below 4 GiB, and they halve the node table.
public struct ByteSpan: Sendable, Equatable, Hashable, BitwiseCopyable {
    public var offset: UInt32
    public var length: UInt32

    @inlinable
    public init(offset: UInt32, length: UInt32) {
        self.offset = offset
        self.length = length
    }

    /// No bytes (a root's or an array element's key).
    public static var empty: ByteSpan { ByteSpan(offset: 0, length: 0) }

    public var isEmpty: Bool { length == 0 }
    /// The offset after the last byte.
    public var end: Int { Int(offset) + Int(length) }
}

/// One value of a record on a ``RecordTape``: a fixed-size row of the node table.
///
/// Values are stored in document order, depth first: an object or array node is followed by its
/// children (and their children), and ``end`` is the index of the first node after the whole
/// subtree, so a reader skips a subtree in one step.
public struct RecordNode: Sendable, Equatable, BitwiseCopyable {
    /// The JSON data model, as ``RecordValue``.
    public enum Kind: UInt8, Sendable, BitwiseCopyable {
        case null, `false`, `true`, number, string, array, object
    }

    /// Facts about a node's bytes, found once when the tape is built.
    ///
    /// The flags are inlinable computed constants, not stored `static let`s: read in another
    /// module (the mapping reads one per field), a stored one is reached through its addressor
    /// and its once-check, a call each time.
    public struct Flags: OptionSet, Sendable, Equatable, BitwiseCopyable {
        public let rawValue: UInt8
        @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The value's text holds `"`, `\` or a control byte: JSON output must escape it
        /// (otherwise it is copied as it is).
        @inlinable public static var valueNeedsEscaping: Flags { Flags(rawValue: 1 << 0) }
        /// The key's text holds `"`, `\` or a control byte.
        @inlinable public static var keyNeedsEscaping: Flags { Flags(rawValue: 1 << 1) }
        /// The value's text has a byte ≥ 0x80 (it is UTF-8 all the same).
        @inlinable public static var valueIsNonASCII: Flags { Flags(rawValue: 1 << 2) }
    }

    public var kind: Kind
    public var flags: Flags
    /// The member name in the enclosing object; ``ByteSpan/empty`` for an array element or a root.
    public var key: ByteSpan
    /// A scalar's text (a string decoded to UTF-8; a number as written; empty for `null`, `true`,
    /// `false`). For an object or array: `length` the number of children, and `offset` its
    /// ``shapeMark``.
    public var value: ByteSpan
    /// The index of the first node after this node's subtree (`index + 1` for a scalar).
    public var end: UInt32

    @inlinable
    public init(kind: Kind, flags: Flags, key: ByteSpan, value: ByteSpan, end: UInt32) {
        self.kind = kind
        self.flags = flags
        self.key = key
        self.value = value
        self.end = end
    }

    /// For an object or array, how many children it has.
    @inlinable public var childCount: Int { Int(value.length) }

    /// For a top-level object, a mark its reader gave it when it knows the object's shape: two
    /// records of one tape with the same mark, not 0, have the same keys in the same order and
    /// only scalar members (a CSV reader's rows with exactly the header's fields). 0 when the
    /// reader does not say, and for every other node: only
    /// ``RecordTapeBuilder/appendFlatObject(memberCount:shapeMark:_:)`` stores a mark; every
    /// other container is stored with 0 there.
    @inlinable public var shapeMark: UInt32 { kind == .object ? value.offset : 0 }
}

/// The records of one chunk stored flat (issue 10's "a chunk owns its bytes"): every key and
/// text in one byte arena, every value a fixed-size ``RecordNode`` in one table. A record is a
/// ``RecordView`` — this tape and the index of its root node.
///
/// Readers build a tape with ``RecordTapeBuilder`` (no `String` per field, no array per record)
/// and hand it on immutable, so one retain of the tape stands for all of a chunk's records.
public final class RecordTape: Sendable {
    /// The arena: every key and scalar text, UTF-8.
    public let bytes: TapeElements<UInt8>
    /// The node table, depth first.
    public let nodes: TapeElements<RecordNode>

    /// A tape of copies of `bytes` and `nodes` (tests, a page whose texts were masked).
    public convenience init(bytes: [UInt8], nodes: [RecordNode]) {
        self.init(sealedBytes: TapeElements(sealed: bytes.withUnsafeBufferPointer { .sealed(copying: $0) }),
                  nodes: TapeElements(sealed: nodes.withUnsafeBufferPointer { .sealed(copying: $0) }))
    }

    /// A tape of a builder's storage (``RecordTapeBuilder/finish()``), sealed.
    internal init(sealedBytes bytes: TapeElements<UInt8>, nodes: TapeElements<RecordNode>) {
        self.bytes = bytes
        self.nodes = nodes
    }

    /// Calls `body` with the bytes of `span`.
    @inlinable
    public func withBytes<R>(_ span: ByteSpan, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer { all in
            precondition(span.end <= all.count, "span outside the tape")
            return try body(UnsafeBufferPointer(rebasing: all[Int(span.offset)..<span.end]))
        }
    }

    /// The text of `span` as a `String` (made on request: hot paths read bytes).
    public func string(_ span: ByteSpan) -> String {
        withBytes(span) { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the bytes of `span` are exactly `text`'s UTF-8.
    public func bytes(_ span: ByteSpan, equal text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard utf8.count == Int(span.length) else { return false }
            return withBytes(span) { bytes in bytes.sameBytes(as: utf8) }
        }
    }

    /// Whether two spans of this tape hold the same bytes (equal spans are, without looking).
    public func bytes(_ a: ByteSpan, equal b: ByteSpan) -> Bool {
        if a == b { return true }
        guard a.length == b.length else { return false }
        return bytes.withUnsafeBufferPointer { all in
            UnsafeBufferPointer(rebasing: all[Int(a.offset)..<a.end]).sameBytes(as: UnsafeBufferPointer(rebasing: all[Int(b.offset)..<b.end]))
        }
    }
}

/// Builds a ``RecordTape``: a reader appends texts to the arena and values to the node table,
/// then ``finish()`` hands the tape on.
///
/// Containers are opened with ``beginObject(key:)`` / ``beginArray(key:)`` (which return the
/// container's node index) and closed with ``end(_:)``, which counts the children and sets the
/// subtree's end. Keys are spans already in the arena, so a key shared by many records (a CSV
/// header's names) is stored once and every record's node points to it.
///
/// Its storage is two ``TapeBuffer``s (no uniqueness check per append): a builder is used in
/// place (`inout`), never copied, as a copy would append to the same buffers. Once ``finish()``
/// has sealed them, a stale copy cannot change the tape: its next change stops the program.
public struct RecordTapeBuilder: Sendable {
    /// The arena: every text and key appended so far. (Usable from inlinable code, like the
    /// builder's other storage, so that a reader in another module appends values without a call
    /// per value.) A ``TapeBuffer``, not an array: no uniqueness check per append.
    @usableFromInline internal var bytes: TapeBuffer<UInt8>
    /// The node table.
    @usableFromInline internal var nodes: TapeBuffer<RecordNode>
    /// The innermost open container's node index, or -1 when none is open.
    ///
    /// The open containers are linked through the node table, not kept in a list of their own:
    /// while a container is open its node's `end` holds the index of the container around it
    /// plus one (0: none), and its `value.length` that container's child count when it opened
    /// (itself counted). ``end(_:)`` writes the node's final `value` and `end` and takes both
    /// back, so opening and closing a container is a node append and a node update (no list to
    /// append to, no uniqueness check), inlined into a JSON reader's value loop. Only this
    /// file's methods change these two properties (they are `@usableFromInline` so that those
    /// methods inline into a reader in another module), keeping that invariant.
    @usableFromInline internal var innermost: Int = -1
    /// The child count of the innermost open container. When none is open it counts the
    /// top-level values instead, a count nothing reads (it goes into a root's node while the
    /// root is open and comes back when it closes): counting a value is then one add, with no
    /// test whether a container is open.
    @usableFromInline internal var innermostChildren: UInt32 = 0

    public init(byteCapacity: Int = 0, nodeCapacity: Int = 0) {
        bytes = TapeBuffer(capacity: byteCapacity)
        nodes = TapeBuffer(capacity: nodeCapacity)
    }

    /// Calls `body` with the arena's bytes (a reader comparing input with a key already stored).
    @inlinable
    public func withArenaBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try bytes.withUnsafeBufferPointer(body)
    }

    /// How many bytes the arena holds (for a reader's chunk byte budget).
    public var byteCount: Int { bytes.count }
    /// How many nodes the table holds; the index the next node will get.
    public var nodeCount: Int { nodes.count }
    /// Whether a container is open.
    public var isInsideContainer: Bool { innermost >= 0 }

    /// Copies `text` into the arena and returns where it is (a key, or a value's text).
    @inlinable
    public mutating func appendBytes(_ text: UnsafeBufferPointer<UInt8>) -> ByteSpan {
        let offset = UInt32(truncatingIfNeeded: bytes.count)
        // Copied straight into the arena's spare capacity (one capacity check).
        bytes.append(contentsOf: text)
        return ByteSpan(offset: offset, length: UInt32(truncatingIfNeeded: text.count))
    }

    /// ``appendBytes(_:)`` for a text whose 32 bytes from its start are readable whatever its
    /// length (a JSON cursor's padded buffer; a JSON string or number, most often short): up to
    /// 32 bytes copied as two 16-byte runs, not by a `memcpy` call (``TapeBuffer/append(paddedRun:)``).
    @inlinable @inline(__always)
    public mutating func appendText(paddedRun text: UnsafeBufferPointer<UInt8>) -> ByteSpan {
        let offset = UInt32(truncatingIfNeeded: bytes.count)
        bytes.append(paddedRun: text)
        return ByteSpan(offset: offset, length: UInt32(truncatingIfNeeded: text.count))
    }

    /// Copies a `String`'s UTF-8 into the arena (keys made once per input; tests).
    public mutating func appendBytes(_ text: String) -> ByteSpan {
        var text = text
        return text.withUTF8 { appendBytes($0) }
    }

    /// Reserves `count` bytes at the end of the arena, lets `body` fill them, and returns their
    /// span — for text decoded straight into the arena (unescaped JSON, Windows-1252 → UTF-8).
    /// `body` returns how many of the bytes it wrote (at most `count`). The bytes it is given are
    /// uninitialized (it writes, never reads them); if it throws, the arena is left as it was.
    public mutating func appendBytes(upTo count: Int, _ body: (UnsafeMutableBufferPointer<UInt8>) throws -> Int) rethrows -> ByteSpan {
        let offset = bytes.count
        var written = 0
        // Written straight into the arena's spare capacity; only the bytes written are kept.
        try bytes.append(upTo: count) { spare in
            written = try body(spare)
            return written
        }
        return ByteSpan(offset: UInt32(truncatingIfNeeded: offset), length: UInt32(truncatingIfNeeded: written))
    }

    /// Appends a scalar node: `kind` with the text at `value` (already in the arena).
    /// Escaping and non-ASCII flags are found here from the bytes unless the caller gives them.
    public mutating func appendScalar(_ kind: RecordNode.Kind, key: ByteSpan = .empty, value: ByteSpan = .empty,
                                      flags: RecordNode.Flags? = nil) {
        let found = flags ?? Self.flags(ofValue: value, in: bytes)
        countChild()
        let index = UInt32(truncatingIfNeeded: nodes.count)
        nodes.append(RecordNode(kind: kind, flags: found.union(keyFlags(key)), key: key, value: value, end: index + 1))
    }

    /// Appends a scalar node whose flags — the value's and the key's — the caller already knows
    /// (a CSV reader knows its header keys' flags once per input and finds a field's while copying
    /// it): no byte is looked at again.
    @inlinable
    public mutating func appendScalar(_ kind: RecordNode.Kind, key: ByteSpan, value: ByteSpan, knownFlags: RecordNode.Flags) {
        countChild()
        // Node indexes are 32-bit (truncated, as everywhere on the tape: a tape of 2^32 nodes,
        // 96 GiB of them, is far beyond any chunk's budget), so the next one wraps rather than
        // checking for an overflow the truncation already rules out.
        let index = UInt32(truncatingIfNeeded: nodes.count)
        nodes.append(RecordNode(kind: kind, flags: knownFlags, key: key, value: value, end: index &+ 1))
    }

    /// Appends whole records assembled elsewhere, in one copy (the XML reader builds each record
    /// aside and moves it here when it is complete): each node's `end` already absolute (this
    /// builder's ``nodeCount`` before the call plus its place), its spans already in this arena,
    /// its flags final. Nothing is checked per node; no container may be open.
    public mutating func appendNodes(_ finished: UnsafeBufferPointer<RecordNode>) {
        precondition(innermost < 0, "appending whole records inside an open container")
        nodes.append(contentsOf: finished)
    }

    /// Appends a top-level object whose members are all strings (a CSV row) in one piece: its node
    /// and `count` member nodes, `member(i)` giving member `i`'s key, value span (both already in
    /// the arena) and final flags. One capacity check on the node table for the
    /// whole object, where ``beginObject(key:)``, ``appendScalar(_:key:value:knownFlags:)`` and
    /// ``end(_:)`` pay one per member. No container may be open. Returns the object's node index.
    ///
    /// `shapeMark` (``RecordNode/shapeMark``), when not 0, promises that every object of this tape
    /// given the same mark has the same keys in the same order.
    ///
    /// Inlinable, so that `member` inlines into the reader's row loop: called through a closure
    /// context per member, it cost a call and a context load per CSV field.
    @inlinable
    public mutating func appendFlatObject(memberCount count: Int, shapeMark: UInt32 = 0,
                                          _ member: (Int) -> (key: ByteSpan, value: ByteSpan, flags: RecordNode.Flags)) -> Int {
        precondition(innermost < 0, "a flat object is a top-level record")
        let root = nodes.count
        nodes.append(upTo: count + 1) { spare in
            let base = spare.baseAddress.unsafelyUnwrapped
            base.initialize(to: RecordNode(kind: .object, flags: [], key: .empty,
                                           value: ByteSpan(offset: shapeMark, length: UInt32(truncatingIfNeeded: count)),
                                           end: UInt32(truncatingIfNeeded: root + count + 1)))
            for index in 0..<count {
                let (key, value, flags) = member(index)
                (base + index + 1).initialize(to: RecordNode(kind: .string, flags: flags, key: key, value: value,
                                                             end: UInt32(truncatingIfNeeded: root + index + 2)))
            }
            return count + 1
        }
        return root
    }

    /// Appends a string node whose text is copied from `text`.
    public mutating func appendString(key: ByteSpan = .empty, _ text: UnsafeBufferPointer<UInt8>) {
        let span = appendBytes(text)
        appendScalar(.string, key: key, value: span)
    }

    /// Opens an object; returns its node index for ``end(_:)``.
    @discardableResult
    public mutating func beginObject(key: ByteSpan = .empty) -> Int { begin(.object, key: key) }

    /// Opens an array; returns its node index for ``end(_:)``.
    @discardableResult
    public mutating func beginArray(key: ByteSpan = .empty) -> Int { begin(.array, key: key) }

    /// Opens an object whose key's flags the caller already knows (a JSON reader's key table):
    /// the key's bytes are not looked at again. Returns its node index for ``end(_:)``. (Always
    /// inlined, with what it calls: see ``end(_:)``.)
    @inlinable @inline(__always)
    public mutating func beginObject(key: ByteSpan, knownKeyFlags: RecordNode.Flags) -> Int {
        begin(.object, key: key, knownFlags: knownKeyFlags)
    }

    /// Opens an array whose key's flags the caller already knows; returns its node index.
    @inlinable @inline(__always)
    public mutating func beginArray(key: ByteSpan, knownKeyFlags: RecordNode.Flags) -> Int {
        begin(.array, key: key, knownFlags: knownKeyFlags)
    }

    /// Closes the innermost open container, which must be `node`: its child count and the end of
    /// its subtree are written, and the container around it is the innermost again. (Always
    /// inlined, as ``begin(_:key:knownFlags:)`` is: left to the optimizer, both stayed calls
    /// in the JSON tokenizer's large object loop.)
    ///
    /// The innermost container's node is always one this builder appended and has not sealed
    /// (``begin(_:key:knownFlags:)`` makes it the innermost; ``truncate(nodesFrom:bytesFrom:)``
    /// closes away any it drops), so once `node` is checked to be it, the node is changed where
    /// it lies with no bounds check (``TapeBuffer/updateAppended(at:_:)``).
    @inlinable @inline(__always)
    public mutating func end(_ node: Int) {
        precondition(innermost >= 0, "no open container")
        precondition(innermost == node, "containers closed out of order")
        let children = innermostChildren
        // One change to the node table, not one per property set.
        let opened = nodes.updateAppended(at: node) { opened, count in
            let before = opened
            opened = RecordNode(kind: before.kind, flags: before.flags, key: before.key, value: ByteSpan(offset: 0, length: children),
                                end: UInt32(truncatingIfNeeded: count))
            return before
        }
        innermost = Int(opened.end) &- 1
        innermostChildren = opened.value.length
    }

    /// Drops every node from `node` on (and the arena bytes from `byteCount` on): a record that
    /// turned out bad half-way is taken back. Containers opened at or after `node` are closed
    /// away; the container left open above them loses the children that were dropped.
    public mutating func truncate(nodesFrom node: Int, bytesFrom byteCount: Int) {
        precondition(node <= nodes.count && byteCount <= bytes.count, "truncating past the end")
        // Close away the containers opened at or after `node`, innermost first.
        while innermost >= node {
            let opened = nodes[innermost]
            innermost = Int(opened.end) - 1
            innermostChildren = opened.value.length
        }
        if innermost >= 0 {
            // Count the dropped nodes that are direct children of the open container: step over
            // each one's subtree (an open container's subtree runs to the end of the table; its
            // `end`, the link to the container around it, is not above its own index).
            var dropped: UInt32 = 0
            var index = node
            while index < nodes.count {
                dropped += 1
                let end = Int(nodes[index].end)
                index = end > index ? end : nodes.count
            }
            innermostChildren -= dropped
        } else {
            innermostChildren = 0
        }
        nodes.removeLast(nodes.count - node)
        bytes.removeLast(bytes.count - byteCount)
    }

    /// The finished tape; the builder starts empty again (its buffers go with the tape).
    public mutating func finish() -> RecordTape {
        precondition(innermost < 0, "a container is still open")
        return RecordTape(sealedBytes: bytes.seal(), nodes: nodes.seal())
    }

    private mutating func begin(_ kind: RecordNode.Kind, key: ByteSpan) -> Int {
        begin(kind, key: key, knownFlags: keyFlags(key))
    }

    /// Opens a container: its node is appended with the link to the container around it (see
    /// ``innermost``), and it becomes the innermost.
    @inlinable @inline(__always)
    internal mutating func begin(_ kind: RecordNode.Kind, key: ByteSpan, knownFlags flags: RecordNode.Flags) -> Int {
        countChild()
        let index = nodes.count
        nodes.append(RecordNode(kind: kind, flags: flags, key: key, value: ByteSpan(offset: 0, length: innermostChildren),
                                end: UInt32(truncatingIfNeeded: innermost &+ 1)))
        innermost = index
        innermostChildren = 0
        return index
    }

    @inlinable @inline(__always)
    internal mutating func countChild() {
        innermostChildren &+= 1
    }

    private func keyFlags(_ key: ByteSpan) -> RecordNode.Flags {
        guard !key.isEmpty else { return [] }
        return Self.flags(ofValue: key, in: bytes).contains(.valueNeedsEscaping) ? .keyNeedsEscaping : []
    }

    /// The escaping and non-ASCII flags of the bytes at `span`.
    static func flags(ofValue span: ByteSpan, in bytes: TapeBuffer<UInt8>) -> RecordNode.Flags {
        guard !span.isEmpty else { return [] }
        return bytes.withUnsafeBufferPointer { all in
            RecordNode.Flags.of(UnsafeBufferPointer(rebasing: all[Int(span.offset)..<span.end]))
        }
    }
}

extension RecordNode.Flags {
    /// The escaping and non-ASCII flags of some UTF-8 text (as a value).
    ///
    /// Every byte is looked at in a word (``ByteWord``, ``JSONEscapeScan/escapeMask(_:)``, both
    /// exact): eight at a time, then the word that ends at the text's last byte; a text of four
    /// to seven bytes as two overlapping four-byte reads side by side; one of one to three bytes
    /// byte by byte. Reading a byte twice changes neither flag.
    public static func of(_ text: UnsafeBufferPointer<UInt8>) -> RecordNode.Flags {
        let count = text.count
        guard let base = text.baseAddress, count > 0 else { return [] }
        let raw = UnsafeRawPointer(base)
        // The text's words or-ed together (their high bits: a byte ≥ 0x80), and their escape masks.
        var combined: UInt64 = 0
        var escapes: UInt64 = 0
        if count >= 8 {
            var index = 0
            while index + 8 <= count {
                let word = ByteWord.load(raw, at: index)
                combined |= word
                escapes |= JSONEscapeScan.escapeMask(word)
                index += 8
            }
            if index < count {
                let word = ByteWord.load(raw, at: count - 8)
                combined |= word
                escapes |= JSONEscapeScan.escapeMask(word)
            }
        } else if count >= 4 {
            let head = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let tail = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            combined = head | tail << 32
            escapes = JSONEscapeScan.escapeMask(combined)
        } else {
            for index in 0..<count {
                let byte = base[index]
                combined |= UInt64(byte)
                if JSONEscapeScan.needsEscape(byte) { escapes = 1 }
            }
        }
        var flags: RecordNode.Flags = []
        if escapes != 0 { flags.insert(.valueNeedsEscaping) }
        if combined & ByteWord.highBits != 0 { flags.insert(.valueIsNonASCII) }
        return flags
    }
}
