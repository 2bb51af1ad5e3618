/// Eight bytes read as one little-endian word, and the bit tricks that find bytes in it (SWAR,
/// "SIMD within a register"): the one home of the tricks every byte scan uses (the JSON escape
/// scan, the JSON reader's strings, the skip rules' look for `*` and `ch`, the XML attribute
/// guard).
///
/// Each finder returns a **mask**: the high bit (0x80) of each byte that matches, and no other
/// bit. The masks are exact: no carry crosses from one byte into the next, so a byte never
/// matches because of its neighbour, and ``firstMarked(_:)`` gives the first match's index.
public enum ByteWord {
    /// 0x01 in each byte.
    public static let ones: UInt64 = 0x0101_0101_0101_0101
    /// 0x80 in each byte: the bits a mask may hold.
    public static let highBits: UInt64 = 0x8080_8080_8080_8080
    /// 0x7F in each byte.
    public static let lowSevenBits: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// The eight bytes at `offset`, the first in the lowest bits (on any machine).
    @inlinable @inline(__always)
    public static func load(_ base: UnsafeRawPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// `byte` in each of a word's eight bytes.
    @inlinable @inline(__always)
    public static func broadcast(_ byte: UInt8) -> UInt64 { UInt64(byte) &* ones }

    /// The mask of the bytes of `word` that are zero.
    @inlinable @inline(__always)
    public static func zeroBytes(_ word: UInt64) -> UInt64 {
        // A byte's low seven bits plus 0x7F reach 0x80 unless they are all zero; or-ing the byte
        // itself in sets the high bit of every byte that had one. What is left clear is zero.
        ~(((word & lowSevenBits) &+ lowSevenBits) | word) & highBits
    }

    /// The mask of the bytes of `word` equal to `byte`.
    @inlinable @inline(__always)
    public static func bytes(equalTo byte: UInt8, in word: UInt64) -> UInt64 {
        zeroBytes(word ^ broadcast(byte))
    }

    /// The mask of the bytes of `word` below `limit` (1 ... 0x80); bytes of 0x80 and above never
    /// match.
    @inlinable @inline(__always)
    public static func bytes(below limit: UInt8, in word: UInt64) -> UInt64 {
        assert(limit >= 1 && limit <= 0x80, "ByteWord.bytes(below:): the limit must be 1 ... 0x80")
        // A byte's low seven bits plus (0x80 - limit) reach 0x80 exactly when they are at least
        // `limit` (and never pass 0xFF: no carry out of the byte).
        return ~(((word & lowSevenBits) &+ broadcast(0x80 &- limit)) | word) & highBits
    }

    /// The index (0 ... 7) of the first byte a non-zero `mask` marks.
    @inlinable @inline(__always)
    public static func firstMarked(_ mask: UInt64) -> Int { mask.trailingZeroBitCount &>> 3 }

    /// The bits of the first `count` (0 ... 7) bytes of a word.
    @inlinable @inline(__always)
    public static func firstBytes(_ count: Int) -> UInt64 {
        assert(count >= 0 && count < 8, "ByteWord.firstBytes: 0 ... 7 bytes")
        return (1 &<< UInt64(count &* 8)) &- 1
    }

    /// The first offset in `start..<end` of the bytes at `base` that holds `byte`, or `nil`:
    /// eight bytes at a time, the last few one by one.
    @inlinable @inline(__always)
    public static func firstIndex(of byte: UInt8, in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        let pattern = broadcast(byte)
        var index = start
        while index + 8 <= end {
            let found = zeroBytes(load(base, at: index) ^ pattern)
            if found != 0 { return index + firstMarked(found) }
            index += 8
        }
        while index < end {
            if base.load(fromByteOffset: index, as: UInt8.self) == byte { return index }
            index += 1
        }
        return nil
    }

    /// Whether the `count` bytes at `a` and at `b` are the same: eight bytes at a time (the last
    /// word overlapping the one before), 4 to 7 bytes as two overlapping four-byte words, fewer
    /// byte by byte. No byte outside the two runs is read. (A member name looked up by a preset:
    /// byte by byte, such compares cost Magicline about 1,400 instructions a debtor.)
    @inlinable
    public static func equal(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, count: Int) -> Bool {
        if count >= 8 {
            var offset = 0
            while offset &+ 8 < count {
                guard a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
                offset &+= 8
            }
            return a.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
                == b.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
        }
        if count >= 4 {
            return a.loadUnaligned(as: UInt32.self) == b.loadUnaligned(as: UInt32.self)
                && a.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
                == b.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
        }
        for offset in 0..<count
        where a.load(fromByteOffset: offset, as: UInt8.self) != b.load(fromByteOffset: offset, as: UInt8.self) {
            return false
        }
        return true
    }

    /// Copies `count` bytes from `source` to `target` (which do not overlap). A short run (most
    /// keys and values) costs less than a call to `memmove`: 8 to 16 bytes as two overlapping
    /// eight-byte words, 4 to 7 as two overlapping four-byte ones, 1 to 3 byte by byte; 17 bytes
    /// or more are left to `memmove`.
    @inlinable @inline(__always)
    public static func copy(_ count: Int, from source: UnsafeRawPointer, to target: UnsafeMutableRawPointer) {
        switch count {
        case 8...16:
            let head = source.loadUnaligned(as: UInt64.self)
            let tail = source.loadUnaligned(fromByteOffset: count &- 8, as: UInt64.self)
            target.storeBytes(of: head, as: UInt64.self)
            target.storeBytes(of: tail, toByteOffset: count &- 8, as: UInt64.self)
        case 4..<8:
            let head = source.loadUnaligned(as: UInt32.self)
            let tail = source.loadUnaligned(fromByteOffset: count &- 4, as: UInt32.self)
            target.storeBytes(of: head, as: UInt32.self)
            target.storeBytes(of: tail, toByteOffset: count &- 4, as: UInt32.self)
        case 1..<4:
            for index in 0..<count {
                target.storeBytes(of: source.load(fromByteOffset: index, as: UInt8.self), toByteOffset: index, as: UInt8.self)
            }
        case 0:
            break
        default:
            target.copyMemory(from: source, byteCount: count)
        }
    }
}
