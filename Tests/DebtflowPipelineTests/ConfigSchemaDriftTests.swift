import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

@testable import DebtflowPipeline

/// The schema and the decoder read one description of every option (``ConfigOption``): these
/// tests feed the decoder and a real JSON Schema validator the same configs, made from that
/// description, so an option one of them takes and the other does not fails here.
@Suite("Config schema against the decoder")
struct ConfigSchemaDriftTests {
    /// One stage's options as the description names them: `read/csv`, `map`, `sink/http`.
    struct DescribedObject {
        var name: String
        /// Index of the stage in ``pipeline(replacing:with:)``'s list.
        var slot: Int
        var kind: String
        var options: ConfigOptions
        /// The smallest options the decoder accepts.
        var base: [String: Any]
    }

    /// The smallest valid options of each stage and format. A stage kind or format added to the
    /// descriptors without a line here fails ``everyStageAndFormatHasABase``.
    static var bases: [String: [String: Any]] { [
        "read/csv": ["format": "csv", "path": "in.csv"],
        "read/json": ["format": "json", "path": "in.json"],
        "read/xml": ["format": "xml", "path": "in.xml", "record": "debtor"],
        "read/magicline": ["format": "magicline", "base_url": "https://api.example.com/v1", "run_id": 7, "api_key": "k-12345678"],
        "map": [:], "normalize": [:], "classify": [:], "validate": [:],
        "sink/ndjson": ["format": "ndjson", "path": "out.ndjson"],
        "sink/http": ["format": "http", "url": "https://getbill.example.com/debts/batch", "token": "t"],
    ] }

    static var describedObjects: [DescribedObject] {
        var objects: [DescribedObject] = []
        for (slot, descriptor) in StageDescriptor.all.enumerated() {
            switch descriptor.schema {
            case .fixed(let options):
                objects.append(DescribedObject(name: descriptor.kind, slot: slot, kind: descriptor.kind, options: options,
                                               base: bases[descriptor.kind] ?? [:]))
            case .byFormat(_, let formats):
                for (format, options) in formats {
                    let name = "\(descriptor.kind)/\(format)"
                    objects.append(DescribedObject(name: name, slot: slot, kind: descriptor.kind, options: options, base: bases[name] ?? [:]))
                }
            }
        }
        return objects
    }

    /// A debt pipeline with every stage kind once, `options` in place of the stage at `slot`.
    static func pipeline(replacing slot: Int, with options: [String: Any], root: [String: Any] = [:]) throws -> String {
        var stages: [[String: Any]] = StageDescriptor.all.map { [$0.kind: bases[$0.kind] ?? bases["\($0.kind)/\(Self.firstFormat($0))"]!] }
        stages[slot] = [StageDescriptor.all[slot].kind: options]
        var document: [String: Any] = ["version": 1, "name": "drift", "stages": stages]
        for (key, value) in root { document[key] = value }
        return String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
    }

    private static func firstFormat(_ descriptor: StageDescriptor) -> String {
        if case .byFormat(_, let formats) = descriptor.schema { return formats[0].format }
        return ""
    }

    /// Values of the wrong type or outside the allowed ones, for an option of kind `value`; each
    /// with the JSON path (under the option's) the decoder must name. `[]` for the kinds the
    /// decoder does not read (`$schema`, `description`) and for `stages` (tested on its own).
    static func wrongValues(_ value: ConfigValue) -> [(value: Any, under: String)] {
        switch value {
        case .freeText, .stages:
            return []
        case .string(_, let pattern):
            return [(7, "")] + (pattern.map { [($0.counterexample, "")] } ?? [])
        case .outputFile(.sinkOutput):
            return [(7, ""), ("", ""), ("out/{input}/debts.ndjson", "")]
        case .outputFile(.runRecord):
            return [(7, ""), ("-", ""), ("out/{input}.results.ndjson", "")]
        case .choice:
            return [(7, ""), ("no-such-name", ""), (["a"], "")]
        case .boolean:
            // A literal string is a wrong type; only a `${NAME}` reference stands for a value.
            return [(7, ""), ("maybe", ""), ([true], ""), ("true", ""), ("false", "")]
        case .positiveInteger(let maximum):
            return [(true, ""), (0, ""), (-3, ""), ("many", ""), ("10", "")] + (maximum.map { [($0 + 1, "")] } ?? [])
        case .nonNegativeNumber:
            return [(true, ""), (-1, ""), ("soon", ""), ("2.5", "")]
        case .seconds(let maximum):
            return [(true, ""), (0, ""), (maximum + 1, ""), ("soon", ""), ("30", "")]
        case .integerOrString:
            return [(true, ""), ([1], "")]
        case .integerConstant(let number):
            return [(number + 1, ""), (String(number), "")]
        case .stringList(let choice, let nonEmpty):
            return [("valid", ""), ([7], "[0]")] + (choice == nil ? [] : [(["no-such-name"], "[0]")]) + (nonEmpty ? [([String](), "")] : [])
        case .pathOrPatterns:
            return [(7, ""), ([String](), ""), ([7], "[0]"), (["in.csv", "-"], "[1]")]
        case .stringMap:
            return [(7, ""), (["phone": 7], ".phone")]
        case .scalarMap:
            return [("EUR", ""), (["currency": ["EUR"]], ".currency")]
        case .objectMap(let keys, _, let nullOnly):
            // A key that may only be null (`rates.other`) given a rate.
            return [(7, ""), (["no_such_key": ["credits": 1]], ".no_such_key"), ([keys[0]: [String: Any]()], ".\(keys[0])"),
                    ([keys[0]: ["credits": 1, "no_such_option": 1]], ".\(keys[0]).no_such_option")]
                + nullOnly.map { ([$0: ["credits": 1]], ".\($0)") }
        }
    }

    private func decode(_ text: String) throws -> PipelineConfiguration {
        try PipelineConfigurationDecoder(environment: [:]).decode(Data(text.utf8), baseDirectory: "/srv/debtflow", fileName: "drift.json")
    }

    /// The error decoding `text` throws; `nil` when it decodes.
    private func decodeError(_ text: String) -> DebtflowError? {
        do {
            _ = try decode(text)
            return nil
        } catch {
            return error as? DebtflowError
        }
    }

    private func schemaFile(in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("debtflow.schema.json")
        try Data(ConfigSchema.prettyPrintedJSON()).write(to: url)
        return url
    }

    @Test("every stage kind and format of the descriptors has a base config here, with each required option")
    func everyStageAndFormatHasABase() {
        for object in Self.describedObjects {
            #expect(Self.bases[object.name] != nil, "no base options for \(object.name)")
            for option in object.options.options where option.isRequired {
                #expect(Self.bases[object.name]?[option.key] != nil, "\(object.name): base lacks required \(option.key)")
            }
        }
    }

    @Test("each described option given a wrong value is rejected by the decoder at that option's path, and by the schema")
    func wrongValuesAreRejectedByBoth() throws {
        var texts: [String] = []
        var labels: [String] = []
        for object in Self.describedObjects {
            for option in object.options.options {
                for (value, under) in Self.wrongValues(option.value) {
                    var options = object.base
                    options[option.key] = value
                    let text = try Self.pipeline(replacing: object.slot, with: options)
                    let expectedPath = "stages[\(object.slot)].\(object.kind).\(option.key)\(under)"
                    let label = "\(object.name).\(option.key) = \(value)"
                    let error = decodeError(text)
                    #expect(error?.kind == .configuration, "\(label): \(String(describing: error))")
                    #expect(error?.location?.jsonPath == expectedPath, "\(label): \(String(describing: error))")
                    texts.append(text)
                    labels.append(label)
                }
            }
        }
        // A group of `requiresOneOf` given only as empty strings (`"token": ""`): empty reads as absent.
        for object in Self.describedObjects where !object.options.requiresOneOf.isEmpty {
            var options = object.base
            for key in object.options.requiresOneOf.joined() { options[key] = "" }
            let text = try Self.pipeline(replacing: object.slot, with: options)
            #expect(decodeError(text)?.kind == .configuration, "\(object.name) with empty credentials")
            texts.append(text)
            labels.append("\(object.name) with empty credentials")
        }
        for option in PipelineConfigurationDecoder.rootOptions.options {
            for (value, under) in Self.wrongValues(option.value) {
                let text = try Self.pipeline(replacing: 0, with: Self.bases["read/csv"]!, root: [option.key: value])
                let error = decodeError(text)
                #expect(error?.location?.jsonPath == option.key + under, "\(option.key) = \(value): \(String(describing: error))")
                texts.append(text)
                labels.append("\(option.key) = \(value)")
            }
        }
        #expect(texts.count > 100)
        let directory = try TestSupport.makeTemporaryDirectory("schema-drift")
        defer { try? FileManager.default.removeItem(at: directory) }
        let verdicts = try JSONSchemaChecker.check(schema: try schemaFile(in: directory), texts: texts, in: directory)
        #expect(verdicts.count == texts.count)
        for (label, verdict) in zip(labels, verdicts) {
            #expect(!verdict.isValid, "\(label): the schema accepted it")
        }
    }

    @Test("a key no description names is rejected by the decoder and by the schema, in every object")
    func undescribedKeysAreRejectedByBoth() throws {
        var texts: [String] = []
        for object in Self.describedObjects {
            var options = object.base
            options["no_such_option"] = "x"
            let text = try Self.pipeline(replacing: object.slot, with: options)
            let error = decodeError(text)
            #expect(error?.location?.jsonPath == "stages[\(object.slot)].\(object.kind).no_such_option", "\(String(describing: error))")
            texts.append(text)
        }
        let rootText = try Self.pipeline(replacing: 0, with: Self.bases["read/csv"]!, root: ["no_such_option": 1])
        #expect(throws: DebtflowError.self) { try decode(rootText) }
        texts.append(rootText)
        let stageText = rootText.replacingOccurrences(of: #""no_such_option":1,"#, with: "")
            .replacingOccurrences(of: #"{"map":{}}"#, with: #"{"mapp":{}}"#)
        #expect(throws: DebtflowError.self) { try decode(stageText) }
        texts.append(stageText)

        let directory = try TestSupport.makeTemporaryDirectory("schema-drift")
        defer { try? FileManager.default.removeItem(at: directory) }
        for verdict in try JSONSchemaChecker.check(schema: try schemaFile(in: directory), texts: texts, in: directory) {
            #expect(!verdict.isValid, "the schema accepted \(verdict.document)")
        }
    }

    @Test("the base configs, each listed name of every choice, each default, the bounds of numbers, an empty optional string and a ${NAME} pass both")
    func describedValuesAreAcceptedByBoth() throws {
        var texts: [String] = []
        for object in Self.describedObjects {
            texts.append(try Self.pipeline(replacing: object.slot, with: object.base))
            for option in object.options.options {
                var samples: [Any] = []
                if let defaultValue = option.defaultValue { samples.append(Self.foundationValue(defaultValue)) }
                switch option.value {
                case .choice(let choice) where option.key != "format":
                    samples += choice.names + (choice.emptyIsAbsent ? [""] : [])
                    if choice.caseInsensitive { samples += choice.names.prefix(3).flatMap { [$0.lowercased(), $0.uppercased(), $0.capitalized] } }
                    if choice.trimsSpaces { samples += choice.names.prefix(2).map { " \($0)\t" } }
                case .stringList(let choice?, _):
                    samples += choice.names.map { [$0] }
                case .boolean:
                    samples.append("${DEBTFLOW_SCHEMA_TEST_UNSET:-true}")
                case .positiveInteger(let maximum):
                    // The bounds the schema allows: a decoder that narrows them fails here.
                    samples += [1, maximum ?? 1_000_000, "${DEBTFLOW_SCHEMA_TEST_UNSET:-1}"]
                case .nonNegativeNumber:
                    samples += [0, 0.5, 1_000_000, "${DEBTFLOW_SCHEMA_TEST_UNSET:-1}"]
                case .seconds(let maximum):
                    samples += [0.5, maximum, "${DEBTFLOW_SCHEMA_TEST_UNSET:-1}"]
                case .string(nonEmpty: false, _) where !object.options.requiresOneOf.joined().contains(option.key):
                    samples.append("")
                case .outputFile(.sinkOutput):
                    samples += ["-", "out/{input}.ndjson", "out/{input}/", "out/-", "${DEBTFLOW_SCHEMA_TEST_UNSET:-out}/{input}.ndjson"]
                case .outputFile(.runRecord):
                    samples += ["", "out/results-{inputs}.ndjson", "./-"]
                case .objectMap(let keys, _, let nullOnly):
                    // `null` keeps the table's value, for every key and for those that may only be null.
                    samples += (keys.prefix(1) + nullOnly).map { [$0: NSNull()] }
                default:
                    break
                }
                for sample in samples {
                    var options = object.base
                    options[option.key] = sample
                    let text = try Self.pipeline(replacing: object.slot, with: options)
                    #expect(throws: Never.self, "\(object.name).\(option.key) = \(sample)") { try decode(text) }
                    texts.append(text)
                }
            }
        }
        let directory = try TestSupport.makeTemporaryDirectory("schema-drift")
        defer { try? FileManager.default.removeItem(at: directory) }
        for verdict in try JSONSchemaChecker.check(schema: try schemaFile(in: directory), texts: texts, in: directory) {
            let index = Int(verdict.document.split(separator: "-").last!.dropLast(5))!
            #expect(verdict.isValid, "\(texts[index]): \(verdict.errors)")
        }
    }

    @Test("keys that exclude each other, given together, are rejected by both; one of them as a ${NAME} that may expand to nothing passes both")
    func keysThatExcludeEachOther() throws {
        var refused: [String] = []
        var accepted: [String] = []
        var groups = 0
        for object in Self.describedObjects {
            for keys in object.options.excludesTogether {
                groups += 1
                var options = object.base
                for key in keys { options[key] = "https://auth.example.com/token" }
                for key in object.options.requiresOneOf.joined() where options[key] == nil { options[key] = "x" }
                let text = try Self.pipeline(replacing: object.slot, with: options)
                #expect(decodeError(text)?.kind == .configuration, "\(object.name): \(keys) together")
                refused.append(text)
                options[keys[0]] = "${DEBTFLOW_SCHEMA_TEST_UNSET:-}"
                let relaxed = try Self.pipeline(replacing: object.slot, with: options)
                #expect(throws: Never.self, "\(object.name): \(keys[0]) empty") { try decode(relaxed) }
                accepted.append(relaxed)
            }
        }
        #expect(groups > 0)
        let directory = try TestSupport.makeTemporaryDirectory("schema-drift")
        defer { try? FileManager.default.removeItem(at: directory) }
        let verdicts = try JSONSchemaChecker.check(schema: try schemaFile(in: directory), texts: refused + accepted, in: directory)
        for (index, verdict) in verdicts.enumerated() {
            #expect(verdict.isValid == (index >= refused.count), "\((refused + accepted)[index]): \(verdict.errors)")
        }
    }

    /// Rules across stages: what the decoder refuses and the schema must refuse too, and the
    /// nearest configs both accept.
    static var acrossStages: [(label: String, stages: [[String: Any]], valid: Bool)] {
        let read: [String: Any] = ["read": ["format": "csv", "path": "in.csv"]]
        let stdin: [String: Any] = ["read": ["format": "csv", "path": "-"]]
        let continuing: [String: Any] = ["read": ["format": "csv", "path": "in/*.csv", "on_input_error": "continue"]]
        let magicline: [String: Any] = ["read": bases["read/magicline"]!]
        let debts: [[String: Any]] = [["map": [String: Any]()], ["normalize": [String: Any]()], ["validate": [String: Any]()]]
        let http: [String: Any] = ["sink": bases["sink/http"]!]
        func sink(_ path: String) -> [String: Any] { ["sink": ["format": "ndjson", "path": path]] }
        return [
            ("an http sink without map", [read, http], false),
            ("an http sink with map", [read] + debts + [http], true),
            ("{input} with stdin", [stdin, sink("out/{input}.ndjson")], false),
            ("{input} with magicline", [magicline] + debts + [sink("out/{input}.ndjson")], false),
            ("{input} with a file", [read, sink("out/{input}.ndjson")], true),
            ("{input} with many files", [continuing, sink("out/{input}.ndjson")], true),
            ("stdout with on_input_error continue", [continuing, sink("-")], false),
            ("stdout with on_input_error stop", [read, sink("-")], true),
            ("a file with on_input_error continue", [continuing, sink("out/all.ndjson")], true),
        ]
    }

    @Test("rules across stages (http needs map, where {input} and stdout may be) are the decoder's and the schema's alike")
    func rulesAcrossStages() throws {
        var texts: [String] = []
        for (label, stages, valid) in Self.acrossStages {
            let document: [String: Any] = ["version": 1, "name": "drift", "stages": stages]
            let text = String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self)
            let error = decodeError(text)
            #expect((error == nil) == valid, "\(label): \(String(describing: error))")
            if !valid { #expect(error?.kind == .configuration, "\(label)") }
            texts.append(text)
        }
        let directory = try TestSupport.makeTemporaryDirectory("schema-drift")
        defer { try? FileManager.default.removeItem(at: directory) }
        let verdicts = try JSONSchemaChecker.check(schema: try schemaFile(in: directory), texts: texts, in: directory)
        for (rule, verdict) in zip(Self.acrossStages, verdicts) {
            #expect(verdict.isValid == rule.valid, "\(rule.label): \(verdict.errors)")
        }
    }

    @Test("the encodings the schema lists are the ones the CSV reader knows, in any case")
    func encodingNames() throws {
        guard case .choice(let choice)? = ReadStageConfiguration.Format.csv.configOptions.option("encoding")?.value else {
            Issue.record("csv has no encoding choice")
            return
        }
        for name in choice.names + choice.names.map({ $0.uppercased() }) {
            var options = Self.bases["read/csv"]!
            options["encoding"] = name
            #expect(throws: Never.self, "\(name)") { try decode(try Self.pipeline(replacing: 0, with: options)) }
        }
    }

    @Test("the schema is the same bytes on every call, valid JSON, pretty-printed, ending with one newline")
    func deterministic() throws {
        let first = ConfigSchema.prettyPrintedJSON()
        #expect(first == ConfigSchema.prettyPrintedJSON())
        #expect(first.last == UInt8(ascii: "\n"))
        #expect(first.dropLast().last != UInt8(ascii: "\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(first)) as? [String: Any])
        #expect(object["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        #expect(String(decoding: first.prefix(40), as: UTF8.self).hasPrefix("{\n  \"$schema\": "))
    }

    static func foundationValue(_ value: RecordValue) -> Any {
        switch value {
        case .null: return NSNull()
        case .bool(let flag): return flag
        case .number(let text): return Int(text) ?? Double(text)!
        case .string(let text): return text
        case .array(let elements): return elements.map(foundationValue)
        case .object(let object): return Dictionary(object.entries.map { ($0.key, foundationValue($0.value)) }, uniquingKeysWith: { $1 })
        }
    }
}

