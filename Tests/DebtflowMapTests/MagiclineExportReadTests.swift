import DebtflowCore
import DebtflowMap
import DebtflowRead
import Testing

/// The preset on records as the real readers give them: an XML export and the API's JSON.
@Suite("map: the magicline-debtor preset on real reader output")
struct MagiclineExportReadTests {
    private func readAll(_ reader: any RecordSource) async throws -> [Record] {
        var records: [Record] = []
        while let chunk = try await reader.nextChunk() { records += chunk.elements }
        return records
    }

    @Test("an XML export, with lists of one as single elements and a status attribute, maps case by case")
    func xmlExport() async throws {
        let xml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <debtors>
          <debtor>
            <debtorId>1</debtorId><membershipNr>M1</membershipNr><countryCode>FR</countryCode>
            <firstName>Jean</firstName><lastName>Dupont</lastName>
            <contactDetails>
              <type>TEL_PRIVATE_MOBILE</type><value>06 12 34 56 78</value><status type="INVALID"/>
            </contactDetails>
            <contactDetails>
              <type>TEL_PRIVATE</type><value>01 40 00 00 00</value><status><type>VALID</type></status>
            </contactDetails>
            <contactDetails><type>EMAIL</type><value>jean@example.fr</value></contactDetails>
            <collectionCases>
              <collectionCaseId>C-1</collectionCaseId><openAmount>49.90</openAmount>
              <debt><debtId>D-1</debtId><debtDate>2026-02-01</debtDate><amount>49.90</amount>
                    <currency>EUR</currency><designation>Membership</designation></debt>
            </collectionCases>
          </debtor>
          <debtor>
            <debtorId>2</debtorId><firstName>Anna</firstName><lastName>Berg</lastName>
            <liablePerson><firstName>Eva</firstName><lastName>Berg</lastName><countryCode>DE</countryCode>
              <contactDetails><type>EMAIL</type><value>eva@example.de</value></contactDetails>
            </liablePerson>
            <block><limitType>UNLIMITED</limitType></block>
            <collectionCases><collectionCaseId>C-2</collectionCaseId><openAmount>10</openAmount></collectionCases>
            <collectionCases><collectionCaseId>C-3</collectionCaseId><openAmount>20</openAmount></collectionCases>
          </debtor>
          <debtor><debtorId>3</debtorId><firstName>Paul</firstName><lastName>Martin</lastName><collectionCases/></debtor>
        </debtors>
        """
        let reader = XMLRecordReader(source: MemoryByteSource(xml, name: "export.xml"),
                                     options: XMLReaderOptions(recordElement: "debtor"))
        let records = try await readAll(reader)
        let candidates = try map(records, options: MapOptions(preset: .magiclineDebtor))
        #expect(candidates.map(\.tempID) == ["C-1", "C-2", "C-3", "3"])
        #expect(candidates.map(\.skipReason) == [nil, .blocked, .blocked, .noOpenCase])
        #expect(candidates[0].raw["phone"] == "01 40 00 00 00")
        #expect(candidates[0].raw["email"] == "jean@example.fr")
        #expect(candidates[0].raw["amount"] == "49.90")
        #expect(candidates[0].raw["currency"] == "EUR")
        #expect(candidates[0].raw["object"] == "Membership")
        #expect(candidates[1].raw["firstname"] == "Eva")
        #expect(candidates[1].phoneRegion == "DE")
        #expect(candidates.map(\.provenance.caseIndex) == [1, 1, 2, nil])
        #expect(candidates.map(\.provenance.record) == [1, 2, 2, 3])
    }

    @Test("the API's JSON answer maps with numbers kept as written")
    func apiJSON() async throws {
        let json = """
        {"result":[{"debtorId":2334545,"membershipNr":"1568462597","countryCode":"AT","firstName":"Sven",
          "lastName":"Hannawald","contactDetails":[{"type":"TEL_BUSINESS","value":"+43 1 234567",
          "status":{"type":"VALID"}}],
          "collectionCases":[{"collectionCaseId":"123e4567-e89b-42d3-a456-556642440000","openAmount":1231,
            "debt":[{"debtId":"d1","debtDate":"2026-01-05","amount":1231,"currency":"EUR","designation":"SALE",
                     "block":{"limitType":"LIMITED","endDate":"2020-09-20"}}]}]}],
         "hasNext":false,"offset":"1"}
        """
        let reader = JSONRecordReader(source: MemoryByteSource(json, name: "api.json"),
                                      options: JSONReaderOptions(recordsPath: "result"))
        let candidates = try map(try await readAll(reader), options: MapOptions(preset: .magiclineDebtor))
        #expect(candidates.count == 1)
        #expect(candidates[0].tempID == "123e4567-e89b-42d3-a456-556642440000")
        #expect(candidates[0].raw["amount"] == "1231")
        #expect(candidates[0].raw["phone"] == "+43 1 234567")
        #expect(candidates[0].skipReason == nil)
        #expect(candidates[0].metadata?.object?["debtorId"] == .number("2334545"))
    }
}
