import DebtflowCore
@testable import DebtflowSandbox
import DebtflowTestSupport
import Foundation
import Testing

@Suite("The Sportalliance debtors route")
struct DebtorsRouteTests {
    enum FileShape: String, CaseIterable { case document, array, ndjson, gzipDocument }

    static func write(_ debtors: [String], as shape: FileShape) throws -> String {
        let folder = try TestSupport.makeTemporaryDirectory("sandbox-debtors")
        let text: String
        switch shape {
        case .document, .gzipDocument: text = #"{"result":[\#(debtors.joined(separator: ",\n"))],"hasNext":false,"offset":"0"}"#
        case .array: text = "[\n" + debtors.joined(separator: ",\n") + "\n]\n"
        case .ndjson: text = debtors.joined(separator: "\n") + "\n"
        }
        let url = folder.appendingPathComponent("debtors.\(shape.rawValue)")
        if shape == .gzipDocument {
            let plain = folder.appendingPathComponent("plain.json")
            try Data(text.utf8).write(to: plain)
            let result = try TestSupport.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "gzip -c '\(plain.path)' > '\(url.path)'"])
            #expect(result.status == 0)
        } else {
            try Data(text.utf8).write(to: url)
        }
        return url.path
    }

    /// Follows `offset` while `hasNext`, returning every page's debtor ids.
    static func pages(port: Int, sliceSize: Int) throws -> (pages: [[Int]], offsets: [String]) {
        var offset = "0"
        var pages: [[Int]] = []
        var offsets: [String] = []
        while true {
            let response = try RawHTTPClient(port: port).request(
                "GET", "/v1/debt-collection/42/debtors?offset=\(offset)&sliceSize=\(sliceSize)")
            #expect(response.status == 200)
            let result = try #require(response.jsonObject["result"] as? [[String: Any]])
            pages.append(result.compactMap { $0["debtorId"] as? Int })
            let next = try #require(response.jsonObject["offset"] as? String)
            offsets.append(next)
            guard try #require(response.jsonObject["hasNext"] as? Bool) else { break }
            offset = next
            if pages.count > 100 { break }
        }
        return (pages, offsets)
    }

    @Test("serves the debtors file in slices, following offset while hasNext", arguments: FileShape.allCases)
    func paging(shape: FileShape) throws {
        let path = try Self.write(Fixtures.debtors(25), as: shape)
        try withSandbox({ $0.debtorsPath = path }) { port, _ in
            let (pages, offsets) = try Self.pages(port: port, sliceSize: 10)
            #expect(pages.map(\.count) == [10, 10, 5])
            #expect(pages.flatMap { $0 } == Array(1...25))
            #expect(Set(offsets).count == offsets.count)
        }
    }

    @Test("uses Sportalliance's default slice size of 10 when sliceSize is absent, and starts at no offset")
    func defaults() throws {
        let path = try Self.write(Fixtures.debtors(12), as: .ndjson)
        try withSandbox({ $0.debtorsPath = path }) { port, _ in
            let response = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/7/debtors")
            #expect((response.jsonObject["result"] as? [Any])?.count == 10)
            #expect(response.jsonObject["hasNext"] as? Bool == true)
        }
    }

    @Test("without --debtors answers an empty last slice")
    func emptyCatalog() throws {
        try withSandbox { port, _ in
            let response = try RawHTTPClient(port: port).request("GET", "/v1/debt-collection/7/debtors?offset=0&sliceSize=5")
            #expect(response.status == 200)
            #expect((response.jsonObject["result"] as? [Any])?.isEmpty == true)
            #expect(response.jsonObject["hasNext"] as? Bool == false)
            #expect(response.jsonObject["offset"] is String)
        }
    }

    @Test("answers 400 with Sportalliance's error body for a bad run id, offset or slice size", arguments: [
        "/v1/debt-collection/abc/debtors", "/v1/debt-collection/0/debtors", "/v1/debt-collection/-3/debtors",
        "/v1/debt-collection/1/debtors?offset=zzz", "/v1/debt-collection/1/debtors?offset=999",
        "/v1/debt-collection/1/debtors?sliceSize=0", "/v1/debt-collection/1/debtors?sliceSize=100000",
    ])
    func badRequests(target: String) throws {
        let path = try Self.write(Fixtures.debtors(3), as: .array)
        try withSandbox({ $0.debtorsPath = path }) { port, _ in
            let response = try RawHTTPClient(port: port).request("GET", target)
            #expect(response.status == 400)
            #expect((response.jsonObject["errorMessage"] as? String)?.isEmpty == false)
            #expect(response.jsonObject["errorCode"] is String)
            #expect(response.jsonObject["traceId"] is String)
        }
    }

    @Test("refuses to start on a debtors file that is not JSON, naming the file")
    func badDebtorsFile() throws {
        let folder = try TestSupport.makeTemporaryDirectory("sandbox-bad")
        let url = folder.appendingPathComponent("debtors.json")
        try Data("{\"result\":[{\"a\":1},".utf8).write(to: url)
        var configuration = SandboxConfiguration()
        configuration.debtorsPath = url.path
        let server = SandboxServer(configuration: configuration)
        #expect { try server.start() } throws: { error in
            "\(error)".contains(url.path)
        }
    }

    @Test("a debtors file that is cut short (gzip), a folder or a FIFO is refused naming the file and why; an empty file serves no debtor")
    func debtorsFileProblems() throws {
        let folder = try TestSupport.makeTemporaryDirectory("sandbox-bad")
        let gzip = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c"], stdin: Data(String(repeating: "{\"a\":1}\n", count: 100).utf8))
        let cut = folder.appendingPathComponent("cut.json.gz")
        try gzip.stdout.prefix(gzip.stdout.count - 8).write(to: cut)
        let fifo = folder.appendingPathComponent("fifo.json")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        for (path, said) in [(cut.path, "truncated gzip"), (folder.path, "is not a regular file"), (fifo.path, "is not a regular file")] {
            let error = #expect(throws: DebtflowError.self) { _ = try DebtorCatalog.load(path: path) }
            #expect(error?.message.contains("the debtors file \(path)") == true && error?.message.contains(said) == true,
                    "\(String(describing: error))")
        }
        let empty = folder.appendingPathComponent("empty.ndjson")
        try Data().write(to: empty)
        #expect(try DebtorCatalog.load(path: empty.path).count == 0)
    }

    @Test("splits the three accepted shapes into the same debtors", arguments: FileShape.allCases.filter { $0 != .gzipDocument })
    func splitShapes(shape: FileShape) throws {
        let path = try Self.write(Fixtures.debtors(3), as: shape)
        let catalog = try DebtorCatalog.load(path: path)
        #expect(catalog.texts.map { String(decoding: $0, as: UTF8.self) } == Fixtures.debtors(3))
    }
}
