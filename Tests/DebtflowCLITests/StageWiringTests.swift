import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// End-to-end: the config wires what it lists (CONTRACT.md §2).
@Suite("Stage wiring")
struct StageWiringTests {
    private static let csv = """
        Prénom;Nom;Montant;Devise;Téléphone
        Jean;Dupont;12,50;EUR;06 12 34 56 78
        Marie;Curie;30,00;EUR;0690 12 34 56
        Ali;Ben;9,00;EUR;+216 20 123 456

        """

    /// A folder with `debts.csv` and a config whose middle stages are `middle`.
    private func workspace(middle: String) throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory()
        try Data(Self.csv.utf8).write(to: folder.appendingPathComponent("debts.csv"))
        let config = #"{"version":1,"name":"wiring","stages":[{"read":{"format":"csv","path":"debts.csv"}},"#
            + middle + #",{"sink":{"format":"ndjson","path":"out.ndjson","accept":["valid","failed","skipped"]}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        return folder
    }

    @Test("without classify, debts carry no destination and no credits, and no destination rule applies")
    func withoutClassify() throws {
        let folder = try workspace(middle: #"{"map":{}},{"normalize":{}},{"validate":{}}"#)
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path,
                                                  "--summary", folder.appendingPathComponent("s.json").path])
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson"))
        #expect(lines.map { $0["status"] as? String } == ["valid", "valid", "valid"])
        #expect(lines.allSatisfy { $0["destination"] == nil })
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("s.json"))) as? [String: Any]
        #expect(summary?["credits"] as? Int == 0)
        #expect((summary?["destinations"] as? [String: Any])?.isEmpty ?? true)
    }

    @Test("with classify listed, the same debts get destinations, and the expensive ones fail")
    func withClassify() throws {
        let folder = try workspace(middle: #"{"map":{}},{"normalize":{}},{"classify":{}},{"validate":{}}"#)
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 1, "\(result.stderrText)")
        let lines = try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson"))
        #expect(lines.map { $0["status"] as? String } == ["valid", "failed", "failed"])
        #expect((lines[0]["destination"] as? [String: Any])?["zone"] as? String == "fr_mainland")
    }

    @Test("a missing prerequisite is exit 2 naming both stages, and nothing is written")
    func missingPrerequisite() throws {
        let folder = try workspace(middle: #"{"map":{}},{"validate":{}},{"classify":{}}"#)
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
        #expect(result.status == 2)
        #expect(result.stderrText.contains("stages[2].validate: needs normalize before it"), "\(result.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path))
    }
}
