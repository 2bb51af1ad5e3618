@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
import Testing

@Suite("Output targets")
struct OutputTargetTests {
    @Test("a file name of up to 255 bytes is written and published: the temporary name is cut to fit, at a character's start",
          arguments: [10, 200, 240, 255])
    func longNames(length: Int) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-long-name")
        // Two-byte characters, so that a cut may fall inside one; an ASCII byte first for odd lengths.
        let name = (length.isMultiple(of: 2) ? "" : "x") + String(repeating: "é", count: length / 2)
        #expect(name.utf8.count == length)
        let path = folder.appendingPathComponent(name).path
        let file = try AtomicFile(path: path)
        try file.write(Array("{}\n".utf8))
        try file.publish()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "{}\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [name])
        let stem = AtomicFile.temporaryStem(of: name, leaving: 26)
        #expect(stem.utf8.count <= 229 && name.hasPrefix(stem))
    }

    @Test("what a path names decides how it is written")
    func targets() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-target")
        let file = folder.appendingPathComponent("a.ndjson").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link").path, withDestinationPath: "a.ndjson")
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(try OutputTarget.resolve("-") == .descriptor(1))
        #expect(try OutputTarget.resolve("/dev/stdout") == .descriptor(1))
        #expect(try OutputTarget.resolve("/dev/fd/2") == .descriptor(2))
        #expect(try OutputTarget.resolve("/dev/null") == .stream("/dev/null", kind: .characterDevice))
        #expect(try OutputTarget.resolve(fifo) == .stream(fifo, kind: .fifo))
        #expect(try OutputTarget.resolve(file) == .file(file))
        #expect(try OutputTarget.resolve(folder.appendingPathComponent("link").path) == .file(file))
        #expect(try OutputTarget.resolve(folder.appendingPathComponent("new.ndjson").path) == .file(folder.appendingPathComponent("new.ndjson").path))
        for bad in ["", folder.path, folder.appendingPathComponent("nope/x").path, "a\u{0}b"] {
            #expect(throws: OutputPathProblem.self) { try OutputTarget.resolve(bad) }
        }
    }

    @Test("an atomic file on a FIFO writes in place: the FIFO stays and the reader gets the bytes")
    func fifoStream() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-target")
        let fifo = folder.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        defer { close(reader) }
        let file = try AtomicFile(path: fifo)
        try file.write(Array("hello\n".utf8))
        try file.publish()
        var buffer = [UInt8](repeating: 0, count: 16)
        #expect(read(reader, &buffer, 16) == 6)
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["fifo"])
    }
}

@Suite("Writing behind: an output goes to disk while the run goes on")
struct WriteBehindTests {
    private static let mebibyte = 1 << 20

    /// `count` MiB written at `offset`, each MiB of the file its own byte value, so that a lost or
    /// moved piece shows.
    private static func piece(at offset: Int, mebibytes count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for index in 0..<count {
            bytes += [UInt8](repeating: UInt8(truncatingIfNeeded: offset / mebibyte + index + 1), count: mebibyte)
        }
        return bytes
    }

    /// A new atomic file in a folder of its own, and its final path.
    private static func newFile() throws -> (file: AtomicFile, path: String) {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-writebehind")
        let path = folder.appendingPathComponent("out.ndjson").path
        return (try AtomicFile(path: path), path)
    }

    /// Writes `mebibytes` more to `file`, and the same bytes to `expected`.
    private static func append(_ mebibytes: Int, to file: AtomicFile, expected: inout [UInt8]) throws {
        let bytes = piece(at: expected.count, mebibytes: mebibytes)
        try file.write(bytes)
        expected += bytes
    }

    @Test("every 8 MiB written is handed to the kernel's writeback, and the published file is whole")
    func handsStepsToWriteback() throws {
        let (file, path) = try Self.newFile()
        var expected: [UInt8] = []
        for _ in 0..<20 { try Self.append(1, to: file, expected: &expected) }
        // Two steps of 8 MiB; the last 4 MiB are left to publish's fsync.
        #expect(file.bytesHandedToWriteback == Int64(16 * Self.mebibyte))
        try file.publish()
        #expect(FileManager.default.contents(atPath: path) == Data(expected))
    }

    @Test("after lines are cut back, the next step counts from the cut, and the cut bytes stay gone")
    func countsFromACutBack() throws {
        let (file, path) = try Self.newFile()
        var expected: [UInt8] = []
        try Self.append(9, to: file, expected: &expected)
        #expect(file.bytesHandedToWriteback == Int64(9 * Self.mebibyte))
        try file.truncate(to: Int64(5 * Self.mebibyte))
        expected.removeLast(4 * Self.mebibyte)
        // 7 MiB after the cut: not a step yet.
        try Self.append(7, to: file, expected: &expected)
        #expect(file.bytesHandedToWriteback == Int64(9 * Self.mebibyte))
        // One more: 8 MiB since the cut.
        try Self.append(1, to: file, expected: &expected)
        #expect(file.bytesHandedToWriteback == Int64(17 * Self.mebibyte))
        try file.publish()
        #expect(FileManager.default.contents(atPath: path) == Data(expected))
    }

    @Test("a stream (a device) is written as it is, with no writeback asked")
    func streamsAreNotHinted() throws {
        let file = try AtomicFile(path: "/dev/null")
        for _ in 0..<9 { try file.write(Self.piece(at: 0, mebibytes: 1)) }
        #expect(file.bytesWritten == Int64(9 * Self.mebibyte))
        #expect(file.bytesHandedToWriteback == 0)
        try file.publish()
    }
}
