import DebtflowCore
import DebtflowGzip

/// The inflated bytes of a gzip input (one or more members), read from another byte source.
///
/// ``bytesConsumed`` and ``totalBytes`` are those of the stored (compressed) input, so progress
/// is measured against the file's size.
public final class GzipByteSource: ByteSource {
    private let compressed: any ByteSource
    private let decoder: GzipDecoder

    /// - Parameter compressed: the stored gzip bytes; the wrapper owns it from now on.
    public init(wrapping compressed: any ByteSource) {
        self.compressed = compressed
        self.decoder = GzipDecoder(name: compressed.name) { buffer in try compressed.read(into: buffer) }
    }

    /// The first inflated bytes, read by ``peek(count:)`` and handed out again by the first reads.
    private var peeked: [UInt8] = []
    private var peekedOffset = 0

    /// The first `count` inflated bytes (fewer when the data is shorter), without consuming them:
    /// what the archive is holding (a zip or tar inside gzip is refused by name).
    func peek(count: Int) throws -> [UInt8] {
        precondition(peekedOffset == 0, "peek(count:) is for the start of the input")
        while peeked.count < count {
            var chunk = [UInt8](repeating: 0, count: count - peeked.count)
            let got = try chunk.withUnsafeMutableBytes { try decoder.read(into: $0) }
            if got == 0 { break }
            peeked += chunk.prefix(got)
        }
        return Array(peeked.prefix(count))
    }

    public var name: String { compressed.name }
    public var totalBytes: Int64? { compressed.totalBytes }
    public var bytesConsumed: Int64 { compressed.bytesConsumed }

    /// - Throws: ``DebtflowError`` of kind `.input` for a truncated or corrupt gzip stream, naming
    ///   the input and the compressed byte offset.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if peekedOffset < peeked.count && buffer.count > 0 {
            let count = min(buffer.count, peeked.count - peekedOffset)
            peeked.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + peekedOffset, byteCount: count) }
            peekedOffset += count
            // The rest of the buffer from the stream, so the first read is as full as without the
            // look (a reader's first chunk is the size it asked for).
            guard count < buffer.count else { return count }
            return count + (try decoder.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[count...])))
        }
        return try decoder.read(into: buffer)
    }
}
