import DebtflowCore

/// What a generation run produced.
public struct GenerationReport: Sendable, Equatable {
    /// Records written (data rows, or debtors for the magicline shape).
    public var records: Int
    /// Bytes written to the destination (compressed size with gzip).
    public var bytesWritten: Int64
    /// How many records of each intended outcome were written (`valid`, `failed`, `skipped`).
    public var intended: [String: Int]
    /// The same, by error code or skip reason (`invalid_phone`, `empty_row`, …).
    public var intendedDetails: [String: Int]
}

/// Writes realistic, dirty debtor data for tests and benchmarks: French, overseas, EU, Maghreb
/// and other phones in mixed spellings, European amounts, accents, invalid values, instruction
/// and empty rows — about 70% valid, 20% failed, 10% skipped under the contract's rules.
///
/// The output is a function of the options only (SplitMix64 from `seed`): the same options give
/// the same bytes on every run. Rows are built as bytes into a buffer that is written out every
/// 256 KiB, so memory stays flat whatever `rows` is.
public struct DebtorDataGenerator: Sendable {
    public let options: GeneratorOptions

    /// - Throws: ``DebtflowError`` `.usage` for an impossible combination (negative rows, the
    ///   magicline shape as CSV).
    public init(options: GeneratorOptions) throws {
        guard options.rows >= 0 else { throw DebtflowError.usage("--rows must be zero or more") }
        if options.shape == .magicline && options.format == .csv {
            throw DebtflowError.usage("the magicline shape is nested: use --format json, ndjson or xml")
        }
        self.options = options
    }

    /// Writes the data to `path` (`-` = standard output). A file is created with mode 0600 under
    /// a temporary name in the same folder and renamed into place when complete.
    /// - Throws: ``DebtflowError`` `.sink` when the output cannot be created or written.
    @discardableResult
    public func write(toPath path: String) throws -> GenerationReport {
        let output = try GeneratedOutput(path: path, gzipLevel: options.gzip ? options.gzipLevel : nil)
        do {
            var report = try generate(into: output)
            try output.finish()
            report.bytesWritten = output.bytesWritten
            return report
        } catch {
            output.abandon()
            throw error
        }
    }

    /// The whole output in memory (for tests and small samples).
    /// - Throws: ``DebtflowError`` `.sink` on a compression failure.
    public func makeBytes() throws -> [UInt8] {
        let output = try GeneratedOutput(path: nil, gzipLevel: options.gzip ? options.gzipLevel : nil)
        _ = try generate(into: output)
        return try output.finish()
    }

    /// Like ``makeBytes()``, with the report.
    public func makeBytesAndReport() throws -> (bytes: [UInt8], report: GenerationReport) {
        let output = try GeneratedOutput(path: nil, gzipLevel: options.gzip ? options.gzipLevel : nil)
        var report = try generate(into: output)
        let bytes = try output.finish()
        report.bytesWritten = output.bytesWritten
        return (bytes, report)
    }

    private func generate(into output: GeneratedOutput) throws -> GenerationReport {
        var tally = IntendedOutcomeTally()
        switch options.shape {
        case .flat: try generateFlat(into: output, tally: &tally)
        case .magicline: try generateMagicline(into: output, tally: &tally)
        }
        try output.flush()
        return GenerationReport(records: options.rows, bytesWritten: output.bytesWritten,
                                intended: tally.byStatus, intendedDetails: tally.byDetail)
    }

    private func generateFlat(into output: GeneratedOutput, tally: inout IntendedOutcomeTally) throws {
        var factory = FlatDebtorFactory(seed: options.seed)
        let encoder = FlatRowEncoder(format: options.format, delimiter: options.csvDelimiter)
        var row = RowFields()
        encoder.appendHeader(into: &output.buffer)
        if options.rows > 0 {
            for index in 1...options.rows {
                let outcome = factory.nextRow(index: index, into: &row)
                tally.count(outcome)
                encoder.appendRow(row, index: index, into: &output.buffer)
                try output.flushIfFull()
            }
        }
        encoder.appendFooter(rowCount: options.rows, into: &output.buffer)
    }

    private func generateMagicline(into output: GeneratedOutput, tally: inout IntendedOutcomeTally) throws {
        var factory = MagiclineDebtorFactory(seed: options.seed)
        let encoder = NestedRecordEncoder(format: options.format)
        encoder.appendHeader(into: &output.buffer)
        if options.rows > 0 {
            for index in 1...options.rows {
                let debtor = factory.nextDebtor(index: index)
                for outcome in debtor.outcomes { tally.count(outcome) }
                encoder.appendRecord(debtor.record, index: index, into: &output.buffer)
                try output.flushIfFull()
            }
        }
        encoder.appendFooter(rowCount: options.rows, into: &output.buffer)
    }
}

/// Counts intended outcomes (cheaply: a fixed handful of keys).
struct IntendedOutcomeTally {
    var byStatus: [String: Int] = [:]
    var byDetail: [String: Int] = [:]

    mutating func count(_ outcome: IntendedOutcome) {
        byStatus[outcome.status, default: 0] += 1
        switch outcome {
        case .valid: break
        case .failed(let code): byDetail[code, default: 0] += 1
        case .skipped(let reason): byDetail[reason, default: 0] += 1
        }
    }
}
