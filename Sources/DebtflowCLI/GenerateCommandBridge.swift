import DebtflowGenerate

/// `debtflow generate …`: realistic dirty debtor data for trials and benchmarks (DebtflowGenerate).
enum GenerateCommandBridge {
    static func run(_ arguments: [String]) throws -> Int32 {
        try GenerateCommand.run(arguments: arguments)
    }
}
