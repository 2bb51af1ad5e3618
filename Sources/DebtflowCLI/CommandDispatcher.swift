import DebtflowCore
import DebtflowPipeline
import Foundation

/// Routes the first argument to a command and maps whatever it throws to an exit code, in this one
/// place (DESIGN.md §6.9): help and `--version` go to stdout with exit 0; errors go to stderr as
/// `error: …` with a usage hint.
enum CommandDispatcher {
    static func run(_ arguments: [String]) async -> Int32 {
        guard let command = arguments.first else {
            printError(DebtflowError.usage("missing command"), hint: "run `debtflow --help` for usage")
            return ExitCode.usage.rawValue
        }
        let rest = Array(arguments.dropFirst())
        do {
            switch command {
            case "--help", "-h", "help", "--version", "-V", "version":
                // `debtflow help run` is `debtflow run --help`.
                if ["--help", "-h", "help"].contains(command), rest.count == 1, Self.commands.contains(rest[0]) {
                    return await run([rest[0], "--help"])
                }
                // (`--help --help` is help.)
                if let extra = rest.first(where: { !["--help", "-h"].contains($0) }) {
                    throw DebtflowError.usage(command == "help" && rest == [extra] ? "unknown command \(MessageExcerpt.quoted(extra))"
                                                                                  : "unexpected argument \(MessageExcerpt.quoted(extra)) after \(command)")
                }
                try StandardStreams.printLine(["--version", "-V", "version"].contains(command) ? HelpText.version : HelpText.main)
                return 0
            case "run":
                return try await RunCommand.run(rest)
            case "check":
                return try await CheckCommand.run(rest)
            case "schema":
                return try SchemaCommand.run(rest)
            case "phone":
                return try PhoneCommand.run(rest)
            case "sandbox":
                return try SandboxCommandBridge.run(rest)
            case "generate":
                return try GenerateCommandBridge.run(rest)
            default:
                throw DebtflowError.usage("unknown command \"\(command)\"")
            }
        } catch let error as DebtflowError {
            let hint: String?
            switch error.kind {
            case .usage: hint = "run `debtflow \(Self.commands.contains(command) ? command + " " : "")--help` for usage"
            default: hint = nil
            }
            printError(error, hint: hint, log: OperatorLog(format: requestedLogFormat(rest)))
            return ExitCode.for(error).rawValue
        } catch {
            printError(DebtflowError.input("\(error)"), hint: nil, log: OperatorLog(format: requestedLogFormat(rest)))
            return ExitCode.for(error).rawValue
        }
    }

    /// The commands, each with its own `--help`.
    static let commands = ["run", "check", "schema", "phone", "sandbox", "generate"]

    /// The `--log-format` the arguments ask for, read without judging the rest of them: an error
    /// about the arguments or the config (exit 2) is written in the format the operator's log
    /// collector expects too.
    static func requestedLogFormat(_ arguments: [String]) -> OperatorLog.Format {
        ArgumentScanner.lenient(arguments, valueOptions: ["--log-format"]).value("--log-format") == "json" ? .json : .text
    }

    static func printError(_ error: DebtflowError, hint: String?, log: OperatorLog? = nil) {
        let log = log ?? OperatorLog(format: .text)
        log.error(error.description, hint: hint)
    }
}
