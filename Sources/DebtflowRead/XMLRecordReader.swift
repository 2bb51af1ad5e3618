import DebtflowCore

/// Reads records from an XML input as it streams, through libxml2's SAX2 push parser fed chunk
/// by chunk from a ``ByteSource``.
///
/// Yields one record per `recordElement` element at any depth (a record element inside a
/// record is an ordinary child). Provenance: `record` is the 1-based position of the record
/// element, `line` the line of its start tag. Documents that declare entities are refused (see
/// ``XMLPushParser``). The encoding comes from the XML declaration (UTF-8 without one).
public final class XMLRecordReader: RecordSource {
    public var name: String { source.name }
    public var totalBytes: Int64? { source.totalBytes }

    private let source: any ByteSource
    private let chunkSize: Int
    private let maxTextBytes: Int
    private let assembler: XMLRecordAssembler
    private var parser: XMLPushParser?
    private let buffer: UnsafeMutableRawBufferPointer
    private var finished = false
    /// The error that ended reading, thrown again by every later call.
    private var failure: (any Error)?

    /// - Parameters:
    ///   - source: the input bytes (a file, stdin, a gzip decoder).
    ///   - options: the record element's name and the text limit.
    ///   - chunkSize: about how many records one ``nextChunk()`` returns.
    public init(source: any ByteSource, options: XMLReaderOptions, chunkSize: Int = Chunk<Record>.preferredSize) {
        self.source = source
        self.chunkSize = max(1, chunkSize)
        self.maxTextBytes = options.maxTextBytes
        self.assembler = XMLRecordAssembler(sourceName: source.name, recordElement: options.recordElement)
        self.buffer = .allocate(byteCount: 64 << 10, alignment: 1)
    }

    deinit {
        buffer.deallocate()
    }

    /// The next records, or `nil` at the end of the input.
    /// - Throws: ``DebtflowError`` of kind `.input` naming file, line and column (malformed XML,
    ///   an entity declaration, an unsupported encoding, a read error).
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
        while assembler.completed.count < chunkSize && !finished {
            try feedMore()
        }
        if assembler.completed.isEmpty { return nil }
        let records: [Record]
        if assembler.completed.count <= chunkSize {
            records = assembler.completed
            assembler.completed.removeAll(keepingCapacity: true)
        } else {
            records = Array(assembler.completed.prefix(chunkSize))
            assembler.completed.removeFirst(chunkSize)
        }
        return Chunk(records, inputBytesConsumed: source.bytesConsumed)
    }

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
            parser = try XMLPushParser(sourceName: source.name, assembler: assembler, firstBytes: first,
                                   maxTextBytes: maxTextBytes)
            return
        }
        let count = try source.read(into: buffer)
        if count == 0 {
            finished = true
            try parser.feed(UnsafeRawBufferPointer(start: nil, count: 0), terminate: true)
        } else {
            try parser.feed(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), terminate: false)
        }
    }
}
