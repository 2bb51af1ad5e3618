import CZlib
import DebtflowCore

/// Inflates a gzip stream pulled from an input, member after member.
///
/// The one Swift owner of a zlib `z_stream` (DESIGN.md §3, §6.4): the stream lives at a fixed heap
/// address for its whole life, is set up with `inflateInit2(16 + MAX_WBITS)` (gzip wrapper only)
/// and released with `inflateEnd` in `deinit`.
///
/// Behaviour:
/// - Compressed input is pulled through `readInput` into a 256 KiB buffer.
/// - Concatenated members (`cat a.gz b.gz`) are read through as one stream: after a member ends the
///   stream is reset and the next member is inflated, also when it starts in the middle of a buffer.
/// - The input ending before a member's end is a truncated stream; corrupt data (a bad block, a CRC
///   mismatch) and bytes after a complete member that do not start another member are input errors.
/// - Output is only as large as the caller's buffer, so a gzip bomb is slow, never large.
///
/// Not thread-safe: one decoder belongs to one reader.
public final class GzipDecoder {
    /// Reads up to `buffer.count` compressed bytes; returns 0 only at the end of the input.
    public typealias InputReader = (UnsafeMutableRawBufferPointer) throws -> Int

    /// The size of the compressed-input buffer.
    public static let inputBufferSize = 256 * 1024

    private enum State {
        /// Inside a member (or before the first one): the input must not end here.
        case inMember
        /// A member just ended: the input may end, or another member must start.
        case betweenMembers
        /// The input ended after a complete member.
        case finished
    }

    /// The input's name for error messages.
    public let name: String
    private let readInput: InputReader
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var state = State.inMember
    /// Compressed bytes pulled from the input so far (consumed or still in the buffer).
    private var bytesRead: Int64 = 0
    private var membersCompleted = 0

    /// Creates a decoder that pulls compressed bytes from `readInput`.
    /// - Parameters:
    ///   - name: the input's name, used in error messages.
    ///   - readInput: reads compressed bytes into the given buffer, returning 0 at the end.
    public init(name: String, readInput: @escaping InputReader) {
        self.name = name
        self.readInput = readInput
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.inputBufferSize, alignment: 16)
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = CZlib_inflateInit2(stream, 16 + MAX_WBITS)
        precondition(status == Z_OK, "inflateInit2 failed (\(status)): out of memory")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// The offset in the compressed input of the next byte zlib has not consumed yet.
    public var compressedOffset: Int64 { bytesRead - Int64(stream.pointee.avail_in) }

    /// Inflates up to `buffer.count` bytes into `buffer`.
    /// - Returns: the number of bytes written; 0 only at the end of the last member.
    /// - Throws: ``DebtflowError`` of kind `.input` for a truncated or corrupt stream or trailing
    ///   garbage, naming the input and the compressed byte offset; errors of `readInput` as thrown.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        while true {
            if state == .finished { return 0 }
            if stream.pointee.avail_in == 0 {
                let count = try refill()
                if count == 0 {
                    if state == .betweenMembers {
                        state = .finished
                        return 0
                    }
                    throw truncated()
                }
            }
            if state == .betweenMembers {
                try startNextMember()
                continue
            }
            stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = UInt32(clamping: buffer.count)
            let status = inflate(stream, Z_NO_FLUSH)
            let produced = buffer.count - Int(stream.pointee.avail_out)
            switch status {
            case Z_STREAM_END:
                membersCompleted += 1
                state = .betweenMembers
            case Z_OK:
                break
            case Z_BUF_ERROR:
                // No progress possible: zlib needs more input (refilled on the next turn).
                guard stream.pointee.avail_in == 0 else { throw corrupt(status) }
            default:
                throw corrupt(status)
            }
            if produced > 0 { return produced }
        }
    }

    /// Pulls the next compressed bytes into the (fully consumed) input buffer.
    private func refill() throws -> Int {
        let count = try readInput(input)
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(count)
        bytesRead += Int64(count)
        return count
    }

    /// Checks that the bytes after a complete member start another member, then resets the stream.
    private func startNextMember() throws {
        let first = stream.pointee.next_in[0]
        guard first == GzipDetection.magic[0] else { throw trailingGarbage() }
        if stream.pointee.avail_in == 1 {
            // The second magic byte is in the next read: keep the first one at the buffer's start.
            input[0] = first
            let count = try readInput(UnsafeMutableRawBufferPointer(rebasing: input[1...]))
            bytesRead += Int64(count)
            stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_in = UInt32(1 + count)
            if count == 0 { throw trailingGarbage() }
        }
        guard stream.pointee.next_in[1] == GzipDetection.magic[1] else { throw trailingGarbage() }
        let status = inflateReset(stream)
        guard status == Z_OK else { throw corrupt(status) }
        state = .inMember
    }

    private func truncated() -> DebtflowError {
        .input("truncated gzip stream: the input ended inside a compressed member; the file is incomplete (copy or download it again)",
               location: DebtflowError.Location(file: name, byteOffset: bytesRead))
    }

    private func corrupt(_ status: Int32) -> DebtflowError {
        let detail = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
        return .input("corrupt gzip stream: the compressed data is damaged",
                      location: DebtflowError.Location(file: name, byteOffset: compressedOffset), cause: detail)
    }

    private func trailingGarbage() -> DebtflowError {
        .input("corrupt gzip stream: \(membersCompleted) complete member(s) followed by bytes that are not gzip data",
               location: DebtflowError.Location(file: name, byteOffset: compressedOffset))
    }
}

extension GzipDecoder {
    /// Inflates a whole gzip document held in memory (an HTTP body, a small file in a test).
    /// - Parameters:
    ///   - bytes: the compressed bytes, one or more members.
    ///   - name: the input's name for error messages.
    /// - Throws: ``DebtflowError`` of kind `.input` when the data is truncated or corrupt.
    public static func decompress(_ bytes: [UInt8], name: String = "gzip data") throws -> [UInt8] {
        var position = 0
        let decoder = GzipDecoder(name: name) { buffer in
            let count = min(buffer.count, bytes.count - position)
            if count > 0 {
                bytes.withUnsafeBytes { source in
                    buffer.baseAddress!.copyMemory(from: source.baseAddress! + position, byteCount: count)
                }
                position += count
            }
            return count
        }
        var output: [UInt8] = []
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let count = try decoder.read(into: chunk)
            if count == 0 { return output }
            output.append(contentsOf: chunk[0..<count])
        }
    }
}
