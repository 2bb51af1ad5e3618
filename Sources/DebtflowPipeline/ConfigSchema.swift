import DebtflowCore

/// The JSON Schema (draft 2020-12) of pipeline configs, written by `debtflow schema` and shipped
/// as `pipelines/debtflow.schema.json`.
///
/// It is made from the same option descriptions the decoder takes its allowed keys from
/// (``PipelineConfigurationDecoder/rootOptions`` and each ``StageDescriptor``'s ``StageDescriptor/schema``),
/// and its stage-list rules from the descriptors' roles and needs, so the schema and the decoder
/// cannot drift apart. It checks keys, types, names, keys that exclude each other, which stages
/// are present, and where `{input}` and stdout may be; what only the run can know (environment
/// variables, files, URLs) and what a schema cannot say (the order of the middle stages) is left
/// to `debtflow check`.
public enum ConfigSchema {
    /// The draft the schema is written in.
    public static let draft = "https://json-schema.org/draft/2020-12/schema"

    /// The schema as pretty-printed JSON ending with a newline; the same bytes on every call.
    public static func prettyPrintedJSON() -> [UInt8] {
        document.prettyPrintedJSON()
    }

    /// The schema as a JSON value.
    static var document: RecordValue {
        let root = PipelineConfigurationDecoder.rootOptions
        var definitions: [(String, RecordValue)] = [("environment_reference", environmentReference)]
        var stageKinds: [(String, RecordValue)] = []
        for descriptor in StageDescriptor.all {
            let stage = stageOptionsSchema(descriptor.schema, definitions: &definitions)
            definitions.append((descriptor.kind, stage))
            stageKinds.append((descriptor.kind, reference(descriptor.kind)))
        }
        definitions.append(("stage", object([
            ("description", .string("One stage: an object with one key, the stage kind, whose value holds the stage's options.")),
            ("type", .string("object")),
            ("minProperties", .number("1")),
            ("maxProperties", .number("1")),
            ("properties", object(stageKinds)),
            ("additionalProperties", .bool(false)),
        ])))
        var schema = objectSchema(root, definitions: &definitions)
        schema = object([
            ("$schema", .string(draft)),
            ("$comment", .string("Written by `debtflow schema` from the config decoder's own option descriptions; do not edit by hand.")),
            ("title", .string("debtflow pipeline config")),
        ] + (schema.objectValue?.entries.map { ($0.key, $0.value) } ?? []) + [
            ("$defs", object(definitions)),
        ])
        return schema
    }

    // MARK: Objects and stages

    /// An object with exactly the described keys.
    private static func objectSchema(_ options: ConfigOptions, definitions: inout [(String, RecordValue)],
                                     types: RecordValue = .string("object")) -> RecordValue {
        var members: [(String, RecordValue)] = [
            ("description", .string(options.summary)),
            ("type", types),
            ("properties", object(options.options.map { ($0.key, propertySchema($0, definitions: &definitions)) })),
        ]
        let required = options.options.filter(\.isRequired).map(\.key)
        if !required.isEmpty { members.append(("required", strings(required))) }
        members.append(("additionalProperties", .bool(false)))
        if !options.excludesTogether.isEmpty {
            // Given means some text that is not a `${NAME}` (which may expand to nothing and so
            // read as not given): only such a group is known to be refused before the run.
            let given = object([("minLength", .number("1")), ("not", reference("environment_reference"))])
            members.append(("allOf", .array(options.excludesTogether.map { keys in
                object([("not", object([("required", strings(keys)), ("properties", object(keys.map { ($0, given) }))]))])
            })))
        }
        if !options.requiresOneOf.isEmpty {
            // An empty string reads as not given, so each key of the group must hold some text.
            let nonEmpty = object([("minLength", .number("1"))])
            members.append(("anyOf", .array(options.requiresOneOf.map { keys in
                object([("required", strings(keys)), ("properties", object(keys.map { ($0, nonEmpty) }))])
            })))
        }
        return object(members)
    }

    /// A stage's options: one object, or by `format` (an `if`/`then` per format, so a checker
    /// names the wrong key of the format written rather than every format's complaint).
    private static func stageOptionsSchema(_ options: StageOptions, definitions: inout [(String, RecordValue)]) -> RecordValue {
        switch options {
        case .fixed(let options):
            return objectSchema(options, definitions: &definitions)
        case .byFormat(let summary, let formats):
            let names = formats.map(\.format)
            let formatSummary = formats.first?.options.option("format")?.summary ?? ""
            let branches = formats.map { format, options in
                object([
                    ("if", object([("properties", object([("format", object([("const", .string(format))]))])),
                                   ("required", strings(["format"]))])),
                    ("then", objectSchema(options, definitions: &definitions)),
                ])
            }
            return object([
                ("description", .string(summary)),
                ("type", .string("object")),
                ("properties", object([("format", describe(valueSchema(.choice(ConfigChoice(names)), key: "format", definitions: &definitions),
                                                            summary: formatSummary, defaultValue: nil))])),
                ("required", strings(["format"])),
                ("allOf", .array(branches)),
            ])
        }
    }

    /// The `stages` array: items are stages; the source first and once, at least one sink, each
    /// transform at most once and only with the stages it needs (their order is `check`'s to judge).
    private static func stagesSchema() -> RecordValue {
        var rules: [RecordValue] = []
        for descriptor in StageDescriptor.all {
            let has = object([("required", strings([descriptor.kind]))])
            switch descriptor.role {
            case .sink:
                rules.append(object([("contains", has)]))
            case .source, .transform:
                rules.append(object([("not", object([("contains", has), ("minContains", .number("2"))]))]))
            }
            let needs = descriptor.needsBefore + descriptor.needsAfter
            if !needs.isEmpty {
                rules.append(object([
                    ("if", object([("contains", has)])),
                    ("then", object([("allOf", .array(needs.map { object([("contains", object([("required", strings([$0]))]))]) }))])),
                ]))
            }
        }
        // A sink format that sends debts needs records mapped to debts.
        for format in SinkConfiguration.Format.allCases where format.needsDebts {
            rules.append(object([
                ("if", object([("contains", stage("sink", where: "format", object([("const", .string(format.rawValue))])))])),
                ("then", object([("contains", object([("required", strings([StageDescriptor.map.kind]))]))])),
            ]))
        }
        rules.append(inputPlaceholderRules())
        let sources = StageDescriptor.all.filter { if case .source = $0.role { true } else { false } }.map(\.kind)
        return object([
            ("type", .string("array")),
            ("minItems", .number("1")),
            // `items` covers only what follows `prefixItems`: the first stage is a stage as well.
            ("prefixItems", .array([object([("$ref", .string("#/$defs/stage")), ("required", strings(sources))])])),
            ("items", reference("stage")),
            ("allOf", .array(rules)),
        ])
    }

    /// Where `{input}` and stdout may be, across stages (the decoder's `checkInputPlaceholders`):
    /// a sink path with `{input}` needs a read of files (not `magicline`, not stdin), and a read
    /// that goes on after a bad input (`on_input_error: continue`) cannot write to stdout.
    private static func inputPlaceholderRules() -> RecordValue {
        let perInputSink = stage("sink", where: "path", object([("type", .string("string")), ("pattern", .string(inputPlaceholderPattern))]))
        let readOfNoFile = object([("anyOf", .array([
            stage("read", where: "format", object([("const", .string(ReadStageConfiguration.Format.magicline.rawValue))])),
            stage("read", where: "path", object([("const", .string("-"))])),
        ]))])
        let continuingRead = stage("read", where: "on_input_error", object([("const", .string(InputErrorPolicy.continue.rawValue))]))
        let stdoutSink = stage("sink", where: "path", object([("const", .string("-"))]))
        return object([("allOf", .array([
            object([("if", object([("contains", perInputSink)])), ("then", object([("not", object([("contains", readOfNoFile)]))]))]),
            object([("if", object([("contains", continuingRead)])), ("then", object([("not", object([("contains", stdoutSink)]))]))]),
        ]))])
    }

    /// A stage of `kind` whose option `key` is given and matches `value`.
    private static func stage(_ kind: String, where key: String, _ value: RecordValue) -> RecordValue {
        object([("required", strings([kind])),
                ("properties", object([(kind, object([("required", strings([key])), ("properties", object([(key, value)]))]))]))])
    }

    // MARK: Values

    /// A `${NAME}` or `${NAME:-default}` reference: the decoder expands strings before reading
    /// them, so wherever it expands, such a string is only judged when the run starts.
    private static let environmentReference = object([
        ("description", .string("A string holding ${NAME} or ${NAME:-default}: expanded from the environment when the config is read, and checked then.")),
        ("type", .string("string")),
        ("pattern", .string("\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}")),
    ])

    private static func propertySchema(_ option: ConfigOption, definitions: inout [(String, RecordValue)]) -> RecordValue {
        describe(valueSchema(option.value, key: option.key, definitions: &definitions), summary: option.summary,
                 defaultValue: option.defaultValue)
    }

    /// `schema` with `description` first and `default` last.
    private static func describe(_ schema: RecordValue, summary: String, defaultValue: RecordValue?) -> RecordValue {
        var members: [(String, RecordValue)] = [("description", .string(summary))]
        members += schema.objectValue?.entries.map { ($0.key, $0.value) } ?? []
        if let defaultValue { members.append(("default", defaultValue)) }
        return object(members)
    }

    private static func valueSchema(_ value: ConfigValue, key: String, definitions: inout [(String, RecordValue)]) -> RecordValue {
        switch value {
        case .freeText:
            return object([("type", .string("string"))])
        case .string(let nonEmpty, let pattern):
            if let pattern {
                return object([("type", .string("string")),
                               ("anyOf", .array([object([("pattern", .string(pattern.regex))]), reference("environment_reference")]))])
            }
            return object([("type", .string("string"))] + (nonEmpty ? [("minLength", .number("1"))] : []))
        case .outputFile(let role):
            return outputFileSchema(role)
        case .choice(let choice):
            return choiceSchema(choice)
        case .boolean:
            return object([("anyOf", .array([
                object([("type", .string("boolean"))]),
                reference("environment_reference"),
            ]))])
        case .positiveInteger(let maximum):
            var integer: [(String, RecordValue)] = [("type", .string("integer")), ("minimum", .number("1"))]
            if let maximum { integer.append(("maximum", .number(String(maximum)))) }
            return object([("anyOf", .array([
                object(integer),
                reference("environment_reference"),
            ]))])
        case .nonNegativeNumber:
            return object([("anyOf", .array([
                object([("type", .string("number")), ("minimum", .number("0"))]),
                reference("environment_reference"),
            ]))])
        case .seconds(let maximum):
            return object([("anyOf", .array([
                object([("type", .string("number")), ("exclusiveMinimum", .number("0")), ("maximum", .number(String(maximum)))]),
                reference("environment_reference"),
            ]))])
        case .integerOrString:
            return object([("type", strings(["integer", "string"]))])
        case .integerConstant(let number):
            return object([("const", .number(String(number)))])
        case .stringList(let choice, let nonEmpty):
            var members: [(String, RecordValue)] = [("type", .string("array"))]
            if nonEmpty { members.append(("minItems", .number("1"))) }
            members.append(("items", choice.map(choiceSchema) ?? object([("type", .string("string"))])))
            return object(members)
        case .pathOrPatterns:
            let path = object([("type", .string("string")), ("minLength", .number("1"))])
            // `-` (stdin) is only ever the one input, never an entry of an array.
            let entry = object([("type", .string("string")), ("minLength", .number("1")), ("not", object([("const", .string("-"))]))])
            return object([("anyOf", .array([path, object([("type", .string("array")), ("minItems", .number("1")), ("items", entry)])]))])
        case .stringMap(let keys):
            var members: [(String, RecordValue)] = [("type", .string("object"))]
            if let keys { members.append(("propertyNames", object([("enum", strings(keys))]))) }
            members.append(("additionalProperties", object([("type", .string("string"))])))
            return object(members)
        case .scalarMap(let keys):
            var members: [(String, RecordValue)] = [("type", .string("object"))]
            if let keys { members.append(("propertyNames", object([("enum", strings(keys))]))) }
            members.append(("additionalProperties", object([("type", strings(["string", "number", "boolean"]))])))
            return object(members)
        case .objectMap(let keys, let options, let nullOnly):
            let name = "\(key)_entry"
            definitions.append((name, objectSchema(options, definitions: &definitions, types: strings(["object", "null"]))))
            return object([("type", .string("object")),
                           ("properties", object(keys.map { ($0, reference(name)) } + nullOnly.map { ($0, object([("type", .string("null"))])) })),
                           ("additionalProperties", .bool(false))])
        case .stages:
            return stagesSchema()
        }
    }

    /// `{input}` in a path (``SinkConfiguration/inputPlaceholder``), as a pattern.
    private static let inputPlaceholderPattern = "\\{input\\}"

    /// A file the stage writes (``OutputFileRole``): a sink's output may be `-` and may hold
    /// `{input}` in its file name (not followed by a `/` and more); a run's results and journal
    /// are neither.
    private static func outputFileSchema(_ role: OutputFileRole) -> RecordValue {
        switch role {
        case .sinkOutput:
            return object([("type", .string("string")), ("minLength", .number("1")),
                           ("not", object([("pattern", .string(inputPlaceholderPattern + ".*/[^/]"))]))])
        case .runRecord:
            return object([("type", .string("string")),
                           ("not", object([("anyOf", .array([object([("const", .string("-"))]),
                                                             object([("pattern", .string(inputPlaceholderPattern))])]))]))])
        }
    }

    /// One of the names (listed for completion), any other text the decoder also takes, or a reference.
    private static func choiceSchema(_ choice: ConfigChoice) -> RecordValue {
        var alternatives: [RecordValue] = [object([("enum", strings(choice.names + (choice.emptyIsAbsent ? [""] : [])))])]
        if choice.caseInsensitive {
            let spaces = choice.trimsSpaces ? "\\s*" : ""
            alternatives.append(object([("pattern", .string("^" + spaces + "(" + choice.names.map(caseInsensitivePattern).joined(separator: "|")
                                                             + ")" + spaces + "$"))]))
        }
        if let pattern = choice.alsoMatching { alternatives.append(object([("pattern", .string(pattern))])) }
        alternatives.append(reference("environment_reference"))
        return object([("type", .string("string")), ("anyOf", .array(alternatives))])
    }

    /// `utf-8` → `[uU][tT][fF]-8`: a pattern any spelling of `name` matches (JSON Schema patterns
    /// have no case-insensitive flag).
    private static func caseInsensitivePattern(_ name: String) -> String {
        name.map { character in
            let lower = character.lowercased(), upper = character.uppercased()
            if lower != upper { return "[\(lower)\(upper)]" }
            return "\\^$.|?*+()[]{}".contains(character) ? "\\\(character)" : String(character)
        }.joined()
    }

    // MARK: Building values

    private static func object(_ members: [(String, RecordValue)]) -> RecordValue {
        .object(RecordObject(entries: members.map { RecordObject.Entry(key: $0.0, value: $0.1) }))
    }

    private static func strings(_ values: [String]) -> RecordValue { .array(values.map(RecordValue.string)) }

    private static func reference(_ name: String) -> RecordValue { object([("$ref", .string("#/$defs/\(name)"))]) }
}
