/// The `temp_id`s an http sink has taken in one run, so that a repeated one is refused: a
/// `temp_id` is unique within a run (CONTRACT.md §3), and the journal, `--resume` and the
/// server's answers all match debts by it.
///
/// Kept as 64-bit fingerprints (`Hasher`, seeded once per process: only this run compares
/// them), 8 bytes a debt and no allocation per id, rather than the ids themselves (a `Set` of a
/// million 36-byte ids held 27 MB more at its peak). Two different ids share a fingerprint with a
/// chance of about n²/2⁶⁵: once in some 30 million runs of a million debts, and then the later
/// debt is refused as a repeat, said on stderr and in the results, never lost in silence.
struct TempIDRegistry {
    private var fingerprints = Set<UInt64>()

    /// Takes `tempID` for this run.
    /// - Returns: `false` when the run had taken it already.
    mutating func take(_ tempID: String) -> Bool {
        var hasher = Hasher()
        hasher.combine(tempID)
        return fingerprints.insert(UInt64(truncatingIfNeeded: hasher.finalize())).inserted
    }
}
