import DebtflowCore

/// Where a string read in place stops: the first byte of a word that is `"`, `\` or a control
/// byte (below 0x20), found with fewer operations than the exact ``JSONEscapeScan/escapeMask(_:)``.
///
/// The three tests take two subtractions and share one `& ~word`: a byte is below `n` when
/// subtracting `n` from it borrows and its high bit is clear. `"` and the control bytes are the
/// bytes whose xor with 0x02 is below 0x21 (`"` becomes 0x20, a byte below 0x20 stays below it,
/// and no other byte lands below 0x21), and `\` is the byte whose xor with itself is below 1. The
/// subtractions run across the whole word, so a byte that matches lends its borrow to the byte
/// after it, which may then be marked too: only the **lowest** mark is exact (a borrow only
/// starts at a byte that matches: no byte below the first match borrows, and a byte of 0x80 or
/// more never matches nor borrows). The tokenizer uses only that mark, and whether any is set.
enum JSONStringStop {
    /// A mask (0x80 of marked bytes) whose lowest marked byte is the first `"`, `\` or control
    /// byte of `word` (bytes in memory order, as ``ByteWord/load(_:at:)`` reads them); zero when
    /// `word` holds none. Marks above the lowest may be false.
    @inline(__always)
    static func mask(_ word: UInt64) -> UInt64 {
        // One test for `"` and the control bytes, one xor and one subtraction fewer (per word
        // of every string read in place) than testing them apart.
        let quoteOrControl = (word ^ ByteWord.broadcast(0x02)) &- ByteWord.broadcast(0x21)
        let backslash = (word ^ ByteWord.broadcast(UInt8(ascii: "\\"))) &- ByteWord.ones
        return (quoteOrControl | backslash) & ~word & ByteWord.highBits
    }

    /// ``mask(_:)`` of two words at once (sixteen bytes in memory order: `words[0]` first), in
    /// the vector registers: the same operations on both lanes, one instruction each.
    @inline(__always)
    static func mask(_ words: SIMD2<UInt64>) -> SIMD2<UInt64> {
        let quoteOrControl = (words ^ SIMD2(repeating: ByteWord.broadcast(0x02))) &- SIMD2(repeating: ByteWord.broadcast(0x21))
        let backslash = (words ^ SIMD2(repeating: ByteWord.broadcast(UInt8(ascii: "\\")))) &- SIMD2(repeating: ByteWord.ones)
        return (quoteOrControl | backslash) & ~words & SIMD2(repeating: ByteWord.highBits)
    }
}
