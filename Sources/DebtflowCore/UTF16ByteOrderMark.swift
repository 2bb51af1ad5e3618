/// A UTF-16 byte-order mark at the start of an input: CSV and JSON readers refuse such input by
/// name (CSV: Excel's "Unicode text" export; JSON must be UTF-8 by RFC 8259).
public enum UTF16ByteOrderMark: Sendable {
    case littleEndian
    case bigEndian

    /// The mark the first two bytes make, or `nil` when they are not one.
    public init?(_ first: UInt8, _ second: UInt8) {
        switch (first, second) {
        case (0xFF, 0xFE): self = .littleEndian
        case (0xFE, 0xFF): self = .bigEndian
        default: return nil
        }
    }

    /// `little-endian FF FE`, `big-endian FE FF`.
    public var description: String {
        self == .littleEndian ? "little-endian FF FE" : "big-endian FE FF"
    }
}
