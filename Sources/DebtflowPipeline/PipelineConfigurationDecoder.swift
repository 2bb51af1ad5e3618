import DebtflowCore
import DebtflowJSON
import DebtflowHTTP
import DebtflowRead
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
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            let descriptor = open(path, O_RDONLY)
            let reason = descriptor < 0 ? String(cString: strerror(errno)) : "\(error)"
            if descriptor >= 0 { close(descriptor) }
            throw DebtflowError(.configuration, "cannot read the pipeline config", location: .init(file: path), cause: reason)
        }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL
        var configuration = try decode(data, baseDirectory: absolute.deletingLastPathComponent().path, fileName: path)
        configuration.configPath = path
        return configuration
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
            throw error
        }
    }

    private func decodeRoot(_ json: RecordValue, baseDirectory: String) throws -> PipelineConfiguration {
        let interpolation = EnvironmentInterpolation(environment: environment)
        let root = try ConfigObject(json, path: "", interpolation: interpolation)
        // `$schema` names the JSON Schema an editor checks the file against; it is ignored here.
        try root.rejectUnknownKeys(describedBy: Self.rootOptions)
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
        var secrets: [String] = []
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
            switch try descriptor.decode(self, options, baseDirectory, &secrets) {
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
        if stages.isEmpty {
            if let http = sinks.first(where: { $0.format == .http }) {
                throw DebtflowError.configuration("an http sink pushes debts: add a `map` stage (this is a conversion pipeline)", path: http.jsonPath)
            }
        }
        return PipelineConfiguration(version: 1, name: name, baseDirectory: baseDirectory, read: read,
                                     stages: stages, sinks: sinks, secrets: secrets)
    }

    private func resolve(_ path: String, baseDirectory: String) -> String {
        if path == "-" || path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }

    func decodeRead(_ options: ConfigObject, baseDirectory: String, secrets: inout [String]) throws -> ReadStageConfiguration {
        let formatText = try options.string("format") ?? ""
        guard let format = ReadStageConfiguration.Format(rawValue: formatText) else {
            throw DebtflowError.configuration("expected one of \"csv\", \"json\", \"xml\", \"magicline\"" + (formatText.isEmpty ? "" : ", found \(MessageExcerpt.quoted(formatText))"), path: options.child("format"))
        }
        var read = ReadStageConfiguration(format: format)
        switch format {
        case .csv:
            try options.rejectUnknownKeys(describedBy: format.configOptions, context: "csv")
            let delimiter = try options.string("delimiter") ?? "auto"
            guard CSVDelimiter(configValue: delimiter) != nil else {
                throw DebtflowError.configuration("expected \"auto\", \",\", \";\", \"\\t\" (or \"tab\") or \"|\", found \(MessageExcerpt.quoted(delimiter))", path: options.child("delimiter"))
            }
            read.delimiter = delimiter
            let encoding = try options.string("encoding") ?? "auto"
            guard TextEncodingChoice(configValue: encoding) != nil else {
                throw DebtflowError.configuration("expected \"auto\", \"utf-8\" or \"windows-1252\", found \(MessageExcerpt.quoted(encoding))", path: options.child("encoding"))
            }
            read.encoding = encoding
            read.header = try options.bool("header") ?? true
            read.maxFieldBytes = try options.positiveInt("max_field_bytes") ?? read.maxFieldBytes
        case .json:
            try options.rejectUnknownKeys(describedBy: format.configOptions, context: "json")
            read.records = try options.string("records") ?? ""
            if let problem = RecordLocatorRules.recordsPathProblem(read.records) {
                throw DebtflowError.configuration(problem, path: options.child("records"))
            }
        case .xml:
            try options.rejectUnknownKeys(describedBy: format.configOptions, context: "xml")
            read.recordElement = try options.requiredString("record")
            if let problem = RecordLocatorRules.recordElementProblem(read.recordElement ?? "") {
                throw DebtflowError.configuration(problem, path: options.child("record"))
            }
        case .magicline:
            try options.rejectUnknownKeys(describedBy: format.configOptions, context: "magicline")
            read.baseURL = try options.requiredString("base_url")
            _ = try HTTPURLPolicy.validate(read.baseURL ?? "", jsonPath: options.child("base_url"))
            secrets.append(contentsOf: Redaction.urlPasswords(read.baseURL ?? ""))
            guard let runID = try options.intOrString("run_id"), !runID.isEmpty else {
                throw DebtflowError.configuration("required: expected an integer or a string", path: options.child("run_id"))
            }
            read.runID = runID
            read.apiKey = try options.nonEmptyString("api_key")
            if let key = read.apiKey { secrets.append(key) }
            read.sliceSize = try options.positiveInt("slice_size") ?? 100
            read.rateLimitWaitSeconds = try options.nonNegativeNumber("rate_limit_wait_s") ?? 60
            read.maxRetries = try options.positiveInt("max_retries") ?? 8
            read.timeoutSeconds = try options.positiveSeconds("timeout_s") ?? 30
            return read
        }
        read.missingInputsAllowed = try options.oneOf("if_missing", ["error", "ok"], default: "error") == "ok"
        read.continuesAfterInputError = try options.oneOf("on_input_error", ["stop", "continue"], default: "stop") == "continue"
        if case .array? = options.rawValue("path") {
            let patterns = try options.stringArray("path") ?? []
            guard !patterns.isEmpty else {
                throw DebtflowError.configuration("expected a path, a glob, or a non-empty array of them", path: options.child("path"))
            }
            for (index, pattern) in patterns.enumerated() {
                let problem = pattern.isEmpty ? "expected a non-empty path or glob"
                    : pattern == "-" ? "`-` (stdin) can only be the one input, not an entry of an array"
                    : PathText.problem(pattern)
                if let problem { throw DebtflowError.configuration(problem, path: "\(options.child("path"))[\(index)]") }
            }
            read.patterns = patterns
            return read
        }
        let path = try options.requiredFilePath("path")
        if InputPatternExpander.isPattern(path) {
            read.patterns = [path]
            return read
        }
        read.displayPath = path
        read.path = resolve(path, baseDirectory: baseDirectory)
        return read
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

    func decodeSink(_ options: ConfigObject, baseDirectory: String, secrets: inout [String]) throws -> SinkConfiguration {
        let formatText = try options.string("format") ?? ""
        guard let format = SinkConfiguration.Format(rawValue: formatText) else {
            throw DebtflowError.configuration("expected \"ndjson\" or \"http\"" + (formatText.isEmpty ? "" : ", found \(MessageExcerpt.quoted(formatText))"), path: options.child("format"))
        }
        var accepts: Set<OutcomeStatus> = [.valid]
        if let list = try options.stringArray("accept") {
            guard !list.isEmpty else {
                throw DebtflowError.configuration("expected at least one of \"valid\", \"failed\", \"skipped\"", path: options.child("accept"))
            }
            accepts = []
            for (index, item) in list.enumerated() {
                guard let status = OutcomeStatus(rawValue: item) else {
                    throw DebtflowError.configuration("expected \"valid\", \"failed\" or \"skipped\", found \(MessageExcerpt.quoted(item))", path: "\(options.child("accept"))[\(index)]")
                }
                accepts.insert(status)
            }
        }
        var sink = SinkConfiguration(format: format, accepts: accepts, jsonPath: options.path)
        switch format {
        case .ndjson:
            try options.rejectUnknownKeys(describedBy: format.configOptions, context: "ndjson")
            sink.path = resolve(try options.requiredFilePath("path"), baseDirectory: baseDirectory)
            sink.gzip = try options.bool("gzip") ?? false
        case .http:
            try options.rejectUnknownKeys(describedBy: format.configOptions, context: "http")
            if accepts != [.valid] {
                throw DebtflowError.configuration("an http sink pushes valid debts only; expected [\"valid\"]", path: options.child("accept"))
            }
            var http = SinkConfiguration.HTTP(url: try options.requiredString("url"))
            _ = try HTTPURLPolicy.validate(http.url, jsonPath: options.child("url"))
            secrets.append(contentsOf: Redaction.urlPasswords(http.url))
            http.token = try options.nonEmptyString("token")
            http.tokenURL = try options.nonEmptyString("token_url")
            http.clientID = try options.nonEmptyString("client_id")
            http.clientSecret = try options.nonEmptyString("client_secret")
            http.scope = try options.nonEmptyString("scope")
            if let tokenURL = http.tokenURL {
                _ = try HTTPURLPolicy.validate(tokenURL, jsonPath: options.child("token_url"))
                secrets.append(contentsOf: Redaction.urlPasswords(tokenURL))
            }
            if let token = http.token { secrets.append(token) }
            if let secret = http.clientSecret { secrets.append(secret) }
            if http.token == nil {
                for key in ["token_url", "client_id", "client_secret"] where try options.nonEmptyString(key) == nil {
                    throw DebtflowError.configuration("required: give `token`, or `token_url` + `client_id` + `client_secret` (+ `scope`)", path: options.child(key))
                }
            } else if http.tokenURL != nil {
                throw DebtflowError.configuration("give either `token` or `token_url` with client credentials, not both", path: options.child("token_url"))
            }
            http.batchSize = try options.positiveInt("batch_size", max: 1000) ?? 500
            http.batchName = try options.nonEmptyString("batch_name")
            http.acceptExpensiveDestination = try options.bool("accept_expensive_destination")
            http.concurrency = try options.positiveInt("concurrency", max: 16) ?? 2
            http.timeoutSeconds = try options.positiveSeconds("timeout_s") ?? 30
            http.maxRetries = try options.positiveInt("max_retries") ?? 8
            http.onAmbiguous = try options.oneOf("on_ambiguous", ["stop", "retry"], default: "stop")
            http.resultsPath = try options.filePath("results").map { resolve($0, baseDirectory: baseDirectory) }
            http.journalPath = try options.filePath("journal").map { resolve($0, baseDirectory: baseDirectory) }
            sink.http = http
        }
        return sink
    }
}
