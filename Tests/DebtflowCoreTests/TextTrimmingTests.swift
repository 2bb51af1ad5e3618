import DebtflowCore
import Testing

@Suite("Trimming UTF-8 bytes of white space (the White_Space property)")
struct TextTrimmingTests {
    private func trimmed(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { Array($0[TextTrimming.trimmedRange($0)]) }
    }

    @Test("empty bytes, and bytes of white space only, trim to nothing")
    func blank() {
        #expect(trimmed([]) == [])
        #expect(trimmed([0x20]) == [])
        #expect(trimmed(Array(" \t\u{A0}\u{3000}\u{2028}\r\n".utf8)) == [])
        #expect(TextTrimming.nonBlank(" \u{202F} ") == nil)
    }

    @Test("one byte of text is kept; so is the text between Unicode spaces")
    func kept() {
        #expect(trimmed([0x41]) == [0x41])
        #expect(trimmed(Array("\u{A0} Jean Dupont\u{2009}\n".utf8)) == Array("Jean Dupont".utf8))
    }

    @Test("zero-width space and the byte-order mark are not White_Space: they stay")
    func notWhiteSpace() {
        #expect(trimmed(Array("\u{200B}a\u{FEFF}".utf8)) == Array("\u{200B}a\u{FEFF}".utf8))
    }

    @Test("ill-formed UTF-8 is never white space: it is kept, and the spaces around it go")
    func illFormed() {
        #expect(trimmed([0x20, 0xC3, 0x20]) == [0xC3])
        #expect(trimmed([0x20, 0x80, 0x80, 0x20]) == [0x80, 0x80])
    }

    @Test("nonBlank returns the very string when there is nothing to trim, and the same text as the scalar-by-scalar rule",
          arguments: ["Jean", " Jean ", "Élodie", "\u{A0}Zoë\u{3000}", "\u{85}x\u{85}"])
    func nonBlankAgreesWithScalarProperties(text: String) {
        let scalars = text.unicodeScalars
        let kept = scalars.drop { $0.properties.isWhitespace }.reversed().drop { $0.properties.isWhitespace }.reversed()
        #expect(TextTrimming.nonBlank(text) == String(String.UnicodeScalarView(kept)))
    }

    @Test("map's ASCII rule trims space, tab, CR and LF only; Unicode spaces stay", arguments: [
        ("", ""), (" ", ""), ("\t a b \r\n", "a b"), ("\u{A0}x\u{A0}", "\u{A0}x\u{A0}"), ("\u{3000}id", "\u{3000}id"), ("a", "a"),
    ])
    func asciiTrim(text: String, expected: String) {
        #expect(TextTrimming.asciiTrimmed(text) == expected)
        var copy = text
        let range = copy.withUTF8 { TextTrimming.asciiTrimmedRange($0) }
        #expect(Array(text.utf8)[range] == ArraySlice(expected.utf8))
    }

    @Test("a blank cell is empty or only ASCII spaces and no-break spaces; half a no-break space is not", arguments: [
        ("", true), (" \t\r\n", true), ("\u{A0} \u{A0}", true), ("\u{3000}", false), ("x", false), (" 0 ", false),
    ])
    func blankCells(text: String, blank: Bool) {
        #expect(TextTrimming.isBlank(text) == blank)
        #expect([UInt8](arrayLiteral: 0x20, 0xC2).withUnsafeBufferPointer { TextTrimming.isBlank($0) } == false)
    }

    @Test("blank or not whatever the first byte: every byte alone and before a space, and a no-break space's two bytes apart")
    func blankByFirstByte() {
        func blank(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBufferPointer { TextTrimming.isBlank($0) } }
        let spaces: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        for byte in UInt8.min...UInt8.max {
            #expect(blank([byte]) == spaces.contains(byte), "byte \(byte)")
            #expect(blank([byte, 0x20]) == spaces.contains(byte), "byte \(byte) before a space")
        }
        #expect(blank([0xC2, 0xA0, 0x20, 0xC2, 0xA0]))
        #expect(!blank([0xA0, 0xC2]))
        #expect(!blank([0xC2, 0xC2, 0xA0]))
    }
}


@Suite("UTF-8 validation with tape flags")
struct TapeFlagsTests {
    private func flags(_ bytes: [UInt8]) -> RecordNode.Flags? {
        bytes.withUnsafeBufferPointer { UTF8Validation.tapeFlags(of: $0) }
    }

    @Test("ASCII texts of every length up to 40 need escaping exactly when one byte does, wherever it is")
    func asciiRuns() {
        for length in 0...40 {
            let plain = [UInt8](repeating: UInt8(ascii: "a"), count: length)
            #expect(flags(plain) == [])
            for position in 0..<length {
                for special: UInt8 in [0x00, 0x1F, UInt8(ascii: "\""), UInt8(ascii: "\\")] {
                    var text = plain
                    text[position] = special
                    #expect(flags(text) == [.valueNeedsEscaping], "length \(length), byte \(special) at \(position)")
                }
                var text = plain
                text[position] = 0x20
                #expect(flags(text) == [])
            }
        }
    }

    @Test("a multi-byte sequence after an ASCII run is checked: well-formed is non-ASCII, ill-formed is nil")
    func afterARun() {
        let run = Array("0123456789abcdef".utf8)
        #expect(flags(run + Array("é".utf8)) == [.valueIsNonASCII])
        #expect(flags(run + Array("é\"".utf8)) == [.valueIsNonASCII, .valueNeedsEscaping])
        #expect(flags(run + [0xC3]) == nil)
        #expect(flags(run + [0xFF] + run) == nil)
        #expect(flags(Array("abcdefgh".utf8) + [0xED, 0xA0, 0x80]) == nil)
    }
}
