import DebtflowCore
import Testing

@Suite("Exit codes")
struct ExitCodeTests {
    @Test("each kind of run error maps to the contract's exit code",
          arguments: [(DebtflowError.Kind.usage, Int32(2)), (.configuration, 2), (.input, 3), (.sink, 4), (.interrupted, 130)])
    func mapping(kind: DebtflowError.Kind, code: Int32) {
        #expect(ExitCode.for(DebtflowError(kind, "x")).rawValue == code)
    }

    @Test("a finished run exits 1 when any record failed, else 0")
    func finished() {
        #expect(ExitCode.forFinishedRun(failedRecords: 0) == .success)
        #expect(ExitCode.forFinishedRun(failedRecords: 3) == .recordsFailed)
    }

    @Test("the summary counts records as valid + failed + skipped")
    func summary() {
        var summary = RunSummary(pipeline: "p")
        let p = Provenance(source: "s", record: 1)
        summary.count([
            Outcome(status: .valid, provenance: p, destination: Destination(zone: .eu, country: "DE", credits: 30, multiplier: "1.2", expensive: false)),
            Outcome(status: .failed, provenance: p, errors: [RecordError(field: "phone", code: .invalidPhone, message: "")]),
            Outcome(status: .skipped, provenance: p, skipReason: .emptyRow),
        ])
        #expect(summary.records == summary.valid + summary.failed + summary.skipped)
        #expect(summary.credits == 30)
        #expect(summary.errors == ["invalid_phone": 1])
        #expect(summary.skipReasons == ["empty_row": 1])
        #expect(summary.destinations["eu"] == RunSummary.ZoneTotal(count: 1, credits: 30))
    }

    @Test("secrets and personal data are masked")
    func redaction() {
        #expect(Redaction.scrub("token abc123 refused", secrets: ["abc123"]) == "token *** refused")
        #expect(Redaction.phone("+33612345678") == "+336******78")
        #expect(Redaction.email("jean.dupont@example.fr") == "j***@example.fr")
    }
}
