import CZlib
import DebtflowCore

/// A streaming gzip compressor: the one Swift owner of a zlib `z_stream` set up for deflate with
/// a gzip wrapper (`deflateInit2(level, Z_DEFLATED, 16+15, 8, Z_DEFAULT_STRATEGY)`).
///
/// Feed it bytes with ``compress(_:)`` as they come and call ``finish()`` once at the end; each
/// call returns the compressed bytes it produced (zlib buffers internally, so early calls often
/// return nothing). The concatenation of all returned arrays is one complete gzip member.
/// Memory stays flat: the stream holds zlib's window (~256 KiB at memLevel 8) and a 64 KiB
/// output scratch buffer, whatever the input size.
///
/// The `z_stream` lives at a fixed heap address for the encoder's whole life (zlib keeps a
/// back-pointer to it) and is released with `deflateEnd` in `deinit`.
///
/// Errors are thrown as ``DebtflowError`` of kind `.sink` (the encoder writes output; a failure
/// here means the output could not be produced), with zlib's return code and message as `cause`.
/// Not thread-safe: use one encoder from one task at a time.
public final class GzipEncoder {
    /// The zlib stream, at a fixed address (allocated once, freed in `deinit`).
    private let stream: UnsafeMutablePointer<z_stream>
    /// Scratch output buffer reused by every call.
    private var scratch: [UInt8]
    private var isFinished = false

    /// The default compression level: fast (DESIGN.md §3: level 1 is about twice as fast as 6).
    public static let defaultLevel: Int32 = 1

    /// Set when zlib could not be initialised; thrown by the first call.
    private var startError: DebtflowError?

    /// Creates an encoder.
    ///
    /// Never throws, so it fits the agreed interface; if zlib cannot start (out of memory), the
    /// first ``compress(_:)`` or ``finish()`` throws that failure instead.
    /// - Parameter level: zlib's compression level, 0 (store) … 9 (smallest), clamped to that
    ///   range; default 1 (the fastest that still compresses).
    public init(level: Int32 = GzipEncoder.defaultLevel) {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        scratch = [UInt8](repeating: 0, count: 64 * 1024)
        let level = min(max(level, 0), 9)
        let status = CZlib_deflateInit2(stream, level, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY)
        if status != Z_OK {
            startError = DebtflowError.sink("cannot start gzip compression at level \(level)",
                                            cause: GzipEncoder.describe(status, stream))
        }
    }

    deinit {
        if startError == nil { deflateEnd(stream) }
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Compresses `bytes` and returns the compressed bytes produced so far (possibly none).
    /// - Parameter bytes: the next piece of the uncompressed data.
    /// - Returns: compressed output to append to the destination, in order.
    /// - Throws: ``DebtflowError`` (`.sink`) on a zlib failure or when called after ``finish()``.
    public func compress(_ bytes: some Collection<UInt8>) throws -> [UInt8] {
        var output: [UInt8] = []
        try compress(bytes, into: &output)
        return output
    }

    /// Compresses `bytes`, appending the compressed output to `output` (no intermediate array).
    /// - Throws: ``DebtflowError`` (`.sink`) on a zlib failure or when called after ``finish()``.
    public func compress(_ bytes: some Collection<UInt8>, into output: inout [UInt8]) throws {
        if let startError { throw startError }
        guard !isFinished else { throw DebtflowError.sink("gzip encoder used after finish()") }
        if bytes.isEmpty { return }
        let done: Void? = try bytes.withContiguousStorageIfAvailable { buffer in
            try run(input: UnsafeRawBufferPointer(buffer), flush: Z_NO_FLUSH, into: &output)
        }
        if done == nil {
            let copy = Array(bytes)
            try copy.withUnsafeBytes { try run(input: $0, flush: Z_NO_FLUSH, into: &output) }
        }
    }

    /// Ends the gzip member: flushes what zlib holds and writes the trailer (CRC-32, size).
    /// Calling it again returns no bytes.
    /// - Returns: the last compressed bytes.
    /// - Throws: ``DebtflowError`` (`.sink`) on a zlib failure.
    public func finish() throws -> [UInt8] {
        var output: [UInt8] = []
        try finish(into: &output)
        return output
    }

    /// Like ``finish()``, appending to `output`.
    public func finish(into output: inout [UInt8]) throws {
        if let startError { throw startError }
        if isFinished { return }
        try run(input: UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH, into: &output)
        isFinished = true
    }

    /// Starts a new gzip member after ``finish()`` (or drops what the unfinished member holds), so
    /// one output can hold one member per input: cutting the file back to a member boundary
    /// leaves a valid gzip stream.
    public func startNewMember() throws {
        if let startError { throw startError }
        let status = deflateReset(stream)
        guard status == Z_OK else {
            throw DebtflowError.sink("cannot restart gzip compression", cause: GzipEncoder.describe(status, stream))
        }
        isFinished = false
    }

    /// Runs `deflate` until zlib has consumed `input` (and, with `Z_FINISH`, ended the stream).
    private func run(input: UnsafeRawBufferPointer, flush: Int32, into output: inout [UInt8]) throws {
        let base = input.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: Bytef.self)) }
        stream.pointee.next_in = base
        stream.pointee.avail_in = uInt(input.count)
        defer {
            stream.pointee.next_in = nil
            stream.pointee.avail_in = 0
        }
        let capacity = scratch.count
        while true {
            let (status, produced): (Int32, Int) = scratch.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(capacity)
                let status = deflate(stream, flush)
                let produced = capacity - Int(stream.pointee.avail_out)
                stream.pointee.next_out = nil
                stream.pointee.avail_out = 0
                return (status, produced)
            }
            if produced > 0 { output.append(contentsOf: scratch[0..<produced]) }
            if status == Z_STREAM_END { return }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                throw DebtflowError.sink("gzip compression failed", cause: GzipEncoder.describe(status, stream))
            }
            if flush == Z_FINISH {
                // Z_BUF_ERROR with room to write and nothing written: zlib cannot progress.
                if status == Z_BUF_ERROR && produced == 0 {
                    throw DebtflowError.sink("gzip compression could not finish the stream",
                                             cause: GzipEncoder.describe(status, stream))
                }
            } else if stream.pointee.avail_in == 0 && produced < capacity {
                // All input consumed and zlib had room to spare: nothing more pending for now.
                return
            }
        }
    }

    private static func describe(_ status: Int32, _ stream: UnsafeMutablePointer<z_stream>) -> String {
        if let message = stream.pointee.msg { return "zlib \(status): \(String(cString: message))" }
        return "zlib status \(status)"
    }
}
