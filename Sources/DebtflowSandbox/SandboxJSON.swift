import DebtflowJSON

/// How the sandbox parses JSON request bodies and debtor files: ``JSONDocument`` with a
/// nesting limit, so a body nested 100,000 deep is a clean 400 instead of a deep recursion.
enum SandboxJSON {
    /// The deepest nesting accepted in a request body or a debtor.
    static let maxDepth = 512

    /// ``JSONDocument`` limits with ``maxDepth``.
    static let limits = JSONLimits(maxDepth: maxDepth)
}
