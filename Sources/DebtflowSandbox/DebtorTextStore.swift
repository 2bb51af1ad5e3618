#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The debtors' texts, one after another in one contiguous buffer, each followed by a comma, and
/// where each one ends: a slice of consecutive debtors joined by commas is one run of the buffer,
/// so serving it copies bytes and nothing else.
///
/// Written once by ``DebtorTextStoreBuilder``, read-only afterwards (hence `@unchecked Sendable`:
/// the buffer is never written after ``DebtorTextStoreBuilder/finish()`` hands it over).
final class DebtorTextStore: @unchecked Sendable {
    /// The texts and their commas; `nil` when there is none.
    private let bytes: UnsafeMutablePointer<UInt8>?
    /// The offset just past each debtor's text (its comma follows there).
    private let ends: [Int]

    /// Takes ownership of `bytes` (from `malloc`/`realloc`), freed in `deinit`.
    fileprivate init(bytes: UnsafeMutablePointer<UInt8>?, ends: [Int]) {
        self.bytes = bytes
        self.ends = ends
    }

    deinit {
        free(bytes)
    }

    /// How many debtors there are.
    var count: Int { ends.count }

    /// The bytes of the debtors `range` joined by commas (empty for an empty range), for `body`.
    func withJoinedTexts<Result>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        guard let bytes, !range.isEmpty else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let start = range.lowerBound == 0 ? 0 : ends[range.lowerBound - 1] + 1
        return try body(UnsafeBufferPointer(start: bytes + start, count: ends[range.upperBound - 1] - start))
    }

    /// One debtor's text.
    func text(at index: Int) -> [UInt8] {
        withJoinedTexts(index..<(index + 1)) { Array($0) }
    }
}

/// Builds a ``DebtorTextStore`` text by text, in a buffer grown with `realloc`: a large buffer
/// grows in place or by remapping its pages (glibc's `mremap`), never by holding the old and the
/// new copy at once, so loading needs memory about the size of the texts, not twice that.
final class DebtorTextStoreBuilder {
    private var bytes: UnsafeMutablePointer<UInt8>?
    private var capacity = 0
    private var byteCount = 0
    private var ends: [Int] = []

    init() {}

    deinit {
        free(bytes)
    }

    /// How many texts are finished.
    var count: Int { ends.count }

    /// Adds bytes to the text being written.
    func append(_ piece: UnsafeBufferPointer<UInt8>) {
        guard let source = piece.baseAddress, !piece.isEmpty else { return }
        reserve(piece.count)
        (bytes! + byteCount).update(from: source, count: piece.count)
        byteCount += piece.count
    }

    /// Adds bytes to the text being written.
    func append(_ piece: [UInt8]) {
        piece.withUnsafeBufferPointer { append($0) }
    }

    /// Ends the text being written.
    func endText() {
        ends.append(byteCount)
        reserve(1)
        bytes![byteCount] = UInt8(ascii: ",")
        byteCount += 1
    }

    /// The store of the finished texts; the builder is empty afterwards.
    func finish() -> DebtorTextStore {
        if let current = bytes, byteCount < capacity {
            // Give the unused tail back (a shrinking `realloc` keeps the bytes where they are).
            if let shrunk = realloc(current, max(1, byteCount)) {
                bytes = shrunk.assumingMemoryBound(to: UInt8.self)
                capacity = max(1, byteCount)
            }
        }
        let store = DebtorTextStore(bytes: bytes, ends: ends)
        bytes = nil
        capacity = 0
        byteCount = 0
        ends = []
        return store
    }

    /// Makes room for `extra` more bytes: doubles the capacity (at least 64 KiB) when it is short.
    private func reserve(_ extra: Int) {
        let needed = byteCount + extra
        guard needed > capacity else { return }
        let grown = max(needed, capacity * 2, 64 << 10)
        guard let moved = realloc(bytes, grown) else {
            fatalError("out of memory: cannot hold \(grown) bytes of debtors")
        }
        bytes = moved.assumingMemoryBound(to: UInt8.self)
        capacity = grown
    }
}
