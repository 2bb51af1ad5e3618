import DebtflowCore
import Foundation

// The `debtflow` executable: picks the command, runs it, and exits with the contract's code.
// `exit` flushes stdio, so everything printed reaches stdout.
StandardStreams.reserveClosedDescriptors()
let status = await CommandDispatcher.run(Array(CommandLine.arguments.dropFirst()))
exit(status)
