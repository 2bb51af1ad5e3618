import DebtflowCore

/// A pipeline config as decoded from JSON (CONTRACT.md §2): the stages in order, with every
/// option resolved (defaults applied, `${ENV}` expanded, relative paths made absolute).
public struct PipelineConfiguration: Sendable {
    public var version: Int
    public var name: String
    /// The folder the config file is in; relative paths were resolved against it.
    public var baseDirectory: String
    /// The config file's path as given on the command line (named in messages, and never to be
    /// overwritten by an output); `nil` for a config decoded from bytes.
    public var configPath: String?
    public var read: ReadStageConfiguration
    /// The stages between `read` and the sinks, as listed (only these run): empty for a
    /// conversion pipeline; `map`, `normalize`, [`classify`], `validate` for a debt pipeline.
    public var stages: [ConfiguredStage]
    public var sinks: [SinkConfiguration]
    /// Secrets found in the config (tokens, keys), to be masked in every message.
    public var secrets: [String]

    /// A pipeline without `map`: records are written as they were read.
    public var isConversion: Bool { stages.isEmpty }

    /// The options of the listed stage whose options are of type `Options` (`NormalizeOptions`),
    /// or `nil` when the config does not list that stage.
    public func options<Options>(of type: Options.Type) -> Options? {
        stages.lazy.compactMap { $0.options as? Options }.first
    }
}
