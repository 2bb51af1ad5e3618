import DebtflowCore

/// The rows the bulk-import API skips (CONTRACT.md §3): empty rows and instruction rows.
///
/// Works on the record's top-level scalar cells, in bytes, where they are (no copy of a cell's
/// text); only cells at least as long as "champs obligatoires" are scanned for it.
public enum SkipRules {
    /// Whether no cell of the record holds anything but whitespace.
    public static func isEmptyRow(_ record: RecordObject) -> Bool {
        !record.entries.contains { hasContent($0.value) }
    }

    /// Whether the record is an instruction row: its first non-empty cell starts with `*`, or a
    /// cell contains "champs obligatoires" (any case, any accents, any run of spaces between).
    public static func isInstructionRow(_ record: RecordObject) -> Bool {
        var seenNonEmpty = false
        for entry in record.entries {
            switch entry.value {
            case .string(let text), .number(let text):
                if withBytes(of: text, { isInstructionCell(utf8: $0, afterNonEmptyCell: &seenNonEmpty) }) { return true }
            case .bool:
                seenNonEmpty = true  // `true` / `false`: not `*`, too short for the note
            case .null, .array, .object:
                if hasContent(entry.value) { seenNonEmpty = true }
            }
        }
        return false
    }

    /// One cell of a row, as UTF-8 bytes: whether it makes the row an instruction row (it is the
    /// first non-empty cell and starts with `*`, or it contains "champs obligatoires"). Sets
    /// `afterNonEmptyCell` once a non-empty cell was seen. Ill-formed UTF-8 is kept as U+FFFD.
    public static func isInstructionCell(utf8 bytes: UnsafeBufferPointer<UInt8>, afterNonEmptyCell: inout Bool) -> Bool {
        if !afterNonEmptyCell, let first = firstNonSpaceByte(bytes) {
            if first == UInt8(ascii: "*") { return true }
            afterNonEmptyCell = true
        }
        return bytes.count >= pattern.count && mayContainCh(bytes) && containsRequiredFieldsNote(bytes)
    }

    /// `body` over the UTF-8 bytes of `text`, where they are (a native string always has them).
    @inline(__always)
    private static func withBytes<Answer>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Answer) -> Answer {
        if let answer = text.utf8.withContiguousStorageIfAvailable(body) { return answer }
        var copy = text
        return copy.withUTF8(body)
    }

    private static func hasContent(_ value: RecordValue) -> Bool {
        switch value {
        case .null: return false
        case .bool, .number: return true
        case .string(let text): return withBytes(of: text) { firstNonSpaceByte($0) != nil }
        case .array(let elements): return elements.contains(where: hasContent)
        case .object(let object): return object.entries.contains { hasContent($0.value) }
        }
    }

    /// The first byte that is not ASCII whitespace or a no-break space, else `nil`.
    private static func firstNonSpaceByte(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var previousWasC2 = false
        for byte in bytes {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: continue
            case 0xC2:
                previousWasC2 = true
                continue
            case 0xA0 where previousWasC2:
                previousWasC2 = false
                continue
            default:
                return previousWasC2 ? 0xC2 : byte
            }
        }
        return previousWasC2 ? 0xC2 : nil
    }

    private static let pattern = Array("champs obligatoires".utf8)

    /// A cheap first look: whether the bytes hold `ch` in any case (no phrase without it).
    private static func mayContainCh(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var previousWasC = false
        for byte in bytes {
            let lower = byte | 0x20
            if previousWasC && lower == UInt8(ascii: "h") { return true }
            previousWasC = lower == UInt8(ascii: "c")
        }
        return false
    }

    /// Folds the text (lowercase, accents off, runs of spaces to one) and looks for the pattern.
    /// The folded text (never longer than the UTF-8 bytes) is built in a temporary buffer.
    private static func containsRequiredFieldsNote(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { folded in
            var count = 0
            var lastWasSpace = false
            var index = 0
            while index < bytes.count {
                let (value, length) = UTF8Decoding.scalar(at: index, in: bytes)
                index += length
                let byte = fold(value)
                if byte == 0 { continue }
                if byte == 0x20 {
                    if lastWasSpace { continue }
                    lastWasSpace = true
                } else {
                    lastWasSpace = false
                }
                folded[count] = byte
                count += 1
            }
            guard count >= pattern.count else { return false }
            for start in 0...(count - pattern.count) where folded[start] == pattern[0] {
                var matched = true
                for offset in 1..<pattern.count where folded[start + offset] != pattern[offset] {
                    matched = false
                    break
                }
                if matched { return true }
            }
            return false
        }
    }

    /// One scalar as a lowercase ASCII byte: accented Latin letters to their base letter, any
    /// space to ` `, anything else to `?`.
    private static func fold(_ value: UInt32) -> UInt8 {
        switch value {
        case 0x41...0x5A: return UInt8(value + 32)
        case 0x00...0x7F:
            return value == 0x09 || value == 0x0A || value == 0x0D ? 0x20 : UInt8(value)
        case 0xA0, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return 0x20
        case 0xC0...0xC5, 0xE0...0xE5: return UInt8(ascii: "a")
        case 0xC7, 0xE7: return UInt8(ascii: "c")
        case 0xC8...0xCB, 0xE8...0xEB: return UInt8(ascii: "e")
        case 0xCC...0xCF, 0xEC...0xEF: return UInt8(ascii: "i")
        case 0xD2...0xD6, 0xF2...0xF6: return UInt8(ascii: "o")
        case 0xD9...0xDC, 0xF9...0xFC: return UInt8(ascii: "u")
        case 0xD1, 0xF1: return UInt8(ascii: "n")
        case 0xDD, 0xFD, 0xFF: return UInt8(ascii: "y")
        case 0x0300...0x036F: return 0  // combining accent: dropped below
        default: return UInt8(ascii: "?")
        }
    }
}
