import DebtflowCore
@testable import DebtflowRead
import Foundation
import Testing

/// The CSV reader builds one ``RecordTape`` per chunk (issue 10, "a chunk owns its bytes"): these
/// cases are its bounds, read as specifications.
@Suite("CSV reader: one tape per chunk")
struct CSVTapeTests {
    /// Every chunk of `text`, read synchronously.
    private func chunks(_ text: [UInt8], options: CSVReaderOptions = CSVReaderOptions(), chunkSize: Int = 1024,
                        byteBudget: Int = Chunk<Record>.preferredByteBudget) throws -> [Chunk<Record>] {
        let reader = CSVRecordReader(source: MemoryByteSource(text, name: "t.csv", maxReadSize: 4096), options: options,
                                     chunkSize: chunkSize, byteBudget: byteBudget)
        var result: [Chunk<Record>] = []
        while let chunk = try reader.readChunk() { result.append(chunk) }
        return result
    }

    private func chunks(_ text: String, options: CSVReaderOptions = CSVReaderOptions(), chunkSize: Int = 1024,
                        byteBudget: Int = Chunk<Record>.preferredByteBudget) throws -> [Chunk<Record>] {
        try chunks(Array(text.utf8), options: options, chunkSize: chunkSize, byteBudget: byteBudget)
    }

    /// A record's values as texts, read from its view.
    private func texts(_ record: Record) -> [String] { record.view.children.map { $0.scalarText ?? "<none>" } }

    /// The JSON the NDJSON sink writes for a record (from the tape).
    private func json(_ record: Record) -> String {
        var writer = JSONByteWriter()
        writer.value(record.view)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test("a row with exactly the header's fields is marked with the header's shape; a short, a long and a blank row are not")
    func headerShapeMark() throws {
        let read = try chunks("name,amount\nDupont,12.50\nMartin\nDurand,7,extra\n\nBernard,1\n")
        let records = read.flatMap(\.elements)
        #expect(records.count == 5)
        #expect(records.map(\.view.node.shapeMark) == [CSVRecordReader.headerShape, 0, 0, 0, CSVRecordReader.headerShape])
        #expect(CSVRecordReader.headerShape != 0)
        // Members and every node below a root are never marked.
        #expect(records[0].view.children.allSatisfy { $0.node.shapeMark == 0 })

        // Without a header (numbered keys), after a leading blank line, and across chunks of
        // two rows: only the full rows are marked, in every chunk.
        let numbered = try chunks("\nDupont,12.50\nMartin\nDurand,7\nBernard,1,x\nPetit,2\n",
                                  options: CSVReaderOptions(header: false), chunkSize: 2)
        #expect(numbered.count > 1)
        let rows = numbered.flatMap(\.elements)
        let mark = CSVRecordReader.headerShape
        #expect(rows.map(\.view.node.shapeMark) == [0, mark, 0, mark, 0, mark])
    }

    @Test("rows with fields to decode among rows kept as stored: the same texts, flags and JSON, however many a chunk has")
    func rowsToDecodeAmongRowsAsStored() throws {
        // Each kind of row the as-stored path gives up (a doubled quote, a Windows-1252 byte in
        // an `auto` file, a quoted field with text after its closing quote) between rows it keeps
        // (ASCII, UTF-8, simple quoted fields): more of them in one chunk than the reader tries
        // before decoding the rest of the chunk, so both of its paths meet rows of each kind.
        var bytes = Array("name,city,note\n".utf8)
        var expected: [[String]] = []
        for index in 0..<(3 * CSVRecordReader.decodedRowsBeforeDecodingAll) {
            switch index % 4 {
            case 0:
                bytes += Array("Dupont\(index),\"Paris, 1er\",\"a \"\"b\"\" c\"\n".utf8)
                expected.append(["Dupont\(index)", "Paris, 1er", "a \"b\" c"])
            case 1:
                bytes += Array("Ren".utf8) + [0xE9] + Array("\(index),Lyon,\"x\"y\n".utf8)
                expected.append(["René\(index)", "Lyon", "xy"])
            case 2:
                bytes += Array("Zoë\(index),Köln,\"tab\there\"\n".utf8)
                expected.append(["Zoë\(index)", "Köln", "tab\there"])
            default:
                bytes += Array("Martin\(index),Nice,plain\n".utf8)
                expected.append(["Martin\(index)", "Nice", "plain"])
            }
        }
        for chunkSize in [1, 5, 1024] {
            let records = try chunks(bytes, chunkSize: chunkSize).flatMap(\.elements)
            #expect(records.map(texts) == expected, "chunks of \(chunkSize)")
            for (record, values) in zip(records, expected) {
                #expect(record.view.node.shapeMark == CSVRecordReader.headerShape)
                for (child, value) in zip(record.view.children, values) {
                    let utf8 = Array(value.utf8)
                    #expect(child.node.flags.intersection([.valueIsNonASCII, .valueNeedsEscaping])
                                == utf8.withUnsafeBufferPointer { RecordNode.Flags.of($0) })
                }
                var writer = JSONByteWriter()
                writer.object(RecordObject(entries: zip(["name", "city", "note"], values).map { RecordObject.Entry(key: $0, value: .string($1)) }))
                #expect(json(record) == String(decoding: writer.bytes, as: UTF8.self))
            }
        }
    }

    @Test("the records of a chunk share one tape, and the keys belong to the header: every row's key spans are the same bytes")
    func keysBelongToTheHeader() throws {
        let read = try chunks("name,amount\nDupont,12.50\nMartin,3\nDurand,7\n")
        #expect(read.count == 1)
        let records = read[0].elements
        #expect(records.count == 3)
        let tape = records[0].view.tape
        #expect(records.allSatisfy { $0.view.tape === tape })
        let keySpans = records.map { record in record.view.children.map(\.node.key) }
        #expect(keySpans[1] == keySpans[0] && keySpans[2] == keySpans[0])
        // The header's names are in the arena once: "name" and "amount", then each row's bytes
        // (its values and the delimiters between them, copied at once).
        #expect(tape.string(keySpans[0][0]) == "name" && tape.string(keySpans[0][1]) == "amount")
        #expect(tape.bytes.count == "nameamount".utf8.count + "Dupont,12.50Martin,3Durand,7".utf8.count)
        #expect(texts(records[2]) == ["Durand", "7"])
        // What the chunk holds: the arena and the node table (3 rows of an object and 2 fields).
        #expect(read[0].textByteCount == tape.bytes.count + 9 * MemoryLayout<RecordNode>.stride)
    }

    @Test("a field of exactly max_field_bytes is read whole; one byte more is an input error naming its column")
    func fieldAtTheLimit() throws {
        let limit = 1000
        let options = CSVReaderOptions(maxFieldBytes: limit)
        let atLimit = String(repeating: "x", count: limit)
        let records = try chunks("a,b\n1,\(atLimit)\n", options: options).flatMap(\.elements)
        #expect(records.count == 1)
        #expect(records[0].view["b"]?.node.value.length == UInt32(limit))
        #expect(texts(records[0]) == ["1", atLimit])
        do {
            _ = try chunks("a,b\n1,\(atLimit)x\n", options: options)
            Issue.record("expected the field size error")
        } catch let error as DebtflowError {
            #expect(error.kind == .input)
            #expect(error.message.contains("column 2"), "\(error.message)")
        }
    }

    @Test("wide and narrow rows one after the other: the field buffer grows once and every row reads its own fields")
    func wideThenNarrowRows() throws {
        let header = (0..<150).map { "c\($0)" }.joined(separator: ",")
        let wide = (0..<150).map { "v\($0)" }.joined(separator: ",")
        let quoted = (0..<150).map { "\"q \($0), \"\"x\"\"\"" }.joined(separator: ",")
        let text = [header, wide, "a,b,c", quoted, wide].joined(separator: "\n") + "\n"
        let records = try chunks(text).flatMap(\.elements)
        #expect(records.count == 4)
        #expect(texts(records[0]) == (0..<150).map { "v\($0)" })
        #expect(records[0].problem == nil)
        #expect(texts(records[1]) == ["a", "b", "c"])
        #expect(records[1].problem?.code == .malformedRow)
        #expect(texts(records[2]) == (0..<150).map { "q \($0), \"x\"" })
        #expect(texts(records[3]) == texts(records[0]))
    }

    @Test("a row of 100,000 columns is one record of 100,000 string nodes after its object node")
    func manyColumns() throws {
        let columns = 100_000
        let header = (1...columns).map { "c\($0)" }.joined(separator: ",")
        let row = (1...columns).map { String($0 % 10) }.joined(separator: ",")
        let records = try chunks(header + "\n" + row + "\n" + row + "\n").flatMap(\.elements)
        #expect(records.count == 2)
        for record in records {
            #expect(record.problem == nil)
            #expect(record.view.count == columns)
            #expect(Int(record.view.node.end) - record.view.index == columns + 1)
        }
        #expect(records[1].view["c99999"]?.scalarText == "9")
        #expect(records[1].view["c100000"]?.scalarText == "0")
    }

    @Test("Windows-1252 bytes are decoded to UTF-8 on the tape field by field (auto), and marked non-ASCII")
    func windows1252() throws {
        // "Céline" in Windows-1252 (E9), "Zoë" in UTF-8 (C3 AB), 80 is the euro sign in Windows-1252.
        let bytes: [UInt8] = Array("first,last,amount\n".utf8) + [0x43, 0xE9, 0x6C, 0x69, 0x6E, 0x65] + Array(",Zo".utf8)
            + [0xC3, 0xAB] + Array(",12 ".utf8) + [0x80] + Array("\n".utf8)
        let record = try #require(try chunks(bytes).first?.elements.first)
        #expect(texts(record) == ["Céline", "Zoë", "12 €"])
        #expect(record.view.children.allSatisfy { $0.node.flags.contains(.valueIsNonASCII) })
        #expect(json(record) == #"{"first":"Céline","last":"Zoë","amount":"12 €"}"#)
        // Read as windows-1252, the UTF-8 bytes of "ë" are two characters; read as utf-8, the
        // Windows-1252 byte is U+FFFD.
        let cp1252 = try #require(try chunks(bytes, options: CSVReaderOptions(encoding: .windows1252)).first?.elements.first)
        #expect(texts(cp1252)[1] == "ZoÃ«")
        let utf8 = try #require(try chunks(bytes, options: CSVReaderOptions(encoding: .utf8)).first?.elements.first)
        #expect(texts(utf8)[0] == "C\u{FFFD}line")
    }

    @Test("every field's tape flags are what a look at its stored text finds (the scan's own for ASCII fields), whatever the delimiter, encoding and read size",
          arguments: [",", ";", "\t"])
    func fieldFlagsFromTheScan(delimiter: String) throws {
        let fields: [[UInt8]] = [
            Array("plain".utf8), Array("tab\there".utf8), Array("back\\slash".utf8), Array("say \"hi\" inside".utf8),
            [0x61, 0x01, 0x62], [0x61, 0x7F, 0x62], Array("Céline".utf8), [0x43, 0xE9, 0x6C], Array("\"quoted, \"\"twice\"\"\"".utf8),
            Array("\"simple\"".utf8), [], Array("a long ASCII field of more than eight bytes, twice over".utf8),
        ].map { field in field.filter { $0 != Array(delimiter.utf8)[0] } }  // a delimiter would split the field
        let separator = Array(delimiter.utf8)
        var bytes = Array((0..<fields.count).map { "c\($0)" }.joined(separator: delimiter).utf8) + [0x0A]
        for _ in 0..<3 {
            for (index, field) in fields.enumerated() {
                if index > 0 { bytes += separator }
                bytes += field
            }
            bytes += [0x0A]
        }
        for encoding in TextEncodingChoice.allCases {
            for readSize in readSizes {
                let reader = CSVRecordReader(source: MemoryByteSource(bytes, name: "t.csv", maxReadSize: readSize),
                                             options: CSVReaderOptions(delimiter: .byte(separator[0]), encoding: encoding),
                                             chunkSize: 1024)
                var checked = 0
                while let chunk = try reader.readChunk() {
                    for record in chunk.elements {
                        for child in record.view.children {
                            let stored = Array((child.scalarText ?? "").utf8)
                            let expected = stored.withUnsafeBufferPointer { UTF8Validation.tapeFlags(of: $0) }
                            #expect(child.node.flags.intersection([.valueIsNonASCII, .valueNeedsEscaping]) == expected,
                                    "field \(stored) read as \(encoding) in reads of \(readSize)")
                            checked += 1
                        }
                    }
                }
                #expect(checked > 0)
            }
        }
    }

    @Test("a full row is copied to the arena once: its text fields are spans of that copy, one delimiter apart")
    func fullRowOneCopy() throws {
        let chunk = try #require(try chunks("a,b,c,d\nxx,\"yyy\",,Zoë\n").first)
        let record = try #require(chunk.elements.first)
        #expect(texts(record) == ["xx", "yyy", "", "Zoë"])
        let spans = record.view.children.map(\.node.value)
        // x x , " y y y " , , Z o ë: each field where it lies in the row's one copy.
        #expect(spans.map(\.length) == [2, 3, 0, 4])
        #expect(spans[1].offset == spans[0].offset + 4)
        #expect(spans[2].offset == spans[1].offset + 5)
        #expect(spans[3].offset == spans[2].offset + 1)
        // The arena holds the header's keys and the row's bytes, nothing more (the chunk's
        // measure adds its 5 nodes).
        #expect(chunk.elements[0].view.tape.bytes.count == "abcd".utf8.count + "xx,\"yyy\",,Zoë".utf8.count)
        #expect(chunk.textByteCount == chunk.elements[0].view.tape.bytes.count + 5 * MemoryLayout<RecordNode>.stride)
    }

    @Test("in a full row, a field that needs decoding is decoded after the row's copy, and every field reads as its text in every encoding",
          arguments: readSizes)
    func fullRowDecodedFields(readSize: Int) throws {
        // 1 plain, 2 simple quoted, 3 quoted with doubled quotes and the delimiter, 4 UTF-8 "Zoë",
        // 5 Windows-1252 "Céline" (E9), 6 empty, 7 a quoted field last.
        let row: [UInt8] = Array("plain,\"simple\",\"say \"\"hi\"\", ok\",Zo".utf8) + [0xC3, 0xAB] + Array(",C".utf8) + [0xE9]
            + Array("line,,\"last\"".utf8)
        let bytes = Array("c1,c2,c3,c4,c5,c6,c7\n".utf8) + row + [0x0A] + row
        let expected: [TextEncodingChoice: [String]] = [
            .auto: ["plain", "simple", "say \"hi\", ok", "Zoë", "Céline", "", "last"],
            .utf8: ["plain", "simple", "say \"hi\", ok", "Zoë", "C\u{FFFD}line", "", "last"],
            .windows1252: ["plain", "simple", "say \"hi\", ok", "ZoÃ«", "Céline", "", "last"],
        ]
        for (encoding, fields) in expected {
            let reader = CSVRecordReader(source: MemoryByteSource(bytes, name: "t.csv", maxReadSize: readSize),
                                         options: CSVReaderOptions(encoding: encoding), chunkSize: 1024)
            var records: [Record] = []
            while let chunk = try reader.readChunk() { records += chunk.elements }
            #expect(records.count == 2)
            for record in records {
                #expect(texts(record) == fields, "read as \(encoding) in reads of \(readSize)")
                #expect(record.view.node.shapeMark == CSVRecordReader.headerShape, "a full row keeps the header's shape mark")
            }
        }
    }

    @Test("a quoted field with doubled quotes and line breaks is unquoted once into the arena and flagged for escaping")
    func quotedField() throws {
        let record = try #require(try chunks("id,note\n1,\"say \"\"hi\"\"\r\nnext\"\n").first?.elements.first)
        let note = try #require(record.view["note"])
        #expect(note.scalarText == "say \"hi\"\r\nnext")
        #expect(note.node.flags.contains(.valueNeedsEscaping))
        #expect(!(record.view["id"]?.node.flags.contains(.valueNeedsEscaping) ?? true))
        #expect(json(record) == #"{"id":"1","note":"say \"hi\"\r\nnext"}"#)
    }

    @Test("a 1-byte chunk budget makes one chunk per row, each a tape of its own with the header keys")
    func oneByteBudget() throws {
        let read = try chunks("a,b\n1,2\n\n3,4\n5\n", byteBudget: 1)
        #expect(read.map(\.count) == [1, 1, 1, 1])
        let records = read.flatMap(\.elements)
        #expect(records.map(texts) == [["1", "2"], ["", ""], ["3", "4"], ["5"]])
        #expect(records.map { $0.view.children.map(\.key) } == [["a", "b"], ["a", "b"], ["a", "b"], ["a"]])
        #expect(records[3].problem?.code == .malformedRow)
        #expect(Set(records.map { ObjectIdentifier($0.view.tape) }).count == 4)
    }

    @Test("the header's keys copied into a chunk do not count against its byte budget: a wide header still packs many rows")
    func wideHeaderDoesNotFillTheBudget() throws {
        // 40 columns with 100-byte names: 4,000 bytes of keys per chunk, rows of 80 bytes.
        let names = (0..<40).map { String(repeating: "k", count: 97) + String(format: "%03d", $0) }
        let row = Array(repeating: "x", count: 40).joined(separator: ",")
        let text = names.joined(separator: ",") + "\n" + Array(repeating: row, count: 30).joined(separator: "\n") + "\n"
        let read = try chunks(text, byteBudget: 1_000)
        // A row is 80 bytes of input (40 one-byte fields, 39 commas, a line break): 13 rows reach
        // 1,000 bytes, so the 30 rows take three chunks, not thirty.
        #expect(read.map(\.count) == [13, 13, 4])
        // What a chunk holds in memory counts the keys too (the in-flight budget's measure).
        #expect(read.allSatisfy { $0.textByteCount == $0.elements[0].view.tape.bytes.count + $0.count * 41 * MemoryLayout<RecordNode>.stride })
        #expect(read.flatMap(\.elements).allSatisfy { $0.view.children.map(\.key) == names })
    }

    @Test("a row longer than the header keeps its extra fields under column_N keys")
    func extraFields() throws {
        let record = try #require(try chunks("a,b\n1,2,3\n").first?.elements.first)
        #expect(record.view.children.map(\.key) == ["a", "b", "column_3"])
        #expect(record.problem?.message == "expected 2 fields, found 3")
    }

    @Test("an extra field's column_N key never repeats a header key: the header's own column_3 keeps it, the extra one is column_3_2")
    func extraFieldKeysUnique() throws {
        let records = try chunks("column_2,,column_4,column_5_2\n1,2,3,4,5,6\n1,2,3,4,5,6,7\n").flatMap(\.elements)
        #expect(records[0].view.children.map(\.key) == ["column_2", "column_2_2", "column_4", "column_5_2", "column_5", "column_6"])
        #expect(records[1].view.children.map(\.key) == ["column_2", "column_2_2", "column_4", "column_5_2", "column_5", "column_6", "column_7"])
        let clash = try #require(try chunks("a,column_3\n1,2,3\n").first?.elements.first)
        #expect(clash.view.children.map(\.key) == ["a", "column_3", "column_3_2"])
    }

    @Test("a header name with a quote or a control character is flagged, once, for escaping")
    func escapedKeys() throws {
        let record = try #require(try chunks("\"say \"\"x\"\"\",b\n1,2\n").first?.elements.first)
        #expect(record.view.children.map { $0.node.flags.contains(.keyNeedsEscaping) } == [true, false])
        #expect(json(record) == #"{"say \"x\"":"1","b":"2"}"#)
    }
}

@Suite("UTF-8 validation")
struct UTF8ValidationTests {
    @Test("agrees with String(validating:) on edge sequences and on random bytes")
    func agreesWithTheStandardLibrary() {
        var cases: [[UInt8]] = [
            [], [0x41], [0xC2, 0xA9], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x9F, 0x80], [0xE0, 0xA0, 0x80],
            [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE2, 0x82],
            [0x80], [0xFF], [0xE2, 0x82, 0xAC, 0x41],
        ]
        var seed: UInt64 = 42
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<(Int(seed % 6) + 1) {
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                // Mostly high bytes, where the rules are.
                bytes.append(UInt8(truncatingIfNeeded: seed >> 33) | (seed & 1 == 0 ? 0x80 : 0))
            }
            cases.append(bytes)
        }
        for bytes in cases {
            let expected = String(validating: bytes, as: UTF8.self) != nil
            bytes.withUnsafeBufferPointer { buffer in
                #expect(UTF8Validation.isValid(buffer) == expected, "\(bytes)")
            }
        }
    }
}
