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

    @Test("the two-step Magicline flow keeps each debt's metadata: the valid NDJSON of the first run, pushed by ndjson-to-getbill, carries it")
    func metadataThroughTheTwoSteps() throws {
        let folder = try TestSupport.makeTemporaryDirectory()
        let pipelines = TestSupport.packageRoot.appendingPathComponent("pipelines")
        let environment = ["OUT": folder.path, "INPUT": folder.appendingPathComponent("magicline-valid.ndjson").path,
                           "GETBILL_TOKEN": "t0k"]
        let first = try TestSupport.runDebtflow(["run", pipelines.appendingPathComponent("magicline-json-to-ndjson.json").path],
                                                environment: ["OUT": folder.path])
        #expect([0, 1].contains(first.status), "\(first.stderrText)")
        let valid = try TestSupport.readNDJSON(folder.appendingPathComponent("magicline-valid.ndjson"))
        let metadataByID = Dictionary(uniqueKeysWithValues: valid.compactMap { envelope -> (String, NSDictionary)? in
            guard let debt = envelope["debt"] as? [String: Any], let id = debt["temp_id"] as? String,
                  let metadata = debt["metadata"] as? [String: Any] else { return nil }
            return (id, metadata as NSDictionary)
        })
        #expect(!metadataByID.isEmpty && metadataByID.count == valid.count)
        let second = try TestSupport.runDebtflow(["run", pipelines.appendingPathComponent("ndjson-to-getbill.json").path, "--dry-run"],
                                                 environment: environment)
        #expect([0, 1].contains(second.status), "\(second.stderrText)")
        let batches = try TestSupport.readNDJSON(folder.appendingPathComponent("push-results.ndjson.dry-run.ndjson"))
        let pushed = batches.flatMap { (($0["body"] as? [String: Any])?["debts"] as? [[String: Any]]) ?? [] }
        #expect(pushed.count == valid.count)
        for debt in pushed {
            let id = debt["temp_id"] as? String ?? ""
            #expect((debt["metadata"] as? [String: Any]).map { $0 as NSDictionary } == metadataByID[id], "\(id)")
        }
    }
}
