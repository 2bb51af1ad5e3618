import DebtflowTestSupport
import Foundation
import Testing

/// Issue 8 items 12–16 through the built binary: memory bounded by bytes (huge records, wide
/// rows), XML depth and attribute limits, libxml2's messages captured, archives and UTF-16 refused
/// by name, a duplicate records key. Inputs are generated here; each case runs in seconds.
@Suite("Input limits (end to end)")
struct InputLimitsTests {
    // MARK: - Helpers

    /// Writes `data` as `name` next to a conversion config reading it, runs it with a summary.
    private func convert(_ data: Data, name: String = "in.dat", read: String, extra: [String] = [],
                         timeout: TimeInterval = 60) throws -> (folder: URL, result: TestSupport.ProcessResult) {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-limits")
        let config = #"{"version":1,"name":"limits","stages":[{"read":{\#(read),"path":"\#(name)"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        try data.write(to: folder.appendingPathComponent(name))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path,
                                                  "--summary", folder.appendingPathComponent("s.json").path] + extra,
                                                 timeout: timeout)
        return (folder, result)
    }

    private func summary(_ folder: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("s.json"))) as? [String: Any])
    }

    /// Whether the data output was published (it must not be on exit 3).
    private func published(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path)
    }

    // MARK: - 12. Memory bounded by bytes

    @Test("10 NDJSON records of 8 MB convert within 150 MB (today 246 MB: all ten in one chunk)")
    func hugeNDJSONRecords() throws {
        let blob = String(repeating: "x", count: 8 << 20)
        let text = (1...10).map { #"{"id":\#($0),"blob":""# + blob + #""}"# }.joined(separator: "\n") + "\n"
        let (folder, result) = try convert(Data(text.utf8), read: #""format":"json""#)
        #expect(result.status == 0, "\(result.stderrText)")
        let figures = try summary(folder)
        #expect(figures["records"] as? Int == 10)
        let peak = try #require(figures["peak_rss_mb"] as? Int)
        #expect(peak < 150, "peak RSS \(peak) MB")
    }

    @Test("rows of 4 million fields convert within 500 MB (today 700-800 MB)")
    func fourMillionFieldRows() throws {
        let row = String(repeating: "1,", count: 3_999_999) + "1\n"
        let (folder, result) = try convert(Data(String(repeating: row, count: 2).utf8),
                                           read: #""format":"csv","header":false"#, timeout: 300)
        #expect(result.status == 0, "\(result.stderrText)")
        let figures = try summary(folder)
        #expect(figures["records"] as? Int == 2)
        let peak = try #require(figures["peak_rss_mb"] as? Int)
        #expect(peak < 500, "peak RSS \(peak) MB")
    }

    @Test("1,000 rows of 10,000 columns convert within 250 MB (today over 500 MB)")
    func tenThousandColumns() throws {
        let header = (1...10_000).map { "col\($0)" }.joined(separator: ",") + "\n"
        let row = (1...10_000).map { "v\($0 % 100)" }.joined(separator: ",") + "\n"
        let (folder, result) = try convert(Data((header + String(repeating: row, count: 1_000)).utf8),
                                           read: #""format":"csv""#, timeout: 300)
        #expect(result.status == 0, "\(result.stderrText)")
        let figures = try summary(folder)
        #expect(figures["records"] as? Int == 1_000)
        let peak = try #require(figures["peak_rss_mb"] as? Int)
        #expect(peak < 250, "peak RSS \(peak) MB")
    }

    @Test("a CSV row of more than 4,194,304 fields (a header or a data row; a few MB of commas) is exit 3 naming its line, not gigabytes of memory")
    func tooManyCSVFields() throws {
        let commas = String(repeating: ",", count: 1 << 22)   // one field more than the limit
        for (text, line) in [("a\n1\n" + commas + "\n", 3), (commas + "\n1\n", 1)] {
            let (folder, result) = try convert(Data(text.utf8), read: #""format":"csv""#)
            #expect(result.status == 3, "\(result.stderrText)")
            #expect(result.stderrText.contains("in.dat:\(line): row of more than 4194304 fields (the CSV field count limit)"),
                    "\(result.stderrText)")
            #expect(!published(folder))
        }
        // At the limit, the row reads.
        let atLimit = String(repeating: ",", count: (1 << 22) - 1) + "\n"
        let (folder, result) = try convert(Data(atLimit.utf8), read: #""format":"csv","header":false"#, timeout: 300)
        #expect(result.status == 0, "\(result.stderrText)")
        let figures = try summary(folder)
        let peak = try #require(figures["peak_rss_mb"] as? Int)
        #expect(peak < 500, "peak RSS \(peak) MB")
    }

    @Test("a CSV row over 16 MiB of small fields is exit 3 naming its line")
    func oversizeCSVRow() throws {
        let text = "a\n1\n" + String(repeating: "1,", count: 9 << 20) + "1\n"
        let (folder, result) = try convert(Data(text.utf8), read: #""format":"csv","header":false"#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("in.dat:3: row longer than 16777216 bytes"), "\(result.stderrText)")
        #expect(!published(folder))
    }

    // MARK: - 13. XML depth

    @Test("XML nested deeper than 512 levels is exit 3, outside a record and inside one (today exit 0, and a crash)",
          arguments: [("outside", 200_000), ("inside", 70_000)])
    func deepXML(place: String, levels: Int) throws {
        let nested = String(repeating: "<a>", count: levels) + String(repeating: "</a>", count: levels)
        let text = place == "outside" ? "<r>" + nested + "<rec><x>1</x></rec></r>" : "<r><rec>" + nested + "</rec></r>"
        let (folder, result) = try convert(Data(text.utf8), read: #""format":"xml","record":"rec""#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("in.dat:1:"), "\(result.stderrText)")
        #expect(result.stderrText.contains("XML nesting deeper than 512 levels"), "\(result.stderrText)")
        #expect(!published(folder))
    }

    @Test("XML nested 500 levels inside a record still converts")
    func deepButAllowedXML() throws {
        let nested = String(repeating: "<a>", count: 500) + "1" + String(repeating: "</a>", count: 500)
        let (_, result) = try convert(Data(("<r><rec>" + nested + "</rec></r>").utf8), read: #""format":"xml","record":"rec""#)
        #expect(result.status == 0, "\(result.stderrText)")
    }

    // MARK: - 13. `debtflow phone` stdin lines

    @Test("debtflow phone answers a 4 MB stdin line as invalid without echoing it, and the others as usual")
    func phoneHugeLine() throws {
        let huge = String(repeating: "6", count: 4 << 20)
        let result = try TestSupport.runDebtflow(["phone"], stdin: Data("0612345678\n\(huge)\n0612345679\n".utf8))
        #expect(result.status == 1)
        let answers = result.stdoutText.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(answers.count == 3)
        #expect(answers.map { $0["valid"] as? Bool } == [true, false, true])
        #expect(((answers[1]["input"] as? String)?.count ?? .max) < 100)
        #expect((answers[1]["error"] as? String)?.contains("longer than the 65536 bytes") == true, "\(answers[1])")
    }

    // MARK: - 14. Archives and UTF-16 refused by name

    @Test("zip, bzip2, xz and zstd inputs are exit 3 naming the format (today read as CSV)", arguments: [
        ("zip", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00] as [UInt8]),
        ("bzip2", [0x42, 0x5A, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59]),
        ("xz", [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00, 0x00, 0x04, 0xE6, 0xD6]),
        ("zstd", [0x28, 0xB5, 0x2F, 0xFD, 0x24, 0x08, 0x41, 0x00, 0x00, 0x61]),
    ])
    func refusedArchive(format: String, magic: [UInt8]) throws {
        let data = Data(magic + Array("a,b\n1,2\n\u{1}\u{2}garbage".utf8))
        for read in [#""format":"csv""#, #""format":"json""#, #""format":"xml","record":"rec""#] {
            let (folder, result) = try convert(data, name: "export.csv", read: read)
            #expect(result.status == 3, "\(read): \(result.stderrText)")
            #expect(result.stderrText.contains("export.csv byte 0: the input is a\(format == "xz" ? "n" : "") \(format) file"),
                    "\(result.stderrText)")
            #expect(!published(folder))
        }
    }

    @Test("an archive inside gzip (a .tar.gz, a zip or bzip2 gzipped again) is exit 3 naming what the gzip holds", arguments: ["zip", "bzip2", "tar"])
    func archiveInsideGzip(format: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        try Data("a,b\n1,2\n".utf8).write(to: folder.appendingPathComponent("export.csv"))
        let archive: Data
        switch format {
        case "tar":
            let tar = try TestSupport.run(URL(fileURLWithPath: "/bin/tar"), ["-cf", "-", "-C", folder.path, "export.csv"])
            archive = tar.stdout
        case "zip":
            archive = Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00] + Array("a,b\n1,2\n".utf8))
        default:
            archive = Data([0x42, 0x5A, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59] + Array("a,b\n1,2\n".utf8))
        }
        let raw = folder.appendingPathComponent("inner")
        try archive.write(to: raw)
        let gzipped = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", raw.path])
        #expect(gzipped.status == 0)
        let (output, result) = try convert(gzipped.stdout, name: "export.csv.gz", read: #""format":"csv""#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("the input is gzip-compressed, and what it holds is a \(format) file"), "\(result.stderrText)")
        #expect(!published(output))
    }

    @Test("text that holds `ustar` where a tar header has its mark (mustard, Gustar) is text, plain or gzipped")
    func ustarInText() throws {
        var text = "name,street\n"
        // "Martin,m" then "ustar" from byte 257.
        text += "Dupont," + String(repeating: "x", count: 257 - text.utf8.count - 8 - 8) + "\n"
        text += "Martin,mustard road 4\n"
        #expect(text.utf8.count > 265)
        #expect(Array(text.utf8)[257..<262].elementsEqual(Array("ustar".utf8)))
        for gzipped in [false, true] {
            var data = Data(text.utf8)
            if gzipped {
                let folder = try TestSupport.makeTemporaryDirectory()
                let raw = folder.appendingPathComponent("inner")
                try data.write(to: raw)
                data = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", raw.path]).stdout
            }
            let (output, result) = try convert(data, name: gzipped ? "export.csv.gz" : "export.csv", read: #""format":"csv""#)
            #expect(result.status == 0, "\(result.stderrText)")
            #expect(try TestSupport.readNDJSON(output.appendingPathComponent("out.ndjson")).count == 2)
        }
    }

    @Test("plain text inside gzip still reads, whatever its length (the look inside gives its bytes back)", arguments: [0, 5, 261, 262, 263, 70_000])
    func textInsideGzip(length: Int) throws {
        var text = "a,b\n"
        while text.utf8.count < length { text += "1,2\n" }
        let folder = try TestSupport.makeTemporaryDirectory()
        let raw = folder.appendingPathComponent("inner")
        try Data(text.utf8).write(to: raw)
        let gzipped = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", raw.path])
        let (output, result) = try convert(gzipped.stdout, name: "export.csv.gz", read: #""format":"csv""#)
        #expect(result.status == 0, "\(result.stderrText)")
        let expected = max(0, text.split(separator: "\n").count - 1)
        #expect(try TestSupport.readNDJSON(output.appendingPathComponent("out.ndjson")).count == expected)
    }

    @Test("a UTF-16 CSV (either byte order) is exit 3 naming UTF-16 (today converted as garbage)",
          arguments: [[UInt8]([0xFF, 0xFE]), [0xFE, 0xFF]])
    func utf16CSV(mark: [UInt8]) throws {
        var data = mark
        for unit in "nom;prenom\nDupont;Jean\n".utf16 {
            let bytes = [UInt8(unit & 0xFF), UInt8(unit >> 8)]
            data += mark[0] == 0xFF ? bytes : bytes.reversed()
        }
        let (folder, result) = try convert(Data(data), read: #""format":"csv""#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("the input is UTF-16 text"), "\(result.stderrText)")
        #expect(!published(folder))
    }

    // MARK: - 15. libxml2's messages, whitespace-only XML, attribute floods

    @Test("libxml2's encoding messages never reach stderr raw: with --log-format json every line is JSON",
          arguments: [
              Array(#"<?xml version="1.0" encoding="Shift_JIS"?><r><rec><x>"#.utf8) + [0x81, 0x20, 0x82] + Array("</x></rec></r>".utf8),
              Array(#"<?xml version="1.0" encoding="EUC-JP"?><r><rec><x>"#.utf8) + [0xFF, 0xFE, 0xFD] + Array("</x></rec></r>".utf8),
          ])
    func libxml2MessagesCaptured(bytes: [UInt8]) throws {
        let (folder, result) = try convert(Data(bytes), read: #""format":"xml","record":"rec""#, extra: ["--log-format", "json"])
        #expect(result.status == 3, "\(result.stderrText)")
        let lines = result.stderrText.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
        }
        #expect(result.stderrText.contains("in.dat:1:"), "line and column: \(result.stderrText)")
        #expect(result.stderrText.contains("not valid in its encoding"), "\(result.stderrText)")
        #expect(!published(folder))
    }

    @Test("whitespace-only XML says there is no document element (today: Extra content at the end of the document)")
    func whitespaceOnlyXML() throws {
        let (_, result) = try convert(Data("  \n\n\t  \n".utf8), read: #""format":"xml","record":"rec""#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("the XML input holds no document element"), "\(result.stderrText)")
    }

    @Test("an element flooded with attributes is exit 3 at once, saying so (today libxml2 spends seconds, then exit 0)")
    func attributeFlood() throws {
        let attributes = (1...60_000).map { "a\($0)=\"1\"" }.joined(separator: " ")
        let started = Date()
        let (folder, result) = try convert(Data("<r><rec \(attributes)/></r>".utf8), read: #""format":"xml","record":"rec""#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(result.stderrText.contains("in.dat:1: an XML element carries more than 10000 attributes"), "\(result.stderrText)")
        #expect(!published(folder))
    }

    @Test("a flood after 50,000 records in a gzip file: the records before it are read, then exit 3 at the flood's line")
    func attributeFloodAfterRecordsInGzip() throws {
        var text = "<r>\n"
        for n in 1...50_000 { text += "<rec n=\"\(n)\"><v>value \(n)</v></rec>\n" }
        text += "<rec " + (1...60_000).map { "a\($0)=\"1\"" }.joined(separator: " ") + "/></r>\n"
        let plain = try TestSupport.makeTemporaryDirectory("debtflow-flood").appendingPathComponent("in.xml")
        try Data(text.utf8).write(to: plain)
        let gzip = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-c", "-n", plain.path])
        #expect(gzip.status == 0)
        let (folder, result) = try convert(gzip.stdout, name: "in.xml.gz", read: #""format":"xml","record":"rec""#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains("in.xml.gz:50002: an XML element carries more than 10000 attributes"), "\(result.stderrText)")
        // Read on the read-ahead thread, the flood still ends the input where the parser reaches
        // it: the records of the reads before it were read (handed on chunk by chunk).
        let summary = try summary(folder)
        let read = summary["source_records"] as? Int ?? -1
        #expect(read > 40_000 && read <= 50_000, "\(read)")
        #expect(summary["stopped_by"] as? String == "input")
        #expect(!published(folder))
    }

    // MARK: - 16. A duplicate records key

    @Test("a second \"result\" key in a JSON document is exit 3 naming its position (today the first silently won)",
          arguments: [
              (#"{"result":[{"a":1}],"x":2,"result":[{"a":2}]}"#, "result", "in.dat:1:27"),
              (#"{"data":{"items":[{"a":1}],"items":[]}}"#, "data.items", "in.dat:1:28"),
          ])
    func duplicateRecordsKey(text: String, records: String, position: String) throws {
        let (folder, result) = try convert(Data(text.utf8), read: #""format":"json","records":"\#(records)""#)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(result.stderrText.contains(position), "\(result.stderrText)")
        #expect(result.stderrText.contains("is given twice"), "\(result.stderrText)")
        #expect(!published(folder))
    }
}
