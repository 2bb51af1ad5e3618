import DebtflowCore

/// Expands `${NAME}` and `${NAME:-default}` in config strings (CONTRACT.md §1).
public struct EnvironmentInterpolation: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String]) {
        self.environment = environment
    }

    /// Returns `text` with every reference replaced.
    /// - Parameter path: the JSON path of the string, for the error message.
    /// - Throws: `.configuration` naming the variable when `${NAME}` is unset or empty, or when a `${` is not closed.
    public func expand(_ text: String, at path: String) throws -> String {
        guard text.contains("${") else { return text }
        var result = ""
        var rest = Substring(text)
        while let start = rest.firstRange(of: "${") {
            result += rest[..<start.lowerBound]
            let afterOpen = rest[start.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else {
                throw DebtflowError.configuration("unterminated ${ in \(MessageExcerpt.quoted(text))", path: path)
            }
            let reference = afterOpen[..<close]
            if reference.contains("${") {
                throw DebtflowError.configuration("nested ${ in \(MessageExcerpt.quoted(text)) (a default cannot hold another variable reference)", path: path)
            }
            let name: Substring
            let fallback: Substring?
            if let separator = reference.firstRange(of: ":-") {
                name = reference[..<separator.lowerBound]
                fallback = reference[separator.upperBound...]
            } else {
                name = reference
                fallback = nil
            }
            guard Self.isValidName(name) else {
                throw DebtflowError.configuration("\(MessageExcerpt.quoted("${" + reference + "}")) is not a variable reference (expected ${NAME} or ${NAME:-default})", path: path)
            }
            if let value = environment[String(name)], !value.isEmpty {
                result += value
            } else if let fallback {
                result += fallback
            } else if environment[String(name)] != nil {
                // Set to nothing (`OUT= debtflow run …`): most often a slip, and `${OUT}/valid.ndjson`
                // would write personal data at the file system's root. An empty value is asked for
                // with `${NAME:-}`.
                throw DebtflowError.configuration("environment variable \(name) is set but empty (give it a value, "
                                                  + "or write ${\(name):-} where an empty value is meant)", path: path)
            } else {
                throw DebtflowError.configuration("environment variable \(name) is not set (set it, or write ${\(name):-default})", path: path)
            }
            rest = afterOpen[afterOpen.index(after: close)...]
        }
        result += rest
        return result
    }

    private static func isValidName(_ name: Substring) -> Bool {
        guard let first = name.first, first == "_" || first.isLetter else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
