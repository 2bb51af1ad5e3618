import DebtflowCore
import DebtflowJSON
import DebtflowSink
import Foundation

/// Reads a pipeline config file strictly (CONTRACT.md §2): unknown keys, wrong types and impossible
/// wirings are configuration errors (exit 2) naming the JSON path.
public struct PipelineConfigurationDecoder: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Decodes the config at `path`.
    /// - Throws: `.configuration` with the JSON path of the first problem.
    public func decode(fileAt path: String) throws -> PipelineConfiguration {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DebtflowError.configuration("\(path) is a folder; expected a pipeline config file (JSON)", file: path)
        }
        let (data, isRegularFile) = try Self.read(path)
        // A config given through a pipe (`<(…)`, /dev/stdin) has no folder of its own: its relative
        // paths are the current directory's.
        let baseDirectory = isRegularFile ? URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
                                          : FileManager.default.currentDirectoryPath
        var configuration = try decode(data, baseDirectory: baseDirectory, fileName: path)
        configuration.configPath = path
        return configuration
    }

    /// The largest config read, in bytes.
    static let maxConfigBytes = 16 << 20

    /// The bytes of the config at `path` (a file, or a pipe: `<(…)`, /dev/stdin), read with POSIX
    /// calls, and whether it is a regular file.
    /// - Throws: `.configuration` naming the file and the system's reason (one line).
    static func read(_ path: String) throws(DebtflowError) -> (Data, isRegularFile: Bool) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw DebtflowError(.configuration, "cannot read the pipeline config", location: .init(file: path),
                                cause: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var status = stat()
        let isRegularFile = fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw DebtflowError(.configuration, "cannot read the pipeline config", location: .init(file: path),
                                    cause: String(cString: strerror(errno)))
            }
            bytes.append(contentsOf: buffer[..<count])
            if bytes.count > maxConfigBytes {
                throw DebtflowError(.configuration, "the pipeline config is larger than \(maxConfigBytes) bytes; is it the right file?",
                                    location: .init(file: path))
            }
        }
        return (Data(bytes), isRegularFile)
    }

    /// Decodes a config from bytes; relative paths resolve against `baseDirectory`.
    public func decode(_ data: Data, baseDirectory: String, fileName: String = "pipeline") throws -> PipelineConfiguration {
        let json: RecordValue
        do {
            json = try JSONDocument.parse(Array(data), name: fileName)
        } catch let error as DebtflowError {
            var location = error.location ?? .init()
            location.file = fileName
            throw DebtflowError(.configuration, "the pipeline config is not valid JSON", location: location, cause: error.message)
        }
        do {
            return try decodeRoot(json, baseDirectory: baseDirectory)
        } catch var error as DebtflowError {
            if error.location == nil { error.location = .init() }
            error.location?.file = fileName
            // A message quotes the value it refuses; when a secret's `${VAR}` was also put where a
            // choice was expected, that value is the secret. Every secret the config holds is masked,
            // whichever stage failed (the ones after it were never decoded).
            let secrets = Self.secretValues(in: json, interpolation: EnvironmentInterpolation(environment: environment))
            error.message = Redaction.scrub(error.message, secrets: secrets)
            error.cause = error.cause.map { Redaction.scrub($0, secrets: secrets) }
            throw error
        }
    }

    /// The options marked secret (``ConfigOption/secret``), by key: those of the top level and of
    /// every stage and format. A key marked in one place is masked wherever it appears (masking
    /// more than needed prints `***`; masking less would print a secret).
    static let secretOptions: [String: ConfigSecret] = {
        var found: [String: ConfigSecret] = [:]
        func add(_ options: ConfigOptions) {
            for option in options.options {
                if let secret = option.secret { found[option.key] = secret }
                if case .objectMap(_, let nested, _) = option.value { add(nested) }
            }
        }
        add(rootOptions)
        for descriptor in StageDescriptor.all {
            switch descriptor.schema {
            case .fixed(let options): add(options)
            case .byFormat(_, let formats): formats.forEach { add($0.options) }
            }
        }
        return found
    }()

    /// Every secret value `json` holds (expanded where it can be), found by the options' marks:
    /// the values the run's log masks, and the ones a config error masks (the decoding may have
    /// stopped before it reached them).
    static func secretValues(in json: RecordValue, interpolation: EnvironmentInterpolation) -> [String] {
        var found: [String] = []
        func walk(_ value: RecordValue, path: String) {
            switch value {
            case .object(let object):
                for entry in object.entries {
                    if case .string(let text) = entry.value, let secret = secretOptions[entry.key] {
                        let expanded = (try? interpolation.expand(text, at: path)) ?? text
                        switch secret {
                        case .value: if !expanded.isEmpty { found.append(expanded) }
                        case .urlPassword: found += Redaction.urlPasswords(expanded)
                        }
                    }
                    walk(entry.value, path: path + "." + entry.key)
                }
            case .array(let elements):
                for element in elements { walk(element, path: path) }
            case .null, .bool, .number, .string:
                break
            }
        }
        walk(json, path: "")
        return found
    }

    private func decodeRoot(_ json: RecordValue, baseDirectory: String) throws -> PipelineConfiguration {
        let interpolation = EnvironmentInterpolation(environment: environment)
        let root = try ConfigObject(json, path: "", interpolation: interpolation)
        // `$schema` names the JSON Schema an editor checks the file against; it is ignored here.
        try root.rejectUnknownKeys(describedBy: Self.rootOptions)
        // Ignored, but of the type the schema gives them: strings.
        for key in ["$schema", "description"] {
            if let value = root.rawValue(key) {
                guard case .string = value else { throw DebtflowError.configuration("expected a string", path: key) }
            }
        }
        guard let versionValue = root.rawValue("version") else {
            throw DebtflowError.configuration("required: expected 1", path: "version")
        }
        guard case .number(let versionText) = versionValue, Double(versionText) == 1 else {
            throw DebtflowError.configuration("unsupported version; expected 1", path: "version")
        }
        let name = try root.nonEmptyString("name") ?? "pipeline"
        guard case .array(let stageList)? = root.rawValue("stages"), !stageList.isEmpty else {
            throw DebtflowError.configuration("expected a non-empty array of stages", path: "stages")
        }
        var read: ReadStageConfiguration?
        var stages: [ConfiguredStage] = []
        var sinks: [SinkConfiguration] = []
        var placement = StagePlacement()
        let kinds = StageDescriptor.all.map(\.kind)

        for (index, element) in stageList.enumerated() {
            let stagePath = "stages[\(index)]"
            let stage = try ConfigObject(element, path: stagePath, interpolation: interpolation)
            guard stage.keys.count == 1, let kind = stage.keys.first else {
                throw DebtflowError.configuration("expected an object with exactly one key, the stage kind (\(kinds.joined(separator: ", ")))", path: stagePath)
            }
            guard let descriptor = StageDescriptor.named(kind) else {
                throw DebtflowError.configuration("unknown stage; expected one of: \(kinds.joined(separator: ", "))", path: "\(stagePath).\(kind)")
            }
            try placement.admit(descriptor, index: index, path: "\(stagePath).\(kind)")
            let options = try ConfigObject(stage.rawValue(kind), path: "\(stagePath).\(kind)", interpolation: interpolation)
            switch try descriptor.decode(options, baseDirectory) {
            case .read(let decoded): read = decoded
            case .transform(let decoded): stages.append(decoded)
            case .sink(let decoded): sinks.append(decoded)
            }
            try placement.link(descriptor, path: "\(stagePath).\(kind)")
        }
        guard let read else {
            throw DebtflowError.configuration("the first stage must be `read`", path: "stages[0]")
        }
        try placement.finish()
        guard !sinks.isEmpty else {
            throw DebtflowError.configuration("at least one `sink` stage is needed, last", path: "stages")
        }
        try checkInputPlaceholders(sinks, read: read)
        if !stages.contains(where: { $0.kind == StageDescriptor.map.kind }) {
            if let pusher = sinks.first(where: \.format.needsDebts) {
                throw DebtflowError.configuration("an \(pusher.format.rawValue) sink pushes debts: add a `map` stage (this is a conversion pipeline)",
                                                  path: pusher.jsonPath)
            }
            // A conversion makes no outcomes to accept or refuse: a `"rejects"` sink would get
            // every good record, and the malformed rows (named on stderr) none.
            if let sorting = sinks.first(where: { $0.accepts != [.valid] }) {
                let listed = sorting.accepts.map(\.rawValue).sorted().map { "\"\($0)\"" }.joined(separator: ", ")
                throw DebtflowError.configuration(
                    "accept [\(listed)] in a conversion pipeline (no `map`): it makes no valid, failed or skipped outcomes; "
                        + "every well-formed record goes to every sink, and a malformed row to none (stderr names it). "
                        + "Remove `accept`, or add map, normalize and validate to sort debts",
                    path: sorting.jsonPath + ".accept")
            }
        }
        let secrets = Self.secretValues(in: json, interpolation: interpolation)
        // The name labels the summary, every metrics series and the stderr lines: a secret in it
        // (`"name": "nightly-${TOKEN}"`) is masked there as everywhere.
        return PipelineConfiguration(version: 1, name: Redaction.scrub(name, secrets: secrets), baseDirectory: baseDirectory, read: read,
                                     stages: stages, sinks: sinks, secrets: secrets)
    }

    /// Where `{input}` may appear: an ndjson sink's file name, with a file input, and not with
    /// `on_input_error: continue` on stdout (lines already written cannot be taken back).
    private func checkInputPlaceholders(_ sinks: [SinkConfiguration], read: ReadStageConfiguration) throws {
        let placeholder = SinkConfiguration.inputPlaceholder
        for sink in sinks {
            if let http = sink.http {
                for (key, value) in [("results", http.resultsPath), ("journal", http.journalPath)] where value?.contains(placeholder) == true {
                    throw DebtflowError.configuration("\(placeholder) is for an ndjson sink's path; results and journal are one file per run", path: "\(sink.jsonPath).\(key)")
                }
            }
            guard let path = sink.path else { continue }
            if path.contains(placeholder) {
                guard read.format != .magicline, read.hasManyInputs || read.path != "-" else {
                    throw DebtflowError.configuration("\(placeholder) names an output after its input file; this read has no input file", path: "\(sink.jsonPath).path")
                }
                guard !(path.split(separator: "/").dropLast().joined(separator: "/").contains(placeholder)) else {
                    throw DebtflowError.configuration("\(placeholder) can only be in the file name, not in a folder", path: "\(sink.jsonPath).path")
                }
            }
            if path == "-", read.continuesAfterInputError {
                throw DebtflowError.configuration("with on_input_error \"continue\" a bad input's lines are taken back from the outputs; stdout cannot be: write to a file", path: "\(sink.jsonPath).path")
            }
        }
    }
}

extension PipelineConfigurationDecoder {
    /// The keys of the config's top level.
    static let rootOptions = ConfigOptions("A debtflow pipeline config (CONTRACT.md §2): stages run in the order given, `read` first, one or more `sink`s last.", [
        ConfigOption("$schema", .freeText, "The JSON Schema editors check this file against (`debtflow.schema.json`); ignored by debtflow."),
        ConfigOption("version", .integerConstant(1), required: true, "The config format's version."),
        ConfigOption("name", .string(), default: .string("pipeline"), "The pipeline's name, in messages, the summary and metrics."),
        ConfigOption("description", .freeText, "What the pipeline does, for people; ignored by debtflow."),
        ConfigOption("stages", .stages, required: true, "The stages in order: `read`, then `map` → `normalize` → [`classify`] → `validate` for debts (or nothing, to convert), then one or more `sink`s."),
    ])
}
