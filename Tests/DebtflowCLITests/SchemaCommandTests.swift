import DebtflowCore
import DebtflowTestSupport
import Foundation
import Testing

/// `debtflow schema` end to end: the shipped `pipelines/debtflow.schema.json` is its output, every
/// shipped config passes it with a real validator, and configs `debtflow check` refuses for their
/// keys or names are refused by the schema as well.
@Suite("debtflow schema")
struct SchemaCommandTests {
    static let root = TestSupport.packageRoot
    static let shippedSchema = root.appendingPathComponent("pipelines/debtflow.schema.json")

    /// Every config the repository ships: pipelines/*.json (but the schema) and the goldens' configs.
    static func shippedConfigs() throws -> [URL] {
        let folders = [root.appendingPathComponent("pipelines"), root.appendingPathComponent("Tests/Goldens/configs")]
        return try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "json" && $0.lastPathComponent != "debtflow.schema.json" }
        }.sorted { $0.path < $1.path }
    }

    @Test("the shipped pipelines/debtflow.schema.json is byte for byte what `debtflow schema` prints")
    func shippedFileIsCurrent() throws {
        let result = try TestSupport.runDebtflow(["schema"])
        #expect(result.status == 0, "\(result.stderrText)")
        #expect(result.stderr.isEmpty)
        let shipped = try Data(contentsOf: Self.shippedSchema)
        #expect(result.stdout == shipped, "pipelines/debtflow.schema.json is stale: run `debtflow schema > pipelines/debtflow.schema.json`")
    }

    @Test("every shipped pipeline and golden config validates against the shipped schema (Python jsonschema, draft 2020-12)")
    func shippedConfigsValidate() throws {
        let configs = try Self.shippedConfigs()
        #expect(configs.count >= 9)
        let verdicts = try JSONSchemaChecker.check(schema: Self.shippedSchema, documents: configs)
        #expect(verdicts.count == configs.count)
        for verdict in verdicts {
            #expect(verdict.isValid, "\(verdict.document): \(verdict.errors)")
        }
    }

    @Test("every shipped pipeline names the schema, so an editor finds it without settings")
    func shippedPipelinesReferenceTheSchema() throws {
        for config in try Self.shippedConfigs() where config.path.contains("/pipelines/") {
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: config)) as? [String: Any]
            #expect(object?["$schema"] as? String == "debtflow.schema.json", "\(config.lastPathComponent)")
        }
    }

    /// Configs `debtflow check` refuses (exit 2) for a key, a type or a name, and the JSON path it names.
    static let refused: [(config: String, path: String)] = [
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv","delimter":";"}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[0].read.delimter"),
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"parquet","path":"in.parquet"}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[0].read.format"),
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"mapp":{}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[1].mapp"),
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{"decimal":";"}},{"validate":{}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[2].normalize.decimal"),
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{}},{"classify":{"expensive":["mars"]}},{"validate":{}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[3].classify.expensive[0]"),
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://getbill.example.com/b","token":"t","batch_size":5000}}]}"#,
         "stages[4].sink.batch_size"),
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"o.ndjson","gzip":"yes"}}]}"#,
         "stages[1].sink.gzip"),
        (#"{"version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"o.ndjson","batch_size":10}}]}"#,
         "stages[1].sink.batch_size"),
        (#"{"version":1,"nmae":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "nmae"),
        (#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{"fields":{"fristname":"a"}}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[1].map.fields.fristname"),
        (#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{"constants":{"metadata":"a"}}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[1].map.constants.metadata"),
        // Wiring: what the descriptors' roles and needs say.
        (#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[3].normalize"),
        (#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}},{"map":{}},{"normalize":{}},{"sink":{"format":"ndjson","path":"o.ndjson"}}]}"#,
         "stages[1].map"),
        (#"{"version":1,"stages":[{"read":{"format":"csv","path":"in.csv"}}]}"#, "stages"),
        (#"{"version":1,"stages":[{"sink":{"format":"ndjson","path":"o.ndjson"}},{"read":{"format":"csv","path":"in.csv"}}]}"#,
         "stages[1].read"),
    ]

    @Test("configs `debtflow check` refuses for an unknown key, a wrong type, an unknown name or their wiring are refused by the schema too")
    func refusedByBoth() throws {
        let directory = try TestSupport.makeTemporaryDirectory("schema-refused")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("a;b\n1;2\n".utf8).write(to: directory.appendingPathComponent("in.csv"))
        var files: [URL] = []
        for (index, (config, path)) in Self.refused.enumerated() {
            let file = directory.appendingPathComponent("refused-\(index).json")
            try Data(config.utf8).write(to: file)
            files.append(file)
            let result = try TestSupport.runDebtflow(["check", file.path])
            #expect(result.status == 2, "\(config): \(result.stderrText)")
            #expect(result.stderrText.contains(path + ":"), "\(config): \(result.stderrText)")
        }
        let verdicts = try JSONSchemaChecker.check(schema: Self.shippedSchema, documents: files)
        for (index, verdict) in verdicts.enumerated() {
            #expect(!verdict.isValid, "the schema accepted \(Self.refused[index].config)")
        }
    }

    @Test("a config naming its schema with \"$schema\" runs as before")
    func schemaKeyIsIgnored() throws {
        let directory = try TestSupport.makeTemporaryDirectory("schema-key")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("name;amount\nAda;10\n".utf8).write(to: directory.appendingPathComponent("in.csv"))
        let config = #"{"$schema":"debtflow.schema.json","version":1,"name":"x","stages":[{"read":{"format":"csv","path":"in.csv"}},{"sink":{"format":"ndjson","path":"out.ndjson"}}]}"#
        try Data(config.utf8).write(to: directory.appendingPathComponent("p.json"))
        let result = try TestSupport.runDebtflow(["run", directory.appendingPathComponent("p.json").path, "--progress", "never"])
        #expect(result.status == 0, "\(result.stderrText)")
        let lines = try TestSupport.readNDJSON(directory.appendingPathComponent("out.ndjson"))
        #expect(lines.count == 1)
    }

    @Test("`debtflow schema --help` explains it; `debtflow --help` lists it; an argument is a usage error")
    func help() throws {
        let help = try TestSupport.runDebtflow(["schema", "--help"])
        #expect(help.status == 0)
        #expect(help.stdoutText.contains("USAGE: debtflow schema"))
        #expect(help.stdoutText.contains("check-jsonschema"))
        let main = try TestSupport.runDebtflow(["--help"])
        #expect(main.stdoutText.contains("debtflow schema"))
        let extra = try TestSupport.runDebtflow(["schema", "pipelines/csv-to-ndjson.json"])
        #expect(extra.status == 2)
        #expect(extra.stdout.isEmpty)
        #expect(extra.stderrText.contains("debtflow schema --help"), "\(extra.stderrText)")
    }
}
