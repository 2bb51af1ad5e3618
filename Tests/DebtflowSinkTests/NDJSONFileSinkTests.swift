import DebtflowCore
import DebtflowGzip
import DebtflowRead
import DebtflowSink
import DebtflowTestSupport
import Foundation
import Testing

@Suite("NDJSON file sink")
struct NDJSONFileSinkTests {
    private func outcome(_ record: Int, _ name: String) -> Outcome {
        Outcome.converted(Record(provenance: Provenance(source: "s", record: record), fields: RecordObject(["name": .string(name)])))
    }

    @Test("publishes one JSON object per line, only when finished, with mode 0600")
    func publishes() async throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let path = folder.appendingPathComponent("out.ndjson")
        let sink = try NDJSONFileSink(path: path.path, accepts: [.valid])
        try await sink.write([outcome(1, "Zoë \"Z\" Müller"), outcome(2, "line\nbreak")])
        #expect(!FileManager.default.fileExists(atPath: path.path), "nothing is visible before the run finishes")
        try await sink.finish()
        let lines = try TestSupport.readNDJSON(path)
        #expect(lines.count == 2)
        #expect(lines[0]["name"] as? String == "Zoë \"Z\" Müller")
        #expect(lines[1]["name"] as? String == "line\nbreak")
        #expect(try TestSupport.permissions(of: path) == 0o600)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty)
    }

    @Test("an aborted sink publishes nothing and leaves no temporary file")
    func abort() async throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let path = folder.appendingPathComponent("out.ndjson")
        let sink = try NDJSONFileSink(path: path.path, accepts: [.valid])
        try await sink.write([outcome(1, "a")])
        await sink.abort()
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("an existing output is replaced whole, never appended to or truncated early")
    func replaces() async throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let path = folder.appendingPathComponent("out.ndjson")
        try Data("old\n".utf8).write(to: path)
        let sink = try NDJSONFileSink(path: path.path, accepts: [.valid])
        try await sink.write([outcome(1, "new")])
        #expect(try String(contentsOf: path, encoding: .utf8) == "old\n")
        try await sink.finish()
        #expect(try TestSupport.readNDJSON(path).first?["name"] as? String == "new")
    }

    @Test("a missing folder is a sink error naming the path")
    func missingFolder() throws {
        let error = try #require(throws: DebtflowError.self) {
            try NDJSONFileSink(path: "/nonexistent-debtflow/out.ndjson", accepts: [.valid])
        }
        #expect(error.kind == .sink)
        #expect(error.description.contains("/nonexistent-debtflow/out.ndjson"))
    }

    @Test("gzip output decodes to the same lines")
    func gzipOutput() async throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let path = folder.appendingPathComponent("out.ndjson.gz")
        let sink = try NDJSONFileSink(path: path.path, accepts: [.valid], compressor: GzipEncoder())
        for chunk in 0..<3 { try await sink.write((1...500).map { outcome(chunk * 500 + $0, "n\($0)") }) }
        try await sink.finish()
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-dc", path.path])
        let lines = result.stdoutText.split(separator: "\n")
        #expect(result.status == 0)
        #expect(lines.count == 1500)
        #expect(lines.first == #"{"name":"n1"}"#)
        #expect(try TestSupport.permissions(of: path) == 0o600)
    }
}

@Suite("NDJSON file sink, many inputs")
struct NDJSONFileSinkManyInputsTests {
    private func outcomes(_ source: String, _ count: Int) -> [Outcome] {
        (1...count).map { Outcome(status: .valid, provenance: Provenance(source: source, record: $0), tempID: "\(source)#\($0)") }
    }

    private func run(gzip: Bool) async throws -> [UInt8] {
        let folder = try TestSupport.makeTemporaryDirectory()
        let path = folder.appendingPathComponent(gzip ? "out.ndjson.gz" : "out.ndjson")
        let sink = try NDJSONFileSink(path: path.path, accepts: [.valid], compressor: gzip ? GzipEncoder() : nil, includeSource: true)
        let marks = ["a", "bad", "c"].enumerated().map { InputMark(index: $0.offset, path: $0.element, isLast: true) }
        for mark in marks {
            try await sink.inputStarted(mark)
            try await sink.write(outcomes(mark.path, 3000))
            if mark.path == "bad" { try await sink.inputFailed(mark) } else { try await sink.inputFinished(mark) }
        }
        try await sink.finish()
        return Array(try Data(contentsOf: path))
    }

    @Test("a failed input's lines are cut back out of a shared file, plain or gzip (one member per input)", arguments: [false, true])
    func failedInputCutBack(gzip: Bool) async throws {
        var bytes = try await run(gzip: gzip)
        if gzip {
            let source = GzipByteSource(wrapping: MemoryByteSource(bytes))
            var plain: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
                if count == 0 { break }
                plain += buffer[..<count]
            }
            bytes = plain
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 6000)
        #expect(!lines.contains { $0.contains("\"source\":\"bad\"") })
        #expect(lines.first?.hasPrefix(#"{"status":"valid","source":"a","record":1"#) == true)
    }
}
