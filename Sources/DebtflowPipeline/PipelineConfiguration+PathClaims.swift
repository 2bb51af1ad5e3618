import DebtflowCore
import DebtflowRead
import DebtflowSink

extension PipelineConfiguration {
    /// Every path the run reads (the config, the inputs) and writes (sink paths, `results`,
    /// `journal`, the dry-run debts file, and `additionalOutputs` such as `--summary`).
    /// - Parameter matchedInputs: the files `read.path` matched (many inputs); an `{input}` sink
    ///   path then claims the output of each.
    func pathClaims(additionalOutputs: [OutputPathClaims.Claim], dryRun: Bool,
                    matchedInputs: [MatchedInput]? = nil) -> OutputPathClaims {
        var claims = OutputPathClaims()
        if let configPath { claims.input(.configFile, configPath) }
        for path in matchedInputs?.map(\.absolutePath) ?? inputPaths { claims.input(.config(jsonPath: "stages[0].read.path"), path) }
        for sink in sinks {
            if let path = sink.path {
                if sink.isPerInput, let matchedInputs, !matchedInputs.isEmpty {
                    for input in matchedInputs {
                        claims.output(.config(jsonPath: "\(sink.jsonPath).path"), PipelineAssembler.perInputPath(path, input: input.path))
                    }
                } else {
                    // Under `continue` a bad input's lines are cut back out of a shared output.
                    claims.output(.config(jsonPath: "\(sink.jsonPath).path"), path,
                                  fileOnlyBecause: read.continuesAfterInputError ? Self.cutBackReason : nil)
                }
            }
            guard let http = sink.http else { continue }
            if let path = http.resultsPath {
                claims.output(.config(jsonPath: "\(sink.jsonPath).results"), path, fileOnlyBecause: Self.recordFileReason)
            }
            if let path = http.journalPath {
                claims.output(.config(jsonPath: "\(sink.jsonPath).journal"), path, fileOnlyBecause: Self.recordFileReason)
            }
            if dryRun, let path = PipelineAssembler.dryRunOutputPath(of: sink) {
                claims.output(.config(jsonPath: "\(sink.jsonPath).\(http.resultsPath != nil ? "results" : "journal")"), path)
            }
        }
        for claim in additionalOutputs { claims.output(claim.role, claim.path) }
        return claims
    }

    static let recordFileReason = "the results and the journal are records kept for --resume and for you to read"
    static let cutBackReason = "with on_input_error \"continue\" a bad input's lines are taken back from the outputs, "
        + "which a stream cannot be"

    /// The input files the `read` stage opens (none for the magicline API; `-` is stdin).
    var inputPaths: [String] {
        read.format == .magicline ? [] : [read.path].compactMap { $0 }
    }
}
