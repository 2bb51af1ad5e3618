import DebtflowCore
import DebtflowRead

/// The input files one run reads (CONTRACT.md §2 "Many inputs", §1 `--shard`): `read.path`'s
/// patterns expanded (sorted, each file once), missing ones handled by `if_missing`, and the
/// shard's share kept. `nil` for stdin and for the paged API (nothing to expand).
public struct InputPlan: Sendable {
    /// Every file the patterns matched, before the shard filter (what `check` lists).
    public var matched: [MatchedInput]
    /// The files this run reads (this shard's share of ``matched``).
    public var inputs: [MatchedInput]
    /// Patterns that matched nothing, as written.
    public var unmatched: [String]

    /// Expands the read stage's inputs.
    /// - Parameters:
    ///   - read: the read stage.
    ///   - baseDirectory: the config's folder.
    ///   - shard: `--shard I/N`, if given.
    /// - Returns: `nil` for stdin (`-`) or `magicline`.
    /// - Throws: `.usage` for `--shard` with stdin or the paged API; `.input` when a folder of a
    ///   pattern cannot be listed.
    public static func make(read: ReadStageConfiguration, baseDirectory: String, shard: InputShard?) throws -> InputPlan? {
        let patterns: [String]
        if let many = read.patterns {
            patterns = many
        } else if read.format != .magicline, let path = read.displayPath ?? read.path, path != "-" {
            patterns = [path]
        } else {
            if shard != nil {
                throw DebtflowError.usage("--shard splits a list of input files; this pipeline reads "
                                          + (read.format == .magicline ? "the paged API (magicline)" : "stdin"))
            }
            return nil
        }
        let expansion = try InputPatternExpander(patterns: patterns, baseDirectory: baseDirectory)
            .expand(keepMissingLiterals: !read.missingInputsAllowed)
        let inputs = shard.map { shard in expansion.inputs.filter(shard.contains) } ?? expansion.inputs
        return InputPlan(matched: expansion.inputs, inputs: inputs, unmatched: expansion.unmatched)
    }

    /// The matched paths whose file name another matched path has too (`in/a/export.csv` and
    /// `in/b/export.csv`): their records without an id of their own are known by the path, not
    /// the file name (``DebtflowCore/Provenance/idsByPath``), so that temp_ids stay unique within
    /// a run (CONTRACT.md §3). Taken over every matched file, not only this shard's, so that every
    /// shard of a night names an input's debts alike. The name is the one positional temp_ids use
    /// (``DebtflowCore/Provenance/idPrefix(of:byPath:)``), compared as bytes. One group per name,
    /// in matched order.
    public var inputsSharingFileNames: [[String]] {
        var groupOfName: [[UInt8]: Int] = [:]
        var groups: [[String]] = []
        for input in matched {
            let name = Array(Provenance.idPrefix(of: input.path).utf8)
            if let group = groupOfName[name] {
                groups[group].append(input.path)
            } else {
                groupOfName[name] = groups.count
                groups.append([input.path])
            }
        }
        return groups.filter { $0.count > 1 }
    }

    /// The paths of ``inputsSharingFileNames``.
    public var pathsSharingFileNames: Set<String> { Set(inputsSharingFileNames.joined()) }

    /// The error for a pattern that matched nothing (exit 3).
    public static func unmatchedError(_ pattern: String) -> DebtflowError {
        DebtflowError.input("no file matches this input pattern; set \"if_missing\": \"ok\" in the read stage "
                            + "if a night without an export is normal", location: .init(file: pattern))
    }
}
