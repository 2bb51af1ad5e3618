#if canImport(Glibc)
import Glibc
#endif

/// Makes each lone carriage return of an XML input (a CR not followed by an LF: old Mac line
/// ends) a line feed, in place, before libxml2 reads it.
///
/// XML reads CR, CRLF and LF alike as one line end (XML 1.0 §2.11), and so does libxml2 for the
/// text it hands on, but it counts lines by LF alone: a file whose lines end in CR was all line 1
/// in every error and record position. Making a lone CR an LF changes no value read (it is the
/// same line end) and no byte offset (one byte for one byte); CRLF is left as it is.
///
/// The input comes in pieces: a CR that ends one is held back until the next piece (or the end)
/// says whether an LF follows it. Used only for encodings where byte 0x0D is a CR wherever it
/// appears (``appliesTo(firstBytes:)``).
struct XMLLoneCarriageReturns {
    private static let carriageReturn: UInt8 = 0x0D
    private static let lineFeed: UInt8 = 0x0A

    /// A CR ended the last piece and was not handed on yet.
    private var holdingCarriageReturn = false

    /// Whether a document that begins with `firstBytes` is in an encoding where every 0x0D byte
    /// is a CR and every 0x0A an LF: not UTF-16 or UTF-32 (a byte-order mark, or a 0 byte among
    /// the first four), not EBCDIC (`<?xm` as `4C 6F A7 94`).
    static func appliesTo(firstBytes: [UInt8]) -> Bool {
        if firstBytes.starts(with: [0xFE, 0xFF]) || firstBytes.starts(with: [0xFF, 0xFE]) { return false }
        if firstBytes.prefix(4).contains(0) { return false }
        return !firstBytes.starts(with: [0x4C, 0x6F, 0xA7, 0x94])
    }

    /// One piece made ready for the parser: `heldBefore` (a CR held back from the piece before,
    /// now an LF or still a CR) goes first, then the bytes of `bytes` in `range`; a CR that ends
    /// `bytes` is left out of `range` and held for the next piece.
    struct Piece {
        var heldBefore: UInt8?
        var range: Range<Int>
    }

    /// Changes each lone CR of `bytes` to an LF, in place.
    mutating func normalize(_ bytes: UnsafeMutableRawBufferPointer) -> Piece {
        var heldBefore: UInt8?
        if holdingCarriageReturn {
            heldBefore = bytes.first == Self.lineFeed ? Self.carriageReturn : Self.lineFeed
            holdingCarriageReturn = false
        }
        var end = bytes.count
        var index = 0
        // `memchr`: most inputs hold no CR at all, and a byte loop cost W3 8% more instructions.
        while index < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + index, Int32(Self.carriageReturn), bytes.count - index) {
            let position = base.distance(to: found)
            if position == bytes.count - 1 {
                holdingCarriageReturn = true
                end = position
                break
            }
            if bytes[position + 1] != Self.lineFeed { bytes[position] = Self.lineFeed }
            index = position + 1
        }
        return Piece(heldBefore: heldBefore, range: 0..<end)
    }

    /// At the end of the input: the CR still held back, now a line end (an LF), if any.
    mutating func finish() -> UInt8? {
        defer { holdingCarriageReturn = false }
        return holdingCarriageReturn ? Self.lineFeed : nil
    }
}
