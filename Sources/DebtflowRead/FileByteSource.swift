import DebtflowCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bytes read straight from a file descriptor with POSIX `read`, into the reader's own buffer
/// (no copy in between): a regular file, or standard input (see ``FileByteSource/standardInput()``).
///
/// ``peek(count:)`` lets ``ByteSources`` look at the first bytes (the gzip magic number) of a pipe,
/// which cannot seek: the peeked bytes are handed out again by the next reads.
public final class FileByteSource: ByteSource {
    public let name: String
    /// The file's size from `fstat` for a regular file; `nil` for a pipe or terminal.
    public let totalBytes: Int64?
    public private(set) var bytesConsumed: Int64 = 0
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private var peeked: [UInt8] = []
    private var peekedPosition = 0

    /// Opens a file for reading.
    /// - Parameters:
    ///   - path: where the file is (absolute, or relative to the current directory).
    ///   - name: the input's name for messages and provenance; defaults to `path`.
    /// - Throws: ``DebtflowError`` of kind `.input` when the file cannot be opened or is a folder.
    public init(path: String, name: String? = nil) throws {
        let name = name ?? path
        // A FIFO is opened without waiting for its writer (a blocking open would sit in the
        // kernel, deaf to a signal), then made blocking again: the first read's `poll` waits for
        // the writer's data, or its going away, in slices that notice the run being stopped.
        var before = stat()
        let isFIFO = stat(path, &before) == 0 && (before.st_mode & S_IFMT) == S_IFIFO
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | (isFIFO ? O_NONBLOCK : 0))
        if isFIFO && descriptor >= 0 {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        }
        guard descriptor >= 0 else {
            throw DebtflowError.input("cannot open input file \(path)", location: .init(file: name),
                                      cause: Self.systemMessage(errno))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let code = errno
            close(descriptor)
            throw DebtflowError.input("cannot inspect input file \(path)", location: .init(file: name),
                                      cause: Self.systemMessage(code))
        }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            close(descriptor)
            throw DebtflowError.input("input path \(path) is a folder, not a file", location: .init(file: name))
        }
        self.name = name
        self.descriptor = descriptor
        self.ownsDescriptor = true
        self.totalBytes = (status.st_mode & S_IFMT) == S_IFREG ? Int64(status.st_size) : nil
    }

    /// Wraps a descriptor that stays open after the source is gone (standard input).
    init(borrowing descriptor: Int32, name: String) {
        self.name = name
        self.descriptor = descriptor
        self.ownsDescriptor = false
        var status = stat()
        if fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG {
            self.totalBytes = Int64(status.st_size)
        } else {
            self.totalBytes = nil
        }
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if peekedPosition < peeked.count {
            let count = min(buffer.count, peeked.count - peekedPosition)
            for index in 0..<count { buffer[index] = peeked[peekedPosition + index] }
            peekedPosition += count
            bytesConsumed += Int64(count)
            return count
        }
        let count = try readDescriptor(into: buffer)
        bytesConsumed += Int64(count)
        // A regular file that ends before the size it had when opened was cut while it was read
        // (another program truncated or rewrote it): its last record may be cut mid-value.
        if count == 0, let totalBytes, bytesConsumed < totalBytes {
            throw DebtflowError.input("the file shrank while it was read: it held \(totalBytes) bytes when opened, "
                                      + "\(bytesConsumed) could be read (another program truncated or rewrote it?)",
                                      location: .init(file: name, byteOffset: bytesConsumed))
        }
        return count
    }

    /// The first `count` bytes of the input (fewer when the input is shorter), without consuming
    /// them: the next reads hand them out first. Call before the first ``read(into:)``.
    /// - Throws: ``DebtflowError`` of kind `.input` on a read error.
    public func peek(count: Int) throws -> [UInt8] {
        precondition(bytesConsumed == 0, "peek(count:) is for the start of the input")
        while peeked.count < count {
            var byte: UInt8 = 0
            let got = try withUnsafeMutableBytes(of: &byte) { try readDescriptor(into: $0) }
            if got == 0 { break }
            peeked.append(byte)
        }
        return Array(peeked.prefix(count))
    }

    /// One `read` call, retried when a signal interrupts it. On a pipe or terminal the call first
    /// waits for data in short `poll` slices, so that a run interrupted while its stdin stays open
    /// and silent stops (the reader task is cancelled) instead of hanging in `read`.
    private func readDescriptor(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if totalBytes == nil { try waitUntilReadable() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            let code = errno
            if code == EINTR { continue }
            throw DebtflowError.input("cannot read the input", location: .init(file: name, byteOffset: bytesConsumed),
                                      cause: Self.systemMessage(code))
        }
    }

    /// Returns when the descriptor has data (or end of input, or an error for `read` to report);
    /// throws `interrupted` when the calling task is cancelled meanwhile.
    private func waitUntilReadable() throws {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        while true {
            let ready = poll(&entry, 1, 200)
            if ready > 0 || (ready < 0 && errno != EINTR) { return }
            if Task.isCancelled { throw DebtflowError.interrupted }
        }
    }

    static func systemMessage(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
