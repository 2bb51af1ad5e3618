import DebtflowCore
import DebtflowRead
import Foundation

/// Shared helpers for the JSON and XML reader tests.
enum JSONXMLFixtures {
    /// The folder of this test target's fixtures.
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(relativePath)))
    }

    /// The JSON the NDJSON sink writes for a record on a tape.
    static func json(_ view: RecordView) -> String {
        var writer = JSONByteWriter()
        writer.value(view)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Every record of a JSON input, read through `MemoryByteSource` with `maxReadSize`.
    static func jsonRecords(_ bytes: [UInt8], options: JSONReaderOptions = JSONReaderOptions(),
                            maxReadSize: Int = 65536, chunkSize: Int = 1024) throws -> [Record] {
        let reader = JSONRecordReader(source: MemoryByteSource(bytes, name: "input.json", maxReadSize: maxReadSize),
                                      options: options, chunkSize: chunkSize)
        var records: [Record] = []
        while let chunk = try reader.nextChunkSynchronously() { records += chunk.elements }
        return records
    }

    static func jsonRecords(_ text: String, options: JSONReaderOptions = JSONReaderOptions(),
                            maxReadSize: Int = 65536) throws -> [Record] {
        try jsonRecords(Array(text.utf8), options: options, maxReadSize: maxReadSize)
    }

    /// Every record of an XML input, read through `MemoryByteSource` with `maxReadSize`.
    static func xmlRecords(_ bytes: [UInt8], record: String, maxReadSize: Int = 65536,
                           chunkSize: Int = 1024) throws -> [Record] {
        let reader = XMLRecordReader(source: MemoryByteSource(bytes, name: "input.xml", maxReadSize: maxReadSize),
                                     options: XMLReaderOptions(recordElement: record), chunkSize: chunkSize)
        var records: [Record] = []
        while let chunk = try reader.nextChunkSynchronously() { records += chunk.elements }
        return records
    }

    static func xmlRecords(_ text: String, record: String, maxReadSize: Int = 65536) throws -> [Record] {
        try xmlRecords(Array(text.utf8), record: record, maxReadSize: maxReadSize)
    }

    /// The input error thrown by `body`, or `nil` (the test then fails on its expectations).
    static func inputError(_ body: () throws -> Void) -> DebtflowError? {
        do {
            try body()
            return nil
        } catch let error as DebtflowError {
            return error
        } catch {
            return DebtflowError(.usage, "unexpected error type: \(error)")
        }
    }
}
