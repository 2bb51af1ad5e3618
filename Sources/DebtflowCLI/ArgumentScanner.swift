import DebtflowCore

/// A small, strict command-line scanner: `--name value`, `--name=value`, flags, and positionals.
/// Unknown options, and an option given twice, are usage errors (exit 2) naming the option.
struct ArgumentScanner {
    private var arguments: [String]
    private(set) var positionals: [String] = []
    private var options: [String: [String]] = [:]
    private var flags: Set<String> = []

    /// - Parameters:
    ///   - valueOptions: options that take a value (`--limit`).
    ///   - flagOptions: options that take none (`--dry-run`).
    init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String>) throws {
        try self.init(arguments, valueOptions: valueOptions, flagOptions: flagOptions, lenient: false)
    }

    /// The arguments read as ``init(_:valueOptions:flagOptions:)`` reads them, but with what it
    /// would refuse (an unknown option, a missing value) passed over: for reporting a command line
    /// that was refused in the form and to the files it asks for (`--log-format`, `--metrics`).
    static func lenient(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String> = []) -> ArgumentScanner {
        do {
            return try ArgumentScanner(arguments, valueOptions: valueOptions, flagOptions: flagOptions, lenient: true)
        } catch {
            preconditionFailure("a lenient scan refuses nothing")
        }
    }

    private init(_ arguments: [String], valueOptions: Set<String>, flagOptions: Set<String>, lenient: Bool) throws {
        self.arguments = arguments
        var index = 0
        var onlyPositionals = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            // `-h` is `--help` wherever `--help` is (as for `debtflow -h`, `sandbox -h`).
            if argument == "-h" && !onlyPositionals && flagOptions.contains("--help") {
                flags.insert("--help")
                continue
            }
            if onlyPositionals || !argument.hasPrefix("--") || argument == "-" {
                if argument.hasPrefix("-") && argument.count > 1 && !onlyPositionals && argument != "-" && !Self.looksLikeNumber(argument) {
                    if lenient { continue }
                    throw DebtflowError.usage("unknown option \(argument)")
                }
                positionals.append(argument)
                continue
            }
            if argument == "--" {
                onlyPositionals = true
                continue
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            if flagOptions.contains(name) {
                if inlineValue != nil && !lenient { throw DebtflowError.usage("\(name) takes no value") }
                flags.insert(name)
            } else if valueOptions.contains(name) {
                let value: String
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard index < arguments.count else {
                        if lenient { break }
                        throw DebtflowError.usage("\(name) needs a value")
                    }
                    value = arguments[index]
                    index += 1
                }
                // Given twice, one value would be dropped without a word (`--shard 0/1 --shard
                // 0/2` would run one shard and say nothing).
                if let earlier = options[name]?.first, !lenient {
                    throw DebtflowError.usage("\(name) is given twice (\(MessageExcerpt.quoted(earlier)) and \(MessageExcerpt.quoted(value))): give it once")
                }
                options[name, default: []].append(value)
            } else if !lenient {
                throw DebtflowError.usage("unknown option \(name)")
            }
        }
    }

    /// `-12`, `+33…` style positionals are values, not options.
    private static func looksLikeNumber(_ text: String) -> Bool {
        text.dropFirst().first.map { $0.isNumber } ?? false
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func value(_ name: String) -> String? { options[name]?.last }

    func int(_ name: String, minimum: Int = 0) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), number >= minimum else {
            throw DebtflowError.usage("\(name) expects a whole number of at least \(minimum), got \"\(text)\"")
        }
        return number
    }

    func choice(_ name: String, _ choices: [String], default fallback: String) throws -> String {
        guard let text = value(name) else { return fallback }
        guard choices.contains(text) else {
            throw DebtflowError.usage("\(name) expects one of \(choices.joined(separator: "|")), got \"\(text)\"")
        }
        return text
    }
}
