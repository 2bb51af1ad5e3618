import DebtflowCore
import Foundation

/// Checks JSON documents against a JSON Schema with a real validator: Python's `jsonschema`
/// (Draft202012Validator), through Scripts/check_json_schema.py, in one process for many
/// documents. Scripts/ensure-system-packages.sh installs it.
public enum JSONSchemaChecker {
    /// What the validator said of one document.
    public struct Verdict: Sendable {
        public var document: String
        public var isValid: Bool
        /// `"stages/5/sink/batch_size: 0 is less than the minimum of 1"`, one per problem.
        public var errors: [String]
    }

    /// Checks every document against `schema` (the schema itself against its meta-schema first).
    /// - Throws: when Python or jsonschema is missing, or the schema is not a valid schema.
    public static func check(schema: URL, documents: [URL]) throws -> [Verdict] {
        let script = TestSupport.packageRoot.appendingPathComponent("Scripts/check_json_schema.py")
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", script.path, schema.path] + documents.map(\.path))
        guard result.status == 0 || result.status == 1 else {
            throw DebtflowError.input("the schema check did not run (exit \(result.status)); run Scripts/ensure-system-packages.sh "
                                      + "to install Python's jsonschema: \(result.stderrText)")
        }
        return try result.stdoutText.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let document = object["document"] as? String, let valid = object["valid"] as? Bool,
                  let errors = object["errors"] as? [[String: String]] else {
                throw DebtflowError.input("unexpected line from check_json_schema.py: \(line)")
            }
            return Verdict(document: document, isValid: valid,
                           errors: errors.map { "\($0["path"] ?? ""): \($0["message"] ?? "")" })
        }
    }

    /// Writes each JSON text to its own file in `directory` and checks them all against `schema`,
    /// answering in the order given.
    public static func check(schema: URL, texts: [String], in directory: URL) throws -> [Verdict] {
        var files: [URL] = []
        for (index, text) in texts.enumerated() {
            let file = directory.appendingPathComponent("document-\(index).json")
            try Data(text.utf8).write(to: file)
            files.append(file)
        }
        return try check(schema: schema, documents: files)
    }
}
