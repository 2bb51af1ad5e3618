import DebtflowCore
import Foundation

/// A JSON object of the pipeline config, read strictly: every key must be known, every value of
/// the right type, and every error names its JSON path (`stages[2].sink.batch_size`).
///
/// The config is parsed by the same JSON module as the inputs (``JSONDocument``), so values keep
/// their JSON types exactly (a boolean is never a number) and numbers keep their text.
/// String values are expanded for `${NAME}` references as they are read.
struct ConfigObject {
    let path: String
    private let values: [String: RecordValue]
    private let interpolation: EnvironmentInterpolation

    init(_ value: RecordValue?, path: String, interpolation: EnvironmentInterpolation) throws {
        guard case .object(let object)? = value else {
            throw DebtflowError.configuration("expected an object, found \(Self.describe(value))", path: path.isEmpty ? "$" : path)
        }
        var values: [String: RecordValue] = [:]
        // A repeated key is refused: most JSON parsers let the last one win, which would let a
        // second "path" silently move an output.
        for entry in object.entries {
            guard values.updateValue(entry.value, forKey: entry.key) == nil else {
                throw DebtflowError.configuration("the key is given twice in one object; keep one",
                                                  path: path.isEmpty ? entry.key : "\(path).\(entry.key)")
            }
        }
        self.values = values
        self.path = path
        self.interpolation = interpolation
    }

    var keys: [String] { values.keys.sorted() }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Fails on the first key that `options` does not describe, naming it and the keys that are.
    ///
    /// There is no list of allowed keys apart from the description: a key the decoder reads is a
    /// ``ConfigOption`` of the object, and so is in `debtflow schema` (``ConfigSchema``).
    func rejectUnknownKeys(describedBy options: ConfigOptions, context: String? = nil) throws {
        let allowed = options.keys
        for key in keys where !allowed.contains(key) {
            let hint = context.map { " (\($0))" } ?? ""
            throw DebtflowError.configuration(
                "unknown key\(hint); expected one of: \(allowed.joined(separator: ", "))", path: child(key))
        }
    }

    /// The value of `key`, `nil` when absent.
    /// - Throws: `.configuration` for `null`: a wrong type like any other (the key is left out to
    ///   get its default), as `debtflow schema` says.
    private func value(_ key: String) throws -> RecordValue? {
        guard let value = values[key] else { return nil }
        if case .null = value {
            throw DebtflowError.configuration("found null; expected a value (leave an optional key out to get its default)", path: child(key))
        }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let raw = try value(key) else { return nil }
        guard case .string(let text) = raw else {
            throw DebtflowError.configuration("expected a string", path: child(key))
        }
        return try interpolation.expand(text, at: child(key))
    }

    /// A string that is absent or empty after expansion reads as `nil` (`"${TIMELINE_ID:-}"`).
    func nonEmptyString(_ key: String) throws -> String? {
        guard let text = try string(key), !text.isEmpty else { return nil }
        return text
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try nonEmptyString(key) else {
            throw DebtflowError.configuration("required: expected a non-empty string", path: child(key))
        }
        return text
    }

    /// A file path (`path`, `results`, `journal`): absent or empty reads as `nil`.
    /// - Throws: `.configuration` for a path holding a NUL byte or longer than the system allows.
    func filePath(_ key: String) throws -> String? {
        guard let text = try nonEmptyString(key) else { return nil }
        if let problem = PathText.problem(text) {
            throw DebtflowError.configuration(problem, path: child(key))
        }
        return text
    }

    /// A required file path (see ``filePath(_:)``).
    func requiredFilePath(_ key: String) throws -> String {
        guard let text = try filePath(key) else {
            throw DebtflowError.configuration("required: expected a non-empty string", path: child(key))
        }
        return text
    }

    /// One of a closed set of names (an enum's raw values), or `fallback` when absent.
    func oneOf<Choice: RawRepresentable & CaseIterable>(_ key: String, _ type: Choice.Type, default fallback: Choice) throws -> Choice
    where Choice.RawValue == String {
        guard let text = try string(key) else { return fallback }
        guard let choice = Choice(rawValue: text) else {
            let names = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw DebtflowError.configuration("expected one of \(names), found \(MessageExcerpt.quoted(text))", path: child(key))
        }
        return choice
    }

    func bool(_ key: String) throws -> Bool? {
        switch try value(key) {
        case nil: return nil
        case .bool(let flag)?: return flag
        case .string(let text)?:
            // `"${ACCEPT:-false}"`: a variable reference that expands to true/false is accepted.
            switch try expandedReference(text, key, expected: "true or false") {
            case "true": return true
            case "false": return false
            case "": return nil
            default: break
            }
        default: break
        }
        throw DebtflowError.configuration("expected true or false", path: child(key))
    }

    /// A string given where a number or a boolean is expected, expanded: only a string holding a
    /// variable reference (`"${BATCH:-500}"`) stands for one, since its value is known only when
    /// the run starts. A literal (`"500"`, `"true"`) is a wrong type, as the contract says.
    /// - Parameter expected: what the option takes, for the message.
    private func expandedReference(_ text: String, _ key: String, expected: String) throws -> String {
        guard text.contains("${") else {
            throw DebtflowError.configuration(
                "expected \(expected), found the string \(MessageExcerpt.quoted(text)) "
                    + "(write the value without quotes; a string stands for it only when it holds ${NAME})",
                path: child(key))
        }
        return try interpolation.expand(text, at: child(key))
    }

    /// What a value of the wrong kind is, for a message (`found true`, `found an array`).
    private static func kindName(_ value: RecordValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .number(let text): text
        case .string(let text): MessageExcerpt.quoted(text)
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// A number option's value, read by `number` from a JSON number's text or by `text` from the
    /// value of a string holding a variable reference (`"${BATCH:-500}"`), with what was found,
    /// for a message (`found "abc"`, `found true`); `nil` when the key is absent.
    private func numberOption<Number>(_ key: String, expected: String, number: (String) -> Number?,
                                      text: (String) -> Number?) throws -> (number: Number?, found: String)? {
        guard let raw = try value(key) else { return nil }
        switch raw {
        case .number(let written): return (number(written), written)
        case .string(let written):
            let expanded = try expandedReference(written, key, expected: expected)
            return (text(expanded), MessageExcerpt.quoted(expanded))
        default: return (nil, Self.kindName(raw))
        }
    }

    func positiveInt(_ key: String, max maximum: Int? = nil) throws -> Int? {
        guard let (number, found) = try numberOption(key, expected: "a positive integer", number: { Self.integer($0) },
                                                     text: { Int($0) }) else { return nil }
        guard let number, number > 0 else {
            throw DebtflowError.configuration("expected a positive integer, found \(found)", path: child(key))
        }
        if let maximum, number > maximum {
            throw DebtflowError.configuration("expected a positive integer of at most \(maximum), found \(number)", path: child(key))
        }
        return number
    }

    func nonNegativeNumber(_ key: String) throws -> Double? {
        guard let (number, found) = try numberOption(key, expected: "a number of zero or more", number: { Double($0) },
                                                     text: { Double($0) }) else { return nil }
        guard let number, number >= 0, number.isFinite else {
            throw DebtflowError.configuration("expected a finite number of zero or more, found \(found)", path: child(key))
        }
        return number
    }

    /// An integer or a string (`run_id`).
    func intOrString(_ key: String) throws -> String? {
        switch try value(key) {
        case nil: return nil
        case .number(let text)?:
            if let integer = Self.integer(text) { return String(integer) }
        case .string(let text)?:
            return try interpolation.expand(text, at: child(key))
        default: break
        }
        throw DebtflowError.configuration("expected an integer or a string", path: child(key))
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard let raw = try value(key) else { return nil }
        guard case .array(let array) = raw else {
            throw DebtflowError.configuration("expected an array of strings", path: child(key))
        }
        return try array.enumerated().map { index, element in
            guard case .string(let text) = element else {
                throw DebtflowError.configuration("expected a string", path: "\(child(key))[\(index)]")
            }
            return try interpolation.expand(text, at: "\(child(key))[\(index)]")
        }
    }

    /// An object whose values are all strings (`fields`).
    func stringMap(_ key: String) throws -> [(String, String)]? {
        guard let raw = try value(key) else { return nil }
        guard case .object = raw else {
            throw DebtflowError.configuration("expected an object of strings", path: child(key))
        }
        let object = try ConfigObject(raw, path: child(key), interpolation: interpolation)
        return try object.keys.map { name in
            guard case .string? = object.rawValue(name), let text = try object.string(name) else {
                throw DebtflowError.configuration("expected a string", path: object.child(name))
            }
            return (name, text)
        }
    }

    func object(_ key: String) throws -> ConfigObject? {
        guard let raw = try value(key) else { return nil }
        return try ConfigObject(raw, path: child(key), interpolation: interpolation)
    }

    /// The value of `key` as parsed (`nil` when absent), for values of several accepted types.
    func rawValue(_ key: String) -> RecordValue? { values[key] }

    /// A scalar constant as text: a string (expanded), a number as JSON's value reads (`10`,
    /// `12.5`), `true`/`false`; `nil` for other types.
    func scalarText(_ key: String) throws -> String? {
        switch try value(key) {
        case .string?: return try string(key)
        case .bool(let flag)?: return flag ? "true" : "false"
        case .number(let text)?:
            if let integer = Int(text) { return String(integer) }
            return Double(text).map { NSNumber(value: $0).stringValue }
        default: return nil
        }
    }

    /// The integer a JSON number's text denotes (`3`, `3.0`, `3e2`), or `nil` when it is not one.
    private static func integer(_ text: String) -> Int? {
        if let integer = Int(text) { return integer }
        guard let double = Double(text), double == double.rounded(), abs(double) < 1e15 else { return nil }
        return Int(double)
    }

    /// `an array`, `a string`, `a number`, `true`, `null`: what a JSON value is, for messages.
    static func describe(_ value: RecordValue?) -> String {
        switch value {
        case nil, .null?: "null"
        case .bool(let flag)?: "\(flag)"
        case .array?: "an array"
        case .object?: "an object"
        case .string?: "a string"
        case .number?: "a number"
        }
    }
}
