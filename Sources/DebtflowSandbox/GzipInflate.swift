import CZlib
import DebtflowCore

/// Inflates a whole gzip file held in memory (concatenated members read through).
///
/// The sandbox's debtors file is test data loaded once at start-up, so one in-memory pass is
/// enough here; the pipeline's streaming reader lives in DebtflowGzip/DebtflowRead.
enum GzipInflate {
    /// Whether the bytes start with the gzip magic `1f 8b`.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed bytes.
    /// - Throws: ``DebtflowError`` of kind `.input` for a corrupt or truncated stream, naming `name`.
    static func inflate(_ compressed: [UInt8], name: String) throws -> [UInt8] {
        var stream = z_stream()
        guard CZlib_inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK else {
            throw DebtflowError.input("\(name): cannot initialize zlib")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(compressed.count * 4)
        var chunk = [UInt8](repeating: 0, count: 256 * 1024)
        var failure: DebtflowError?
        compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.avail_in = uInt(input.count)
            var finishedMember = false
            while true {
                let status: Int32 = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                switch status {
                case Z_STREAM_END:
                    finishedMember = true
                    // Skip padding zeros some writers leave; another member may follow.
                    while stream.avail_in > 0 && stream.next_in.pointee == 0 {
                        stream.next_in += 1
                        stream.avail_in -= 1
                    }
                    if stream.avail_in == 0 { return }
                    inflateReset(&stream)
                    finishedMember = false
                case Z_OK:
                    if stream.avail_in == 0 && produced == 0 {
                        if !finishedMember {
                            failure = DebtflowError.input("\(name): truncated gzip stream",
                                                          location: .init(file: name, byteOffset: Int64(stream.total_in)))
                        }
                        return
                    }
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 {
                        failure = DebtflowError.input("\(name): truncated gzip stream",
                                                      location: .init(file: name, byteOffset: Int64(compressed.count)))
                        return
                    }
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    failure = DebtflowError.input("\(name): corrupt gzip stream (\(message))")
                    return
                }
            }
        }
        if let failure { throw failure }
        return output
    }
}
