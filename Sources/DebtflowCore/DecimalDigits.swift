/// Decimal digits written from the right, two at a time: each pair copied from ``pairs`` (one
/// division by 100 per pair instead of one by 10 per digit). For the numbers the writers print
/// per record (``JSONRawCursor``'s decimals, a phone's E.164 digits).
enum DecimalDigits {
    /// `00`, `01`, … `99`: the two digits of each number below 100, side by side.
    static let pairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// Writes the last `width` decimal digits of `value`, left-padded with zeros (`7`, width 3:
    /// `007`), at `target[0..<width]`; digits of `value` beyond `width` are not written.
    /// - Precondition: `width >= 0`, and `target` holds at least `width` bytes (the caller's
    ///   bounds: this writes through the pointer).
    static func write(_ value: UInt64, width: Int, to target: UnsafeMutablePointer<UInt8>) {
        precondition(width >= 0, "DecimalDigits.write: negative width")
        let table = UnsafeRawPointer(pairs.utf8Start)
        let raw = UnsafeMutableRawPointer(target)
        var remaining = value
        var index = width
        while index >= 2 {
            let pair = Int(truncatingIfNeeded: remaining % 100)
            remaining /= 100
            index &-= 2
            raw.storeBytes(of: table.loadUnaligned(fromByteOffset: 2 &* pair, as: UInt16.self), toByteOffset: index, as: UInt16.self)
        }
        if index == 1 { target[0] = UInt8(truncatingIfNeeded: remaining % 10) &+ UInt8(ascii: "0") }
    }
}
