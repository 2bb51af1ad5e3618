/// The count and capacity of a ``TapeStorage``, kept in the storage itself.
@usableFromInline
internal struct TapeStorageHeader: Sendable {
    /// How many elements are initialized (the first `count`).
    @usableFromInline internal var count: Int
    /// How many elements may be appended in all: the allocation's size while a ``TapeBuffer``
    /// appends to it, 0 once sealed (every append then takes the growing path, which refuses).
    @usableFromInline internal var capacity: Int
    /// Whether the storage was handed on to a ``RecordTape`` (it never changes again).
    @usableFromInline internal var isSealed: Bool

    @inlinable
    internal init(count: Int, capacity: Int, isSealed: Bool) {
        self.count = count
        self.capacity = capacity
        self.isSealed = isSealed
    }
}

/// The memory of one of a ``RecordTape``'s two tables (the byte arena or the node table):
/// elements in one allocation with their count and capacity, appended to by the ``TapeBuffer``
/// of the builder that made it, then sealed (``TapeBuffer/seal()``) and read only, from any
/// thread, as ``TapeElements``. `@unchecked Sendable`: a buffer changes it only before the seal,
/// and every change checks the seal or the capacity the seal sets to 0.
@usableFromInline
internal final class TapeStorage<Element: BitwiseCopyable>: @unchecked Sendable {
    /// The count, capacity and seal.
    @usableFromInline internal let header: UnsafeMutablePointer<TapeStorageHeader>
    /// The elements: room for the capacity it was made with, the first `count` initialized;
    /// then at least ``slackBytes`` readable bytes past it (``slackElements``), zeroed when
    /// allocated, never part of the elements (a padded append may write over them).
    @usableFromInline internal let base: UnsafeMutablePointer<Element>

    /// How many bytes past its capacity a storage always holds: a reader of a tape's arena may
    /// load a 16-byte run that starts inside the arena and ends past its last byte
    /// (``TapeNodeWriter`` copies every text in such runs, with no test per text of where it
    /// lies), and ``TapeBuffer/append(paddedRun:)`` stores 32 bytes from its count on.
    @usableFromInline static var slackBytes: Int { 32 }

    /// ``slackBytes`` in whole elements.
    private static var slackElements: Int {
        (slackBytes + MemoryLayout<Element>.stride - 1) / MemoryLayout<Element>.stride
    }

    private init(capacity: Int, sealed: Bool) {
        header = .allocate(capacity: 1)
        header.initialize(to: TapeStorageHeader(count: 0, capacity: sealed ? 0 : capacity, isSealed: sealed))
        let room = Swift.max(capacity, 1)
        base = .allocate(capacity: room + Self.slackElements)
        // The slack zeroed once: what is read of it is defined (and written over, or left out).
        UnsafeMutableRawPointer(base + room).initializeMemory(as: UInt8.self, repeating: 0,
                                                               count: Self.slackElements * MemoryLayout<Element>.stride)
    }

    deinit {
        // The elements are bitwise-copyable: nothing to deinitialize.
        base.deallocate()
        header.deallocate()
    }

    /// A new, empty storage with room for `capacity` elements.
    @usableFromInline
    internal static func make(capacity: Int, sealed: Bool = false) -> TapeStorage {
        TapeStorage(capacity: Swift.max(capacity, 0), sealed: sealed)
    }

    /// Calls `body` with the header and the elements. (`self` is kept alive meanwhile: the
    /// pointers are into memory it frees.)
    @inlinable
    internal func withUnsafeMutablePointers<R>(_ body: (UnsafeMutablePointer<TapeStorageHeader>, UnsafeMutablePointer<Element>) throws -> R) rethrows -> R {
        defer { _fixLifetime(self) }
        return try body(header, base)
    }

    /// A sealed copy of `elements` (a tape made from arrays: tests, a page with masked texts).
    internal static func sealed(copying elements: UnsafeBufferPointer<Element>) -> TapeStorage {
        let storage = make(capacity: elements.count)
        storage.withUnsafeMutablePointers { header, base in
            if let source = elements.baseAddress, !elements.isEmpty {
                base.initialize(from: source, count: elements.count)
            }
            header.pointee.count = elements.count
            header.pointee.capacity = 0
            header.pointee.isSealed = true
        }
        return storage
    }

    /// How many elements it holds.
    @inlinable
    internal var count: Int {
        defer { _fixLifetime(self) }
        return header.pointee.count
    }
}

/// The elements of one of a ``RecordTape``'s two tables (the byte arena, the node table), sealed:
/// they never change. Read them as a collection (every index checked) or through
/// ``withUnsafeBufferPointer(_:)``.
///
/// The start and the count are stored here, next to the storage that owns the memory (and keeps
/// it alive): reading a tape's bytes is two loads from the tape, as it was with an array.
/// `@unchecked Sendable`: the memory is sealed (``TapeBuffer/seal()``) before a value of this
/// type is made, and nothing writes it after.
public struct TapeElements<Element: BitwiseCopyable>: @unchecked Sendable {
    /// The storage: owns the memory.
    @usableFromInline internal let owner: TapeStorage<Element>
    @usableFromInline internal let base: UnsafePointer<Element>
    /// How many elements there are.
    public let count: Int

    /// The elements of `sealed`, which must be sealed.
    @usableFromInline
    internal init(sealed: TapeStorage<Element>) {
        precondition(sealed.header.pointee.isSealed, "a tape's elements must be sealed")
        owner = sealed
        base = UnsafePointer(sealed.base)
        count = sealed.count
    }

    /// Calls `body` with the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        defer { _fixLifetime(owner) }
        return try body(UnsafeBufferPointer(start: base, count: count))
    }
}

extension TapeElements: RandomAccessCollection {
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }

    /// The element at `position`, which must be below ``count``.
    @inlinable
    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < count, "index outside the tape")
        defer { _fixLifetime(owner) }
        return base[position]
    }
}

/// The growable storage a ``RecordTapeBuilder`` appends to: a ``TapeStorage`` it alone holds,
/// with no uniqueness check per append (an `Array` pays `isUniquelyReferenced` and a capacity
/// check on every `append`, twice per JSON member). An append checks the count against the
/// capacity, both in the storage's header; when it is full a larger storage takes the elements
/// (capacity doubled, as an array's).
///
/// A buffer is a handle, not a value: copies of it append to the same storage. Only the
/// builder holds one, and it never copies it. ``seal()`` hands the storage on (to a
/// ``RecordTape``) and gives this buffer a new one; the sealed storage refuses every change, so
/// a stale copy of the handle cannot change a tape (its next append stops the program instead).
/// Every index is checked against the count, every write against the capacity: the checks the
/// readers' appends skip are only the reference count's.
public struct TapeBuffer<Element: BitwiseCopyable>: Sendable {
    @usableFromInline internal var storage: TapeStorage<Element>

    /// An empty buffer with room for `capacity` elements.
    public init(capacity: Int = 0) {
        storage = .make(capacity: capacity)
    }

    /// How many elements it holds.
    @inlinable public var count: Int { storage.count }
    /// How many it holds room for before it grows.
    public var capacity: Int { storage.withUnsafeMutablePointers { header, _ in header.pointee.capacity } }

    /// Appends `element`.
    @inlinable
    public mutating func append(_ element: Element) {
        let stored = storage.withUnsafeMutablePointers { header, base -> Bool in
            let count = header.pointee.count
            guard count < header.pointee.capacity else { return false }
            (base + count).initialize(to: element)
            header.pointee.count = count &+ 1
            return true
        }
        if !stored { appendGrowing(element) }
    }

    /// ``append(_:)`` when the storage is full (not inlined: once per doubling; inlinable only
    /// to be specialized for the element type where it is used).
    @inlinable @inline(never)
    internal mutating func appendGrowing(_ element: Element) {
        grow(toHold: count + 1)
        append(element)
    }

    /// Appends copies of `elements`.
    @inlinable
    public mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress, !elements.isEmpty else { return }
        append(upTo: elements.count) { spare in
            spare.baseAddress.unsafelyUnwrapped.initialize(from: source, count: elements.count)
            return elements.count
        }
    }

    /// Appends at most `maxCount` elements that `write` puts in the buffer it is given, returning
    /// how many it wrote: straight into the storage (grown first if need be), with one capacity
    /// check. The buffer's elements are uninitialized (`write` writes before it reads); only the
    /// ones it says it wrote are kept; if it throws, nothing is appended. Writing more than
    /// `maxCount` is a programming error, caught (after the fact) by a precondition.
    @inlinable
    public mutating func append(upTo maxCount: Int, _ write: (UnsafeMutableBufferPointer<Element>) throws -> Int) rethrows {
        precondition(maxCount >= 0, "a negative count")
        let fits = storage.withUnsafeMutablePointers { header, _ in
            maxCount <= header.pointee.capacity &- header.pointee.count
        }
        if !fits { grow(toHold: count + maxCount) }
        try storage.withUnsafeMutablePointers { header, base in
            let count = header.pointee.count
            let written = try write(UnsafeMutableBufferPointer(start: base + count, count: maxCount))
            precondition(written >= 0 && written <= maxCount, "wrote past the elements asked for")
            header.pointee.count = count &+ written
        }
    }

    /// Changes the element at `index` where it lies, with no bounds or seal check (asserted in
    /// debug builds only): for a builder updating an element it appended itself and knows to be
    /// there, in a buffer it has not sealed (``RecordTapeBuilder/end(_:)``, a container's node
    /// once per container: the subscript's get and set checked the index twice and the seal once).
    @inlinable @inline(__always)
    internal mutating func updateAppended<R>(at index: Int, _ body: (inout Element, _ count: Int) -> R) -> R {
        storage.withUnsafeMutablePointers { header, base in
            assert(index >= 0 && index < header.pointee.count && !header.pointee.isSealed, "not an appended element")
            return body(&base[index], header.pointee.count)
        }
    }

    /// The element at `index` (below ``count``).
    @inlinable
    public subscript(index: Int) -> Element {
        get {
            storage.withUnsafeMutablePointers { header, base in
                precondition(index >= 0 && index < header.pointee.count, "index outside the tape")
                return base[index]
            }
        }
        set {
            storage.withUnsafeMutablePointers { header, base in
                precondition(index >= 0 && index < header.pointee.count, "index outside the tape")
                precondition(!header.pointee.isSealed, "changing a tape already handed on")
                base[index] = newValue
            }
        }
    }

    /// Drops the last `count` elements.
    public mutating func removeLast(_ count: Int) {
        storage.withUnsafeMutablePointers { header, _ in
            precondition(count >= 0 && count <= header.pointee.count, "removing past the start")
            precondition(!header.pointee.isSealed, "changing a tape already handed on")
            header.pointee.count -= count
        }
    }

    /// Calls `body` with the elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try storage.withUnsafeMutablePointers { header, base in
            try body(UnsafeBufferPointer(start: base, count: header.pointee.count))
        }
    }

    /// Hands the elements on: the storage is sealed (it never changes again) and returned, and
    /// this buffer starts again empty, with room for `capacity` elements.
    public mutating func seal(keepingRoomFor capacity: Int = 0) -> TapeElements<Element> {
        let sealed = storage
        sealed.withUnsafeMutablePointers { header, _ in
            header.pointee.capacity = 0
            header.pointee.isSealed = true
        }
        storage = .make(capacity: capacity)
        return TapeElements(sealed: sealed)
    }

    /// Moves the elements to a storage with room for at least `needed` (double the capacity, or
    /// more if asked). A sealed storage is not grown: a handle kept past ``seal()`` stops here.
    @inlinable @inline(never)
    internal mutating func grow(toHold needed: Int) {
        let (count, capacity, sealed) = storage.withUnsafeMutablePointers { header, _ in
            (header.pointee.count, header.pointee.capacity, header.pointee.isSealed)
        }
        precondition(!sealed, "appending to a tape already handed on")
        let larger = TapeStorage<Element>.make(capacity: Swift.max(needed, capacity * 2, 16))
        storage.withUnsafeMutablePointers { _, source in
            larger.withUnsafeMutablePointers { header, base in
                base.initialize(from: source, count: count)
                header.pointee.count = count
            }
        }
        storage = larger
    }
}

extension TapeBuffer where Element == UInt8 {
    /// Appends `bytes`, when they are at most 32 and fit, as two 16-byte runs whatever their
    /// length: no branch on the length (and no `memcpy` call, which cost more than the copy for
    /// a JSON reader's texts, most of them short). The runs read 32 bytes from the start of
    /// `bytes` and write 32 from the buffer's count on: the storage's slack (``TapeStorage/slackBytes``) takes what is written
    /// past its capacity, and the caller promises the 32 bytes are readable (a JSON cursor's
    /// buffer, padded). Longer texts, or a full storage, go through ``append(contentsOf:)``.
    @inlinable @inline(__always)
    public mutating func append(paddedRun bytes: UnsafeBufferPointer<UInt8>) {
        let count = bytes.count
        let copied = count <= 32 && storage.withUnsafeMutablePointers { header, base -> Bool in
            let used = header.pointee.count
            guard count <= header.pointee.capacity &- used, let source = bytes.baseAddress else { return false }
            let from = UnsafeRawPointer(source)
            let to = UnsafeMutableRawPointer(base + used)
            let first = from.loadUnaligned(as: SIMD16<UInt8>.self)
            let second = from.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self)
            to.storeBytes(of: first, as: SIMD16<UInt8>.self)
            to.storeBytes(of: second, toByteOffset: 16, as: SIMD16<UInt8>.self)
            header.pointee.count = used &+ count
            return true
        }
        if !copied { append(contentsOf: bytes) }
    }
}
