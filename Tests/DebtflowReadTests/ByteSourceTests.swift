import DebtflowCore
import DebtflowRead
import DebtflowTestSupport
import Foundation
import Testing

/// The folder of the CSV fixtures in the test bundle.
let csvFixtures = Bundle.module.resourceURL!.appendingPathComponent("Fixtures/csv")

/// Every byte a source hands out, read `readSize` bytes at a time.
func drain(_ source: any ByteSource, readSize: Int = 65536) throws -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readSize, alignment: 1)
    defer { buffer.deallocate() }
    var output: [UInt8] = []
    while true {
        let count = try source.read(into: buffer)
        if count == 0 { return output }
        output += buffer[0..<count]
    }
}

@Suite("Byte sources")
struct ByteSourceTests {
    @Test("a plain file is read as stored, with its size from fstat", arguments: [1, 7, 4096, 65536])
    func plainFile(readSize: Int) throws {
        let source = try ByteSources.open(path: "sample.csv", relativeTo: csvFixtures.path)
        #expect(source.name == "sample.csv")
        let stored = try [UInt8](Data(contentsOf: csvFixtures.appendingPathComponent("sample.csv")))
        #expect(source.totalBytes == Int64(stored.count))
        #expect(try drain(source, readSize: readSize) == stored)
        #expect(source.bytesConsumed == Int64(stored.count))
    }

    @Test("a file cut shorter while it is read is an input error at its end, not a quiet end of input; one that grew is read whole")
    func fileShrinksWhileRead() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-shrink")
        let path = folder.appendingPathComponent("in.csv").path
        try Data(repeating: UInt8(ascii: "x"), count: 10_000).write(to: URL(fileURLWithPath: path))
        let source = try FileByteSource(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { buffer.deallocate() }
        #expect(try source.read(into: buffer) == 4096)
        #expect(truncate(path, 6_000) == 0)
        #expect(try source.read(into: buffer) == 1_904)
        let error = #expect(throws: DebtflowError.self) { try source.read(into: buffer) }
        #expect(error?.kind == .input && error?.message.contains("the file shrank while it was read: it held 10000 bytes when opened, 6000 could be read") == true,
                "\(String(describing: error))")

        let growing = try FileByteSource(path: path)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(repeating: UInt8(ascii: "y"), count: 100))
        try handle.close()
        #expect(try drain(growing).count == 6_100)
    }

    @Test("an absolute path ignores the folder it would be relative to")
    func absolutePath() throws {
        let path = csvFixtures.appendingPathComponent("sample.csv").path
        let source = try ByteSources.open(path: path, relativeTo: "/nonexistent")
        #expect(source.name == path)
        #expect(try drain(source).count == 160)
    }

    @Test("a missing file is an input error naming the path")
    func missingFile() throws {
        do {
            _ = try ByteSources.open(path: "nope.csv", relativeTo: csvFixtures.path)
            Issue.record("opening a missing file did not throw")
        } catch let error as DebtflowError {
            #expect(error.kind == .input)
            #expect(error.location?.file == "nope.csv")
            #expect(error.message.contains(csvFixtures.appendingPathComponent("nope.csv").path))
            #expect(error.cause == "No such file or directory")
        }
    }

    @Test("a folder is an input error, not an empty input")
    func folder() throws {
        #expect(throws: DebtflowError.self) { _ = try ByteSources.open(path: csvFixtures.path) }
    }

    @Test("gzip is recognised by its magic bytes whatever the file's name",
          arguments: ["sample.csv.gz", "gzip-named.csv"])
    func gzipByContent(name: String) throws {
        let source = try ByteSources.open(path: name, relativeTo: csvFixtures.path)
        #expect(source is GzipByteSource)
        let plain = try [UInt8](Data(contentsOf: csvFixtures.appendingPathComponent("sample.csv")))
        #expect(try drain(source, readSize: 7) == plain)
        let stored = try Data(contentsOf: csvFixtures.appendingPathComponent(name)).count
        #expect(source.totalBytes == Int64(stored))
        #expect(source.bytesConsumed == Int64(stored))
    }

    @Test("a plain file named .gz is read plain")
    func plainNamedGz() throws {
        let source = try ByteSources.open(path: "plain-named.csv.gz", relativeTo: csvFixtures.path)
        #expect(!(source is GzipByteSource))
        let plain = try [UInt8](Data(contentsOf: csvFixtures.appendingPathComponent("sample.csv")))
        #expect(try drain(source) == plain)
    }

    @Test("files shorter than the magic number are read plain", arguments: ["", "\u{1f}", "a"])
    func tinyFiles(content: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(content.utf8).write(to: folder.appendingPathComponent("tiny.csv"))
        let source = try ByteSources.open(path: "tiny.csv", relativeTo: folder.path)
        #expect(try drain(source, readSize: 1) == Array(content.utf8))
    }
}
