import DebtflowCore

/// The options of an `ndjson` sink (CONTRACT.md §2): where it writes, whether gzip, and which
/// outcomes it receives. The pipeline config decoder builds it straight from the `sink` object.
public struct NDJSONSinkOptions: Sendable, Equatable {
    /// `path`: the output file (resolved by the caller), or `-` for stdout. It may hold `{input}`
    /// (one output per input, see ``PerInputNDJSONSink``).
    public var path: String
    /// `gzip` (false): compress the output.
    public var gzip: Bool
    /// `accept` (`["valid"]`): the outcomes this sink receives.
    public var accepts: Set<OutcomeStatus>

    public init(path: String, gzip: Bool = false, accepts: Set<OutcomeStatus> = [.valid]) {
        self.path = path
        self.gzip = gzip
        self.accepts = accepts
    }
}
