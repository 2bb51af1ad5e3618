import DebtflowCore

/// Reads records from an XML input as it streams, through libxml2's SAX2 push parser fed chunk
/// by chunk from a ``ByteSource``.
///
/// Yields one record per `recordElement` element at any depth (a record element inside a
/// record is an ordinary child). Provenance: `record` is the 1-based position of the record
/// element, `line` the line of its start tag. Documents that declare entities are refused (see
/// ``XMLPushParser``). The encoding comes from the XML declaration (UTF-8 without one).
///
/// A chunk's records are one ``RecordTape`` (``XMLRecordAssembler`` copies each record onto it
/// when the record's element closes); each ``Record`` is a view of its root node.
public final class XMLRecordReader: RecordSource {
    public var name: String { source.name }
    public var totalBytes: Int64? { source.totalBytes }

    private let source: any ByteSource
    private let chunkSize: Int
    private let byteBudget: Int
    /// Bytes given to the parser since the last chunk was handed out.
    private var bytesFedSinceChunk = 0
    private let maxTextBytes: Int
    private let recordElement: String
    private var parser: XMLPushParser?
    /// Lone CRs made LFs, so that libxml2 counts the lines of an old Mac file; `nil` for an
    /// encoding where 0x0D is not always a CR.
    private var loneCarriageReturns: XMLLoneCarriageReturns?
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false
    /// The error that ended reading, thrown again by every later call.
    private var failure: (any Error)?

    /// - Parameters:
    ///   - source: the input bytes (a file, stdin, a gzip decoder).
    ///   - options: the record element's name and the text limit.
    ///   - chunkSize: how many records one ``nextChunk()`` returns at most.
    ///   - byteBudget: about how many bytes of input one chunk's records span: a chunk is handed
    ///     out once that many bytes were parsed and at least one record is complete.
    public init(source: any ByteSource, options: XMLReaderOptions, chunkSize: Int = Chunk<Record>.preferredSize,
                byteBudget: Int = Chunk<Record>.preferredByteBudget) {
        // Inflating overlaps with parsing: the source is read ahead on a thread of its own. That
        // thread also counts the attributes of each start tag (``XMLAttributeFloodInspector``)
        // before a read is handed out here, so a flooded element is refused before libxml2 sees
        // any of its bytes (an attribute flood error comes from `source.read`).
        self.source = ReadAheadByteSource(source, readSize: 64 << 10,
                                          inspector: XMLAttributeFloodInspector(sourceName: source.name))
        self.chunkSize = max(1, chunkSize)
        self.byteBudget = max(1, byteBudget)
        self.maxTextBytes = options.maxTextBytes
        self.recordElement = options.recordElement
        self.buffer = .allocate(byteCount: 64 << 10, alignment: 1)
    }

    deinit {
        buffer.deallocate()
    }

    /// The next records, or `nil` at the end of the input.
    /// - Throws: ``DebtflowError`` of kind `.input` naming file, line and column (malformed XML,
    ///   an entity declaration, an unsupported encoding, an attribute flood, a read error).
    public func nextChunk() async throws -> Chunk<Record>? {
        try nextChunkSynchronously()
    }

    /// ``nextChunk()`` without the `async` hop (the reader does no waiting of its own). After an
    /// error every later call throws the same error.
    public func nextChunkSynchronously() throws -> Chunk<Record>? {
        if let failure { throw failure }
        do {
            return try readChunk()
        } catch {
            failure = error
            throw error
        }
    }

    private func readChunk() throws -> Chunk<Record>? {
        while completedCount < chunkSize && !finished && !(bytesFedSinceChunk >= byteBudget && completedCount > 0) {
            try feedMore()
        }
        guard let parser, parser.completedCount > 0 else { return nil }
        let textByteCount = bytesFedSinceChunk
        bytesFedSinceChunk = 0
        let records = parser.takeRecords(max: chunkSize)
        return Chunk(records, inputBytesConsumed: source.bytesConsumed, textByteCount: textByteCount)
    }

    /// Feeds one byte (a line end held back between two reads).
    private func feed(byte: UInt8, to parser: XMLPushParser) throws {
        try withUnsafeBytes(of: byte) { try parser.feed($0, terminate: false) }
    }

    /// How many records are complete and not handed out yet.
    private var completedCount: Int { parser?.completedCount ?? 0 }

    /// Reads the next bytes and gives them to the parser (created on the first call, with the
    /// first 4 bytes for encoding detection).
    private func feedMore() throws {
        guard let parser else {
            var first: [UInt8] = []
            while first.count < 4 {
                let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<(4 - first.count)]))
                if count == 0 { break }
                first.append(contentsOf: buffer[0..<count])
            }
            guard !first.isEmpty else {
                finished = true
                throw DebtflowError.input("empty XML input: no document element", location: .init(file: source.name))
            }
            // The whole declaration, when the input begins with one: what it says of the
            // encoding is looked at before libxml2 reads it (``XMLDeclaredEncoding``).
            while XMLDeclaredEncoding.wantsMore(first) {
                let wanted = min(XMLDeclaredEncoding.headLimit - first.count, buffer.count)
                let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<wanted]))
                if count == 0 { break }
                first.append(contentsOf: buffer[0..<count])
            }
            try XMLDeclaredEncoding.adjust(&first, sourceName: source.name)
            loneCarriageReturns = XMLLoneCarriageReturns.appliesTo(firstBytes: first) ? XMLLoneCarriageReturns() : nil
            // The first bytes are lines too (`<r>\r<rec>`: that CR ends line 1). One more byte
            // is read after a CR that ends them, so that it is not held back from the parser's
            // first bytes (libxml2 refuses a document whose first piece is a byte-order mark
            // alone); only a CR that ends the input is held, and handed on at the end.
            if loneCarriageReturns != nil {
                if first.count >= 4, first.last == 0x0D {
                    let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<1]))
                    first.append(contentsOf: buffer[0..<count])
                }
                let piece = first.withUnsafeMutableBytes { loneCarriageReturns!.normalize($0) }
                first = Array(first[piece.range])
                if first.isEmpty, let held = loneCarriageReturns!.finish() { first = [held] }
            }
            parser = try XMLPushParser(sourceName: source.name,
                                       assembler: XMLRecordAssembler(sourceName: source.name, recordElement: recordElement),
                                       firstBytes: first,
                                   maxTextBytes: maxTextBytes)
            return
        }
        let count = try source.read(into: buffer)
        bytesFedSinceChunk += count
        if count == 0 {
            finished = true
            if let held = loneCarriageReturns?.finish() { try feed(byte: held, to: parser) }
            try parser.feed(UnsafeRawBufferPointer(start: nil, count: 0), terminate: true)
        } else if loneCarriageReturns != nil {
            let piece = loneCarriageReturns!.normalize(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
            if let held = piece.heldBefore { try feed(byte: held, to: parser) }
            if !piece.range.isEmpty { try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[piece.range]), terminate: false) }
        } else {
            try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), terminate: false)
        }
    }
}
