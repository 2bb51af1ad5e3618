import DebtflowTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The committed samples are what `samples/README.md` says they are.
@Suite("samples/")
struct SamplesTests {
    static let folder = TestSupport.packageRoot.appendingPathComponent("samples")

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static func gunzip(_ name: String) throws -> [UInt8] {
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-dc"], stdin: Data(try bytes(name)))
        #expect(result.status == 0)
        return Array(result.stdout)
    }

    @Test("debts.csv is UTF-8 with a BOM, a 9-column header and 40 records of 9 fields")
    func debtsCSV() throws {
        let data = try Self.bytes("debts.csv")
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = try #require(String(bytes: data.dropFirst(3), encoding: .utf8))
        let records = CSVTestSplitter.records(text)
        #expect(records.count == 41)
        #expect(records.allSatisfy { $0.count == 9 })
        #expect(records[0][0] == "Référence")
        #expect(records.contains { $0[2].contains("\n") })
    }

    @Test("debts.csv's IBANs pass the mod-97 check except the one meant to fail")
    func debtsIBANs() throws {
        let text = String(decoding: try Self.bytes("debts.csv").dropFirst(3), as: UTF8.self)
        let withIBAN = CSVTestSplitter.records(text).dropFirst().filter { !$0[8].isEmpty }
        let failing = withIBAN.filter { !DebtorDataGeneratorTests.passesMod97($0[8]) }.map { $0[0] }
        #expect(withIBAN.count >= 5)
        #expect(failing == ["DOS-1033"])
    }

    @Test("both gzip samples decode to debts.csv without its BOM")
    func gzipSamples() throws {
        let plain = Array(try Self.bytes("debts.csv").dropFirst(3))
        #expect(try Self.gunzip("debtors.csv.gz") == plain)
        #expect(try Self.gunzip("debtors-multimember.csv.gz") == plain)
        // Two members: the gzip magic appears again inside the multi-member file.
        let multi = try Self.bytes("debtors-multimember.csv.gz")
        let magics = (0..<(multi.count - 2)).filter { multi[$0] == 0x1F && multi[$0 + 1] == 0x8B && multi[$0 + 2] == 0x08 }
        #expect(magics.count == 2)
    }

    @Test("debtors-windows1252.csv is Windows-1252 with CRLF line ends and a € byte")
    func windows1252() throws {
        let data = try Self.bytes("debtors-windows1252.csv")
        #expect(String(bytes: data, encoding: .utf8) == nil)
        #expect(data.contains(0x80))  // €
        #expect(data.contains(0x9C))  // œ
        let text = try #require(String(bytes: data, encoding: .windowsCP1252))
        #expect(text.hasPrefix("Nom,Prénom,"))
        #expect(text.components(separatedBy: "\r\n").count == 10)
    }

    @Test("debtors-tab.csv is tab-separated")
    func tabSeparated() throws {
        let text = String(decoding: try Self.bytes("debtors-tab.csv"), as: UTF8.self)
        let records = CSVTestSplitter.records(text, delimiter: "\t")
        #expect(records.count == 9)
        #expect(records.allSatisfy { $0.count == 7 })
    }

    @Test("legacy-export.xml is well-formed ISO-8859-1 XML with 8 <client> records")
    func legacyXML() throws {
        let data = try Self.bytes("legacy-export.xml")
        #expect(String(bytes: data, encoding: .utf8) == nil)
        final class Counter: NSObject, XMLParserDelegate {
            var clients = 0
            var names: [String] = []
            func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                        qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
                if elementName == "client" { clients += 1 }
            }
            func parser(_ parser: XMLParser, foundCharacters string: String) { names.append(string) }
        }
        let parser = XMLParser(data: Data(data))
        let counter = Counter()
        parser.delegate = counter
        #expect(parser.parse())
        #expect(counter.clients == 8)
        #expect(counter.names.joined().contains("Hauptstraße"))
    }

    @Test("sportalliance-debtors.json is one Get Debtors page of 26 debtors")
    func sportalliance() throws {
        let page = try #require(try JSONSerialization.jsonObject(with: Data(try Self.bytes("sportalliance-debtors.json")))
                                as? [String: Any])
        let debtors = try #require(page["result"] as? [[String: Any]])
        #expect(debtors.count == 26)
        #expect(page["hasNext"] as? Bool == false)
        #expect(debtors.allSatisfy { $0["debtorId"] is String && $0["contactDetails"] is [Any] })
    }

    @Test("debts.json is an array of objects and debts.ndjson one object per line")
    func jsonSamples() throws {
        let array = try JSONSerialization.jsonObject(with: Data(try Self.bytes("debts.json"))) as? [[String: Any]]
        #expect(array?.count == 11)
        let lines = String(decoding: try Self.bytes("debts.ndjson"), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 10)
        for line in lines { #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any]) }
    }
}
