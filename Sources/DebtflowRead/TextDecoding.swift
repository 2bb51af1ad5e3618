import DebtflowCore

/// How the bytes of a text field are turned into a `String`.
public enum TextEncodingChoice: String, Sendable, Equatable, CaseIterable {
    /// Each field is read as UTF-8 when it is valid UTF-8, else as Windows-1252 (so a file that
    /// mixes both, as spreadsheet exports do, still comes out right field by field).
    case auto
    /// UTF-8; invalid bytes become U+FFFD.
    case utf8 = "utf-8"
    /// Windows-1252 (the Western European Windows code page; a superset of printable Latin-1).
    case windows1252 = "windows-1252"

    /// Reads the config's `encoding` value: `auto`, `utf-8`/`utf8`, `windows-1252`/`cp1252`/
    /// `latin-1`/`iso-8859-1` (read as Windows-1252, its superset); any case. `nil` for others.
    public init?(configValue: String) {
        switch configValue.lowercased() {
        case "auto": self = .auto
        case "utf-8", "utf8": self = .utf8
        case "windows-1252", "cp1252", "windows1252", "latin-1", "latin1", "iso-8859-1": self = .windows1252
        default: return nil
        }
    }
}

/// Turns field bytes into strings by a ``TextEncodingChoice``: one `String` per field, made once.
struct TextDecoder {
    let encoding: TextEncodingChoice

    /// The text of `bytes`.
    @inline(__always)
    func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch encoding {
        case .auto:
            if let text = String(validating: bytes, as: UTF8.self) { return text }
            return Windows1252.string(bytes)
        case .utf8:
            return String(decoding: bytes, as: UTF8.self)
        case .windows1252:
            return Windows1252.string(bytes)
        }
    }
}

extension TextDecoder {
    /// The tape flags of `bytes` when they are their own text under this encoding (well-formed
    /// UTF-8, read as `auto` or `utf-8`), so they may be kept where they lie; `nil` when they must
    /// be decoded (``appendField(_:knownASCIIFlags:to:)`` does).
    @inline(__always)
    func flagsOfTextAsStored(_ bytes: UnsafeBufferPointer<UInt8>) -> RecordNode.Flags? {
        encoding == .windows1252 ? nil : UTF8Validation.tapeFlags(of: bytes)
    }

    /// Appends one field's text to a chunk's tape arena, decoded by the encoding choice, and
    /// returns where it is with its escaping and non-ASCII flags: one pass to look at the bytes
    /// (``DebtflowCore/UTF8Validation/tapeFlags(of:)`` or ``DebtflowCore/RecordNode/Flags/of(_:)``),
    /// one copy. ASCII and valid UTF-8 are copied as they are; Windows-1252 is decoded to UTF-8
    /// straight into the arena; only invalid UTF-8 read as `utf-8` (replaced by U+FFFD) goes
    /// through a `String`. Same text as ``string(_:)``.
    ///
    /// `knownASCIIFlags`: the flags of a field its reader already found all ASCII (the same text
    /// in every encoding): it is copied without looking at its bytes again.
    @inline(__always)
    func appendField(_ bytes: UnsafeBufferPointer<UInt8>, knownASCIIFlags: RecordNode.Flags? = nil,
                     to builder: inout RecordTapeBuilder) -> (span: ByteSpan, flags: RecordNode.Flags) {
        if let knownASCIIFlags { return (builder.appendBytes(bytes), knownASCIIFlags) }
        switch encoding {
        case .auto, .utf8:
            // One pass finds the flags and checks the UTF-8 (ASCII is valid UTF-8).
            if let flags = flagsOfTextAsStored(bytes) { return (builder.appendBytes(bytes), flags) }
            if encoding == .utf8 {
                var repaired = String(decoding: bytes, as: UTF8.self)
                return repaired.withUTF8 { utf8 in (builder.appendBytes(utf8), RecordNode.Flags.of(utf8)) }
            }
        case .windows1252:
            break
        }
        let flags = RecordNode.Flags.of(bytes)
        if !flags.contains(.valueIsNonASCII) { return (builder.appendBytes(bytes), flags) }
        // Bytes below 0x80 stay as they are and every byte above decodes to a scalar ≥ U+0080, so
        // the flags found on the input bytes hold for the decoded text.
        let span = builder.appendBytes(upTo: bytes.count * 3) { Windows1252.decode(bytes, into: $0) }
        return (span, flags)
    }
}

/// The Windows-1252 code page.
enum Windows1252 {
    /// Unicode scalars of bytes 0x80–0x9F (0xA0–0xFF are the same as their code points). The five
    /// bytes Windows leaves undefined (81 8D 8F 90 9D) map to the C1 controls, as WHATWG does.
    static let high: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, // 80–87: € ‚ ƒ „ … † ‡
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F, // 88–8F: ˆ ‰ Š ‹ Œ   Ž
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, // 90–97:   ' ' " " • – —
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178, // 98–9F: ˜ ™ š › œ   ž Ÿ
    ]

    /// The Unicode scalar value of one byte.
    @inline(__always)
    static func scalar(_ byte: UInt8) -> UInt32 {
        (0x80...0x9F).contains(byte) ? high[Int(byte) - 0x80] : UInt32(byte)
    }

    /// Decodes `bytes`, writing UTF-8 directly into the new string's storage.
    static func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 3) { decode(bytes, into: $0) }
    }

    /// Decodes `bytes` as UTF-8 into `output` (room for three bytes per input byte); returns how
    /// many bytes it wrote.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = 0
        for byte in bytes {
            let value = scalar(byte)
            if value < 0x80 {
                output[count] = UInt8(value)
                count += 1
            } else if value < 0x800 {
                output[count] = UInt8(0xC0 | (value >> 6))
                output[count + 1] = UInt8(0x80 | (value & 0x3F))
                count += 2
            } else {
                output[count] = UInt8(0xE0 | (value >> 12))
                output[count + 1] = UInt8(0x80 | ((value >> 6) & 0x3F))
                output[count + 2] = UInt8(0x80 | (value & 0x3F))
                count += 3
            }
        }
        return count
    }
}
