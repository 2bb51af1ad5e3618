import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads CSV records from a byte source, a chunk at a time (CONTRACT.md §2 `read` with
/// `format: csv`, §3).
///
/// Behaviour:
/// - RFC 4180 read leniently: quoted delimiters, doubled quotes and quoted line breaks (kept as
///   they are stored); CRLF, LF and CR line ends; a UTF-8 byte order mark is skipped.
/// - `delimiter: auto` picks the most frequent of `,` `;` tab `|` outside quotes on the first line.
/// - With `header: true` the first non-blank line names the keys (an empty name becomes
///   `column_N`, a repeated one `name_2`); without a header the keys are `"1"`, `"2"`, ….
/// - Every value is a `.string`, decoded field by field (``TextEncodingChoice``).
/// - A row with the wrong number of fields becomes a record whose ``Record/problem`` is
///   `malformed_row` ("expected N fields, found M"); its fields are kept (extra ones as
///   `column_N`) and the run goes on.
/// - A blank line (empty, or only spaces and tabs) becomes a record with every key mapped to `""`
///   so the validate stage can skip it as `empty_row`; a final line break does not make one.
/// - Provenance: `record` is the 1-based data row (blank and malformed rows counted, the header
///   not), `line` the physical line where the row starts (the header is line 1).
/// - Errors that stop the run (kind `.input`): an unclosed quote at the end of the input (naming
///   the line where the field started), a field longer than `maxFieldBytes`, a row longer than
///   the row limit, and the source's own errors (I/O, truncated gzip).
///
/// Buffering: one buffer of 256 KiB that grows only for a longer row; each record's strings are
/// made once from its bytes.
public final class CSVRecordReader: RecordSource {
    private let source: any ByteSource
    private let options: CSVReaderOptions
    private let chunkSize: Int
    private let byteBudget: Int
    private let scanner: CSVRowScanner
    private let decoder: TextDecoder
    private var keys: [String]?
    private var emptyRow: RecordObject?
    private var started = false
    private var finished = false
    private var recordNumber = 0

    /// - Parameters:
    ///   - source: the input bytes; the reader owns it from now on.
    ///   - options: delimiter, encoding, header and field size limit.
    ///   - chunkSize: how many records one chunk holds at most.
    ///   - byteBudget: how many bytes of rows one chunk holds at most (at least one row).
    public init(source: any ByteSource, options: CSVReaderOptions = CSVReaderOptions(),
                chunkSize: Int = Chunk<Record>.preferredSize, byteBudget: Int = Chunk<Record>.preferredByteBudget) {
        self.source = source
        self.options = options
        self.chunkSize = max(1, chunkSize)
        self.byteBudget = max(1, byteBudget)
        self.scanner = CSVRowScanner(source: source, maxFieldBytes: options.maxFieldBytes)
        self.decoder = TextDecoder(encoding: options.encoding)
    }

    public var name: String { source.name }
    public var totalBytes: Int64? { source.totalBytes }

    /// The keys of the records: the header's names (or column numbers), once the first row is read.
    public var columnKeys: [String]? { keys }

    public func nextChunk() async throws -> Chunk<Record>? {
        try readChunk()
    }

    /// The next chunk of up to `chunkSize` records and `byteBudget` bytes of rows, or `nil` at the end of the input; the
    /// synchronous form of ``nextChunk()``, with `inputBytesConsumed` set.
    /// - Throws: ``DebtflowError`` of kind `.input` (see the type's documentation).
    public func readChunk() throws -> Chunk<Record>? {
        if finished { return nil }
        if !started {
            started = true
            try start()
        }
        var records: [Record] = []
        records.reserveCapacity(min(chunkSize, 1024))
        var bytes = 0
        while records.count < chunkSize && bytes < byteBudget {
            guard try scanner.nextRow() else {
                finished = true
                break
            }
            bytes += scanner.rowByteCount
            records.append(makeRecord())
        }
        if records.isEmpty { return nil }
        return Chunk(records, inputBytesConsumed: source.bytesConsumed, textByteCount: bytes)
    }

    /// Skips the byte order mark, settles the delimiter and reads the header line.
    private func start() throws {
        try scanner.skipByteOrderMark()
        switch options.delimiter {
        case .auto: scanner.setDelimiter(CSVDelimiterDetection.detect(try scanner.firstLine()))
        case .byte(let byte): scanner.setDelimiter(byte)
        }
        guard options.header else { return }
        while try scanner.nextRow() {
            if scanner.rowIsBlank { continue }
            let names = (0..<scanner.fields.count).map { decoder.string(scanner.fieldBytes($0)) }
            setKeys(CSVHeader.keys(fromNames: names))
            return
        }
        finished = true
    }

    private func setKeys(_ keys: [String]) {
        self.keys = keys
        emptyRow = nil
    }

    /// The record of a blank line (every key mapped to `""`), made at the first blank line and
    /// shared by all of them: not made up front, since for a file of a million columns it is
    /// as large as a data row.
    private func blankRowFields(_ keys: [String]) -> RecordObject {
        if let emptyRow { return emptyRow }
        var empty = RecordObject()
        empty.entries.reserveCapacity(keys.count)
        for key in keys { empty.append(key, .string("")) }
        emptyRow = empty
        return empty
    }

    /// The text of one field's bytes. For `auto`, valid UTF-8 is checked without the generic
    /// (and per call slow) `String(validating:as:)`: the bytes are decoded with repair, and the
    /// result is the field's text only when it is exactly those bytes (repair changed nothing);
    /// otherwise the field is Windows-1252. Same result as ``TextDecoder``, a fraction of the cost.
    @inline(__always)
    private func fieldText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard decoder.encoding == .auto else { return decoder.string(bytes) }
        let text = String(decoding: bytes, as: UTF8.self)
        if Self.isASCII(bytes) || Self.sameBytes(text, bytes) { return text }
        return decoder.string(bytes)
    }

    @inline(__always)
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var combined: UInt8 = 0
        for byte in bytes { combined |= byte }
        return combined < 0x80
    }

    private static func sameBytes(_ text: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
        }
    }

    /// The current row as a record.
    private func makeRecord() -> Record {
        recordNumber += 1
        let provenance = Provenance(source: source.name, record: recordNumber, line: scanner.rowLine)
        let count = scanner.fields.count
        if keys == nil && !scanner.rowIsBlank { setKeys(CSVHeader.numberedKeys(count: count)) }
        guard let keys else {
            return Record(provenance: provenance, fields: RecordObject())
        }
        if scanner.rowIsBlank { return Record(provenance: provenance, fields: blankRowFields(keys)) }
        var fields = RecordObject()
        fields.entries.reserveCapacity(count)
        for index in 0..<count {
            let key = index < keys.count ? keys[index] : CSVHeader.columnKey(index)
            fields.append(key, .string(fieldText(scanner.fieldBytes(index))))
        }
        var problem: RecordError?
        if count != keys.count {
            problem = RecordError(field: nil, code: .malformedRow, message: "expected \(keys.count) fields, found \(count)")
        }
        return Record(provenance: provenance, fields: fields, problem: problem)
    }
}
