/// Which input of a many-input run a chunk belongs to (CONTRACT.md §2 "Many inputs").
///
/// A many-input source never mixes inputs in one chunk, and tags every chunk with its input; the
/// last chunk of each input (possibly empty) has ``isLast`` set, with ``failure`` when the input
/// could not be read through. The runner carries the mark from a record chunk to its outcome
/// chunk, so the drain can count outcomes per input and tell the sinks when an input is done.
/// Single-input runs carry no mark.
public struct InputMark: Sendable, Equatable {
    /// The input's position in the run's sorted input list (0-based).
    public var index: Int
    /// The matched path, as the pattern gave it (relative paths stay relative to the config's folder).
    public var path: String
    /// True on the last chunk of this input.
    public var isLast: Bool
    /// Why the input stopped early (an input error), on its last chunk.
    public var failure: DebtflowError?

    public init(index: Int, path: String, isLast: Bool = false, failure: DebtflowError? = nil) {
        self.index = index
        self.path = path
        self.isLast = isLast
        self.failure = failure
    }
}
