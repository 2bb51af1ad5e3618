/// Up to ``capacity`` digit values (0–9) held inline: the digits of a typed phone number, or a
/// part of them (a national number), without a heap allocation.
///
/// E.164 numbers have at most 15 digits, but what is typed around them has more: an
/// international prefix (`00`, `011`, `0015`), a trunk `0` or `(0)`, a carrier code. The longest
/// number libphonenumber can accept is under 40 digits with all of those; ``capacity`` leaves room
/// beyond that, so a number with more digits can only be too long. ``append(_:)`` refuses a digit
/// past the capacity (the scanner then keeps only the first ``capacity`` digits: see
/// ``PhoneInputScanner``); every index is bounds-checked.
///
/// A `RandomAccessCollection`: slicing (`digits[1...]`) gives a `Slice` with the same indices,
/// as an `ArraySlice` would, still without an allocation.
struct PhoneDigits: RandomAccessCollection, Equatable, Sendable {
    /// The most digits a value holds.
    static let capacity = 64

    private var storage = InlineArray<64, UInt8>(repeating: 0)
    /// How many digits are held.
    private(set) var count = 0

    /// No digits.
    init() {}

    /// The digits of a sequence of digit values; the sequence must hold at most ``capacity``.
    init<Digits: Sequence<UInt8>>(_ digits: Digits) {
        for digit in digits {
            let added = append(digit)
            precondition(added, "PhoneDigits: more than \(Self.capacity) digits")
        }
    }

    /// The digits of a part of another value (a national number after its calling code), copied
    /// in one move: through the generic initializer, each digit was read by the subscript and
    /// appended with its checks.
    init(_ digits: Slice<PhoneDigits>) {
        digits.withDigits { buffer in
            withUnsafeMutableBytes(of: &storage) { target in
                target.copyMemory(from: UnsafeRawBufferPointer(buffer))
            }
            count = buffer.count
        }
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    /// The digit at `position`.
    subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "PhoneDigits: index out of range")
        return storage[position]
    }

    /// Calls `body` with the digits at `range` (within `0..<count`) as a buffer of digit values.
    ///
    /// For the loops over a number's digits: read one by one through the subscript, each digit
    /// copied the whole 64-byte inline storage to the stack first (a copy the optimizer leaves
    /// in the loop: about 26 instructions a digit in ``PhoneDigitAutomaton/matchesWhole(_:)``).
    /// Here the storage is copied once.
    func withDigits<R>(in range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "PhoneDigits: range out of bounds")
        return try withUnsafeBytes(of: storage) { raw in
            try body(UnsafeBufferPointer(rebasing: raw.assumingMemoryBound(to: UInt8.self)[range]))
        }
    }

    /// Adds a digit value (0–9) at the end; returns `false`, holding nothing more, when full.
    @discardableResult
    mutating func append(_ digit: UInt8) -> Bool {
        precondition(digit <= 9, "PhoneDigits: not a digit value")
        guard count < Self.capacity else { return false }
        storage[count] = digit
        count += 1
        return true
    }

    static func == (lhs: PhoneDigits, rhs: PhoneDigits) -> Bool {
        lhs.elementsEqual(rhs)
    }
}

extension Slice where Base == PhoneDigits {
    /// ``PhoneDigits/withDigits(in:_:)`` over this slice's digits.
    func withDigits<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try base.withDigits(in: startIndex..<endIndex, body)
    }
}
