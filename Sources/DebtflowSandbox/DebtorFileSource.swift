import DebtflowCore
import DebtflowGzip
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the debtors file's bytes could not be had, as opposed to what is wrong with its JSON: the
/// two are worded differently (``DebtorCatalog/load(path:)``).
enum DebtorFileFailure: Error {
    /// The file cannot be opened or read (the system's reason).
    case unreadable(String)
    /// The file is gzip and its stream is truncated or corrupt.
    case gzip(DebtflowError)
}

/// The debtors file's text as a stream: the file's bytes, inflated as they are read when the file
/// starts with the gzip magic number. Holds no more than the gzip decoder's buffers, whatever the file's size.
final class DebtorFileSource: ByteSource {
    /// The name the JSON tokenizer puts in its messages (`the document`).
    let name: String
    var totalBytes: Int64? { nil }
    var bytesConsumed: Int64 { decoder?.compressedOffset ?? plainBytesRead }
    private var plainBytesRead: Int64 = 0
    private let descriptor: Int32
    private let decoder: GzipDecoder?

    /// Opens `path` and looks at its first two bytes.
    /// - Parameters:
    ///   - path: the debtors file (the gzip decoder's messages name it).
    ///   - name: the name the text goes by in JSON messages.
    /// - Throws: ``DebtorFileFailure/unreadable(_:)`` when the file cannot be opened or read.
    init(path: String, name: String) throws {
        self.name = name
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw DebtorFileFailure.unreadable(String(cString: strerror(errno))) }
        var magic: [UInt8] = [0, 0]
        let count = magic.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 2, 0) }
        guard count >= 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw DebtorFileFailure.unreadable(reason)
        }
        self.descriptor = descriptor
        decoder = GzipDetection.isGzip(Array(magic.prefix(count)))
            ? GzipDecoder(name: path) { buffer in try Self.read(descriptor, into: buffer) }
            : nil
    }

    deinit {
        close(descriptor)
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let decoder else {
            let count = try Self.read(descriptor, into: buffer)
            plainBytesRead += Int64(count)
            return count
        }
        do {
            return try decoder.read(into: buffer)
        } catch let error as DebtflowError {
            throw DebtorFileFailure.gzip(error)
        }
    }

    /// Reads up to `buffer.count` bytes of the file (fewer only at its end), retrying interrupted reads.
    private static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        var filled = 0
        while filled < buffer.count {
            let count = Glibc.read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            if count < 0 {
                if errno == EINTR { continue }
                throw DebtorFileFailure.unreadable(String(cString: strerror(errno)))
            }
            if count == 0 { break }
            filled += count
        }
        return filled
    }
}
