import DebtflowCore
import DebtflowGzip
import DebtflowTestSupport
import Foundation
import Testing

/// Compresses `bytes` with the system's `gzip` command (the reference encoder).
private func gzip(_ bytes: [UInt8], level: Int = 6) throws -> [UInt8] {
    let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/gzip"), ["-n", "-\(level)", "-c"], stdin: Data(bytes))
    #expect(result.status == 0)
    return [UInt8](result.stdout)
}

/// Lines of varied text, about `count` bytes: compressible, but not trivially.
private func sampleText(bytes count: Int) -> [UInt8] {
    var output: [UInt8] = []
    output.reserveCapacity(count + 100)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    var row = 0
    while output.count < count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        row += 1
        output += Array("\(row);Nom\(state % 9973);\(state >> 40);+33 6 \(state % 100_000_000)\n".utf8)
    }
    return output
}

/// Inflates `compressed`, feeding the decoder at most `feedSize` bytes per input read and asking
/// for at most `outputSize` bytes per call.
private func inflate(_ compressed: [UInt8], feedSize: Int, outputSize: Int = 65536) throws -> [UInt8] {
    var position = 0
    let decoder = GzipDecoder(name: "test.gz") { buffer in
        let count = min(buffer.count, feedSize, compressed.count - position)
        for index in 0..<count { buffer[index] = compressed[position + index] }
        position += count
        return count
    }
    var output: [UInt8] = []
    let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: outputSize, alignment: 1)
    defer { chunk.deallocate() }
    while true {
        let count = try decoder.read(into: chunk)
        if count == 0 { return output }
        output += chunk[0..<count]
    }
}

/// The input error thrown by `body`, or `nil`.
private func inputError(_ body: () throws -> Void) -> DebtflowError? {
    do {
        try body()
        return nil
    } catch let error as DebtflowError {
        return error.kind == .input ? error : nil
    } catch {
        return nil
    }
}

@Suite("Gzip decoder")
struct GzipDecoderTests {
    @Test("a single member inflates to the original bytes whatever the feed size",
          arguments: [1, 7, 4096, 65536, 1 << 20])
    func singleMember(feedSize: Int) throws {
        let original = sampleText(bytes: feedSize == 1 ? 50_000 : 700_000)
        let compressed = try gzip(original)
        #expect(try inflate(compressed, feedSize: feedSize) == original)
    }

    @Test("concatenated members are read through as one stream", arguments: [1, 2, 7, 4096, 1 << 20])
    func multipleMembers(feedSize: Int) throws {
        let parts = [sampleText(bytes: 30_000), Array("second member\n".utf8), sampleText(bytes: 5_000)]
        let compressed = try parts.flatMap { try gzip($0) }
        #expect(try inflate(compressed, feedSize: feedSize, outputSize: 1000) == parts.flatMap { $0 })
    }

    @Test("a member holding no data is allowed between others")
    func emptyMember() throws {
        let compressed = try gzip(Array("a\n".utf8)) + gzip([]) + gzip(Array("b\n".utf8))
        #expect(try GzipDecoder.decompress(compressed) == Array("a\nb\n".utf8))
    }

    @Test("a stream cut short is an input error naming the file and the offset where it ended",
          arguments: [1, 8, 200])
    func truncatedStream(cut: Int) throws {
        let compressed = try gzip(sampleText(bytes: 300_000))
        let shortened = Array(compressed.dropLast(cut))
        for feedSize in [7, 65536] {
            let error = inputError { _ = try inflate(shortened, feedSize: feedSize) }
            #expect(error?.message.hasPrefix("truncated gzip stream") == true)
            #expect(error?.location?.file == "test.gz")
            #expect(error?.location?.byteOffset == Int64(shortened.count))
        }
    }

    @Test("an empty input is a truncated stream")
    func emptyInput() {
        let error = inputError { _ = try GzipDecoder.decompress([]) }
        #expect(error?.message.hasPrefix("truncated gzip stream") == true)
    }

    @Test("damaged compressed data is an input error with an offset")
    func corruptData() throws {
        var compressed = try gzip(sampleText(bytes: 100_000))
        for index in 2000..<2040 { compressed[index] ^= 0x5A }
        let error = inputError { _ = try GzipDecoder.decompress(compressed, name: "bad.gz") }
        #expect(error?.message.hasPrefix("corrupt gzip stream") == true)
        #expect(error?.location?.file == "bad.gz")
        #expect(error?.location?.byteOffset != nil)
    }

    @Test("a changed checksum is detected")
    func checksumMismatch() throws {
        var compressed = try gzip(Array("hello, world\n".utf8))
        compressed[compressed.count - 6] ^= 0xFF   // inside the CRC-32 of the trailer
        #expect(inputError { _ = try GzipDecoder.decompress(compressed) } != nil)
    }

    @Test("bytes after a complete member that are not another member are an input error",
          arguments: [[0x00], [0x1f], [0x1f, 0x00], Array("garbage".utf8)] as [[UInt8]])
    func trailingGarbage(garbage: [UInt8]) throws {
        let compressed = try gzip(Array("data\n".utf8)) + garbage
        for feedSize in [1, 4096] {
            let error = inputError { _ = try inflate(compressed, feedSize: feedSize) }
            #expect(error?.message.contains("followed by bytes that are not gzip data") == true, "feed size \(feedSize)")
            #expect(error?.location?.byteOffset == Int64(compressed.count - garbage.count))
        }
    }

    @Test("the magic number is recognised from the first two bytes only")
    func detection() {
        #expect(GzipDetection.isGzip([0x1f, 0x8b, 0x08]))
        #expect(GzipDetection.isGzip([0x1f, 0x8b]))
        #expect(!GzipDetection.isGzip([0x1f]))
        #expect(!GzipDetection.isGzip(Array("id,name".utf8)))
        #expect(!GzipDetection.isGzip([]))
    }
}
