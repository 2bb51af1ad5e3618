import DebtflowCore
import Testing

@Suite("Outcome counts")
struct OutcomeCountsTests {
    private let outcomes: [Outcome] = [
        Outcome(status: .valid, provenance: Provenance(source: "a.csv", record: 1),
                destination: Destination(zone: .frMainland, country: "FR", credits: 25, multiplier: "1.0", expensive: false)),
        Outcome(status: .valid, provenance: Provenance(source: "a.csv", record: 2),
                destination: Destination(zone: .frMainland, country: "FR", credits: 25, multiplier: "1.0", expensive: false)),
        Outcome(status: .valid, provenance: Provenance(source: "a.csv", record: 3),
                destination: Destination(zone: .domTom, country: "GP", credits: 40, multiplier: "1.6", expensive: false)),
        Outcome(status: .failed, provenance: Provenance(source: "a.csv", record: 4),
                errors: [RecordError(field: "phone", code: .invalidPhone, message: "bad"),
                         RecordError(field: "amount", code: .required, message: "amount is required")]),
        Outcome(status: .failed, provenance: Provenance(source: "a.csv", record: 5),
                errors: [RecordError(field: "phone", code: .invalidPhone, message: "bad")]),
        Outcome(status: .skipped, provenance: Provenance(source: "a.csv", record: 6), skipReason: .emptyRow),
    ]

    @Test("counts statuses, errors by code, skip reasons, destinations and credits")
    func counts() {
        var counts = OutcomeCounts()
        for outcome in outcomes { counts.count(outcome) }
        #expect(counts.records == 6 && counts.valid == 3 && counts.failed == 2 && counts.skipped == 1)
        #expect(counts.errors == ["invalid_phone": 2, "required": 1])
        #expect(counts.skipReasons == ["empty_row": 1])
        #expect(counts.destinations == ["fr_mainland": RunSummary.ZoneTotal(count: 2, credits: 50),
                                        "dom_tom": RunSummary.ZoneTotal(count: 1, credits: 40)])
        #expect(counts.credits == 90)
    }

    @Test("outcomes with a warning are counted, added across chunks, and in the summary as with_warnings only when there are some")
    func withWarnings() {
        var counts = OutcomeCounts()
        for outcome in outcomes { counts.count(outcome) }
        #expect(counts.withWarnings == 0)
        var summary = RunSummary(pipeline: "p")
        summary.add(counts)
        #expect(!String(decoding: summary.json, as: UTF8.self).contains("with_warnings"))
        var warned = OutcomeTally()
        warned.count(Outcome(status: .valid, provenance: Provenance(source: "a.csv", record: 7),
                             warnings: ["invalid phone dropped: the email is used"]))
        warned.count(Outcome(status: .valid, provenance: Provenance(source: "a.csv", record: 8),
                             warnings: ["invalid email dropped: the phone is used", "another"]))
        summary.add(warned.counts)
        summary.add(warned.counts)
        #expect(summary.withWarnings == 4)
        #expect(String(decoding: summary.json, as: UTF8.self).contains(#""with_warnings":4"#))
    }

    @Test("the fixed-slot tally the transform tasks use gives the same counts as counting by key")
    func tallyMatchesCounts() {
        var counts = OutcomeCounts()
        var tally = OutcomeTally()
        for outcome in outcomes {
            counts.count(outcome)
            tally.count(outcome)
        }
        #expect(tally.counts == counts)
        #expect(OutcomeTally().counts == OutcomeCounts())
    }

    @Test("every error code, skip reason and zone has a slot in the tally")
    func tallyHasEverySlot() {
        var tally = OutcomeTally()
        let errors = RecordErrorCode.allCases.map { RecordError(field: nil, code: $0, message: "m") }
        tally.count(Outcome(status: .failed, provenance: Provenance(source: "a", record: 1), errors: errors))
        for reason in SkipReason.allCases {
            tally.count(Outcome(status: .skipped, provenance: Provenance(source: "a", record: 2), skipReason: reason))
        }
        for zone in DestinationZone.allCases {
            tally.count(Outcome(status: .valid, provenance: Provenance(source: "a", record: 3),
                                destination: Destination(zone: zone, country: "FR", credits: 2, multiplier: "1.0", expensive: false)))
        }
        let counts = tally.counts
        #expect(counts.errors.count == RecordErrorCode.allCases.count)
        #expect(counts.skipReasons.count == SkipReason.allCases.count)
        #expect(counts.destinations.count == DestinationZone.allCases.count)
        #expect(counts.credits == 2 * DestinationZone.allCases.count)
    }

    @Test("a summary that adds the counts of two chunks equals one that counted every outcome")
    func addingChunks() {
        var whole = RunSummary(pipeline: "p")
        for outcome in outcomes { whole.count(outcome) }
        var first = OutcomeCounts()
        var second = OutcomeCounts()
        for outcome in outcomes.prefix(3) { first.count(outcome) }
        for outcome in outcomes.dropFirst(3) { second.count(outcome) }
        var added = RunSummary(pipeline: "p")
        added.add(first)
        added.add(second)
        added.add(OutcomeCounts())
        #expect(added == whole)
        #expect(whole.valid == 3 && whole.credits == 90 && whole.errors["invalid_phone"] == 2)
    }
}
