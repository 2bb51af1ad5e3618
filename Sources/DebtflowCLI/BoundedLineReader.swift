import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// Reads text lines from a byte stream with a bound on each line's length, so that input without
/// line breaks (a gigabyte on one line) costs a fixed amount of memory instead of all of it.
///
/// Lines end at LF; the LF is not part of the line (a CR before it is left to the caller). A last
/// line without a LF is still a line; an empty input has none. A line longer than `maxLineBytes`
/// is read through to its end without being kept: the caller gets its first bytes and its length.
final class BoundedLineReader {
    /// One line of input.
    enum Line: Equatable {
        /// A line within the limit, decoded as UTF-8 (invalid bytes become U+FFFD).
        case text(String)
        /// A line over the limit: its first bytes (decoded) and its full length in bytes.
        case tooLong(prefix: String, byteCount: Int)
    }

    let maxLineBytes: Int
    private let read: (UnsafeMutableRawBufferPointer) throws -> Int
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var atEnd = false

    /// - Parameters:
    ///   - maxLineBytes: the longest line kept whole (64 KiB by default: far above any phone number).
    ///   - read: reads up to the buffer's size; returns 0 only at the end of the input.
    init(maxLineBytes: Int = 64 << 10, read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.read = read
        self.maxLineBytes = max(1, maxLineBytes)
        self.buffer = [UInt8](repeating: 0, count: max(64 << 10, self.maxLineBytes + 1))
    }

    /// Lines of standard input; a read error is an input error.
    static func standardInput(maxLineBytes: Int = 64 << 10) -> BoundedLineReader {
        BoundedLineReader(maxLineBytes: maxLineBytes) { buffer in
            while true {
                let count = Glibc.read(STDIN_FILENO, buffer.baseAddress, buffer.count)
                if count >= 0 { return count }
                let code = errno
                if code == EINTR { continue }
                throw DebtflowError.input("cannot read standard input", location: .init(file: "-"),
                                          cause: String(cString: strerror(code)))
            }
        }
    }

    /// The next line, or `nil` at the end of the input.
    /// - Throws: the read error.
    func nextLine() throws -> Line? {
        var kept: [UInt8] = []
        var overflowPrefix: [UInt8]?
        var length = 0
        while true {
            if start == end {
                if atEnd { break }
                start = 0
                end = try buffer.withUnsafeMutableBytes { try read($0) }
                if end == 0 {
                    atEnd = true
                    break
                }
            }
            let newline = buffer[start..<end].firstIndex(of: 0x0A)
            let stop = newline ?? end
            let piece = buffer[start..<stop]
            length += piece.count
            if overflowPrefix == nil {
                kept.append(contentsOf: piece)
                if kept.count > maxLineBytes {
                    overflowPrefix = Array(kept.prefix(64))
                    kept = []
                }
            }
            start = newline.map { $0 + 1 } ?? end
            if newline != nil { return line(kept, overflowPrefix: overflowPrefix, length: length) }
        }
        // The end of the input: a last line without a LF, or nothing left.
        if length == 0 { return nil }
        return line(kept, overflowPrefix: overflowPrefix, length: length)
    }

    private func line(_ kept: [UInt8], overflowPrefix: [UInt8]?, length: Int) -> Line {
        if let overflowPrefix {
            return .tooLong(prefix: String(decoding: overflowPrefix, as: UTF8.self), byteCount: length)
        }
        return .text(String(decoding: kept, as: UTF8.self))
    }
}
