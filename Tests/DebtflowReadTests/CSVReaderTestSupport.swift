import DebtflowCore
import DebtflowRead
import Testing

/// The read-buffer sizes every CSV case is checked with (DESIGN.md §5).
let readSizes = [1, 7, 4096, 65536]

/// Reads every record of `bytes` with the source handing out at most `readSize` bytes at a time.
func readCSV(_ bytes: [UInt8], readSize: Int = 65536, options: CSVReaderOptions = CSVReaderOptions(),
             chunkSize: Int = 3, name: String = "test.csv") async throws -> [Record] {
    let reader = CSVRecordReader(source: MemoryByteSource(bytes, name: name, maxReadSize: readSize),
                                 options: options, chunkSize: chunkSize)
    var records: [Record] = []
    while let chunk = try await reader.nextChunk() {
        #expect(chunk.count <= chunkSize)
        records.append(contentsOf: chunk.elements)
    }
    return records
}

func readCSV(_ text: String, readSize: Int = 65536, options: CSVReaderOptions = CSVReaderOptions(),
             chunkSize: Int = 3) async throws -> [Record] {
    try await readCSV(Array(text.utf8), readSize: readSize, options: options, chunkSize: chunkSize)
}

/// A record's fields as `[key, value]` pairs in order, values as text.
func pairs(_ record: Record) -> [[String]] {
    record.fields.entries.map { [$0.key, $0.value.scalarText ?? "<not a string>"] }
}

/// Every record's values, in order.
func values(_ records: [Record]) -> [[String]] {
    records.map { record in record.fields.entries.map { $0.value.scalarText ?? "<not a string>" } }
}

/// The input error a read throws, or `nil` when it does not throw one.
func inputError(_ body: () async throws -> Void) async -> DebtflowError? {
    do {
        try await body()
        return nil
    } catch let error as DebtflowError {
        return error.kind == .input ? error : nil
    } catch {
        return nil
    }
}
