import DebtflowCore
@testable import DebtflowRead
import Foundation
import Testing

/// The attribute flood guard runs on the read-ahead thread (``XMLAttributeFloodInspector``): a
/// flooded start tag must still be refused before the reader (and so libxml2) gets the read that
/// completes it, at the same line, with the reads before it handed out first.
@Suite("XML attribute flood guard on the read-ahead thread")
struct XMLAttributeFloodInspectorTests {
    typealias ScriptedSource = ReadAheadByteSourceTests.ScriptedSource

    /// `records` small records, one per line, then a start tag with 10,001 attributes on the
    /// next line; where that tag starts, the offset just after its 10,001st `=`, and its line.
    static func floodedDocument(records: Int) -> (bytes: [UInt8], tagStart: Int, refusalEnd: Int, floodLine: Int) {
        var text = "<r>\n"
        for n in stride(from: 1, through: records, by: 1) { text += "<rec n=\"\(n)\"><v>value \(n)</v></rec>\n" }
        let tagStart = text.utf8.count
        text += "<rec " + (1...10_001).map { "a\($0)=\"1\"" }.joined(separator: " ") + "/></r>\n"
        let bytes = Array(text.utf8)
        var equals = 0
        var refusalEnd = tagStart
        while equals < 10_001 {
            if bytes[refusalEnd] == UInt8(ascii: "=") { equals += 1 }
            refusalEnd += 1
        }
        return (bytes, tagStart, refusalEnd, records + 2)
    }

    /// Takes everything `source` hands out until it throws or ends.
    static func drain(_ source: ReadAheadByteSource) -> (handed: [UInt8], error: DebtflowError?) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { buffer.deallocate() }
        var handed: [UInt8] = []
        let error = JSONXMLFixtures.inputError {
            while true {
                let count = try source.read(into: buffer)
                if count == 0 { break }
                handed += buffer[0..<count]
            }
        }
        return (handed, error)
    }

    @Test("a flooded start tag straddling two reads is refused in place of the read holding its 10,001st '=': the reads before it are handed out, none of that one",
          arguments: [4096, 65536, 131072])
    func floodAcrossReads(readSize: Int) throws {
        // The tag starts three quarters into the first read and its attributes run on through the
        // next (131072: exactly two reads); no read alone holds more than 10,000 of them, only the
        // state kept from one read to the next sees the flood.
        let (bytes, tagStart, refusalEnd, floodLine) = Self.floodedDocument(records: readSize * 3 / 4 / 40)
        let refusedRead = (refusalEnd - 1) / readSize
        #expect(tagStart / readSize == 0 && refusedRead >= 1, "the tag starts in an earlier read")
        if readSize == 131072 { #expect(refusedRead == 1) }
        let source = ReadAheadByteSource(ScriptedSource(bytes, maxReadSize: readSize, failsAtEnd: false), depth: 4,
                                         readSize: readSize, inspector: XMLAttributeFloodInspector(sourceName: "flood.xml"))
        let (handed, error) = Self.drain(source)
        #expect(handed.count == refusedRead * readSize)
        #expect(handed.elementsEqual(bytes[0..<(refusedRead * readSize)]))
        #expect(error?.kind == .input)
        #expect(error?.message == "an XML element carries more than 10000 attributes (an attribute flood); no export has that many on one element")
        #expect(error?.location?.file == "flood.xml")
        #expect(error?.location?.line == floodLine)
    }

    @Test("the refusal is not lost while the reader is slow: the reads before it come first, then the flood error")
    func floodWaitsForSlowReader() async throws {
        let (bytes, _, refusalEnd, floodLine) = Self.floodedDocument(records: 300)
        let readSize = 8192
        let refusedRead = (refusalEnd - 1) / readSize
        weak var weakSource: ScriptedSource?
        let source: ReadAheadByteSource
        do {
            let scripted = ScriptedSource(bytes, maxReadSize: readSize, failsAtEnd: false)
            weakSource = scripted
            source = ReadAheadByteSource(scripted, depth: refusedRead + 2, readSize: readSize,
                                         inspector: XMLAttributeFloodInspector(sourceName: "flood.xml"))
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
        defer { buffer.deallocate() }
        #expect(try source.read(into: buffer) == 10)
        // The thread refuses and ends (letting go of the source) before the reader takes more.
        try await ReadAheadByteSourceTests.waitUntilReleased { weakSource != nil }
        #expect(weakSource == nil)
        let (rest, error) = Self.drain(source)
        let handed = Array(buffer[0..<10]) + rest
        #expect(handed.count == refusedRead * readSize)
        #expect(handed.elementsEqual(bytes[0..<(refusedRead * readSize)]))
        #expect(error?.message.contains("more than 10000 attributes") == true)
        #expect(error?.location?.line == floodLine)
    }

    @Test("the records before a flood are read before its error, at the flood's line", arguments: [3, 4096, 65536])
    func recordsBeforeFlood(readSize: Int) throws {
        let records = readSize == 3 ? 40 : 3_000
        let chunkSize = 7
        let (bytes, _, refusalEnd, floodLine) = Self.floodedDocument(records: records)
        let reader = XMLRecordReader(source: MemoryByteSource(bytes, name: "flood.xml", maxReadSize: readSize),
                                     options: XMLReaderOptions(recordElement: "rec"), chunkSize: chunkSize)
        var numbers: [String] = []
        let error = JSONXMLFixtures.inputError {
            while let chunk = try reader.nextChunkSynchronously() {
                numbers += chunk.elements.map { $0.view["@n"]?.scalarText ?? "?" }
            }
        }
        #expect(error?.message.contains("more than 10000 attributes") == true, "\(String(describing: error))")
        #expect(error?.location?.file == "flood.xml")
        #expect(error?.location?.line == floodLine)
        // The records are handed out in chunks as before the guard moved: every chunk completed
        // from the reads before the refused one, in order. What is left (fewer than a chunk, and
        // a last record the parser may keep until it sees more bytes) goes with the error, as a
        // read error's does; none from the refused read or after.
        let refusedReadStart = (refusalEnd - 1) / readSize * readSize
        let text = String(decoding: bytes[0..<refusedReadStart], as: UTF8.self)
        let endedBefore = text.components(separatedBy: "</rec>").count - 1
        #expect(numbers == (0..<numbers.count).map { String($0 + 1) })
        #expect(numbers.count >= endedBefore - chunkSize && numbers.count <= endedBefore, "\(numbers.count) of \(endedBefore)")
        #expect(numbers.count > 0)
        // The same error again on the next call.
        #expect(JSONXMLFixtures.inputError { _ = try reader.nextChunkSynchronously() }?.location?.line == floodLine)
    }

    @Test("UTF-16 input is left to libxml2, even with its byte-order mark cut across one-byte reads; UTF-8 with the same tags is refused")
    func utf16NotScanned() throws {
        let tag = "<r><rec " + (1...10_001).map { "a\($0)=\"1\"" }.joined(separator: " ") + "/></r>"
        let utf16: [UInt8] = [0xFF, 0xFE] + tag.utf16.flatMap { unit -> [UInt8] in
            [UInt8(truncatingIfNeeded: unit), UInt8(truncatingIfNeeded: unit >> 8)]
        }
        let asUTF16 = ReadAheadByteSource(ScriptedSource(utf16, maxReadSize: 1, failsAtEnd: false), depth: 4, readSize: 1,
                                          inspector: XMLAttributeFloodInspector(sourceName: "flood.xml"))
        let (handed16, error16) = Self.drain(asUTF16)
        #expect(error16 == nil)
        #expect(handed16.count == utf16.count && handed16.elementsEqual(utf16))
        // The bytes without NULs or a byte-order mark: refused, reads of one byte or not.
        let utf8 = Array(tag.utf8)
        let asUTF8 = ReadAheadByteSource(ScriptedSource(utf8, maxReadSize: 1, failsAtEnd: false), depth: 4, readSize: 1,
                                         inspector: XMLAttributeFloodInspector(sourceName: "flood.xml"))
        #expect(Self.drain(asUTF8).error?.location?.line == 1)
    }

    @Test("without a flood the inspector passes every byte: a tag of 10,000 attributes and text full of '=' and quotes",
          arguments: [1, 5, 4096])
    func noFloodPassesEverything(readSize: Int) throws {
        let attributes = (1...10_000).map { "a\($0)='=\"'" }.joined(separator: "\n")
        let text = "<?xml version=\"1.0\"?>\n<r>a=b \"c\" = 'd'\n<!-- x=y -->\n<rec \(attributes)/>\n</r>\n"
        let bytes = Array(text.utf8)
        let source = ReadAheadByteSource(ScriptedSource(bytes, maxReadSize: readSize, failsAtEnd: false), depth: 4,
                                         readSize: 4096, inspector: XMLAttributeFloodInspector(sourceName: "ok.xml"))
        let (handed, error) = Self.drain(source)
        #expect(error == nil)
        #expect(handed.count == bytes.count && handed.elementsEqual(bytes))
    }
}
