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

    public var name: String { compressed.name }
    public var totalBytes: Int64? { compressed.totalBytes }
    public var bytesConsumed: Int64 { compressed.bytesConsumed }

    /// - Throws: ``DebtflowError`` of kind `.input` for a truncated or corrupt gzip stream, naming
    ///   the input and the compressed byte offset.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        try decoder.read(into: buffer)
    }
}
