import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// `--resume` is exact per debt (issue 8 item 6, CONTRACT.md §5): whatever the batches of the
/// resumed run, only debts never acknowledged are sent, and none twice. Against `debtflow sandbox`
/// (its ledger holds every debt it created), with the release binary when given.
@Suite("Resume per debt", .serialized)
struct ResumePerDebtTests {
    private func workspace(rows: Int) async throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-resume")
        let result = try await HostileServerTests.run(["generate", "--rows", String(rows), "--format", "csv", "--seed", "17",
                                                 "--out", folder.appendingPathComponent("all.csv").path])
        #expect(result.status == 0, "\(result.stderrText)")
        return folder
    }

    /// A workspace whose `in.csv` holds the first `taking` of `rows` generated rows, and a sandbox
    /// taking the token `t0k` (the caller stops it).
    private func pushWorkspace(rows: Int, taking: Int) async throws -> (URL, SandboxProcess) {
        let folder = try await workspace(rows: rows)
        try takeRows(folder, taking)
        return (folder, try SandboxProcess(folder: folder, arguments: ["--token", "t0k"]))
    }

    /// Writes the header and the first `count` data rows of `all.csv` to `in.csv`.
    private func takeRows(_ folder: URL, _ count: Int) throws {
        let lines = try String(contentsOf: folder.appendingPathComponent("all.csv"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let kept = lines.prefix(count + 1).joined(separator: "\n") + "\n"
        try Data(kept.utf8).write(to: folder.appendingPathComponent("in.csv"))
    }

    private func writeConfig(_ folder: URL, url: String, batchSize: Int, input: String = "in.csv", validate: String = "{}") throws {
        let json = #"""
        {"version":1,"name":"resume","stages":[
          {"read":{"format":"csv","path":"\#(input)"}},
          {"map":{}},
          {"normalize":{"currency":"EUR"}},
          {"classify":{}},
          {"validate":\#(validate)},
          {"sink":{"format":"http","url":"\#(url)","token":"t0k","batch_size":\#(batchSize),"concurrency":2,"timeout_s":5,
                   "results":"results.ndjson","journal":"journal.ndjson"}}]}
        """#
        try Data(json.utf8).write(to: folder.appendingPathComponent("p.json"))
    }

    private func run(_ folder: URL, _ extra: [String]) async throws -> TestSupport.ProcessResult {
        try await HostileServerTests.run(["run", folder.appendingPathComponent("p.json").path,
                                    "--summary", folder.appendingPathComponent("summary.json").path] + extra)
    }

    private func validCount(_ folder: URL) throws -> Int {
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("summary.json"))) as? [String: Any]
        return try #require(summary?["valid"] as? Int)
    }

    /// The ledger holds each of the run's valid debts exactly once, and the results file says
    /// `created` for exactly those.
    private func expectExactlyOnce(_ sandbox: SandboxProcess, _ folder: URL, valid: Int,
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ledger = try sandbox.ledgerDebts().compactMap { $0["temp_id"] as? String }
        #expect(Set(ledger).count == ledger.count, "a debt was created twice: \(ledger.count - Set(ledger).count) duplicates",
                sourceLocation: sourceLocation)
        #expect(Set(ledger).count == valid, "ledger holds \(Set(ledger).count) debts for \(valid) valid", sourceLocation: sourceLocation)
        let results = try TestSupport.readNDJSON(folder.appendingPathComponent("results.ndjson"))
        #expect(results.count == valid, sourceLocation: sourceLocation)
        let created = Set(results.filter { $0["status"] as? String == "created" }.compactMap { $0["temp_id"] as? String })
        #expect(created == Set(ledger), "results and ledger disagree", sourceLocation: sourceLocation)
    }

    @Test("a --limit trial, then a full run with --resume: each debt is created once, whatever the batches fall",
          arguments: [(7, 5), (3, 4), (11, 5)])
    func limitTrialThenFullRun(limit: Int, batchSize: Int) async throws {
        let (folder, sandbox) = try await pushWorkspace(rows: 30, taking: 30)
        defer { sandbox.stop() }
        try writeConfig(folder, url: sandbox.batchURL, batchSize: batchSize)

        let trial = try await run(folder, ["--limit", String(limit)])
        #expect([0, 1].contains(trial.status), "\(trial.stderrText)")
        let trialCreated = try sandbox.ledgerDebts().count
        #expect(trialCreated > 0)

        let full = try await run(folder, ["--resume"])
        #expect([0, 1].contains(full.status), "\(full.stderrText)")
        try expectExactlyOnce(sandbox, folder, valid: try validCount(folder))
    }

    @Test("rows appended to the input after a run: --resume sends only the new debts")
    func appendedRows() async throws {
        let (folder, sandbox) = try await pushWorkspace(rows: 31, taking: 13)
        defer { sandbox.stop() }
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 4)
        let first = try await run(folder, [])
        #expect([0, 1].contains(first.status), "\(first.stderrText)")
        let firstCount = try sandbox.ledgerDebts().count

        try takeRows(folder, 31)
        let second = try await run(folder, ["--resume"])
        #expect([0, 1].contains(second.status), "\(second.stderrText)")
        let valid = try validCount(folder)
        #expect(valid > firstCount)
        try expectExactlyOnce(sandbox, folder, valid: valid)

        // Nothing is left: a third resume sends nothing.
        let before = try sandbox.ledgerDebts().count
        let third = try await run(folder, ["--resume"])
        #expect([0, 1].contains(third.status), "\(third.stderrText)")
        #expect(try sandbox.ledgerDebts().count == before)
        try expectExactlyOnce(sandbox, folder, valid: valid)
    }

    @Test("--resume with an http sink that keeps no journal is a config error naming the sink: nothing is sent again")
    func resumeWithoutJournal() async throws {
        let (folder, sandbox) = try await pushWorkspace(rows: 5, taking: 5)
        defer { sandbox.stop() }
        let config = #"{"version":1,"name":"nj","stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{}},"#
            + #"{"normalize":{"currency":"EUR"}},{"validate":{}},"#
            + #"{"sink":{"format":"http","url":"\#(sandbox.batchURL)","token":"t0k","results":"results.ndjson"}}]}"#
        try Data(config.utf8).write(to: folder.appendingPathComponent("nj.json"))
        let resumed = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("nj.json").path, "--resume"])
        #expect(resumed.status == 2)
        #expect(resumed.stderrText.contains("stages[4].sink") && resumed.stderrText.contains("journal"), "\(resumed.stderrText)")
        #expect(try sandbox.ledgerDebts().isEmpty)
    }

    @Test("two records with one own id: the second is not sent and is recorded failed, on a first run and on a --resume after a --limit trial")
    func repeatedTempID() async throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-resume")
        try Data("""
            Référence;Prénom;Nom;Montant;Devise;Téléphone
            A1;Jean;Dupont;10,00;EUR;0612345678
            A1;Marie;Durand;12,00;EUR;0612345679
            A2;Paul;Roux;13,00;EUR;0612345670

            """.utf8).write(to: folder.appendingPathComponent("in.csv"))
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k"])
        defer { sandbox.stop() }
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 1)
        let trial = try await run(folder, ["--limit", "1"])
        #expect(trial.status == 0, "\(trial.stderrText)")
        let resumed = try await run(folder, ["--resume"])
        #expect(resumed.status == 1, "a debt the push refused makes exit 1: \(resumed.stderrText)")
        #expect(resumed.stderrText.contains("debt A1: not sent"), "\(resumed.stderrText)")
        let ledger = try sandbox.ledgerDebts()
        #expect(ledger.compactMap { $0["lastname"] as? String } == ["Dupont", "Roux"])
        let results = try TestSupport.readNDJSON(folder.appendingPathComponent("results.ndjson"))
        #expect(results.map { "\($0["temp_id"] ?? "")=\($0["status"] ?? "")" } == ["A1=created", "A1=failed", "A2=created"])
        let refused = try #require(results.first { $0["status"] as? String == "failed" })
        #expect(((refused["errors"] as? [[String: Any]])?.first?["field"] as? String) == "temp_id")

        // A run from scratch refuses the second A1 the same way: never sent.
        let fresh = try TestSupport.makeTemporaryDirectory("debtflow-resume")
        try FileManager.default.copyItem(at: folder.appendingPathComponent("in.csv"), to: fresh.appendingPathComponent("in.csv"))
        let second = try SandboxProcess(folder: fresh, arguments: ["--token", "t0k"])
        defer { second.stop() }
        try writeConfig(fresh, url: second.batchURL, batchSize: 5)
        let whole = try await run(fresh, [])
        #expect(whole.status == 1, "\(whole.stderrText)")
        #expect(try second.ledgerDebts().compactMap { $0["lastname"] as? String } == ["Dupont", "Roux"])
    }

    // MARK: a journal that is another run's

    /// `in.csv` with one debtor per name, without an id column: its records are known by position.
    private func writeExport(_ folder: URL, _ names: [String], ids: Bool = false, amount: String = "12,50") throws {
        var lines = [ids ? "ref;prenom;nom;montant;email" : "prenom;nom;montant;email"]
        for (position, name) in names.enumerated() {
            let row = "Jean;\(name);\(amount);\(name.lowercased())@example.fr"
            lines.append(ids ? "R\(position + 1);" + row : row)
        }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: folder.appendingPathComponent("in.csv"))
    }

    @Test("a new export under last night's name, resumed with last night's journal (records known by position): refused, exit 2, nothing sent, last night's results kept")
    func newExportUnderTheSameName() async throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-resume-new-export")
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k"])
        defer { sandbox.stop() }
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 5)
        try writeExport(folder, ["Dupont", "Louis"])
        let first = try await run(folder, ["--resume"])
        #expect(first.status == 0, "\(first.stderrText)")
        let lastNight = try Data(contentsOf: folder.appendingPathComponent("results.ndjson"))

        try writeExport(folder, ["Martin", "Bernard", "Petit"])
        let second = try await run(folder, ["--resume"])
        #expect(second.status == 2, "\(second.stderrText)")
        #expect(second.stderrText.contains(#"temp_id "in.csv#1""#) && second.stderrText.contains("Nothing was sent")
                && second.stderrText.contains("give it a new file name"), "\(second.stderrText)")
        #expect(try sandbox.ledgerDebts().compactMap { $0["lastname"] as? String } == ["Dupont", "Louis"])
        #expect(try Data(contentsOf: folder.appendingPathComponent("results.ndjson")) == lastNight)

        // The same export again resumes as before: nothing is sent twice.
        try writeExport(folder, ["Dupont", "Louis", "Petit"])
        let appended = try await run(folder, ["--resume"])
        #expect(appended.status == 0, "\(appended.stderrText)")
        #expect(try sandbox.ledgerDebts().compactMap { $0["lastname"] as? String } == ["Dupont", "Louis", "Petit"])
    }

    @Test("a refusal met after other inputs' debts were sent says how many were, and resuming after the export is renamed sends each debt once")
    func refusalAfterSending() async throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-resume-sent-before")
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k"])
        defer { sandbox.stop() }
        let inputs = folder.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        func export(_ name: String, _ lastnames: [String]) throws {
            let rows = ["prenom;nom;montant;email"] + lastnames.map { "Jean;\($0);12,50;\($0.lowercased())@example.fr" }
            try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: inputs.appendingPathComponent(name))
        }
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 2, input: "in/*.csv")
        try export("x.csv", ["Dupont", "Louis"])
        #expect(try await run(folder, ["--resume"]).status == 0)
        // Tonight: a new file that sorts first, and a new export under last night's name.
        try export("a.csv", ["Abel", "Baker", "Cohen", "Dias", "Evans"])
        try export("x.csv", ["Martin", "Petit"])
        let refused = try await run(folder, ["--resume"])
        #expect(refused.status == 2, "\(refused.stderrText)")
        // a.csv's first two batches (4 debts) were given to the server before x.csv#1 was met;
        // whether they reached it before the run stopped depends on timing: the journal says.
        #expect(refused.stderrText.contains("4 debt(s) of tonight's other records were given to the server"), "\(refused.stderrText)")
        #expect(try sandbox.ledgerDebts().count <= 6)
        // As it advises: the export renamed, then --resume: every debt once.
        try FileManager.default.moveItem(at: inputs.appendingPathComponent("x.csv"), to: inputs.appendingPathComponent("x-2.csv"))
        let resumed = try await run(folder, ["--resume"])
        #expect(resumed.status == 0, "\(resumed.stderrText)")
        let names = try sandbox.ledgerDebts().compactMap { $0["lastname"] as? String }
        #expect(names.sorted() == ["Abel", "Baker", "Cohen", "Dias", "Dupont", "Evans", "Louis", "Martin", "Petit"])
    }

    @Test("a setting of the config that goes on every debt (timeline_id) changed between a --limit trial and its resume is not another input")
    func configFieldsAreNotTheRecord() async throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-resume-timeline")
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k"])
        defer { sandbox.stop() }
        try writeExport(folder, ["Dupont", "Louis", "Petit"])
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 2, validate: #"{"timeline_id":"${TL:-}"}"#)
        #expect(try await run(folder, ["--limit", "2"]).status == 0)
        let resumed = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--resume"],
                                                  environment: ["TL": "tl-2"])
        #expect(resumed.status == 0, "\(resumed.stderrText)")
        #expect(try sandbox.ledgerDebts().compactMap { $0["lastname"] as? String } == ["Dupont", "Louis", "Petit"])
    }

    @Test("a debt with an id of its own, changed since the journal shows it answered, is not sent again, and stderr says so once")
    func ownIDChangedSinceAnswered() async throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-resume-changed")
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k"])
        defer { sandbox.stop() }
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 5)
        try writeExport(folder, ["Dupont", "Louis"], ids: true)
        #expect(try await run(folder, ["--resume"]).status == 0)
        try writeExport(folder, ["Dupont", "Louis"], ids: true, amount: "10,00")
        let again = try await run(folder, ["--resume"])
        #expect(again.status == 0, "\(again.stderrText)")
        #expect(again.stderrText.contains("2 debt(s)") && again.stderrText.contains(#"temp_id "R1""#), "\(again.stderrText)")
        #expect(try sandbox.ledgerDebts().count == 2)
        let results = try TestSupport.readNDJSON(folder.appendingPathComponent("results.ndjson"))
        #expect(results.map { $0["status"] as? String } == ["created", "created"])
        #expect(results.allSatisfy { $0["sum"] == nil }, "the journal's digest stays out of the results")
    }

    @Test("a journal whose answers came from another host (a trial against the sandbox, then production) is refused on --resume, exit 2, naming both; nothing is sent")
    func otherHost() async throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-resume-host")
        let sandbox = try SandboxProcess(folder: folder, arguments: ["--token", "t0k"])
        defer { sandbox.stop() }
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 5)
        try writeExport(folder, ["Dupont", "Louis"], ids: true)
        #expect(try await run(folder, ["--resume"]).status == 0)
        try writeExport(folder, ["Dupont", "Louis", "Petit"], ids: true)
        try writeConfig(folder, url: sandbox.batchURL.replacingOccurrences(of: "127.0.0.1", with: "localhost"), batchSize: 5)
        let elsewhere = try await run(folder, ["--resume"])
        #expect(elsewhere.status == 2, "\(elsewhere.stderrText)")
        #expect(elsewhere.stderrText.contains("127.0.0.1") && elsewhere.stderrText.contains("localhost"), "\(elsewhere.stderrText)")
        #expect(try sandbox.ledgerDebts().count == 2)
        // Another port or path of the same host is the same server.
        try writeConfig(folder, url: sandbox.batchURL, batchSize: 3)
        #expect(try await run(folder, ["--resume"]).status == 0)
        #expect(try sandbox.ledgerDebts().count == 3)
    }
}
