import DebtflowCore
import DebtflowRead
import Foundation

/// What `debtflow check --deep` found in one input: it was inflated and parsed to its end.
public struct InputReadThroughReport: Sendable, Equatable {
    /// The input as messages name it.
    public var name: String
    /// Records the reader yielded (debtors, for the Sportalliance pull).
    public var records: Int
    /// Records the reader itself found malformed (a CSV row with the wrong number of fields).
    public var malformed: Int

    /// `input exports/a.csv.gz: read through, 1000 records`.
    public var description: String {
        "input \(name): read through, \(records) record\(records == 1 ? "" : "s")"
            + (malformed > 0 ? " (\(malformed) malformed: a run reports them as failed, `malformed_row`)" : "")
    }
}

extension PipelineAssembler {
    /// Reads every input to its end — inflate and parse, no rules, nothing written — so a
    /// truncated or corrupt file is found before a run (`debtflow check --deep`).
    /// - Throws: the reader's ``DebtflowError`` (`.input`, exit 3), exactly as a run would report it.
    public func readInputsThrough() async throws -> [InputReadThroughReport] {
        // Many inputs: every file the patterns matched (this shard's share), in reading order.
        let plan = try InputPlan.make(read: configuration.read, baseDirectory: configuration.baseDirectory, shard: options.shard)
        let inputs: [MatchedInput?] = configuration.read.hasManyInputs || configuration.read.missingInputsAllowed || options.shard != nil ? (plan?.inputs ?? []) : [nil]
        var reports: [InputReadThroughReport] = []
        // Under `continue` every input is read through, as a run would, and each bad one named.
        let goesOn = configuration.read.hasManyInputs && configuration.read.continuesAfterInputError
        var failed: [String] = []
        for input in inputs {
            // A FIFO or a device is not read: its data is the run's (``ReadStageConfiguration/reach(baseDirectory:input:deep:)``
            // said so). Stdin is: what is piped to `check --deep` is there to be checked.
            let inputPath = configuration.read.inputPath(input)
            if inputPath != "-", ByteSources.streamKind(of: inputPath, relativeTo: configuration.baseDirectory) != nil {
                continue
            }
            do {
                reports.append(try await readThrough(input))
            } catch let error as DebtflowError where goesOn && error.kind == .input {
                log.error(error.description, hint: "reading the next input (on_input_error: continue)")
                failed.append(MessageExcerpt.path(input?.path ?? "-"))
            }
        }
        if !failed.isEmpty {
            for report in reports { log.info(report.description) }
            throw DebtflowError.input("\(failed.count) input\(failed.count == 1 ? "" : "s") could not be read through: "
                                      + failed.joined(separator: ", "))
        }
        return reports
    }

    /// Reads one input through (its records counted, nothing built beyond the records).
    private func readThrough(_ input: MatchedInput?) async throws -> InputReadThroughReport {
        let source = try configuration.read.makeSource(baseDirectory: configuration.baseDirectory, input: input)
        var report = InputReadThroughReport(name: source.name, records: 0, malformed: 0)
        while let chunk = try await source.nextChunk() {
            report.records += chunk.count
            for record in chunk.elements where record.problem != nil { report.malformed += 1 }
        }
        if report.records == 0 {
            log.warning(PipelineRoles.noRecordsWarning(inputName: source.name))
        }
        if let hint = (source as? any RecordSourceReadingHint)?.readingHint { log.warning(hint) }
        return report
    }
}

extension PipelineRoles {
    /// Exit 0 with an empty output is right for an empty export, but it is also what a truncated
    /// download or a wrong `records`/`record` setting looks like: said by a run and by `check --deep`.
    static func noRecordsWarning(inputName: String) -> String {
        "\(inputName): the input holds no records (an empty file, a header only, an empty "
            + "array, or no element named as the config's `record`)"
    }
}
