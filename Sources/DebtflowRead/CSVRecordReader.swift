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
/// Buffering: one buffer of 256 KiB that grows only for a longer row. Each chunk's records are
/// one ``RecordTape`` (issue 10, "a chunk owns its bytes"): the keys are copied into its arena
/// once and every row's field nodes point at them; each field's text is copied once into the
/// arena (unquoted, Windows-1252 decoded to UTF-8 on the way), with no `String` per field and no
/// array per record. The chunk's byte budget counts the arena's bytes.
public final class CSVRecordReader: RecordSource {
    private let source: any ByteSource
    /// The source's name, asked once (each record's provenance names it).
    private let sourceName: String
    /// The chunk being read's own copy of ``sourceName``, for its records' provenance
    /// (``DebtflowCore/Provenance/chunkOwnCopy(of:)``).
    private var chunkSourceName = ""
    private let options: CSVReaderOptions
    private let chunkSize: Int
    private let byteBudget: Int
    private let scanner: CSVRowScanner
    private let decoder: TextDecoder
    private var keys: CSVKeyTable?
    /// The header's keys as a set, made the first time a row is longer than the header.
    private var headerKeyNames: Set<String>?
    private var started = false
    private var finished = false
    private var recordNumber = 0
    /// The last chunk's arena and node table sizes, to reserve the next one's in one step.
    private var lastByteCount = 0
    private var lastNodeCount = 0
    /// How many rows of this chunk had a field to decode (``appendRowAsStored(to:keys:base:)``
    /// gave them up, and they were appended again by the decoding path). Past
    /// ``decodedRowsBeforeDecodingAll``, the chunk's next rows go straight to the decoding path (a
    /// Windows-1252 file read as `auto` would otherwise append most rows twice); with the
    /// Windows-1252 encoding, every row does.
    private var rowsDecodedInChunk = 0
    static let decodedRowsBeforeDecodingAll = 8

    /// - Parameters:
    ///   - source: the input bytes; the reader owns it from now on.
    ///   - options: delimiter, encoding, header and field size limit.
    ///   - chunkSize: how many records one chunk holds at most.
    ///   - byteBudget: how many bytes of record text (the chunk's tape arena) one chunk holds at
    ///     most (at least one row).
    public init(source: any ByteSource, options: CSVReaderOptions = CSVReaderOptions(),
                chunkSize: Int = Chunk<Record>.preferredSize, byteBudget: Int = Chunk<Record>.preferredByteBudget) {
        self.source = source
        self.sourceName = source.name
        self.options = options
        self.chunkSize = max(1, chunkSize)
        self.byteBudget = max(1, byteBudget)
        self.scanner = CSVRowScanner(source: source, maxFieldBytes: options.maxFieldBytes)
        self.decoder = TextDecoder(encoding: options.encoding)
    }

    public var name: String { source.name }
    public var totalBytes: Int64? { source.totalBytes }

    /// The keys of the records: the header's names (or column numbers), once the first row is read.
    public var columnKeys: [String]? { keys.map { table in (0..<table.count).map(table.key) } }

    public func nextChunk() async throws -> Chunk<Record>? {
        try readChunk()
    }

    /// The next chunk of up to `chunkSize` records and `byteBudget` bytes of tape arena, or `nil`
    /// at the end of the input; the synchronous form of ``nextChunk()``, with
    /// `inputBytesConsumed` set and `textByteCount` the arena's size.
    /// - Throws: ``DebtflowError`` of kind `.input` (see the type's documentation).
    public func readChunk() throws -> Chunk<Record>? {
        if finished { return nil }
        if !started {
            started = true
            try start()
        }
        chunkSourceName = Provenance.chunkOwnCopy(of: sourceName)
        rowsDecodedInChunk = decoder.encoding == .windows1252 ? Self.decodedRowsBeforeDecodingAll : 0
        var builder = RecordTapeBuilder(byteCapacity: lastByteCount + lastByteCount / 8,
                                        nodeCapacity: lastNodeCount + lastNodeCount / 8)
        var rows: [RecordRows.Row] = []
        rows.reserveCapacity(min(chunkSize, 1024))
        // The rows that could not be read properly (few or none), by their position in `rows`.
        var problems: [(row: Int, problem: RecordError)] = []
        var keyBase: UInt32?
        // The budget counts the rows' input bytes (as stored, line breaks included), not the
        // arena: the header's keys, copied into each chunk once, would otherwise fill it when the
        // header is wide, making every chunk one row that copies the whole header again.
        var rowBytes = 0
        // And its fields (``CSVReaderOptions/fieldsPerChunk``).
        var fields = 0
        // The keys, held here for the chunk and lent to each row in place: read from the
        // reader's property, they were copied per row (a retain and release of each of their
        // arrays). `self.keys` is behind until the chunk ends (the first row of a file
        // without a header sets them).
        var chunkKeys = keys
        defer { keys = chunkKeys }
        while rows.count < chunkSize && (rows.isEmpty || (rowBytes < byteBudget && fields < CSVReaderOptions.fieldsPerChunk)) {
            guard try scanner.nextRow() else {
                finished = true
                break
            }
            try scanner.checkFieldCount()
            rowBytes += scanner.rowByteCount
            fields += scanner.fieldCount
            var problem: RecordError?
            rows.append(appendRow(to: &builder, keys: &chunkKeys, keyBase: &keyBase, problem: &problem))
            if let problem { problems.append((rows.count - 1, problem)) }
        }
        if rows.isEmpty { return nil }
        lastByteCount = builder.byteCount
        lastNodeCount = builder.nodeCount
        let tape = builder.finish()
        // What the chunk holds in memory: its text and its node table (a field's node outweighs
        // its text when the fields are short), so that rows of many empty fields are not let in
        // by the dozen.
        let textByteCount = tape.bytes.count + tape.nodes.count * MemoryLayout<RecordNode>.stride
        // The records as one table (no `Record` per row: see ``DebtflowCore/RecordRows``).
        return Chunk(recordRows: RecordRows(tape: tape, source: chunkSourceName, rows: rows, problems: problems),
                     inputBytesConsumed: source.bytesConsumed, textByteCount: textByteCount)
    }

    /// Skips the byte order mark, settles the delimiter (an Excel `sep=X` first line names it,
    /// and is not a row) and reads the header line.
    /// - Throws: `.input` for UTF-16 text without a byte-order mark.
    private func start() throws {
        try scanner.skipByteOrderMark()
        var firstLine = try scanner.firstLine()
        if let order = CSVDelimiterDetection.utf16Order(of: firstLine) {
            throw DebtflowError.input(
                "the input looks like UTF-16 text without a byte-order mark (every other byte of its first line is 0), "
                    + "which the CSV reader does not read: save it as \"CSV UTF-8\" or convert it (iconv -f UTF-16\(order) -t UTF-8)",
                location: .init(file: source.name, line: 1, byteOffset: 0))
        }
        let directive = CSVDelimiterDetection.excelSeparator(in: firstLine)
        switch options.delimiter {
        case .auto:
            // A first line without any delimiter may be a title above the header: only then are
            // the lines after it looked at (reading up to 64 KiB ahead, which a slow stream
            // would make the run wait for).
            if directive == nil, CSVDelimiterDetection.counts(firstLine).allSatisfy({ $0 == 0 }) {
                let following: UnsafeBufferPointer<UInt8>
                // (Reading ahead may move the buffer: the first line is taken again from it.)
                (firstLine, following) = try scanner.firstLineAndFollowing()
                if let below = CSVDelimiterDetection.delimiterBelowTitle(firstLine: firstLine, following: following) {
                    let name = below.delimiter == CSVBytes.tab ? "tab" : "\"\(Character(UnicodeScalar(below.delimiter)))\""
                    let line = scanner.lineNumber(of: firstLine)
                    throw DebtflowError.input(
                        "the first line has no delimiter, but the lines after it are separated by \(name) "
                            + "(\(below.perRow) in each): is line \(line) a title above the header? Remove the lines up to it "
                            + "(for example with tail -n +\(line + 1)), or set \"delimiter\" to read the file as it is",
                        location: .init(file: source.name, line: line))
                }
            }
            scanner.setDelimiter(directive ?? CSVDelimiterDetection.detect(firstLine))
        case .byte(let byte): scanner.setDelimiter(byte)
        }
        if directive != nil {
            // The `sep=X` line (after any blank lines) is read and dropped: not a header, not a record.
            while try scanner.nextRow() {
                if !scanner.rowIsBlank { break }
            }
        }
        guard options.header else { return }
        while try scanner.nextRow() {
            if scanner.rowIsBlank { continue }
            try scanner.checkFieldCount()
            let names = (0..<scanner.fieldCount).map { decoder.string(scanner.fieldBytes($0)) }
            keys = CSVKeyTable(keys: CSVHeader.keys(fromNames: names))
            return
        }
        finished = true
    }

    /// Field `index` of the scanner's row, decoded onto `builder`'s arena (a field the scan found
    /// all ASCII is copied as it is): its span and flags.
    @inline(__always)
    private func appendField(_ index: Int, to builder: inout RecordTapeBuilder) -> (span: ByteSpan, flags: RecordNode.Flags) {
        decoder.appendField(scanner.fieldBytes(index), knownASCIIFlags: scanner.knownASCIIFlags(ofField: index), to: &builder)
    }

    /// Appends the current row to the chunk's tape as one object node and its field nodes.
    /// `keyBase` is where the chunk's arena holds the key table (copied there at the first row
    /// that has keys).
    /// `problem` is set when the row has the wrong number of fields.
    private func appendRow(to builder: inout RecordTapeBuilder, keys: inout CSVKeyTable?, keyBase: inout UInt32?,
                           problem: inout RecordError?) -> RecordRows.Row {
        recordNumber += 1
        let record = recordNumber
        let line = scanner.rowLine
        let count = scanner.fieldCount
        let blank = scanner.rowIsBlank
        if case .none = keys, !blank { keys = CSVKeyTable(numberedCount: count) }
        guard case .some = keys else {
            let root = builder.beginObject()
            builder.end(root)
            return RecordRows.Row(record: record, line: line, root: root)
        }
        let base: UInt32
        if let keyBase {
            base = keyBase
        } else {
            base = keys!.copy(into: &builder)
            keyBase = base
        }
        if !blank && count == keys!.count {
            return RecordRows.Row(record: record, line: line, root: appendFullRow(to: &builder, keys: &keys!, base: base))
        }
        let keys = keys!
        let root = builder.beginObject()
        if blank {
            // Every key mapped to "".
            for key in keys.keys {
                builder.appendScalar(.string, key: ByteSpan(offset: base + key.span.offset, length: key.span.length), value: .empty,
                                     knownFlags: key.flags)
            }
            builder.end(root)
            return RecordRows.Row(record: record, line: line, root: root)
        }
        let named = min(count, keys.count)
        keys.keys.withUnsafeBufferPointer { keys in
            for index in 0..<named {
                let key = ByteSpan(offset: base + keys[index].span.offset, length: keys[index].span.length)
                let (value, flags) = appendField(index, to: &builder)
                builder.appendScalar(.string, key: key, value: value, knownFlags: flags.union(keys[index].flags))
            }
        }
        for index in named..<max(named, count) {
            // A field past the header's columns: its key is made for this row, unique among the
            // header's (a header may name a column `column_4` itself).
            let key = builder.appendBytes(extraFieldKey(index, keys: keys))
            let (value, flags) = appendField(index, to: &builder)
            builder.appendScalar(.string, key: key, value: value, flags: flags)
        }
        builder.end(root)
        if count != keys.count {
            problem = RecordError(field: nil, code: .malformedRow, message: "expected \(keys.count) fields, found \(count)")
        }
        return RecordRows.Row(record: record, line: line, root: root)
    }

    /// The key of field `index` of a row longer than the header: `column_N`, or `column_N_2`, …
    /// when the header has a column of that name (a record's keys are unique).
    private func extraFieldKey(_ index: Int, keys: CSVKeyTable) -> String {
        let names = headerKeyNames ?? Set((0..<keys.count).map(keys.key))
        headerKeyNames = names
        let base = CSVHeader.columnKey(index)
        var key = base
        var occurrence = 2
        while names.contains(key) {
            key = "\(base)_\(occurrence)"
            occurrence += 1
        }
        return key
    }

    /// The ``DebtflowCore/RecordNode/shapeMark`` of a row with exactly the header's fields: every
    /// such row of a chunk has the keys of the one key table the chunk's tape holds.
    static let headerShape: UInt32 = 1

    /// A row with exactly the header's fields (the common case), appended in one piece, marked as
    /// having the header's shape (``headerShape``): as its bytes lie in the input when every field's
    /// stored bytes are its text (``appendRowAsStored(to:keys:base:)``), else field by field
    /// (``appendRowDecoding(to:keys:base:)``).
    /// `keys` is only read: it is `inout` to be handed over by address, not copied (a copy
    /// counts a reference to each of its arrays).
    private func appendFullRow(to builder: inout RecordTapeBuilder, keys: inout CSVKeyTable, base: UInt32) -> Int {
        if rowsDecodedInChunk < Self.decodedRowsBeforeDecodingAll, let root = appendRowAsStored(to: &builder, keys: &keys, base: base) {
            return root
        }
        rowsDecodedInChunk += 1
        return appendRowDecoding(to: &builder, keys: &keys, base: base)
    }

    /// ``appendFullRow(to:keys:base:)`` for a row whose fields are all their text as stored (none
    /// with `""` to undouble, every one well-formed UTF-8, the encoding not Windows-1252): the
    /// row's bytes are copied to the arena at once and each field is a span of that copy, its
    /// member node written as its flags are found, in one pass over the scanner's spans (no
    /// table of the row's values in between). `nil` when a field turns out to need decoding: the
    /// nodes and bytes it appended are taken back, and the caller decodes the row.
    private func appendRowAsStored(to builder: inout RecordTapeBuilder, keys: inout CSVKeyTable, base: UInt32) -> Int? {
        let count = keys.count
        let bytesBefore = builder.byteCount
        let row = scanner.rowBytes()
        let rowOffset = builder.appendBytes(row).offset
        let fields = scanner.rowFieldSpans()
        let rowStart = fields[0].start
        var asStored = true
        let root = keys.keys.withUnsafeBufferPointer { keys in
            builder.appendFlatObject(memberCount: count, shapeMark: Self.headerShape) { index in
                let field = fields[index]
                let offset = field.start &- rowStart
                let flags: RecordNode.Flags
                if let known = field.knownASCIIFlags {
                    flags = known
                } else if let found = field.flagsAsStored(UnsafeBufferPointer(rebasing: row[offset..<offset + field.end - field.start])) {
                    flags = found
                } else {
                    asStored = false
                    flags = []
                }
                return (ByteSpan(offset: base + keys[index].span.offset, length: keys[index].span.length),
                        ByteSpan(offset: rowOffset &+ UInt32(truncatingIfNeeded: offset), length: UInt32(truncatingIfNeeded: field.end - field.start)),
                        flags.union(keys[index].flags))
            }
        }
        if asStored { return root }
        builder.truncate(nodesFrom: root, bytesFrom: bytesBefore)
        return nil
    }

    /// ``appendFullRow(to:keys:base:)`` for a row that may have fields to decode: every value is
    /// copied (and decoded) into the arena first, then the object and its member nodes go onto
    /// the node table at once (``RecordTapeBuilder/appendFlatObject(memberCount:shapeMark:_:)``).
    /// Its key table is opened before the row's values are copied: opened after, it was retained
    /// and released per row.
    ///
    /// The row's bytes are copied to the arena at once (``CSVRowScanner/rowBytes()``), and a field
    /// whose stored bytes are its text is a span of that copy: one copy per row, not one per
    /// field. A field that needs decoding (a quoted field with `""`, a byte that is not UTF-8, a
    /// Windows-1252 text) is decoded after it, as ``appendField(_:to:)`` does.
    private func appendRowDecoding(to builder: inout RecordTapeBuilder, keys: inout CSVKeyTable, base: UInt32) -> Int {
        let count = keys.count
        return keys.keys.withUnsafeBufferPointer { keys in
            withUnsafeTemporaryAllocation(of: (value: ByteSpan, flags: RecordNode.Flags).self, capacity: count) { values in
                let row = scanner.rowBytes()
                let rowOffset = builder.appendBytes(row).offset
                for index in 0..<count {
                    let field = scanner.rowField(index)
                    let found: (value: ByteSpan, flags: RecordNode.Flags)
                    if field.isText, let flags = field.knownASCIIFlags
                        ?? decoder.flagsOfTextAsStored(UnsafeBufferPointer(rebasing: row[field.offset..<field.offset + field.count])) {
                        found = (ByteSpan(offset: rowOffset &+ UInt32(truncatingIfNeeded: field.offset),
                                          length: UInt32(truncatingIfNeeded: field.count)), flags)
                    } else {
                        let decoded = appendField(index, to: &builder)
                        found = (decoded.span, decoded.flags)
                    }
                    (values.baseAddress.unsafelyUnwrapped + index).initialize(to: found)
                }
                return builder.appendFlatObject(memberCount: count, shapeMark: Self.headerShape) { index in
                    (ByteSpan(offset: base + keys[index].span.offset, length: keys[index].span.length), values[index].value,
                     values[index].flags.union(keys[index].flags))
                }
            }
        }
    }
}
