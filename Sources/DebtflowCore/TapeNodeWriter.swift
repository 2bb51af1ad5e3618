/// Writes a tape's record (a root node and its subtree) as JSON straight into memory reserved
/// beforehand: ``JSONByteWriter``'s loop for every record it writes in one piece (a conversion's
/// CSV row, a failed record's `data`, Magicline's debtor that a case's envelope echoes). Byte for byte what the writer's
/// value-by-value path writes for it (``JSONByteWriter/value(_:)``): keys and strings copied as they are unless their tape flag says they may
/// need escaping, numbers as written, the literals, brackets and commas.
///
/// What makes it cheaper than a ``JSONRawCursor`` walk, per node:
/// - the output is a pointer stepped on, with no count kept and no overflow check per piece;
/// - a text is copied 16 bytes at a time, its last run rounded up (``copyRun(_:count:to:)``):
///   one load and store for a key or a short string, no `switch` on its length and no `memmove`
///   call for a longer one. The bytes copied past its end are written over by what follows; a
///   run past the arena's last byte reads the 16 bytes of slack every tape storage holds after
///   its capacity (``TapeStorage/slackBytes``), so no text is asked where it lies;
/// - one loop over an object's members and one over an array's elements, the innermost open
///   container's end their bound (kept in a local, the containers around it on a stack): a
///   node asks neither which kind of container it is in nor whether it closes one; a comma is
///   written before every child and kept only after the first;
/// - escaping (a flagged text) goes through ``JSONRawCursor`` out of line.
///
/// The caller reserves the record's bound (``JSONByteWriter``'s `writeNodes`: nine bytes a
/// node, a text's bytes six times when one may need escaping) and ``slack`` bytes more; or, not
/// knowing it, reserves some room and has each node checked to fit (``write(from:to:arena:nodes:into:room:)``).
enum TapeNodeWriter {
    /// How many bytes past the written ones a write may touch (a text's last run, `false`'s
    /// word): reserved after the record's bound, and written over or left out of the count.
    static let slack = 16

    /// Writes the record rooted at `first` (`first` is a container; its subtree ends at `end`,
    /// holding at most `containers` containers) at `out`, where its bound and ``slack`` are
    /// reserved; returns how many bytes it wrote. `arena` must be a tape's bytes
    /// (``RecordTape/bytes``), which its storage's slack follows (``TapeStorage/slackBytes``).
    static func write(from first: Int, to end: Int, containers: Int, arena: UnsafeBufferPointer<UInt8>,
                      nodes: UnsafeBufferPointer<RecordNode>, into out: UnsafeMutablePointer<UInt8>) -> Int {
        withUnsafeTemporaryAllocation(of: OpenContainer.self, capacity: max(1, containers)) { stack in
            // (Within its bound it never runs out of room or stack: the unbounded room and the
            // stack's capacity are never reached.)
            write(from: first, to: end, arena: arena, nodes: nodes, stack: stack.baseAddress.unsafelyUnwrapped,
                  stackCapacity: max(1, containers) &+ 1, into: out, room: Int.max / 4).unsafelyUnwrapped
        }
    }

    /// How deep ``write(from:to:arena:nodes:into:room:)`` nests before it gives up.
    static let optimisticDepth = 32

    /// How many bytes past `room` ``write(from:to:arena:nodes:into:room:)`` may write: the
    /// closing brackets after the last node checked (at most ``optimisticDepth`` and the root's)
    /// and ``slack``.
    static let optimisticTail = optimisticDepth + 1 + slack

    /// Writes the record rooted at `first` (a container; its subtree ends at `end`) at `out`,
    /// with no bound known before: each node checked to fit in `room` bytes (its key's and
    /// value's bytes six times, and nine), ``optimisticTail`` more reserved after them. `nil`,
    /// what it wrote to be dropped, when a node does not fit or the containers nest deeper than
    /// ``optimisticDepth``: the caller then bounds the record first. (The bound's own pass over
    /// the nodes cost more than a check per node.) `arena` as for ``write(from:to:containers:arena:nodes:into:)``.
    static func write(from first: Int, to end: Int, arena: UnsafeBufferPointer<UInt8>, nodes: UnsafeBufferPointer<RecordNode>,
                      into out: UnsafeMutablePointer<UInt8>, room: Int) -> Int? {
        withUnsafeTemporaryAllocation(of: OpenContainer.self, capacity: optimisticDepth) { stack in
            write(from: first, to: end, arena: arena, nodes: nodes, stack: stack.baseAddress.unsafelyUnwrapped,
                  stackCapacity: optimisticDepth, into: out, room: room)
        }
    }

    /// A container opened around the innermost one: the index its subtree ends at, and whether
    /// it is an object (its members get their keys).
    private struct OpenContainer {
        var end: Int
        var isObject: Bool
    }

    /// Both forms, with the stack of open containers at `stack` (room for `stackCapacity` less
    /// one) and `room` bytes to fill (each node checked).
    private static func write(from first: Int, to end: Int, arena: UnsafeBufferPointer<UInt8>,
                              nodes: UnsafeBufferPointer<RecordNode>, stack: UnsafeMutablePointer<OpenContainer>, stackCapacity: Int,
                              into out: UnsafeMutablePointer<UInt8>, room: Int) -> Int? {
        // The last address a node may start at with its bytes fitting: a node's need is compared
        // with what is left (as integers: an unbounded room is no pointer).
        let limit = Int(bitPattern: out) &+ room
        let base = UnsafeRawPointer(arena.baseAddress.unsafelyUnwrapped)
        let root = nodes[first]
        assert(root.kind == .object || root.kind == .array, "TapeNodeWriter: the root is not a container")
        var p = out
        p.pointee = root.kind == .object ? UInt8(ascii: "{") : UInt8(ascii: "[")
        p += 1
        // The innermost open container; those around it are on the stack (`depth` of them).
        var topEnd = Int(root.end)
        var topIsObject = root.kind == .object
        var depth = 0
        // 0 before a container's first child, 1 after: the comma written before a child is kept
        // (the pointer stepped past it) only after a first one.
        var comma = 0
        var index = first &+ 1
        // One loop over an object's members and one over an array's elements, each while the
        // innermost container is of its kind: its end is the loop's bound, and no node asks
        // which kind it is in. A container opened inside goes back out here to start its own.
        containers: while true {
            if topIsObject {
                while index < topEnd {
                    let node = nodes[index]
                    guard fits(node, at: p, limit: limit) else { return nil }
                    index &+= 1
                    p.pointee = UInt8(ascii: ",")
                    p += comma
                    comma = 1
                    p.pointee = UInt8(ascii: "\"")
                    p += 1
                    p = text(node.key, escaping: node.flags.contains(.keyNeedsEscaping), base: base, to: p)
                    if node.kind == .string {
                        // `":"` as one four-byte store; its fourth byte is written over next.
                        UnsafeMutableRawPointer(p).storeBytes(of: UInt32(0x22_3A_22).littleEndian, as: UInt32.self)
                        p += 3
                        p = text(node.value, escaping: node.flags.contains(.valueNeedsEscaping), base: base, to: p)
                        p.pointee = UInt8(ascii: "\"")
                        p += 1
                        continue
                    }
                    UnsafeMutableRawPointer(p).storeBytes(of: UInt16(0x3A_22).littleEndian, as: UInt16.self)
                    p += 2
                    if node.kind.rawValue >= RecordNode.Kind.array.rawValue {
                        guard depth &+ 1 < stackCapacity else { return nil }
                        open(node, at: &p, stack: stack, depth: &depth, topEnd: &topEnd, topIsObject: &topIsObject)
                        comma = 0
                        continue containers
                    }
                    p = scalar(node, base: base, to: p)
                }
            } else {
                while index < topEnd {
                    let node = nodes[index]
                    guard fits(node, at: p, limit: limit) else { return nil }
                    index &+= 1
                    p.pointee = UInt8(ascii: ",")
                    p += comma
                    comma = 1
                    if node.kind.rawValue >= RecordNode.Kind.array.rawValue {
                        guard depth &+ 1 < stackCapacity else { return nil }
                        open(node, at: &p, stack: stack, depth: &depth, topEnd: &topEnd, topIsObject: &topIsObject)
                        comma = 0
                        continue containers
                    }
                    p = scalar(node, base: base, to: p)
                }
            }
            // The innermost container ends here (and maybe those around it, next time round).
            p.pointee = topIsObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
            p += 1
            guard depth > 0 else { return p - out }
            depth &-= 1
            topEnd = stack[depth].end
            topIsObject = stack[depth].isObject
            comma = 1
        }
    }

    /// Whether `node`'s bytes fit from `p` on: its key's and value's bytes six times (each may
    /// be escaped) and nine (a comma, quotes, a colon, `false`, a container's two brackets).
    @inline(__always)
    private static func fits(_ node: RecordNode, at p: UnsafeMutablePointer<UInt8>, limit: Int) -> Bool {
        Int(bitPattern: p) &+ 9 &+ 6 &* (Int(node.key.length) &+ Int(node.value.length)) <= limit
    }

    /// Opens the container `node`: its bracket written, the innermost container so far pushed
    /// on the stack, `node` made the innermost.
    @inline(__always)
    private static func open(_ node: RecordNode, at p: inout UnsafeMutablePointer<UInt8>, stack: UnsafeMutablePointer<OpenContainer>,
                             depth: inout Int, topEnd: inout Int, topIsObject: inout Bool) {
        let isObject = node.kind == .object
        p.pointee = isObject ? UInt8(ascii: "{") : UInt8(ascii: "[")
        p += 1
        (stack + depth).initialize(to: OpenContainer(end: topEnd, isObject: topIsObject))
        depth &+= 1
        topEnd = Int(node.end)
        topIsObject = isObject
    }

    /// Writes the scalar `node` (not a container) at `p`; returns the pointer past it.
    @inline(__always)
    private static func scalar(_ node: RecordNode, base: UnsafeRawPointer,
                               to p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        switch node.kind {
        case .string:
            p.pointee = UInt8(ascii: "\"")
            let end = text(node.value, escaping: node.flags.contains(.valueNeedsEscaping), base: base, to: p + 1)
            end.pointee = UInt8(ascii: "\"")
            return end + 1
        case .number:
            return text(node.value, escaping: false, base: base, to: p)
        case .null:
            UnsafeMutableRawPointer(p).storeBytes(of: UInt32(0x6C_6C_75_6E).littleEndian, as: UInt32.self)
            return p + 4
        case .true:
            UnsafeMutableRawPointer(p).storeBytes(of: UInt32(0x65_75_72_74).littleEndian, as: UInt32.self)
            return p + 4
        case .false:
            UnsafeMutableRawPointer(p).storeBytes(of: UInt64(0x65_73_6C_61_66).littleEndian, as: UInt64.self)
            return p + 5
        case .object, .array:
            preconditionFailure("TapeNodeWriter: not a scalar")
        }
    }

    /// Writes the text `span` of the arena at `base` at `target`, escaped where JSON needs it when
    /// `escaping` (its tape flag); returns the pointer past it. Copied in rounded-up runs
    /// (``copyRun(_:count:to:)``): a tape's arena is followed by ``TapeStorage/slackBytes``
    /// readable bytes, so a run may end past its last byte.
    @inline(__always)
    private static func text(_ span: ByteSpan, escaping: Bool, base: UnsafeRawPointer,
                             to target: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        let offset = Int(span.offset)
        let count = Int(span.length)
        if _slowPath(escaping) {
            return escaped(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self) + offset, count: count), to: target)
        }
        copyRun(base + offset, count: count, to: UnsafeMutableRawPointer(target))
        return target + count
    }

    /// Copies `count` bytes 16 at a time, the last run whole: up to 16 bytes past `count` are
    /// read (the caller knows they are there) and written (written over after, or past the end).
    @inline(__always)
    private static func copyRun(_ source: UnsafeRawPointer, count: Int, to target: UnsafeMutableRawPointer) {
        var offset = 0
        repeat {
            target.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: SIMD16<UInt8>.self), toByteOffset: offset,
                              as: SIMD16<UInt8>.self)
            offset &+= 16
        } while offset < count
    }

    /// A text that may need escaping, through a ``JSONRawCursor`` (at most six bytes per byte).
    @inline(never)
    private static func escaped(_ text: UnsafeBufferPointer<UInt8>, to target: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var cursor = JSONRawCursor(UnsafeMutableBufferPointer(start: target, count: 6 &* text.count))
        cursor.text(text, needsEscaping: true)
        return target + cursor.count
    }
}
