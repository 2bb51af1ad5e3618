import DebtflowCore

/// The rows the bulk-import API skips (CONTRACT.md §3): empty rows and instruction rows.
///
/// Works on the record's top-level scalar cells, in bytes; only cells at least as long as
/// "champs obligatoires" are scanned for it.
public enum SkipRules {
    /// Whether no cell of the record holds anything but whitespace.
    public static func isEmptyRow(_ record: RecordView) -> Bool {
        skipReason(record, lookingForInstructions: false) == .emptyRow
    }

    /// Whether the record is an instruction row: its first non-empty cell starts with `*`, or a
    /// cell contains "champs obligatoires" (any case, any accents, any run of spaces between).
    /// (An empty row is not one.)
    public static func isInstructionRow(_ record: RecordView) -> Bool {
        skipReason(record, lookingForInstructions: true) == .instructionRow
    }

    /// Why the rules skip the record: `.emptyRow` (``isEmptyRow(_:)``), else `.instructionRow`
    /// (``isInstructionRow(_:)``, only when `lookingForInstructions`), else `nil`.
    ///
    /// Two walks over the record's top-level cells on the tape. The first stops at the first
    /// cell with content (usually the first cell): it settles an empty row, and whether the row
    /// starts with `*`. Only when looking for instructions does the second go on from there,
    /// looking at nothing but each cell's kind and length: only texts at least as long as the
    /// phrase can hold it (folding never lengthens a text), and of those only the ones with a
    /// `ch` in any case are folded and searched (most rows have two or three cells that long and
    /// no phrase). Cells before the first with content are blank and hold no phrase.
    public static func skipReason(_ record: RecordView, lookingForInstructions: Bool) -> SkipReason? {
        let root = record.node
        guard root.kind == .object || root.kind == .array else { return .emptyRow }
        let tape = record.tape
        return tape.nodes.withUnsafeBufferPointer { nodes in
            tape.bytes.withUnsafeBufferPointer { bytes -> SkipReason? in
                let end = Int(root.end)
                guard let first = firstContent(of: nodes, from: record.index + 1, to: end, tape: tape, bytes: bytes) else {
                    return .emptyRow
                }
                // Not looking for instructions: the first content settles it.
                guard lookingForInstructions else { return nil }
                if first.startsWithStar { return .instructionRow }
                var position = first.position
                while position < end {
                    let cell = nodes[position]
                    if cell.value.length >= phraseLength && (cell.kind == .string || cell.kind == .number) {
                        let text = UnsafeBufferPointer(rebasing: bytes[Int(cell.value.offset)..<cell.value.end])
                        if holdsCh(text) && holdsSpaceOrNonASCII(text) && containsRequiredFieldsNote(text) { return .instructionRow }
                    }
                    position = Int(cell.end)
                }
                return nil
            }
        }
    }

    /// Where the first walk of ``skipReason(_:lookingForInstructions:)`` stopped: the first cell
    /// with a non-blank text, a boolean or content in it (`position`, the cell a `*` must start;
    /// `end` when only numbers with a blank text were met, which count as content but start
    /// nothing), and whether its text starts with `*`.
    private struct FirstContent {
        var position: Int
        var startsWithStar: Bool
    }

    /// The first walk: `nil` when no cell in `start..<end` holds anything (an empty row).
    private static func firstContent(of nodes: UnsafeBufferPointer<RecordNode>, from start: Int, to end: Int,
                                     tape: RecordTape, bytes: UnsafeBufferPointer<UInt8>) -> FirstContent? {
        var foundContent = false
        var position = start
        while position < end {
            let cell = nodes[position]
            switch cell.kind {
            case .string, .number:
                if cell.kind == .number { foundContent = true }
                guard cell.value.length > 0 else { break }
                let text = UnsafeBufferPointer(rebasing: bytes[Int(cell.value.offset)..<cell.value.end])
                if let byte = firstContentByte(text) {
                    return FirstContent(position: position, startsWithStar: byte == UInt8(ascii: "*"))
                }
            case .true, .false:
                return FirstContent(position: position, startsWithStar: false)
            case .null:
                break
            case .array, .object:
                if hasContent(cell, at: position, of: tape, bytes: bytes) {
                    return FirstContent(position: position, startsWithStar: false)
                }
            }
            position = Int(cell.end)
        }
        return foundContent ? FirstContent(position: end, startsWithStar: false) : nil
    }

    /// ``isEmptyRow(_:)`` of a tree built in memory (tests).
    public static func isEmptyRow(_ record: RecordObject) -> Bool { isEmptyRow(RecordView(record)) }

    /// ``isInstructionRow(_:)`` of a tree built in memory (tests).
    public static func isInstructionRow(_ record: RecordObject) -> Bool { isInstructionRow(RecordView(record)) }

    /// Whether a cell holds anything but whitespace (an array or object: in one of its members).
    private static func hasContent(_ cell: RecordNode, at index: Int, of tape: RecordTape, bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch cell.kind {
        case .null: return false
        case .true, .false, .number: return true
        case .string: return firstContentByte(UnsafeBufferPointer(rebasing: bytes[Int(cell.value.offset)..<cell.value.end])) != nil
        case .array, .object:
            return RecordView(tape: tape, index: index).containsChild { child, childIndex, bytes in
                hasContent(child, at: childIndex, of: tape, bytes: bytes)
            }
        }
    }

    /// The first byte of `text` past its white space, as the rules read a field blank (any
    /// Unicode white space: a narrow no-break space, an em space), so that a row of such cells is
    /// an empty row, not one failing `required`; `nil` for a blank text. ASCII spaces and no-break
    /// spaces are passed over byte by byte (``firstNonSpaceByte(_:)``); only a text that goes on
    /// with another non-ASCII byte is trimmed as Unicode.
    private static func firstContentByte(_ text: UnsafeBufferPointer<UInt8>) -> UInt8? {
        guard let byte = firstNonSpaceByte(text) else { return nil }
        guard byte >= 0x80 else { return byte }
        let kept = TextTrimming.trimmedRange(text)
        return kept.isEmpty ? nil : text[kept.lowerBound]
    }

    /// The first byte that is not ASCII whitespace or a no-break space, else `nil`.
    private static func firstNonSpaceByte(_ text: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var previousWasC2 = false
        for byte in text {
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

    /// The phrase an instruction row holds, folded.
    private static var pattern: StaticString { "champs obligatoires" }

    /// How many bytes the phrase has: a text shorter than that cannot hold it.
    private static var phraseLength: Int { pattern.utf8CodeUnitCount }

    /// A cheap first look: whether the bytes hold `ch` in any case (no phrase without it).
    ///
    /// Eight positions at a time: the word at `index` marks its `c`s, the word one byte further
    /// marks its `h`s, and a lane marked in both is a `ch` starting there.
    private static func holdsCh(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = text.count
        guard let base = text.baseAddress else { return false }
        let raw = UnsafeRawPointer(base)
        // Setting 0x20 in every byte makes `C` a `c` and `H` an `h`, and no other byte either.
        let lowercase = ByteWord.broadcast(0x20)
        var index = 0
        // Nine bytes, not eight: the second word reads one byte further (a `c` in the last lane
        // is paired with the byte after it), and that byte must still be the text's.
        func pairs(at index: Int) -> Bool {
            let word = ByteWord.load(raw, at: index)
            let next = ByteWord.load(raw, at: index + 1)
            return ByteWord.bytes(equalTo: UInt8(ascii: "c"), in: word | lowercase)
                & ByteWord.bytes(equalTo: UInt8(ascii: "h"), in: next | lowercase) != 0
        }
        while index + 9 <= count {
            if pairs(at: index) { return true }
            index += 8
        }
        // The last few pairs: one more step ending at the text's end, overlapping pairs already
        // looked at (a text of nine bytes or more), else one byte at a time.
        if index < count - 1 && count >= 9 { return pairs(at: count - 9) }
        var previousWasC = false
        while index < count {
            let lower = text[index] | 0x20
            if previousWasC && lower == UInt8(ascii: "h") { return true }
            previousWasC = lower == UInt8(ascii: "c")
            index += 1
        }
        return false
    }

    /// A second cheap look, for a text with a `ch`: whether it has a byte that may fold to the
    /// phrase's space (an ASCII space, tab, line feed or carriage return, or any non-ASCII
    /// byte). An ASCII text without one (an e-mail address, say) cannot hold the phrase.
    private static func holdsSpaceOrNonASCII(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in text where byte <= 0x20 || byte >= 0x80 { return true }
        return false
    }

    /// Folds `text` (lowercase, accents off, runs of spaces to one) and looks for the pattern.
    /// The folded text (never longer than the UTF-8 bytes) is built in a temporary buffer.
    private static func containsRequiredFieldsNote(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: text.count) { folded in
            var count = 0
            var lastWasSpace = false
            var index = 0
            // Scalar by scalar (ill-formed bytes read as U+FFFD, folded to `?` as before: how many
            // of them there are changes no match), an ASCII byte without a decoder's state.
            while index < text.count {
                let (value, length) = UTF8Decoding.scalar(at: index, in: text)
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
            return pattern.withUTF8Buffer { pattern in
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
