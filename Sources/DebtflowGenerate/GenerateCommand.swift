#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DebtflowCore

/// `debtflow generate`: parses its flags and writes the data.
///
/// ```
/// debtflow generate --rows N [--format csv|json|ndjson|xml] [--shape flat|magicline | --preset magicline]
///                   [--gzip] [--gzip-level 1-9] [--seed S] [--delimiter ';'|','|tab|'|'] [--out PATH]
/// ```
public enum GenerateCommand {
    /// The help text (printed to stdout by `--help`).
    public static let help = """
        USAGE: debtflow generate --rows N [--format csv|json|ndjson|xml] [options]

        Writes realistic, dirty debtor data for trial runs, tests and benchmarks: about 70% valid,
        20% failing one rule each, 10% skipped (empty, `*` instruction and "champs obligatoires" rows).
        The same options and seed always give the same bytes.

        OPTIONS:
          --rows N              number of records (data rows, or debtors with --shape magicline); required
          --format F            csv (default), json (default with --shape magicline), ndjson or xml
          --shape S             flat (default): one debtor row per record;
                                magicline: Sportalliance debtors ({"result":[…]}) for the magicline-debtor preset
          --preset magicline    same as --shape magicline
          --gzip                compress the output (one gzip member)
          --gzip-level L        zlib level 1 (fast, default) to 9 (small)
          --seed S              seed of the random choices (default 1)
          --delimiter D         CSV delimiter: ';' (default), ',', tab or '|'
          --out PATH            output file (created 0600, written whole then renamed into place);
                                '-' or absent: standard output
          -h, --help            show this help

        CSV header: Référence;Prénom;Nom;Montant;Devise;Téléphone;Email;Date échéance;IBAN
        JSON/NDJSON/XML keys: reference, firstName, lastName, amount, currency, phone, email, dueDate, iban
        XML record element: debtor (inside <debtors>).

        EXAMPLES:
          debtflow generate --rows 1000000 --format csv --gzip --out debtors.csv.gz
          debtflow generate --rows 200 --format json --preset magicline --seed 7 --out debtors.json
        """

    /// Parses `arguments` (the words after `generate`) into options and an output path.
    /// - Throws: ``DebtflowError`` `.usage` naming the bad flag.
    public static func parse(_ arguments: [String]) throws -> (options: GeneratorOptions, outputPath: String)? {
        var rows: Int?
        var format: GeneratedFormat?
        var shape = GeneratedShape.flat
        var gzip = false
        var level: Int32 = 1
        var seed: UInt64 = 1
        var delimiter = UInt8(ascii: ";")
        var out = "-"
        var index = 0
        func value(_ flag: String) throws -> String {
            index += 1
            guard index < arguments.count else { throw DebtflowError.usage("\(flag) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            var argument = arguments[index]
            // Accept --flag=value too.
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                let name = String(argument[..<equals])
                let rest = String(argument[argument.index(after: equals)...])
                var expanded = arguments
                expanded.replaceSubrange(index...index, with: [name, rest])
                return try parse(expanded)
            }
            switch argument {
            case "-h", "--help":
                return nil
            case "--rows":
                let text = try value(argument)
                guard let number = Int(text), number >= 0 else {
                    throw DebtflowError.usage("--rows: expected a number of rows, got '\(text)'")
                }
                rows = number
            case "--format":
                let text = try value(argument)
                guard let parsed = GeneratedFormat(rawValue: text.lowercased()) else {
                    throw DebtflowError.usage("--format: expected csv, json, ndjson or xml, got '\(text)'")
                }
                format = parsed
            case "--shape", "--preset":
                let text = try value(argument)
                let name = text.lowercased() == "magicline-debtor" ? "magicline" : text.lowercased()
                guard let parsed = GeneratedShape(rawValue: name), argument == "--shape" || parsed == .magicline else {
                    throw DebtflowError.usage("\(argument): expected \(argument == "--shape" ? "flat or magicline" : "magicline"), got '\(text)'")
                }
                shape = parsed
            case "--gzip":
                gzip = true
            case "--gzip-level":
                let text = try value(argument)
                guard let parsed = Int32(text), (1...9).contains(parsed) else {
                    throw DebtflowError.usage("--gzip-level: expected 1 to 9, got '\(text)'")
                }
                level = parsed
                gzip = true
            case "--seed":
                let text = try value(argument)
                guard let parsed = UInt64(text) else {
                    throw DebtflowError.usage("--seed: expected a non-negative integer, got '\(text)'")
                }
                seed = parsed
            case "--delimiter":
                let text = try value(argument)
                switch text {
                case ";": delimiter = UInt8(ascii: ";")
                case ",": delimiter = UInt8(ascii: ",")
                case "|": delimiter = UInt8(ascii: "|")
                case "tab", "\t", "\\t": delimiter = 0x09
                default: throw DebtflowError.usage("--delimiter: expected ';', ',', tab or '|', got '\(text)'")
                }
            case "--out", "-o":
                out = try value(argument)
                if out.isEmpty { throw DebtflowError.usage("--out: expected a path or '-'") }
            default:
                argument = argument.isEmpty ? "''" : argument
                throw DebtflowError.usage("unknown option \(argument)")
            }
            index += 1
        }
        guard let rows else { throw DebtflowError.usage("--rows N is required") }
        // The magicline shape defaults to JSON (the API's own format); flat rows to CSV.
        let chosenFormat = format ?? (shape == .magicline ? .json : .csv)
        if shape == .magicline && chosenFormat == .csv {
            throw DebtflowError.usage("--shape magicline is nested data: use --format json, ndjson or xml")
        }
        return (GeneratorOptions(rows: rows, format: chosenFormat, shape: shape, gzip: gzip, gzipLevel: level, seed: seed,
                                 csvDelimiter: delimiter), out)
    }

    /// Runs `debtflow generate` with `arguments` (the words after `generate`): help to stdout,
    /// data to `--out` or stdout, a one-line summary and any error to stderr.
    /// - Returns: the exit code: 0 on success (and `--help`), 2 on a usage error, 4 when the
    ///   output cannot be written.
    /// Removes the temporary files of outputs not finished yet, for a `generate` about to exit on
    /// a signal. Safe to call from any thread.
    public static func removeUnfinishedOutputs() {
        GeneratedOutput.removeUnfinishedFiles()
    }

    public static func run(arguments: [String]) throws -> Int32 {
        let parsed: (options: GeneratorOptions, outputPath: String)?
        do {
            parsed = try parse(arguments)
        } catch let error as DebtflowError {
            printToStandardError("error: \(error.description)\nUsage: debtflow generate --rows N --format csv|json|ndjson|xml "
                                 + "[--gzip] [--seed S] [--out PATH]  (see 'debtflow generate --help')")
            return ExitCode.for(error).rawValue
        }
        guard let (options, outputPath) = parsed else {
            print(help)
            return ExitCode.success.rawValue
        }
        do {
            let generator = try DebtorDataGenerator(options: options)
            let report = try generator.write(toPath: outputPath)
            let mix = ["valid", "failed", "skipped"].map { "\(report.intended[$0, default: 0]) \($0)" }.joined(separator: ", ")
            let unit = options.shape == .magicline ? "debtors" : "rows"
            let target = outputPath == "-" ? "stdout" : outputPath
            printToStandardError("generated \(report.records) \(unit) (\(options.format.rawValue)\(options.gzip ? ", gzip" : ""), "
                                 + "seed \(options.seed); intended: \(mix)) → \(target), \(report.bytesWritten) bytes")
            return ExitCode.success.rawValue
        } catch let error as DebtflowError {
            printToStandardError("error: \(error.description)")
            return ExitCode.for(error).rawValue
        }
    }

    private static func printToStandardError(_ text: String) {
        var line = Array((text + "\n").utf8)
        line.withUnsafeMutableBytes { raw in
            _ = write(STDERR_FILENO, raw.baseAddress, raw.count)
        }
    }
}
