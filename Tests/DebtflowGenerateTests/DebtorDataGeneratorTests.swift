import DebtflowCore
import DebtflowGenerate
import DebtflowTestSupport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

private func generate(_ rows: Int, _ format: GeneratedFormat, shape: GeneratedShape = .flat, seed: UInt64 = 1,
                      gzip: Bool = false) throws -> [UInt8] {
    try DebtorDataGenerator(options: GeneratorOptions(rows: rows, format: format, shape: shape, gzip: gzip, seed: seed))
        .makeBytes()
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Counts the records of an XML document with XMLParser (and checks it is well-formed).
private final class XMLRecordCounter: NSObject, XMLParserDelegate {
    let recordElement: String
    var records = 0
    var depth = 0
    var recordDepth: Int?
    init(recordElement: String) { self.recordElement = recordElement }
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        depth += 1
        if elementName == recordElement && depth == 2 { records += 1 }
    }
    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        depth -= 1
    }

    static func count(_ bytes: [UInt8], element: String) -> Int? {
        let parser = XMLParser(data: Data(bytes))
        let counter = XMLRecordCounter(recordElement: element)
        parser.delegate = counter
        return parser.parse() ? counter.records : nil
    }
}

@Suite("DebtorDataGenerator")
struct DebtorDataGeneratorTests {
    @Test("the same seed gives the same bytes, a different seed different ones", arguments: GeneratedFormat.allCases)
    func determinism(format: GeneratedFormat) throws {
        let first = try generate(500, format, seed: 42)
        let second = try generate(500, format, seed: 42)
        let other = try generate(500, format, seed: 43)
        #expect(first == second)
        #expect(first != other)
    }

    @Test("CSV has the French header and exactly N records after it, each with 9 fields",
          arguments: [0, 1, 17, 2_000])
    func csvRowCount(rows: Int) throws {
        let records = CSVTestSplitter.records(text(try generate(rows, .csv)))
        #expect(records.first == ["Référence", "Prénom", "Nom", "Montant", "Devise", "Téléphone", "Email",
                                  "Date échéance", "IBAN"])
        #expect(records.count == rows + 1)
        #expect(records.allSatisfy { $0.count == 9 })
    }

    @Test("CSV quotes fields holding the delimiter, quotes or line breaks")
    func csvQuoting() throws {
        let output = text(try generate(20_000, .csv, seed: 3))
        let records = CSVTestSplitter.records(output)
        #expect(records.count == 20_001)
        let fields = records.dropFirst().flatMap { $0 }
        #expect(fields.contains { $0.contains(";") })
        #expect(fields.contains { $0.contains("\"") })
        #expect(fields.contains { $0.contains("\n") })
        // More physical lines than records: line breaks inside quoted fields.
        #expect(output.split(separator: "\n", omittingEmptySubsequences: false).count > records.count + 1)
    }

    @Test("JSON is a top-level array of N objects with the documented keys", arguments: [0, 1, 300])
    func jsonRowCount(rows: Int) throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(try generate(rows, .json)))
        let array = try #require(parsed as? [[String: Any]])
        #expect(array.count == rows)
        for object in array {
            #expect(Set(object.keys) == ["reference", "firstName", "lastName", "amount", "currency", "phone", "email",
                                         "dueDate", "iban"])
        }
    }

    @Test("NDJSON has one JSON object per line, N lines")
    func ndjsonRowCount() throws {
        let lines = text(try generate(1_000, .ndjson)).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 1_001)
        #expect(lines.last == "")
        for line in lines.dropLast() {
            #expect(try JSONSerialization.jsonObject(with: Data(line.utf8)) is [String: Any])
        }
    }

    @Test("XML is well-formed with N <debtor> records", arguments: [0, 1, 500])
    func xmlRowCount(rows: Int) throws {
        #expect(XMLRecordCounter.count(try generate(rows, .xml), element: "debtor") == rows)
    }

    @Test("the mix is about 70% valid, 20% failed, 10% skipped, with empty and instruction rows")
    func mix() throws {
        let generator = try DebtorDataGenerator(options: GeneratorOptions(rows: 20_000, format: .csv))
        let (bytes, report) = try generator.makeBytesAndReport()
        #expect(report.records == 20_000)
        #expect((13_400...14_600).contains(report.intended["valid", default: 0]))
        #expect((3_600...4_400).contains(report.intended["failed", default: 0]))
        #expect((1_600...2_400).contains(report.intended["skipped", default: 0]))
        for code in ["invalid_phone", "invalid_email", "missing_contact", "expensive_destination",
                     "unsupported_destination", "non_positive_amount", "invalid_amount", "invalid_currency",
                     "invalid_date", "invalid_iban", "required", "empty_row", "instruction_row"] {
            #expect(report.intendedDetails[code, default: 0] > 0, "no \(code) rows")
        }
        // And they are really in the file: all-empty rows, `*` rows, "champs obligatoires" rows.
        let records = CSVTestSplitter.records(text(bytes)).dropFirst()
        let empty = records.filter { $0.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty } }
        let star = records.filter { $0.first { !$0.isEmpty }?.hasPrefix("*") == true }
        let mandatory = records.filter { $0.contains { $0.lowercased().contains("champs obligatoires") } }
        #expect(empty.count == report.intendedDetails["empty_row"])
        #expect(star.count + mandatory.count == report.intendedDetails["instruction_row"])
        #expect(!star.isEmpty && !mandatory.isEmpty)
    }

    @Test("the data is dirty in the documented ways: phone spellings, amount spellings, currencies, IBANs")
    func dirtiness() throws {
        let records = CSVTestSplitter.records(text(try generate(20_000, .csv, seed: 5))).dropFirst()
        let phones = records.map { $0[5] }
        let amounts = records.map { $0[3] }
        let currencies = Set(records.map { $0[4] })
        #expect(phones.contains { $0.hasPrefix("+33 6") || $0.hasPrefix("+33 7") })
        #expect(phones.contains { $0.hasPrefix("0033") })
        #expect(phones.contains { $0.hasPrefix("'0") })
        #expect(phones.contains { $0.contains("poste") })
        #expect(phones.contains { $0.hasPrefix("0690") || $0.hasPrefix("06 90") })
        #expect(phones.contains { $0.hasPrefix("+212") || $0.hasPrefix("00212") })
        #expect(phones.contains { $0.hasPrefix("+49") })
        #expect(phones.contains { $0.hasPrefix("+44") || $0.hasPrefix("0044") })
        #expect(phones.contains { $0.range(of: #"^0[67]\.\d\d\.\d\d\.\d\d\.\d\d$"#, options: .regularExpression) != nil })
        #expect(amounts.contains { $0.contains("\u{00A0}") })
        #expect(amounts.contains { $0.hasPrefix("€") })
        #expect(amounts.contains { $0.hasSuffix(" €") })
        #expect(amounts.contains { $0.hasPrefix("EUR ") })
        #expect(amounts.contains { $0.range(of: #"^\d{1,3}(\.\d{3})+,\d\d$"#, options: .regularExpression) != nil })
        #expect(currencies.isSuperset(of: ["", "EUR", "eur", "€", "FRF"]))
        #expect(records.contains { $0[1].contains { "éèëïôüÉ".contains($0) } })
        #expect(records.map { $0[7] }.contains { $0.range(of: #"^\d\d/\d\d/\d{4}$"#, options: .regularExpression) != nil })
    }

    @Test("generated IBANs pass the mod-97 check, except the invalid_iban ones")
    func ibans() throws {
        let generator = try DebtorDataGenerator(options: GeneratorOptions(rows: 5_000, format: .csv, seed: 9))
        let (bytes, report) = try generator.makeBytesAndReport()
        let ibans = CSVTestSplitter.records(text(bytes)).dropFirst().map { $0[8] }.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        let failing = ibans.filter { !Self.passesMod97($0) }
        #expect(ibans.count > 1_000)
        #expect(failing.count == report.intendedDetails["invalid_iban", default: 0], "\(failing.prefix(20))")
    }

    /// An independent mod-97 check (ISO 13616) with big-number arithmetic by chunks.
    static func passesMod97(_ iban: String) -> Bool {
        let compact = iban.uppercased().filter { $0 != " " }
        guard compact.count > 4 else { return false }
        let rearranged = compact.dropFirst(4) + compact.prefix(4)
        var digits = ""
        for character in rearranged {
            if let digit = character.wholeNumberValue { digits += String(digit) }
            else if let ascii = character.asciiValue { digits += String(Int(ascii) - 55) }
        }
        var remainder = 0
        for character in digits { remainder = (remainder * 10 + character.wholeNumberValue!) % 97 }
        return remainder == 1
    }

    @Test("gzip output decodes to exactly the plain output", arguments: [GeneratedFormat.csv, .ndjson])
    func gzipDecodes(format: GeneratedFormat) throws {
        let plain = try generate(3_000, format, seed: 11)
        let compressed = try generate(3_000, format, seed: 11, gzip: true)
        #expect(Array(compressed.prefix(2)) == [0x1F, 0x8B])
        #expect(compressed.count < plain.count)
        let result = try TestSupport.run(URL(fileURLWithPath: "/bin/gzip"), ["-dc"], stdin: Data(compressed))
        #expect(result.status == 0)
        #expect(Array(result.stdout) == plain)
    }

    @Test("magicline JSON is one Get Debtors page with N debtors covering every preset rule")
    func magiclineJSON() throws {
        let generator = try DebtorDataGenerator(options: GeneratorOptions(rows: 400, format: .json, shape: .magicline, seed: 2))
        let (bytes, report) = try generator.makeBytesAndReport()
        let page = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let debtors = try #require(page["result"] as? [[String: Any]])
        #expect(debtors.count == 400)
        #expect(page["hasNext"] as? Bool == false)
        for debtor in debtors {
            #expect(debtor["debtorId"] is String)
            #expect(debtor["firstName"] is String)
            #expect(debtor["contactDetails"] is [[String: Any]])
        }
        #expect(debtors.contains { $0["liablePerson"] != nil })
        let blocks = debtors.compactMap { $0["block"] as? [String: Any] }
        #expect(blocks.contains { $0["limitType"] as? String == "UNLIMITED" })
        #expect(blocks.contains { ($0["endDate"] as? String).map { $0 < "2025" } == true })
        #expect(blocks.contains { ($0["endDate"] as? String).map { $0 > "2030" } == true })
        let caseLists = debtors.map { ($0["collectionCases"] as? [[String: Any]]) ?? [] }
        #expect(caseLists.contains { $0.isEmpty })
        #expect(caseLists.contains { $0.count > 1 })
        let statuses = debtors.flatMap { ($0["contactDetails"] as? [[String: Any]]) ?? [] }
            .compactMap { ($0["status"] as? [String: Any])?["type"] as? String }
        #expect(statuses.contains("INVALID"))
        // Every case, and every debtor without one, is one intended outcome.
        let records = caseLists.reduce(0) { $0 + max($1.count, 1) }
        #expect(report.intended.values.reduce(0, +) == records)
        for reason in ["blocked", "no_open_case", "invalid_currency", "missing_contact", "expensive_destination"] {
            #expect(report.intendedDetails[reason, default: 0] > 0, "no \(reason)")
        }
    }

    @Test("magicline NDJSON and XML hold the same number of debtors")
    func magiclineOtherFormats() throws {
        let lines = text(try generate(50, .ndjson, shape: .magicline)).split(separator: "\n")
        #expect(lines.count == 50)
        #expect(XMLRecordCounter.count(try generate(50, .xml, shape: .magicline), element: "debtor") == 50)
    }

    @Test("writing to a file creates it with mode 0600 and leaves no temporary file behind")
    func fileOutput() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("debtors.csv.gz").path
        let options = GeneratorOptions(rows: 1_000, format: .csv, gzip: true, seed: 4)
        let report = try DebtorDataGenerator(options: options).write(toPath: path)
        #expect(try TestSupport.permissions(of: URL(fileURLWithPath: path)) == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["debtors.csv.gz"])
        let written = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(Int64(written.count) == report.bytesWritten)
        #expect(Array(written) == (try DebtorDataGenerator(options: options).makeBytes()))
    }
}
