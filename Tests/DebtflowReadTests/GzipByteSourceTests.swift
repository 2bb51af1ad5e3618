import DebtflowCore
import DebtflowRead
import DebtflowTestSupport
import Foundation
import Testing

@Suite("Gzip inputs")
struct GzipByteSourceTests {
    @Test("a gzip CSV gives the same records as the plain file", arguments: [1, 7, 4096, 65536])
    func gzipCSVRecords(readSize: Int) async throws {
        func records(_ name: String) async throws -> [Record] {
            let reader = CSVRecordReader(source: try ByteSources.open(path: name, relativeTo: csvFixtures.path))
            var records: [Record] = []
            while let chunk = try await reader.nextChunk() { records += chunk.elements }
            return records
        }
        let plain = try await records("sample.csv")
        let fromGzip = try await records("sample.csv.gz")
        #expect(plain.count == 3)
        #expect(fromGzip.map(\.fields) == plain.map(\.fields))
        #expect(plain[0].fields.entries.map(\.key) == ["nom", "prénom", "montant", "téléphone"])
        #expect(plain[1].fields["prénom"] == .string("Anne; Marie"))
        #expect(plain[2].fields["montant"] == .string("5 \"cinq\""))
        #expect(fromGzip[0].provenance.source == "sample.csv.gz")
    }

    @Test("concatenated gzip members are read through")
    func multiMember() async throws {
        let reader = CSVRecordReader(source: try ByteSources.open(path: "multimember.csv.gz", relativeTo: csvFixtures.path))
        var rows: [[String]] = []
        while let chunk = try await reader.nextChunk() { rows += values(chunk.elements) }
        #expect(rows == [["1", "alpha"], ["2", "beta"], ["3", "gamma"], ["4", "delta"]])
    }

    @Test("a truncated gzip file stops the read with an input error naming the file and offset")
    func truncated() async throws {
        let size = try Data(contentsOf: csvFixtures.appendingPathComponent("truncated.csv.gz")).count
        let error = await inputError {
            let reader = CSVRecordReader(source: try ByteSources.open(path: "truncated.csv.gz", relativeTo: csvFixtures.path))
            while try await reader.nextChunk() != nil {}
        }
        #expect(error?.message.hasPrefix("truncated gzip stream") == true)
        #expect(error?.location?.file == "truncated.csv.gz")
        #expect(error?.location?.byteOffset == Int64(size))
        #expect(ExitCode.for(error!) == .input)
    }

    @Test("a Windows-1252 file reads with its accents and symbols")
    func windows1252File() async throws {
        let reader = CSVRecordReader(source: try ByteSources.open(path: "windows1252.csv", relativeTo: csvFixtures.path))
        let chunk = try #require(try await reader.nextChunk())
        #expect(values(chunk.elements) == [["Müller", "Saint-Étienne"], ["Cœur", "5 €"]])
    }

    @Test("a large gzip input crosses many buffers and keeps every row", .timeLimit(.minutes(1)))
    func largeInput() async throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var text = "id,name,phone\n"
        for row in 1...40_000 { text += "\(row),\"Nom, \(row)\",06\(row % 100_000_000)\n" }
        let plainURL = folder.appendingPathComponent("big.csv")
        try Data(text.utf8).write(to: plainURL)
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/gzip"), ["-n", "-1", plainURL.path])
        #expect(result.status == 0)
        let reader = CSVRecordReader(source: try ByteSources.open(path: "big.csv.gz", relativeTo: folder.path))
        var count = 0
        var last: Record?
        var progress: [Int64] = []
        while let chunk = try await reader.nextChunk() {
            count += chunk.count
            last = chunk.elements.last
            progress.append(chunk.inputBytesConsumed ?? -1)
        }
        #expect(count == 40_000)
        #expect(last?.fields["name"] == .string("Nom, 40000"))
        #expect(last?.provenance.line == 40_001)
        #expect(progress == progress.sorted() && progress.last == reader.totalBytes)
    }
}
