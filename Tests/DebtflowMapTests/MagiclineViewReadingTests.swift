import DebtflowCore
import DebtflowMap
import DebtflowRead
import Testing

/// The preset reads each debtor in place on the reader's tape (issue 10): names and keywords are
/// compared as bytes, with the same results as the text comparisons they replace.
@Suite("map: the magicline-debtor preset reads views")
struct MagiclineViewReadingTests {
    /// Maps the debtors of a JSON page (`{"result": [...]}`), read as the run reads them: every
    /// debtor a view into the chunk's one tape.
    static func mapPage(_ debtors: [String]) throws -> [DebtCandidate] {
        let text = #"{"result": ["# + debtors.joined(separator: ",\n") + "]}"
        let reader = JSONRecordReader(source: MemoryByteSource(Array(text.utf8), name: "page.json"),
                                      options: JSONReaderOptions(recordsPath: "result"))
        var records: [Record] = []
        while let chunk = try reader.nextChunkSynchronously() { records += chunk.elements }
        return try MapStage(options: MapOptions(preset: .magiclineDebtor), today: "2026-06-15").process(Chunk(records)).elements
    }

    static func debtor(id: String = "1", contacts: String, extra: String = "") -> String {
        #"{"debtorId": "\#(id)", "firstName": "Ann", "contactDetails": [\#(contacts)], "#
            + #""collectionCases": [{"collectionCaseId": "c\#(id)", "openAmount": 10, "debt": [{"debtId": "d\#(id)", "currency": "eur"}]}]\#(extra)}"#
    }

    @Test("debtors read where the reader's rows point give the candidates their Record values give: several cases, none, chunk after chunk; and a CSV row with a problem")
    func rowsAsRecords() throws {
        let debtors = [
            Self.debtor(id: "1", contacts: #"{"type": "EMAIL", "value": "a@b.fr"}"#),
            #"{"debtorId": "2", "firstName": "Bo", "collectionCases": []}"#,
            #"{"debtorId": "3", "firstName": "Cy", "collectionCases": [{"collectionCaseId": "c3", "openAmount": 1}, {"openAmount": 2}]}"#,
            Self.debtor(id: "4", contacts: #"{"type": "TEL_PRIVATE", "value": "0612345678"}"#),
        ]
        let text = #"{"result": ["# + debtors.joined(separator: ",\n") + "]}"
        let stage = MapStage(options: MapOptions(preset: .magiclineDebtor), today: "2026-06-15")
        var fromRows: [DebtCandidate] = []
        var fromRecords: [DebtCandidate] = []
        let reader = JSONRecordReader(source: MemoryByteSource(Array(text.utf8), name: "page.json"),
                                      options: JSONReaderOptions(recordsPath: "result"), chunkSize: 3)
        while let chunk = try reader.nextChunkSynchronously() {
            #expect(chunk.recordRows != nil)
            fromRecords += try stage.process(Chunk(chunk.elements)).elements
            fromRows += try stage.process(chunk).elements
        }
        #expect(fromRows.count == 5 && fromRows == fromRecords)
        #expect(fromRows.map(\.tempID) == ["c1", "2", "c3", "page.json#3.2", "c4"])
        let csv = "debtorId;firstName\n7;Ann\n8;Bo;extra\n"
        let chunk = try #require(try CSVRecordReader(source: MemoryByteSource(csv, name: "d.csv")).readChunk())
        #expect(chunk.recordRows != nil)
        let csvFromRows = try stage.process(chunk).elements
        #expect(csvFromRows == (try stage.process(Chunk(chunk.elements)).elements))
        #expect(csvFromRows.map { $0.errors.map(\.code) } == [[], [.malformedRow]])
    }

    @Test("a case's id, read once, is its internal_id, its temp_id field and its temp_id, as each alone: trimmed text, a text to escape, a number, a literal; a blank or missing one gives the case its position")
    func caseIDReadOnce() throws {
        let ids = [#""  c1 ""#, #""c\"2""#, "42", "true", #""   ""#, nil]
        let cases = ids.map { id in
            (id.map { #"{"collectionCaseId": \#($0), "openAmount": 1}"# } ?? #"{"openAmount": 1}"#)
        }
        let candidates = try Self.mapPage([#"{"debtorId": "9", "firstName": "Ann", "collectionCases": ["# + cases.joined(separator: ", ") + "]}"])
        let expected = ["c1", #"c"2"#, "42", "true", nil, nil]
        #expect(candidates.count == expected.count)
        for (position, (candidate, own)) in zip(candidates, expected).enumerated() {
            #expect(candidate.tempID == own ?? "page.json#1.\(position + 1)", "\(position)")
            #expect(candidate.raw[.internalID] == own && candidate.raw[.tempID] == own, "\(position)")
        }
    }

    @Test("a chunk's debtors with members in any order, repeated, as attributes, and among many other names give from the reader's rows (names remembered by their spans) the candidates their Record values give")
    func rowsRememberNames() throws {
        var debtors: [String] = []
        for number in 0..<300 {
            var members = [#""firstName": "F\#(number)""#, #""lastName": "L""#, #""countryCode": "FR""#,
                           #""collectionCases": [{"collectionCaseId": "c\#(number)", "openAmount": 1}]"#,
                           #""contactDetails": [{"type": "EMAIL", "value": "m\#(number)@b.fr"}]"#]
            // Names of their own (a span each), a repeated member (the first counts), and the
            // debtor's id as a member or as an attribute.
            members.append(#""other\#(number)": "x""#)
            if number % 3 == 0 { members.append(#""firstName": "Second""#) }
            members.append(number % 2 == 0 ? #""debtorId": "\#(number)""# : #""@debtorId": "a\#(number)""#)
            if number % 5 == 0 { members.reverse() }
            debtors.append("{" + members.joined(separator: ", ") + "}")
        }
        let text = #"{"result": ["# + debtors.joined(separator: ",\n") + "]}"
        let stage = MapStage(options: MapOptions(preset: .magiclineDebtor), today: "2026-06-15")
        let reader = JSONRecordReader(source: MemoryByteSource(Array(text.utf8), name: "page.json"),
                                      options: JSONReaderOptions(recordsPath: "result"))
        var fromRows: [DebtCandidate] = []
        var fromRecords: [DebtCandidate] = []
        while let chunk = try reader.nextChunkSynchronously() {
            fromRecords += try stage.process(Chunk(chunk.elements)).elements
            fromRows += try stage.process(chunk).elements
        }
        #expect(fromRows.count == 300 && fromRows == fromRecords)
        #expect(fromRows[3].raw["firstname"] == "F3" && fromRows[5].raw["email"] == "m5@b.fr")
        #expect(Array(fromRows.map { String(decoding: $0.metadata?.json ?? [], as: UTF8.self) }.prefix(2))
                == [#"{"debtorId":"0","debtIds":[]}"#, #"{"debtorId":"a1","debtIds":[]}"#])
    }

    @Test("contact types and statuses match whatever their case and surrounding spaces")
    func keywordsIgnoreCaseAndSpaces() throws {
        let candidates = try Self.mapPage([
            Self.debtor(id: "1", contacts: #"{"type": " tel_private_mobile ", "value": "0612345678"}, {"type": "Email", "value": "a@b.fr"}"#),
            Self.debtor(id: "2", contacts: #"{"type": "TEL_PRIVATE", "value": "1", "status": " invalid "}, {"type": "TEL_BUSINESS", "value": "2", "status": {"type": "Valid"}}"#),
        ])
        #expect(candidates.map { $0.raw["phone"] } == ["0612345678", "2"])
        #expect(candidates[0].raw["email"] == "a@b.fr")
        #expect(candidates[0].raw["currency"] == "EUR")
        #expect(candidates.map(\.tempID) == ["c1", "c2"])
    }

    @Test("a non-ASCII keyword is compared as its Unicode uppercase, as the text comparison did (ı uppercases to I)")
    func unicodeUppercase() throws {
        let candidates = try Self.mapPage([
            Self.debtor(contacts: #"{"type": "emaıl", "value": "dotless@b.fr"}, {"type": "EMAİL", "value": "dotted@b.fr"}"#),
        ])
        #expect(candidates[0].raw["email"] == "dotless@b.fr")
    }

    @Test("a contact's status is read as its other members are: the attribute when there is no member, the member before it")
    func contactStatusAttribute() throws {
        let candidates = try Self.mapPage([
            Self.debtor(id: "1", contacts: #"{"type": "TEL_PRIVATE", "value": "1", "@status": "INVALID"}, {"type": "TEL_PRIVATE", "value": "2"}"#),
            Self.debtor(id: "2", contacts: #"{"@status": "VALID", "type": "TEL_PRIVATE", "status": "INVALID", "value": "1"}, {"value": "2", "type": "TEL_PRIVATE"}"#),
            Self.debtor(id: "3", contacts: #"{"status": "VALID", "@status": "INVALID", "value": "1", "type": "TEL_PRIVATE"}"#),
        ])
        #expect(candidates.map { $0.raw["phone"] } == ["2", "2", "1"])
    }

    @Test("a member is read before an attribute of the same name (XML @name); the attribute when there is no member")
    func memberBeforeAttribute() throws {
        let candidates = try Self.mapPage([
            Self.debtor(id: "1", contacts: #"{"@type": "EMAIL", "type": "TEL_PRIVATE", "value": "0612345678"}"#),
            Self.debtor(id: "2", contacts: #"{"@type": "EMAIL", "@value": "attr@b.fr"}"#),
        ])
        #expect(candidates[0].raw["phone"] == "0612345678")
        #expect(candidates[0].raw["email"] == nil)
        #expect(candidates[1].raw["email"] == "attr@b.fr")
    }

    @Test("a text held as an element's #text, a number, or a blank string reads as the text comparison did")
    func textShapes() throws {
        let candidates = try Self.mapPage([
            Self.debtor(contacts: ##"{"type": {"#text": " EMAIL ", "@lang": "x"}, "value": {"#text": " x@b.fr "}}"##,
                        extra: #", "lastName": "  ", "postalCode": 1180, "liablePerson": {"firstName": " \u00a0 "}"#),
        ])
        #expect(candidates[0].raw["email"] == "x@b.fr")
        #expect(candidates[0].raw["lastname"] == nil)
        #expect(candidates[0].raw["postal_code"] == "1180")
        // A liable person with only blank text is no liable person: the debtor's name stays.
        #expect(candidates[0].raw["firstname"] == "Ann")
    }
}
