import DebtflowCore
@testable import DebtflowRead
import Foundation
import Testing

/// Old Mac files end their lines with CR alone: XML reads it as a line end, and so must the
/// line numbers of records and errors.
@Suite("XML lone carriage returns")
struct XMLLoneCarriageReturnTests {
    /// `text` fed in pieces cut at `cuts`, through the normalizer, as the parser receives it.
    private func normalized(_ text: [UInt8], cuts: [Int]) -> [UInt8] {
        var normalizer = XMLLoneCarriageReturns()
        var output: [UInt8] = []
        var bytes = text
        var start = 0
        for end in cuts + [bytes.count] where end >= start {
            bytes.withUnsafeMutableBytes { all in
                let piece = UnsafeMutableRawBufferPointer(rebasing: all[start..<end])
                let ready = normalizer.normalize(piece)
                if let held = ready.heldBefore { output.append(held) }
                output += piece[ready.range]
            }
            start = end
        }
        if let held = normalizer.finish() { output.append(held) }
        return output
    }

    @Test("a lone CR becomes an LF and CRLF stays, wherever the pieces are cut; nothing else changes, no byte is added or lost")
    func wherever() {
        let text = Array("a\rb\r\nc\r\r\nd\r".utf8)
        let expected = Array("a\nb\r\nc\n\r\nd\n".utf8)
        #expect(normalized(text, cuts: []) == expected)
        for cut in 0...text.count {
            #expect(normalized(text, cuts: [cut]) == expected, "cut at \(cut)")
        }
        #expect(normalized(text, cuts: Array(1..<text.count)) == expected)
        #expect(normalized(Array("no line end".utf8), cuts: [3]) == Array("no line end".utf8))
    }

    @Test("applies to ASCII-compatible encodings only: not UTF-16 or UTF-32 (with or without a byte-order mark), not EBCDIC")
    func encodings() {
        #expect(XMLLoneCarriageReturns.appliesTo(firstBytes: Array("<?xm".utf8)))
        #expect(XMLLoneCarriageReturns.appliesTo(firstBytes: [0xEF, 0xBB, 0xBF, 0x3C]))
        #expect(!XMLLoneCarriageReturns.appliesTo(firstBytes: [0xFF, 0xFE, 0x3C, 0x00]))
        #expect(!XMLLoneCarriageReturns.appliesTo(firstBytes: [0xFE, 0xFF, 0x00, 0x3C]))
        #expect(!XMLLoneCarriageReturns.appliesTo(firstBytes: [0x3C, 0x00, 0x3F, 0x00]))
        #expect(!XMLLoneCarriageReturns.appliesTo(firstBytes: [0x00, 0x00, 0x00, 0x3C]))
        #expect(!XMLLoneCarriageReturns.appliesTo(firstBytes: [0x4C, 0x6F, 0xA7, 0x94]))
    }

    @Test("a file whose lines end in CR gives the same records, record lines and error lines as with LF, however it is read")
    func sameAsLineFeeds() throws {
        let lf = XMLRecordReaderTests.export
        let cr = lf.replacingOccurrences(of: "\n", with: "\r")
        let expected = try JSONXMLFixtures.xmlRecords(lf, record: "debtor")
        for readSize in [1, 2, 3, 7, 64, 65536] {
            let records = try JSONXMLFixtures.xmlRecords(cr, record: "debtor", maxReadSize: readSize)
            #expect(records.map(\.provenance.line) == [3, 5], "read size \(readSize)")
            #expect(records.map(\.fields) == expected.map(\.fields), "read size \(readSize)")
        }
        let malformed = "<export>\r  <debtor><nom>A</nom></debtor>\r  <debtor><nom>B</prenom></debtor>\r</export>\r"
        let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.xmlRecords(malformed, record: "debtor") }
        #expect(error?.location?.line == 3)
    }

    @Test("a CR among the first four bytes, which the parser is created with, ends a line too (<r>\\r<rec>), and a CRLF cut after them stays one line end",
          arguments: [1, 2, 3, 65536])
    func carriageReturnInTheFirstBytes(readSize: Int) throws {
        let lf = "<r>\n<rec><nom>A</nom></rec>\n<rec><nom>B</nom></rec>\n</r>\n"
        for text in [lf.replacingOccurrences(of: "\n", with: "\r"), lf.replacingOccurrences(of: "\n", with: "\r\n"), lf] {
            let records = try JSONXMLFixtures.xmlRecords(text, record: "rec", maxReadSize: readSize)
            #expect(records.map(\.provenance.line) == [2, 3], "\(text.debugDescription), read size \(readSize)")
        }
        let threeByteRoot = "<a>\r\n<rec><nom>A</nom></rec>\r<rec><nom>B</nom></rec>\r</a>"
        let records = try JSONXMLFixtures.xmlRecords(threeByteRoot, record: "rec", maxReadSize: readSize)
        #expect(records.map(\.provenance.line) == [2, 3], "read size \(readSize)")
    }

    @Test("a byte-order mark then a line end (CR, CR LF, LF, two CRs) before the root: read, with the lines counted", arguments: [1, 2, 3, 65536])
    func byteOrderMarkThenLineEnd(readSize: Int) throws {
        for lineEnd in ["\r", "\r\n", "\n", "\r\r"] {
            let text = "\u{FEFF}" + lineEnd + "<r><rec><nom>A</nom></rec>" + lineEnd + "<rec><nom>B</nom></rec></r>"
            let records = try JSONXMLFixtures.xmlRecords(text, record: "rec", maxReadSize: readSize)
            let first = lineEnd == "\r\r" ? 3 : 2
            #expect(records.map(\.provenance.line) == [first, first + (lineEnd == "\r\r" ? 2 : 1)],
                    "\(lineEnd.debugDescription), read size \(readSize)")
        }
    }
}
