import DebtflowTestSupport
import Foundation
import Testing

/// The config's `timeline_start_mode` with an empty `timeline_id` (`"${TIMELINE_ID:-}"`, as the
/// contract's example writes it), end to end through the built binary.
@Suite("Timelines (end to end)")
struct TimelineRunTests {
    @Test("with the config's timeline_id empty, its timeline_start_mode goes on the debts that carry their own timeline_id, and on no other")
    func configModeOnOwnTimeline() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-timeline")
        try Data("""
        ref;prenom;nom;montant;email;timeline_id
        T1;Jean;Dupont;12,50;j1@example.fr;tl-own
        T2;Jean;Dupont;12,50;j2@example.fr;
        """.utf8).write(to: folder.appendingPathComponent("debts.csv"))
        let config = #"""
        {"version":1,"name":"timelines","stages":[
          {"read":{"format":"csv","path":"debts.csv"}}, {"map":{"fields":{"temp_id":"ref"}}},
          {"normalize":{"region":"FR","currency":"EUR"}},
          {"validate":{"timeline_id":"${TIMELINE_ID:-}","timeline_start_mode":"next_day"}},
          {"sink":{"format":"ndjson","path":"out.ndjson","accept":["valid","failed","skipped"]}}]}
        """#
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path],
                                                 environment: ["TIMELINE_ID": ""])
        #expect(result.status == 0, "\(result.stderrText)")
        let debts = try TestSupport.readNDJSON(folder.appendingPathComponent("out.ndjson")).map { $0["debt"] as? [String: Any] ?? [:] }
        #expect(debts.map { $0["timeline_id"] as? String } == ["tl-own", nil])
        #expect(debts.map { $0["timeline_start_mode"] as? String } == ["next_day", nil])
    }
}
