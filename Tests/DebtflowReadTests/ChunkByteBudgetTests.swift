import DebtflowCore
@testable import DebtflowRead
import Testing

/// Readers cut a chunk at a byte budget as well as a record count (issue 8 item 12): a chunk of
/// a thousand records of many MiB would otherwise hold gigabytes.
@Suite("Chunk byte budget")
struct ChunkByteBudgetTests {
    /// Ten records of about 300 KB each, as CSV, NDJSON and XML.
    static let recordCount = 10
    static let filler = String(repeating: "x", count: 300_000)

    /// The chunks' record counts and text sizes, reading with a 1 MiB budget and room for 1,000 records.
    private func chunks(_ next: () throws -> Chunk<Record>?) throws -> [(records: Int, bytes: Int)] {
        var sizes: [(records: Int, bytes: Int)] = []
        while let chunk = try next() {
            if !chunk.isEmpty { sizes.append((chunk.count, chunk.textByteCount)) }
        }
        return sizes
    }

    private func expectBudgeted(_ sizes: [(records: Int, bytes: Int)], slack: Int = 0) {
        #expect(sizes.reduce(0) { $0 + $1.records } == Self.recordCount)
        #expect(sizes.count >= 3, "10 records of 300 KB need several 1 MiB chunks: \(sizes)")
        for size in sizes {
            #expect(size.records <= 4, "\(sizes)")
            #expect(size.bytes <= (1 << 20) + 300_100 + slack, "\(sizes)")
        }
    }

    @Test("CSV chunks stop at 1 MiB of rows")
    func csv() throws {
        let text = "id,blob\n" + (1...Self.recordCount).map { "\($0),\(Self.filler)\n" }.joined()
        let reader = CSVRecordReader(source: MemoryByteSource(text), chunkSize: 1000)
        expectBudgeted(try chunks { try reader.readChunk() })
    }

    @Test("JSON chunks stop at 1 MiB of records", arguments: ["", "result"])
    func json(recordsPath: String) throws {
        let lines = (1...Self.recordCount).map { #"{"id":\#($0),"blob":"\#(Self.filler)"}"# }
        let text = recordsPath.isEmpty ? lines.joined(separator: "\n") : #"{"result":["# + lines.joined(separator: ",") + "]}"
        let reader = JSONRecordReader(source: MemoryByteSource(text), options: JSONReaderOptions(recordsPath: recordsPath),
                                      chunkSize: 1000)
        expectBudgeted(try chunks { try reader.nextChunkSynchronously() })
    }

    @Test("XML chunks stop at about 1 MiB of records (parsed 64 KiB at a time)")
    func xml() throws {
        let text = "<r>" + (1...Self.recordCount).map { "<rec><id>\($0)</id><blob>\(Self.filler)</blob></rec>" }.joined() + "</r>"
        let reader = XMLRecordReader(source: MemoryByteSource(text), options: XMLReaderOptions(recordElement: "rec"),
                                     chunkSize: 1000)
        expectBudgeted(try chunks { try reader.nextChunkSynchronously() }, slack: 64 << 10)
    }

    @Test("one record longer than the budget is a chunk of its own")
    func oversizeRecord() throws {
        let text = "a\n" + String(repeating: "y", count: 900_000) + "\n" + String(repeating: "z", count: 900_000) + "\nw\n"
        let reader = CSVRecordReader(source: MemoryByteSource(text), options: CSVReaderOptions(maxFieldBytes: 1 << 20),
                                     chunkSize: 1000, byteBudget: 500_000)
        #expect(try chunks { try reader.readChunk() }.map(\.records) == [1, 1, 1])
    }
}

@Suite("CSV header keys")
struct CSVHeaderKeysTests {
    @Test("a header repeating one name a hundred thousand times gets unique keys in linear time",
          .timeLimit(.minutes(1)))
    func repeatedName() {
        let keys = CSVHeader.keys(fromNames: Array(repeating: "a", count: 100_000))
        #expect(keys.first == "a")
        #expect(keys[1] == "a_2")
        #expect(keys.last == "a_100000")
        #expect(Set(keys).count == keys.count)
    }

    @Test("a suffix already taken by a real column is skipped")
    func takenSuffix() {
        #expect(CSVHeader.keys(fromNames: ["a", "a_2", "a", "a"]) == ["a", "a_2", "a_3", "a_4"])
    }
}

@Suite("JSON record size limit")
struct JSONRecordSizeLimitTests {
    @Test("a record whose last member carries it past the limit is an input error naming the record")
    func lastMemberPastLimit() throws {
        let text = #"{"a":1}"# + "\n" + #"{"a":"# + "\"" + String(repeating: "x", count: 900) + "\"," + #""b":""# + String(repeating: "y", count: 900) + "\"}\n"
        let reader = JSONRecordReader(source: MemoryByteSource(text),
                                      options: JSONReaderOptions(maxTokenBytes: 1000, maxRecordBytes: 1000))
        do {
            _ = try reader.nextChunkSynchronously()
            Issue.record("expected the record size error")
        } catch let error as DebtflowError {
            #expect(error.message.contains("the JSON record size limit"), "\(error)")
            #expect(error.location?.record == 2)
        }
    }
}
