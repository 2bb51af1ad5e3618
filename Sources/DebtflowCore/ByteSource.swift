/// A stream of input bytes: a file, stdin, or a gzip decoder over either.
///
/// Readers pull bytes into their own buffer; a source never hands out more than asked for. A
/// source is owned by one reader and is not shared between tasks.
public protocol ByteSource: AnyObject {
    /// The input's name for messages (the path as the operator gave it, or `-`).
    var name: String { get }
    /// The size of the stored input in bytes when known (a regular file), for progress.
    var totalBytes: Int64? { get }
    /// How many bytes of the stored input (compressed bytes for gzip) were consumed so far.
    var bytesConsumed: Int64 { get }
    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the input.
    /// - Throws: ``DebtflowError`` of kind `.input` (I/O error, corrupt or truncated gzip), naming
    ///   the input and the byte offset.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Bytes held in memory, handed out at most `maxReadSize` at a time: the test double that proves
/// a reader gives the same records whatever its read-buffer size (1, 7, 4096, 65536 bytes).
public final class MemoryByteSource: ByteSource {
    public let name: String
    private let bytes: [UInt8]
    private let maxReadSize: Int
    private var position = 0

    public init(_ bytes: [UInt8], name: String = "memory", maxReadSize: Int = 65536) {
        self.bytes = bytes
        self.name = name
        self.maxReadSize = max(1, maxReadSize)
    }

    public convenience init(_ text: String, name: String = "memory", maxReadSize: Int = 65536) {
        self.init(Array(text.utf8), name: name, maxReadSize: maxReadSize)
    }

    public var totalBytes: Int64? { Int64(bytes.count) }
    public var bytesConsumed: Int64 { Int64(position) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let count = min(buffer.count, maxReadSize, bytes.count - position)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
        }
        position += count
        return count
    }
}
