import DebtflowCore
import Foundation

/// A JSON object of the pipeline config, read strictly: every key must be known, every value of
/// the right type, and every error names its JSON path (`stages[2].sink.batch_size`).
///
/// String values are expanded for `${NAME}` references as they are read.
struct ConfigObject {
    let path: String
    private let values: [String: Any]
    private let interpolation: EnvironmentInterpolation
    private(set) var used: Set<String> = []

    init(_ value: Any?, path: String, interpolation: EnvironmentInterpolation) throws {
        guard let values = value as? [String: Any] else {
            throw DebtflowError.configuration("expected an object, found \(Self.describe(value))", path: path.isEmpty ? "$" : path)
        }
        self.values = values
        self.path = path
        self.interpolation = interpolation
    }

    var keys: [String] { values.keys.sorted() }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Fails on the first key not in `allowed`, naming it and the keys that are.
    func rejectUnknownKeys(allowed: [String], context: String? = nil) throws {
        for key in keys where !allowed.contains(key) {
            let hint = context.map { " (\($0))" } ?? ""
            throw DebtflowError.configuration(
                "unknown key\(hint); expected one of: \(allowed.joined(separator: ", "))", path: child(key))
        }
    }

    func string(_ key: String) throws -> String? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        guard let text = raw as? String else {
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

    func oneOf(_ key: String, _ choices: [String], default fallback: String) throws -> String {
        guard let text = try string(key) else { return fallback }
        guard choices.contains(text) else {
            throw DebtflowError.configuration("expected one of \(choices.map { "\"\($0)\"" }.joined(separator: ", ")), found \(MessageExcerpt.quoted(text))", path: child(key))
        }
        return text
    }

    /// One of a closed set of names (an enum's raw values), or `fallback` when absent.
    func oneOf<Choice: RawRepresentable & CaseIterable>(_ key: String, _ type: Choice.Type, default fallback: Choice) throws -> Choice
    where Choice.RawValue == String {
        guard let text = try string(key) else { return fallback }
        guard let choice = Choice(rawValue: text) else {
            let names = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw DebtflowError.configuration("expected one of \(names), found \"\(text)\"", path: child(key))
        }
        return choice
    }

    func bool(_ key: String) throws -> Bool? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        if let flag = raw as? Bool, Self.isBoolean(raw) { return flag }
        if let text = raw as? String {
            // `"${ACCEPT:-false}"`: a string that expands to true/false is accepted.
            switch try interpolation.expand(text, at: child(key)) {
            case "true": return true
            case "false": return false
            case "": return nil
            default: break
            }
        }
        throw DebtflowError.configuration("expected true or false", path: child(key))
    }

    func positiveInt(_ key: String, max maximum: Int? = nil) throws -> Int? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        let number: Int?
        if Self.isBoolean(raw) {
            number = nil
        } else if let int = raw as? Int {
            number = int
        } else if let double = raw as? Double, double == double.rounded(), abs(double) < 1e15 {
            number = Int(double)
        } else if let text = raw as? String {
            number = Int(try interpolation.expand(text, at: child(key)))
        } else {
            number = nil
        }
        guard let number, number > 0 else {
            throw DebtflowError.configuration("expected a positive integer", path: child(key))
        }
        if let maximum, number > maximum {
            throw DebtflowError.configuration("expected a positive integer of at most \(maximum), found \(number)", path: child(key))
        }
        return number
    }

    func nonNegativeNumber(_ key: String) throws -> Double? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        var number: Double?
        if !Self.isBoolean(raw) {
            if let value = raw as? Double { number = value } else if let value = raw as? Int { number = Double(value) }
            else if let text = raw as? String { number = Double(try interpolation.expand(text, at: child(key))) }
        }
        guard let number, number >= 0, number.isFinite else {
            throw DebtflowError.configuration("expected a number of zero or more", path: child(key))
        }
        return number
    }

    /// An integer or a string (`run_id`).
    func intOrString(_ key: String) throws -> String? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        if let int = raw as? Int, !Self.isBoolean(raw) { return String(int) }
        if let text = raw as? String { return try interpolation.expand(text, at: child(key)) }
        throw DebtflowError.configuration("expected an integer or a string", path: child(key))
    }

    func stringArray(_ key: String) throws -> [String]? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        guard let array = raw as? [Any] else {
            throw DebtflowError.configuration("expected an array of strings", path: child(key))
        }
        return try array.enumerated().map { index, element in
            guard let text = element as? String else {
                throw DebtflowError.configuration("expected a string", path: "\(child(key))[\(index)]")
            }
            return try interpolation.expand(text, at: "\(child(key))[\(index)]")
        }
    }

    /// An object whose values are all strings (`fields`).
    func stringMap(_ key: String) throws -> [(String, String)]? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        guard let object = raw as? [String: Any] else {
            throw DebtflowError.configuration("expected an object of strings", path: child(key))
        }
        return try object.keys.sorted().map { name in
            guard let text = object[name] as? String else {
                throw DebtflowError.configuration("expected a string", path: "\(child(key)).\(name)")
            }
            return (name, try interpolation.expand(text, at: "\(child(key)).\(name)"))
        }
    }

    func object(_ key: String) throws -> ConfigObject? {
        guard let raw = values[key], !(raw is NSNull) else { return nil }
        return try ConfigObject(raw, path: child(key), interpolation: interpolation)
    }

    func rawValue(_ key: String) -> Any? { values[key] }

    /// `an array`, `a string`, `a number`, `true`, `null`: what a JSON value is, for messages.
    static func describe(_ value: Any?) -> String {
        switch value {
        case nil, is NSNull: "null"
        case let value? where isBoolean(value): "\(value as? Bool == true)"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case is String: "a string"
        case is NSNumber: "a number"
        default: "a JSON value"
        }
    }

    /// JSONSerialization gives booleans as NSNumber; tell them apart from numbers.
    static func isBoolean(_ value: Any) -> Bool {
        // swift-corelibs-foundation answers `__NSCFBoolean` for true/false, `NSNumber` for numbers.
        String(describing: type(of: value)).contains("Bool")
    }
}
