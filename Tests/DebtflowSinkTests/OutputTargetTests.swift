import DebtflowSink
import DebtflowTestSupport
import Foundation
import Testing

@Suite("Output targets")
struct OutputTargetTests {
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
