import CZlib
import DebtflowCore
import DebtflowGzip
import DebtflowTestSupport
import Foundation
import Testing

/// Inflates a whole gzip stream with zlib directly: the oracle for the encoder's output.
private func inflateWithZlib(_ compressed: [UInt8]) -> [UInt8]? {
    var stream = z_stream()
    guard CZlib_inflateInit2(&stream, 16 + MAX_WBITS) == Z_OK else { return nil }
    defer { inflateEnd(&stream) }
    var input = compressed
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    return input.withUnsafeMutableBufferPointer { inBuffer -> [UInt8]? in
        stream.next_in = inBuffer.baseAddress
        stream.avail_in = uInt(inBuffer.count)
        while true {
            let (status, produced) = buffer.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                return (status, out.count - Int(stream.avail_out))
            }
            result.append(contentsOf: buffer[0..<produced])
            if status == Z_STREAM_END { return result }
            if status != Z_OK { return nil }
        }
    }
}

/// Deterministic bytes that compress somewhat (text-like, with repeats) of the given size.
private func sampleBytes(count: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count)
    var state: UInt32 = 2_463_534_242
    let words = ["Dupont;", "Müller;", "1 234,56;", "€12,50;", "+33 6 12 34 56 78\n", "Zoë;"].map { Array($0.utf8) }
    while bytes.count < count {
        state ^= state << 13; state ^= state >> 17; state ^= state << 5
        if state % 7 == 0 {
            bytes.append(UInt8(truncatingIfNeeded: state >> 8))
        } else {
            bytes.append(contentsOf: words[Int(state % UInt32(words.count))])
        }
    }
    return Array(bytes.prefix(count))
}

/// Compresses `input` fed in pieces of `pieceSize` bytes, returning the whole gzip stream.
private func encode(_ input: [UInt8], pieceSize: Int, level: Int32 = 1) throws -> [UInt8] {
    let encoder = GzipEncoder(level: level)
    var output: [UInt8] = []
    var start = 0
    while start < input.count {
        let end = min(start + pieceSize, input.count)
        output += try encoder.compress(input[start..<end])
        start = end
    }
    output += try encoder.finish()
    return output
}

@Suite("GzipEncoder")
struct GzipEncoderTests {
    @Test("output starts with the gzip magic bytes and inflates back to the input, whatever the piece size",
          arguments: [1, 7, 4096, 65536, 1 << 20])
    func roundTripThroughZlib(pieceSize: Int) throws {
        let input = sampleBytes(count: 300_000)
        let compressed = try encode(input, pieceSize: pieceSize)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
        #expect(compressed.count < input.count)
        #expect(inflateWithZlib(compressed) == input)
    }

    @Test("every level from store to best produces a valid stream", arguments: [Int32(0), 1, 6, 9])
    func levels(level: Int32) throws {
        let input = sampleBytes(count: 50_000)
        #expect(inflateWithZlib(try encode(input, pieceSize: 10_000, level: level)) == input)
    }

    @Test("empty input gives a valid empty gzip member")
    func emptyInput() throws {
        let encoder = GzipEncoder()
        let compressed = try encoder.finish()
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
        #expect(inflateWithZlib(compressed) == [])
    }

    @Test("finish is idempotent and compress after finish is a sink error")
    func finishTwice() throws {
        let encoder = GzipEncoder()
        _ = try encoder.compress(Array("abc".utf8))
        let first = try encoder.finish()
        #expect(!first.isEmpty)
        #expect(try encoder.finish().isEmpty)
        #expect(throws: DebtflowError.self) { _ = try encoder.compress(Array("more".utf8)) }
        do {
            _ = try encoder.compress(Array("more".utf8))
        } catch let error as DebtflowError {
            #expect(error.kind == .sink)
        }
    }

    @Test("gzip -dc decodes the encoder's output byte for byte")
    func roundTripThroughGzipCommand() throws {
        let gzip = URL(fileURLWithPath: "/bin/gzip")
        guard FileManager.default.isExecutableFile(atPath: gzip.path) else { return }
        let input = sampleBytes(count: 1_000_000)
        let compressed = try encode(input, pieceSize: 65_536)
        let result = try TestSupport.run(gzip, ["-dc"], stdin: Data(compressed))
        #expect(result.status == 0)
        #expect(Array(result.stdout) == input)
    }

    @Test("two encoders' outputs concatenated are a two-member stream gzip -dc reads through")
    func concatenatedMembers() throws {
        let gzip = URL(fileURLWithPath: "/bin/gzip")
        guard FileManager.default.isExecutableFile(atPath: gzip.path) else { return }
        let first = Array("first member\n".utf8), second = Array("second member\n".utf8)
        let stream = try encode(first, pieceSize: 5) + encode(second, pieceSize: 5)
        let result = try TestSupport.run(gzip, ["-dc"], stdin: Data(stream))
        #expect(result.status == 0)
        #expect(Array(result.stdout) == first + second)
    }
}
