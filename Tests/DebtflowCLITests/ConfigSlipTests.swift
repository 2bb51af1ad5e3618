import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// Slips an operator makes in a config, and what debtflow says about them (CONTRACT.md §1 and §2).
@Suite("Config slips")
struct ConfigSlipTests {
    /// A folder holding `in.csv` (one debtor) and `p.json` with `stages` as its stages.
    private func workspace(stages: String, inputName: String = "in.csv") throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory()
        try Data("ref,firstname,lastname,amount,currency,phone\nA1,Jean,Dupont,10,EUR,0612345678\n".utf8)
            .write(to: folder.appendingPathComponent(inputName))
        try Data(#"{"version":1,"name":"slip","stages":[\#(stages)]}"#.utf8).write(to: folder.appendingPathComponent("p.json"))
        return folder
    }

    @Test("a number or a boolean written as a literal string is a wrong type: exit 2 naming the option, for check and run", arguments: [
        (#"{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"out.ndjson","gzip":"true"}}"#,
         "stages[1].sink.gzip", "expected true or false"),
        (#"{"read":{"format":"csv","path":"in.csv","header":"false"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}"#,
         "stages[0].read.header", "expected true or false"),
        (#"{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"http://127.0.0.1:9/x","token":"t","batch_size":"10"}}"#,
         "stages[4].sink.batch_size", "expected a positive integer"),
        (#"{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"http://127.0.0.1:9/x","token":"t","timeout_s":"30"}}"#,
         "stages[4].sink.timeout_s", "expected a number of zero or more"),
    ])
    func literalStringsAreWrongTypes(stages: String, path: String, expected: String) throws {
        let folder = try workspace(stages: stages)
        for command in ["check", "run"] {
            let result = try TestSupport.runDebtflow([command, folder.appendingPathComponent("p.json").path])
            #expect(result.status == 2, "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains(path), "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains(expected), "\(command): \(result.stderrText)")
            #expect(result.stderrText.contains("without quotes"), "says how to write it: \(result.stderrText)")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.ndjson").path))
    }

    @Test("a number from a variable that is not one is exit 2 naming the option and the value it found", arguments: [
        ("batch_size", "abc", #"expected a positive integer, found "abc""#), ("batch_size", "0x10", #"found "0x10""#),
        ("timeout_s", "inf", #"expected a finite number of zero or more, found "inf""#),
    ])
    func variableValuesAreNamed(option: String, value: String, expected: String) throws {
        let http = #"{"sink":{"format":"http","url":"http://127.0.0.1:9/x","token":"t","\#(option)":"${VALUE:-5}"}}"#
        let folder = try workspace(stages: #"{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{}},{"validate":{}},\#(http)"#)
        let result = try TestSupport.runDebtflow(["check", folder.appendingPathComponent("p.json").path], environment: ["VALUE": value])
        #expect(result.status == 2, "\(result.stderrText)")
        #expect(result.stderrText.contains("stages[4].sink.\(option)") && result.stderrText.contains(expected), "\(result.stderrText)")
    }

    @Test("a variable reference still stands for a number or a boolean, read when the run starts")
    func variableReferencesStandForValues() throws {
        let folder = try workspace(stages: #"{"read":{"format":"csv","path":"in.csv","header":"${HEADER:-true}"}},{"sink":{"format":"ndjson","path":"out.ndjson","gzip":"${GZIP}"}}"#)
        let result = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path], environment: ["GZIP": "false"])
        #expect(result.status == 0, "\(result.stderrText)")
        let output = try String(contentsOf: folder.appendingPathComponent("out.ndjson"), encoding: .utf8)
        #expect(output.hasPrefix(#"{"ref":"A1","#), "the header was read as a header and the output is not gzip: \(output)")
    }

    @Test("a secret that is also part of an input path shows as *** in check's errors and in the summary, never in clear")
    func secretsInInputPathsAreMasked() throws {
        let secret = "SUPERSECRET42"
        let http = #"{"sink":{"format":"http","url":"http://127.0.0.1:9/external-api/v1/debts/batch","token":"${TOKEN}"}}"#
        let stages = #"{"read":{"format":"csv","path":"${TOKEN}-*.csv"}},{"map":{}},{"normalize":{}},{"validate":{}},\#(http)"#
        let folder = try workspace(stages: stages, inputName: "\(secret)-x.csv")
        let environment = ["TOKEN": secret]

        // A pattern built from the secret that matches nothing: check's error (exit 3) masks it.
        let missing = try workspace(stages: stages.replacingOccurrences(of: "-*.csv", with: "-missing.csv"))
        let check = try TestSupport.runDebtflow(["check", missing.appendingPathComponent("p.json").path], environment: environment)
        #expect(check.status == 3, "\(check.stderrText)")
        #expect(check.stderrText.contains("***-missing.csv"), "\(check.stderrText)")
        #expect(!check.stderrText.contains(secret), "\(check.stderrText)")

        // The summary of a run with many inputs names each input's path: masked, in the file and on stderr.
        try Data("ref,firstname,lastname,amount,currency,phone\nA2,Anne,Martin,12,EUR,0612345679\n".utf8)
            .write(to: folder.appendingPathComponent("\(secret)-y.csv"))
        let summaryPath = folder.appendingPathComponent("summary.json").path
        let run = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--dry-run",
                                               "--summary", summaryPath, "--log-format", "json"], environment: environment)
        #expect(run.status == 0, "\(run.stderrText)")
        let summary = try String(contentsOfFile: summaryPath, encoding: .utf8)
        #expect(summary.contains(#""path":"***-x.csv""#), "\(summary)")
        #expect(!summary.contains(secret), "\(summary)")
        #expect(!run.stderrText.contains(secret), "\(run.stderrText)")
    }

    @Test("a Sportalliance answer read without \"records\": \"result\" is one record: run and check --deep warn and name the setting; with it, no warning")
    func answerReadAsOneRecordIsWarned() throws {
        let answer = #"{"result":[{"debtorId":7,"firstName":"Jean","lastName":"Dupont","collectionCases":[]}],"hasNext":false,"offset":"1"}"#
        let hint = #"set the read stage's "records": "result""#
        for (records, warned) in [("", true), ("result", false)] {
            let stages = #"{"read":{"format":"json","path":"debtors.json","records":"\#(records)"}},{"map":{"preset":"magicline-debtor"}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"out.ndjson","accept":["valid","failed","skipped"]}}"#
            let folder = try workspace(stages: stages)
            try Data((answer + "\n").utf8).write(to: folder.appendingPathComponent("debtors.json"))
            let run = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path])
            #expect(run.status == 0, "\(run.stderrText)")
            #expect(run.stderrText.contains(hint) == warned, "records \"\(records)\": \(run.stderrText)")
            #expect(run.stderrText.contains("debtors.json: record 1 is an object holding a \"result\" array") == warned, "\(run.stderrText)")
            let check = try TestSupport.runDebtflow(["check", folder.appendingPathComponent("p.json").path, "--deep"])
            #expect(check.status == 0, "\(check.stderrText)")
            #expect(check.stderrText.contains(hint) == warned, "check --deep, records \"\(records)\": \(check.stderrText)")
        }
    }
}
