import DebtflowCore
import DebtflowJSON
@testable import DebtflowSandbox
import DebtflowTestSupport
import Foundation
import Testing

/// The debtors file is read as a stream, element by element (memory the size of the texts kept,
/// not of the document parsed whole); what it serves and what it refuses are what reading the
/// whole document at once gave.
@Suite("The debtors file read as a stream")
struct DebtorFileReadingTests {
    /// Debtors with what a re-serialization changes (whitespace, escapes) and what it keeps
    /// (numbers as written, key order, non-ASCII).
    static func debtors(_ count: Int) -> [String] {
        (1...count).map { index in
            #"{ "debtorId" : \#(index), "name":"Zoë \u00e9\/\#(index)", "amount": \#(index).50, "tags":[ 1e3 , true,null ], "#
                + #""nested":{"a":[{"b":"\"q\"\n"}]} }"#
        }
    }

    /// What reading the whole document at once kept of each element: the compact re-serialization
    /// of its parsed value.
    static func compact(_ debtors: [String]) throws -> [String] {
        try debtors.map { text in
            var writer = JSONByteWriter(capacity: 256)
            writer.value(try JSONDocument.parse(Array(text.utf8), name: "debtor"))
            return String(decoding: writer.bytes, as: UTF8.self)
        }
    }

    static func document(_ debtors: [String]) -> String {
        "{\"hasNext\": false,\n \"result\": [\n  " + debtors.joined(separator: ",\n  ") + "\n ],\n \"offset\": \"0\"}\n"
    }

    static func writeFile(_ text: String, gzip: Bool = false) throws -> String {
        let folder = try TestSupport.makeTemporaryDirectory("sandbox-stream")
        let plain = folder.appendingPathComponent("debtors.json")
        try Data(text.utf8).write(to: plain)
        guard gzip else { return plain.path }
        let zipped = folder.appendingPathComponent("debtors.json.gz")
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -c '\(plain.path)' > '\(zipped.path)'"])
        #expect(result.status == 0)
        return zipped.path
    }

    @Test("a document of many debtors gives each one's compact text, as the whole-document reading did, whatever the read size",
          arguments: [1, 7, 4096, 65536])
    func manyElements(readSize: Int) throws {
        let debtors = Self.debtors(readSize == 1 ? 300 : 3_000)
        let expected = try Self.compact(debtors)
        let catalog = try DebtorCatalog.split(Array(Self.document(debtors).utf8), readSize: readSize)
        #expect(catalog.count == debtors.count)
        #expect(catalog.texts.map { String(decoding: $0, as: UTF8.self) } == expected)
    }

    @Test("an array, NDJSON and their gzip give the same debtors (NDJSON lines as written)", arguments: [false, true])
    func shapes(gzip: Bool) throws {
        let debtors = Self.debtors(2_000)
        let expected = try Self.compact(debtors)
        let array = try DebtorCatalog.load(path: Self.writeFile("[\n" + debtors.joined(separator: ",\n") + "\n]\n", gzip: gzip))
        #expect(array.texts.map { String(decoding: $0, as: UTF8.self) } == expected)
        let ndjson = try DebtorCatalog.load(path: Self.writeFile(expected.joined(separator: "\r\n") + "\r\n\n", gzip: gzip))
        #expect(ndjson.texts.map { String(decoding: $0, as: UTF8.self) } == expected)
        let written = try DebtorCatalog.load(path: Self.writeFile(debtors.joined(separator: "\n"), gzip: gzip))
        #expect(written.texts.map { String(decoding: $0, as: UTF8.self) } == debtors)
        let document = try DebtorCatalog.load(path: Self.writeFile(Self.document(debtors), gzip: gzip))
        #expect(document.texts.map { String(decoding: $0, as: UTF8.self) } == expected)
    }

    @Test("a slice is the debtors' texts joined by commas")
    func slices() throws {
        let catalog = try DebtorCatalog.split(Array("[{\"a\":1}, {\"b\":2} ,{\"c\":3}]".utf8))
        for (range, joined) in [(0..<3, "{\"a\":1},{\"b\":2},{\"c\":3}"), (1..<2, "{\"b\":2}"), (2..<3, "{\"c\":3}"), (3..<3, "")] {
            var body: [UInt8] = []
            catalog.appendJoinedTexts(range, to: &body)
            #expect(String(decoding: body, as: UTF8.self) == joined)
        }
        #expect(catalog.slice(from: 2, count: 10) == 2..<3)
        #expect(catalog.slice(from: 5, count: 10) == 3..<3)
    }

    @Test("a document broken at its last debtor is refused at start, naming the file, line, column and byte", arguments: [false, true])
    func brokenAtTheLastElement(gzip: Bool) throws {
        var debtors = Self.debtors(2_000)
        debtors[debtors.count - 1] = #"{"debtorId" 2000}"#
        let text = Self.document(debtors)
        let whole = #expect(throws: DebtflowError.self) {
            _ = try JSONDocument.parse(Array(text.utf8), name: "the document", limits: SandboxJSON.limits)
        }
        let location = try #require(whole?.location)
        #expect(location.line == 2_002)
        let path = try Self.writeFile(text, gzip: gzip)
        let error = #expect(throws: DebtflowError.self) { _ = try DebtorCatalog.load(path: path) }
        #expect(error?.kind == .usage)
        #expect(error?.message.contains("the debtors file \(path)") == true)
        #expect(error?.message.contains("the document:2002:\(location.column!) byte \(location.byteOffset!): unexpected '2'") == true,
                "\(String(describing: error))")
    }

    @Test("each malformed text is refused with what parsing the whole document says, at the same place", arguments: [
        "{", "[1,]", "{\"a\" 1}", "{\"result\":[{\"a\":1},", "{\"result\":5,\"x\":[1,]}", "[{\"a\":\"\\ud800\"}]",
        "{\"a\":1} {\"b\":2}\n{\"c\":3}", "{\"a\":1}\r{\"b\":2}", "\u{FEFF}", "\u{FEFF}\n{\"a\":1}\n{\"b\":2}",
        "{\n\"result\":[]}\n{\"b\":2}", String(repeating: "[", count: 100_000), "[" + String(repeating: "{\"a\":", count: 600),
    ])
    func malformed(text: String) {
        let whole = #expect(throws: DebtflowError.self) {
            _ = try JSONDocument.parse(Array(text.utf8), name: "the document", limits: SandboxJSON.limits)
        }
        let streamed = #expect(throws: DebtflowError.self) { _ = try DebtorCatalog.split(Array(text.utf8), readSize: 3) }
        #expect(whole != nil && streamed == whole)
    }

    @Test("NDJSON: each line is one debtor as written, a document on the first line included; a bad line is named")
    func ndjson() throws {
        let lines = try DebtorCatalog.split(Array("{\"result\":[{\"a\":1}]}\n\n[1, 2]\n\"x\"\r\n".utf8), readSize: 2)
        #expect(lines.texts.map { String(decoding: $0, as: UTF8.self) } == ["{\"result\":[{\"a\":1}]}", "[1, 2]", "\"x\""])
        let error = #expect(throws: DebtflowError.self) {
            _ = try DebtorCatalog.split(Array("{\"id\":1}\n{\"id\":2}\n\n{\"id\" 4}\n{\"id\":5}\n".utf8), readSize: 4)
        }
        #expect(error?.description == "line 4:1:7 byte 6: unexpected '4'; expected ':' after an object key")
    }

    @Test("a lone object is one debtor as written; a scalar or a `result` that is not an array is refused")
    func loneObject() throws {
        let lone = try DebtorCatalog.split(Array("\n  {\"id\": 1, \"x\" : [1, 2]}  \n".utf8), readSize: 5)
        #expect(lone.texts.map { String(decoding: $0, as: UTF8.self) } == ["{\"id\": 1, \"x\" : [1, 2]}"])
        for (text, said) in [("42", "a debtor must be a JSON object"), ("{\"result\":{},\"result\":[]}", "\"result\" is not an array")] {
            let error = #expect(throws: DebtflowError.self) { _ = try DebtorCatalog.split(Array(text.utf8)) }
            #expect(error?.message == said)
        }
        #expect(try DebtorCatalog.split(Array(" \r\n\t".utf8)).count == 0)
    }

    @Test("a gzip file damaged after a JSON error is refused as damaged gzip, as when the file was inflated whole first")
    func damagedGzipBeforeJSON() throws {
        let path = try Self.writeFile("[{\"a\" 1}," + Self.debtors(3_000).joined(separator: ",") + "]", gzip: true)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes.removeLast(bytes.count / 3)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: DebtflowError.self) { _ = try DebtorCatalog.load(path: path) }
        #expect(error?.message.contains("the debtors file \(path): truncated gzip stream") == true, "\(String(describing: error))")
    }
}
