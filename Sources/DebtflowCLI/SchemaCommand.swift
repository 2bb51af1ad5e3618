import DebtflowCore
import DebtflowPipeline

/// `debtflow schema`: prints the JSON Schema of pipeline configs to stdout.
enum SchemaCommand {
    static func run(_ arguments: [String]) throws -> Int32 {
        let scanner = try ArgumentScanner(arguments, valueOptions: [], flagOptions: ["--help"])
        if scanner.flag("--help") {
            try StandardStreams.printLine(HelpText.schema)
            return 0
        }
        guard scanner.positionals.isEmpty else {
            throw DebtflowError.usage("unexpected argument \"\(scanner.positionals[0])\"; `debtflow schema` takes none")
        }
        try StandardStreams.writeToStandardOutput(ConfigSchema.prettyPrintedJSON())
        return 0
    }
}
