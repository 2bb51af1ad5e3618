import DebtflowSandbox

/// `debtflow sandbox …`: the local emulator of GetBill and Sportalliance (DebtflowSandbox). It
/// prints `listening on http://127.0.0.1:PORT` first, serves until SIGINT/SIGTERM, then exits 0.
enum SandboxCommandBridge {
    static func run(_ arguments: [String]) throws -> Int32 {
        if try StandardStreams.printHelpIfAsked(arguments, SandboxCommand.usage) { return 0 }
        return SandboxCommand.run(arguments: arguments)
    }
}
