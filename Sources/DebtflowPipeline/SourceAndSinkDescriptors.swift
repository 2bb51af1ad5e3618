import DebtflowCore

extension StageDescriptor {
    /// `read`: the one source, first (CSV, JSON, XML files or the Magicline pager).
    static let read = StageDescriptor(
        kind: "read", role: .source, needsBefore: [], needsAfter: [],
        schema: .byFormat(summary: "The one source, first: its options depend on `format`.",
                          ReadStageConfiguration.Format.allCases.map { ($0.rawValue, $0.configOptions) })
    ) { decoder, object, baseDirectory, secrets in
        .read(try decoder.decodeRead(object, baseDirectory: baseDirectory, secrets: &secrets))
    }

    /// `sink`: NDJSON files or the HTTP push, last, one or more.
    static let sink = StageDescriptor(
        kind: "sink", role: .sink, needsBefore: [], needsAfter: [],
        schema: .byFormat(summary: "An output, last (one or more): its options depend on `format`.",
                          SinkConfiguration.Format.allCases.map { ($0.rawValue, $0.configOptions) })
    ) { decoder, object, baseDirectory, secrets in
        .sink(try decoder.decodeSink(object, baseDirectory: baseDirectory, secrets: &secrets))
    }
}
