import Foundation
import DebtflowClassify
import DebtflowCore
import DebtflowMap
import DebtflowNormalize
@testable import DebtflowPipeline
import DebtflowValidate
import DebtflowTestSupport
import Testing

/// A line sink that only says what it accepts and whether its envelopes name their input (the
/// encoder looks at nothing else).
private final class LinesOnlySink: NDJSONLineSink {
    let accepts: Set<OutcomeStatus>
    let includesSource: Bool
    init(accepts: Set<OutcomeStatus>, includesSource: Bool = false) {
        self.accepts = accepts
        self.includesSource = includesSource
    }
    func write(lines: NDJSONLines) async throws {}
    func write(_ outcomes: [Outcome]) async throws {}
    func finish() async throws {}
    func abort() async {}
}

@Suite("Sink chunk encoder")
struct SinkChunkEncoderTests {
    private let outcomes: [Outcome] = [
        Outcome(status: .valid, provenance: Provenance(source: "a.csv", record: 1, line: 2), tempID: "t1",
                destination: Destination(zone: .eu, country: "DE", credits: 30, multiplier: "1.2", expensive: false)),
        Outcome(status: .failed, provenance: Provenance(source: "a.csv", record: 2, line: 3),
                data: RecordObject(["name": .string("Zoé \"Z\"")]),
                errors: [RecordError(field: "phone", code: .invalidPhone, message: "bad")]),
        Outcome(status: .skipped, provenance: Provenance(source: "a.csv", record: 3, line: 4), skipReason: .emptyRow),
        Outcome(status: .valid, provenance: Provenance(source: "a.csv", record: 4, line: 5), tempID: "t4"),
    ]

    /// The NDJSON a sink wrote before the encoder existed: each accepted outcome, one per line.
    private func expectedLines(_ accepts: Set<OutcomeStatus>, includeSource: Bool = false) -> [UInt8] {
        var writer = JSONByteWriter()
        for outcome in outcomes where accepts.contains(outcome.status) {
            writer.outcome(outcome, includeSource: includeSource)
            writer.newline()
        }
        return writer.bytes
    }

    private func lines(_ delivery: SinkChunk.Delivery) -> NDJSONLines? {
        if case .lines(let lines) = delivery { return lines }
        return nil
    }

    private func structs(_ delivery: SinkChunk.Delivery) -> [Outcome]? {
        if case .outcomes(let outcomes) = delivery { return outcomes }
        return nil
    }

    @Test("writes each line sink the lines of the outcomes it accepts, in order, and counts the chunk")
    func linesPerSink() {
        let valid = LinesOnlySink(accepts: [.valid])
        let rejects = LinesOnlySink(accepts: [.failed, .skipped])
        let encoder = SinkChunkEncoder(sinks: [valid, rejects], maxMalformedMessages: 10)
        let chunk = encoder.encode(Chunk(outcomes))
        #expect(chunk.deliveries.count == 2)
        #expect(lines(chunk.deliveries[0])?.bytes == expectedLines([.valid]))
        #expect(lines(chunk.deliveries[0])?.count == 2)
        #expect(lines(chunk.deliveries[1])?.bytes == expectedLines([.failed, .skipped]))
        #expect(lines(chunk.deliveries[1])?.count == 2)
        var counted = OutcomeCounts()
        for outcome in outcomes { counted.count(outcome) }
        #expect(chunk.counts == counted)
        #expect(chunk.malformedRows.isEmpty)
    }

    @Test("two line sinks that accept the same outcome get the same line; a sink that is no line sink gets the outcomes")
    func sharedAndStructSinks() {
        let all = LinesOnlySink(accepts: [.valid, .failed, .skipped])
        let failedOnly = LinesOnlySink(accepts: [.failed])
        let recording = RecordingSink(accepts: [.valid])
        let encoder = SinkChunkEncoder(sinks: [all, failedOnly, recording], maxMalformedMessages: 10)
        // Two chunks: the second reserves its buffers from the first's sizes.
        for _ in 0..<2 {
            let chunk = encoder.encode(Chunk(outcomes))
            #expect(lines(chunk.deliveries[0])?.bytes == expectedLines([.valid, .failed, .skipped]))
            #expect(lines(chunk.deliveries[0])?.count == 4)
            #expect(lines(chunk.deliveries[1])?.bytes == expectedLines([.failed]))
            #expect(structs(chunk.deliveries[2]) == outcomes.filter { $0.status == .valid })
        }
    }

    @Test("a many-input chunk keeps its input mark and text bytes, and a sink naming inputs gets \"source\" in its lines")
    func manyInputChunk() {
        let plain = LinesOnlySink(accepts: [.valid, .failed, .skipped])
        let perInput = LinesOnlySink(accepts: [.valid, .failed, .skipped], includesSource: true)
        let encoder = SinkChunkEncoder(sinks: [plain, perInput], maxMalformedMessages: 10)
        let mark = InputMark(index: 2, path: "in/a.csv", isLast: true)
        let chunk = encoder.encode(Chunk(outcomes, textByteCount: 1234, input: mark))
        #expect(chunk.input == mark)
        #expect(chunk.textByteCount == 1234)
        #expect(lines(chunk.deliveries[0])?.bytes == expectedLines([.valid, .failed, .skipped]))
        #expect(lines(chunk.deliveries[1])?.bytes == expectedLines([.valid, .failed, .skipped], includeSource: true))
        #expect(lines(chunk.deliveries[1])?.bytes.starts(with: Array(#"{"status":"valid","source":"a.csv","record":1"#.utf8)) == true)
    }

    @Test("a malformed conversion row reaches no sink and is named for the log, at most the given number per chunk")
    func malformedConversionRows() {
        let record = Record(provenance: Provenance(source: "in.csv", record: 1, line: 2), fields: RecordObject(["a": .string("1")]))
        let malformed = Record(provenance: Provenance(source: "in.csv", record: 2, line: 3), fields: RecordObject(),
                               problem: RecordError(field: nil, code: .malformedRow, message: "expected 2 fields, found 1"))
        let converted = [Outcome.converted(record)] + Array(repeating: Outcome.converted(malformed), count: 5)
        let sink = LinesOnlySink(accepts: [.valid, .failed])
        let encoder = SinkChunkEncoder(sinks: [sink], maxMalformedMessages: 3)
        let chunk = encoder.encode(Chunk(converted))
        #expect(lines(chunk.deliveries[0])?.count == 1)
        #expect(lines(chunk.deliveries[0])?.bytes == Array(#"{"a":"1"}"#.utf8) + [0x0A])
        #expect(chunk.counts.failed == 5 && chunk.counts.valid == 1)
        #expect(chunk.malformedRows.count == 3)
        #expect(chunk.malformedRows.first == SinkChunkEncoder.malformedMessage(Outcome.converted(malformed)))
        #expect(chunk.malformedRows.first?.contains("malformed_row: expected 2 fields, found 1") == true)
    }

    @Test("a conversion chunk encoded from its records is what encoding ConversionStage's outcomes gives, for every kind of sink")
    func conversionFromRecords() throws {
        let problem = RecordError(field: nil, code: .malformedRow, message: "expected 2 fields, found 3")
        let records = (1...40).map { index in
            Record(provenance: Provenance(source: "exports/2026-11-29/debitoren.csv", record: index, line: index + 1),
                   fields: RecordObject(["name": .string("Zoé \"\(index)\""), "amount": .number("\(index).50")]),
                   problem: index % 7 == 0 ? problem : nil)
        }
        let sinks: [any OutcomeSink] = [
            LinesOnlySink(accepts: [.valid]), LinesOnlySink(accepts: [.valid, .failed], includesSource: true),
            LinesOnlySink(accepts: [.failed, .skipped]), RecordingSink(accepts: [.valid, .failed]),
        ]
        let encoder = SinkChunkEncoder(sinks: sinks, maxMalformedMessages: 4)
        let mark = InputMark(index: 1, path: "in/a.csv", isLast: false)
        let fromRecords = encoder.encodeConversion(Chunk(records, textByteCount: 999, input: mark))
        let fromOutcomes = encoder.encode(try ConversionStage().process(Chunk(records, textByteCount: 999, input: mark)))
        #expect(fromRecords.counts == fromOutcomes.counts)
        #expect(fromRecords.counts.valid == 35 && fromRecords.counts.failed == 5)
        #expect(fromRecords.malformedRows == fromOutcomes.malformedRows)
        #expect(fromRecords.malformedRows.count == 4)
        #expect(fromRecords.input == mark && fromRecords.textByteCount == 999)
        #expect(fromRecords.deliveries.count == 4)
        for index in 0..<3 {
            #expect(lines(fromRecords.deliveries[index])?.bytes == lines(fromOutcomes.deliveries[index])?.bytes)
            #expect(lines(fromRecords.deliveries[index])?.count == lines(fromOutcomes.deliveries[index])?.count)
        }
        #expect(lines(fromRecords.deliveries[0])?.count == 35)
        #expect(lines(fromRecords.deliveries[2])?.count == 0)
        #expect(structs(fromRecords.deliveries[3]) == structs(fromOutcomes.deliveries[3]))
        #expect(structs(fromRecords.deliveries[3])?.count == 35)
    }

    @Test("a config-built debt chain's outcomes, written as the chain hands each on, are what encoding its chunk of outcomes gives")
    func debtChainEncodedAsHandedOn() throws {
        let transform = try StageLink.chain([
            .mapping(AnyChunkStage(MapStage(options: MapOptions(constants: ["currency": "EUR"])))),
            .refining(AnyChunkStage(NormalizeStage())), .refining(AnyChunkStage(ClassifyStage())),
            .deciding(AnyChunkStage(ValidateStage(options: ValidateOptions(dropInvalidContact: true)))),
        ])
        // The chain reuses one candidate for the chunk (`map`), and `validate` moves parts of it
        // into each outcome; `process` keeps a candidate per record. A valid record right after
        // a failed one with a destination (Luc after Marie), and after one with a warning (Max
        // after Ana, whose invalid phone is dropped for her email), must carry none of theirs.
        let rows: [(String, String, String, String, String)] = [
            ("Jean", "Dupont", "12,50", "06 12 34 56 78", ""), ("Marie", "Curie", "30,00", "0690 12 34 56", ""),
            ("Luc", "Petit", "7,00", "06 98 76 54 32", ""), ("Paul", "Martin", "8,00", "", ""), ("", "", "", "", ""),
            ("Zoé \"Z\"", "Ünal", "1.234,56", "+49 151 23456789", ""), ("Ana", "Lopez", "5,00", "12", "ana@example.fr"),
            ("Max", "Roux", "9,00", "06 11 22 33 44", ""),
        ]
        let records = rows.enumerated().map { index, row in
            Record(provenance: Provenance(source: "debts.csv", record: index + 1, line: index + 2),
                   fields: RecordObject(["Prénom": .string(row.0), "Nom": .string(row.1), "Montant": .string(row.2),
                                         "Téléphone": .string(row.3), "Email": .string(row.4)]))
        }
        let sinks: [any OutcomeSink] = [
            LinesOnlySink(accepts: [.valid]), LinesOnlySink(accepts: [.failed, .skipped]),
            LinesOnlySink(accepts: [.valid, .failed, .skipped], includesSource: true), RecordingSink(accepts: [.valid, .failed]),
        ]
        let encoder = SinkChunkEncoder(sinks: sinks, maxMalformedMessages: 4)
        let mark = InputMark(index: 0, path: "debts.csv", isLast: true)
        let handedOn = try encoder.encode(Chunk(records, textByteCount: 77, input: mark), through: transform)
        let gathered = encoder.encode(try transform.process(Chunk(records, textByteCount: 77, input: mark)))
        #expect(handedOn.counts == gathered.counts)
        #expect(handedOn.counts.valid == 5 && handedOn.counts.failed == 2 && handedOn.counts.skipped == 1)
        // Every envelope, as JSON: only Ana's has warnings, only Marie's and Paul's failed, and
        // Luc's destination is his own (France, as Jean's).
        let envelopes = try String(decoding: lines(handedOn.deliveries[2])?.bytes ?? [], as: UTF8.self)
            .split(separator: "\n").map { line in
                try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
        #expect(envelopes.count == 8)
        let warned = envelopes.filter { $0["warnings"] != nil }.compactMap { $0["record"] as? Int }
        #expect(warned == [7])
        #expect(envelopes.filter { $0["status"] as? String == "failed" }.compactMap { $0["record"] as? Int } == [2, 4])
        let country = { (record: Int) in
            ((envelopes[record - 1]["destination"] as? [String: Any])?["country"] as? String)
        }
        #expect(country(3) != nil && country(3) == country(1))
        #expect(envelopes[2]["status"] as? String == "valid" && envelopes[7]["status"] as? String == "valid")
        #expect(handedOn.input == mark && handedOn.textByteCount == 77)
        #expect(handedOn.deliveries.count == 4)
        for index in 0..<3 {
            #expect(lines(handedOn.deliveries[index])?.bytes == lines(gathered.deliveries[index])?.bytes)
            #expect(lines(handedOn.deliveries[index])?.count == lines(gathered.deliveries[index])?.count)
        }
        #expect(structs(handedOn.deliveries[3]) == structs(gathered.deliveries[3]))
        #expect(structs(handedOn.deliveries[3])?.count == 7)
    }
}
