import DebtflowClassify
import DebtflowCore
import DebtflowMap
import DebtflowNormalize
@testable import DebtflowPipeline
import DebtflowRead
import DebtflowValidate
import Foundation
import Testing

@Suite("Pipeline config")
struct PipelineConfigurationTests {
    let decoder = PipelineConfigurationDecoder(environment: ["OUT": "/tmp/out", "INPUT": "in.csv", "EMPTY": ""])

    private func decode(_ json: String) throws -> PipelineConfiguration {
        try decoder.decode(Data(json.utf8), baseDirectory: "/etc/debtflow", fileName: "p.json")
    }

    private func stages(_ stages: String) -> String {
        #"{"version":1,"name":"t","stages":[\#(stages)]}"#
    }

    @Test("a key given twice in one object is a config error naming it, not a silent last-one-wins", arguments: [
        (#"{"read":{"format":"csv","path":"a"}},{"sink":{"format":"ndjson","path":"o","path":"/etc/passwd"}}"#, "stages[1].sink.path"),
        (#"{"read":{"format":"csv","path":"a","format":"xml"}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[0].read.format"),
    ])
    func repeatedKey(list: String, path: String) throws {
        let error = try #require(throws: DebtflowError.self) { try decode(stages(list)) }
        #expect(error.kind == .configuration)
        #expect(error.description.contains(path))
        #expect(error.description.contains("given twice"))
    }

    @Test("a conversion pipeline is read then sink, with paths resolved against the config's folder")
    func conversion() throws {
        let config = try decode(stages(#"{"read":{"format":"csv","path":"${INPUT}"}},{"sink":{"format":"ndjson","path":"out/x.ndjson"}}"#))
        #expect(config.isConversion)
        #expect(config.read.path == "/etc/debtflow/in.csv")
        #expect(config.sinks.first?.path == "/etc/debtflow/out/x.ndjson")
        #expect(config.sinks.first?.accepts == [.valid])
    }

    @Test("a debt pipeline's stages get their options decoded into each stage's own options type, with defaults")
    func debtDefaults() throws {
        let config = try decode(stages(#"{"read":{"format":"xml","path":"a.xml","record":"debtor"}},{"map":{"preset":"magicline-debtor"}},{"normalize":{"decimal":","}},{"classify":{"expensive":["maghreb"]}},{"validate":{"timeline_id":"${EMPTY:-}","timeline_start_mode":"immediate"}},{"sink":{"format":"ndjson","path":"${OUT}/v.ndjson","accept":["valid"]}}"#))
        #expect(config.stages.map(\.kind) == ["map", "normalize", "classify", "validate"])
        #expect(config.options(of: MapOptions.self)?.preset == .magiclineDebtor)
        #expect(config.options(of: NormalizeOptions.self)?.region == "FR")
        #expect(config.options(of: NormalizeOptions.self)?.decimal == .comma)
        #expect(config.options(of: ClassifyOptions.self)?.expensive == [.maghreb])
        #expect(config.options(of: ValidateOptions.self)?.timelineID == nil)
        // Kept without a configured timeline: a record's own timeline_id takes it.
        #expect(config.options(of: ValidateOptions.self)?.timelineStartMode == .immediate)
        #expect(config.sinks.first?.path == "/tmp/out/v.ndjson")
    }

    @Test("classify.rates names credits, multiplier or both; what it does not name keeps the table's value")
    func partialRates() throws {
        let config = try decode(stages(#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"classify":{"rates":{"eu":{"multiplier":1.5},"dom_tom":{"credits":90},"maghreb":{"credits":100,"multiplier":4}}}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#))
        let rates = try #require(config.options(of: ClassifyOptions.self)?.rates)
        #expect(rates[.eu] == ZoneRate(credits: nil, multiplier: "1.5"))
        #expect(rates[.domTom] == ZoneRate(credits: 90, multiplier: nil))
        #expect(rates[.maghreb] == ZoneRate(credits: 100, multiplier: "4.0"))
        let classifier = DestinationClassifier(options: try #require(config.options(of: ClassifyOptions.self)))
        let eu = classifier.classify(callingCode: 49, region: "DE")
        #expect(eu.credits == 30 && eu.multiplier == "1.5")
        let domTom = classifier.classify(callingCode: 590, region: "GP")
        #expect(domTom.credits == 90 && domTom.multiplier == "4.0")
        let error = try #require(throws: DebtflowError.self) {
            try decode(stages(#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"classify":{"rates":{"eu":{}}}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#))
        }
        #expect(error.description.contains("stages[3].classify.rates.eu"), "\(error)")
        // `other` has no rates: its numbers stay unsupported (the rate was accepted and ignored).
        let other = try #require(throws: DebtflowError.self) {
            try decode(stages(#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"classify":{"rates":{"other":{"credits":1}}}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#))
        }
        #expect(other.description.contains("stages[3].classify.rates.other: the zone `other` has no rates"), "\(other)")
        // `null` says "the table's rate", which `other` may say too (a config the old schema let through).
        _ = try decode(stages(#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"classify":{"rates":{"other":null}}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#))
    }

    @Test("only the listed stages are configured: without classify there are no classify options")
    func classifyOptional() throws {
        let config = try decode(stages(#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{"timeline_id":"T","timeline_start_mode":"next_day"}},{"sink":{"format":"ndjson","path":"o"}}"#))
        #expect(config.stages.map(\.kind) == ["map", "normalize", "validate"])
        #expect(config.options(of: ClassifyOptions.self) == nil)
        #expect(config.options(of: ValidateOptions.self)?.timelineStartMode == .nextDay)
        #expect(!config.isConversion)
    }

    @Test("a missing prerequisite is a config error naming both stages", arguments: [
        (#"{"map":{}},{"normalize":{}},{"validate":{}},{"classify":{}}"#, "stages[4].classify", "must come before `validate`"),
        (#"{"map":{}},{"validate":{}}"#, "stages[2].validate", "needs normalize before it"),
        (#"{"map":{}},{"classify":{}},{"validate":{}}"#, "stages[2].classify", "needs normalize before it"),
        (#"{"map":{}},{"normalize":{}}"#, "stages[1].map", "needs validate after it"),
        (#"{"map":{}}"#, "stages[1].map", "needs normalize after it"),
        (#"{"normalize":{}},{"validate":{}}"#, "stages[1].normalize", "needs map before it"),
        (#"{"map":{}},{"normalize":{}},{"normalize":{}},{"validate":{}}"#, "stages[3].normalize", "`normalize` appears twice"),
    ])
    func prerequisites(middle: String, path: String, message: String) throws {
        let list = #"{"read":{"format":"csv","path":"a"}},"# + middle + #",{"sink":{"format":"ndjson","path":"o"}}"#
        let error = try #require(throws: DebtflowError.self) { try decode(stages(list)) }
        #expect(error.kind == .configuration)
        #expect(error.location?.jsonPath == path, "\(error)")
        #expect(error.description.contains(message), "\(error)")
    }

    @Test("the message of a missing prerequisite reads as the contract writes it")
    func prerequisiteMessage() throws {
        let list = #"{"read":{"format":"csv","path":"a"}},{"map":{}},{"validate":{}},{"classify":{}},{"sink":{"format":"ndjson","path":"o"}}"#
        let error = try #require(throws: DebtflowError.self) { try decode(stages(list)) }
        #expect(error.description.contains("stages[2].validate: needs normalize before it"), "\(error)")
    }

    @Test("a top-level $schema key is allowed and ignored")
    func schemaKey() throws {
        let config = try decode(#"{"$schema":"./debtflow.schema.json","version":1,"name":"t","stages":[{"read":{"format":"csv","path":"a"}},{"sink":{"format":"ndjson","path":"o"}}]}"#)
        #expect(config.name == "t")
    }

    @Test("configuration errors name the JSON path of the problem", arguments: [
        (#"{"read":{"format":"csv","path":"a"}},{"sink":{"format":"http","url":"https://x","token":"t","batch_size":1001}}"#, "stages[1].sink.batch_size"),
        (#"{"read":{"format":"csv","path":"a"}},{"sink":{"format":"ndjson","path":"o","colour":"red"}}"#, "stages[1].sink.colour"),
        (#"{"read":{"format":"csv","path":"a","delimiter":7}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[0].read.delimiter"),
        (#"{"read":{"format":"csv","path":"a","records":"x"}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[0].read.records"),
        (#"{"read":{"format":"yaml","path":"a"}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[0].read.format"),
        (#"{"sink":{"format":"ndjson","path":"o"}},{"read":{"format":"csv","path":"a"}}"#, "stages[1].read"),
        (#"{"read":{"format":"csv","path":"a"}},{"normalize":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[1].normalize"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"sink":{"format":"ndjson","path":"o"}},{"validate":{}}"#, "stages[3].validate"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{}},{"classify":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[4].classify"),
        (#"{"read":{"format":"csv","path":"a"}},{"sink":{"format":"http","url":"https://x","token":"t"}}"#, "stages[1].sink"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://x"}}"#, "stages[4].sink.token_url"),
        (#"{"read":{"format":"csv","path":"a"}},{"sink":{"format":"ndjson","path":"o","accept":["maybe"]}}"#, "stages[1].sink.accept[0]"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{"region":"France"}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[2].normalize.region"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"classify":{"rates":{"mars":{"credits":1}}}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[2].classify.rates.mars"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"validate":{"timeline_id":"t","timeline_start_mode":"later"}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[2].validate.timeline_start_mode"),
        (#"{"read":{"format":"xml","path":"a"}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[0].read.record"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{"fields":{"fristname":"Prénom"}}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[1].map.fields.fristname"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{"constants":{"curency":"EUR"}}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[1].map.constants.curency"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{"region":"XX"}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[2].normalize.region"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{"currency":"FRF"}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[2].normalize.currency"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{"currency":"XYZ"}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[2].normalize.currency"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{"constants":{"currency":"FRF"}}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[1].map.constants.currency"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{"constants":{"currency":1}}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[1].map.constants.currency"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{"constants":{"timeline_start_mode":"later"}}},{"normalize":{}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[1].map.constants.timeline_start_mode"),
        (#"{"read":{"format":"csv","path":"a"}}"#, "stages"),
        (#"{"read":{"format":"csv","path":"a","delimiter":null}},{"sink":{"format":"ndjson","path":"o"}}"#, "stages[0].read.delimiter"),
        (#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://x","token":"t","batch_size":null}}"#, "stages[4].sink.batch_size"),
    ])
    func errorsNamePaths(stageList: String, path: String) throws {
        let error = try #require(throws: DebtflowError.self) { try decode(stages(stageList)) }
        #expect(error.kind == .configuration)
        #expect(error.location?.jsonPath == path, "\(error)")
        #expect(ExitCode.for(error) == .usage)
    }

    @Test("a null rate keeps the table's rate for that zone, as the schema allows; a null option elsewhere is refused")
    func nullRate() throws {
        let config = try decode(stages(#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"classify":{"rates":{"eu":null,"dom_tom":{"credits":90}}}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#))
        #expect(config.stages.count == 4)
        let error = try #require(throws: DebtflowError.self) {
            try decode(stages(#"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"classify":{"rates":null}},{"validate":{}},{"sink":{"format":"ndjson","path":"o"}}"#))
        }
        #expect(error.location?.jsonPath == "stages[3].classify.rates", "\(error)")
    }

    @Test("$schema and description are strings, as the schema says", arguments: [#""$schema":5"#, #""description":{"a":1}"#, #""$schema":null"#])
    func ignoredKeysAreStrings(member: String) throws {
        let error = try #require(throws: DebtflowError.self) {
            try decode(#"{"version":1,\#(member),"stages":[{"read":{"format":"csv","path":"a"}},{"sink":{"format":"ndjson","path":"o"}}]}"#)
        }
        #expect(error.kind == .configuration && error.message.contains("expected a string"), "\(error)")
    }

    @Test("a conversion pipeline (no map) refuses a sink's accept other than [\"valid\"]: it makes no outcomes to sort", arguments: [
        #"["failed"]"#, #"["failed","skipped"]"#, #"["valid","failed"]"#,
    ])
    func conversionAccept(accept: String) throws {
        let error = try #require(throws: DebtflowError.self) {
            try decode(stages(#"{"read":{"format":"csv","path":"a.csv"}},{"sink":{"format":"ndjson","path":"all.ndjson"}},"# +
                              #"{"sink":{"format":"ndjson","path":"rejects.ndjson","accept":\#(accept)}}"#))
        }
        #expect(error.kind == .configuration && error.message.contains("conversion pipeline"), "\(error)")
        #expect(error.location?.jsonPath == "stages[2].sink.accept")
        // ["valid"], the default, written out, is what a conversion does.
        _ = try decode(stages(#"{"read":{"format":"csv","path":"a.csv"}},{"sink":{"format":"ndjson","path":"o","accept":["valid"]}}"#))
    }

    @Test("a magicline base_url with a query or a fragment is a config error that does not show them (they may hold a key)",
          arguments: ["https://t.open-api.magicline.com/v1?apikey=SECRET42", "https://t.open-api.magicline.com/v1#SECRET42"])
    func magiclineBaseURLEndsWithItsPath(baseURL: String) throws {
        let error = try #require(throws: DebtflowError.self) {
            try decode(stages(#"{"read":{"format":"magicline","base_url":"\#(baseURL)","run_id":"1","api_key":"k"}},"# +
                              #"{"sink":{"format":"ndjson","path":"o"}}"#))
        }
        #expect(error.location?.jsonPath == "stages[0].read.base_url")
        #expect(error.message.contains("https://t.open-api.magicline.com/v1 and a query or fragment"), "\(error)")
        #expect(!error.description.contains("SECRET42"), "\(error)")
    }

    @Test("an unset environment variable is an error naming it")
    func unsetVariable() throws {
        let error = try #require(throws: DebtflowError.self) {
            try decode(stages(#"{"read":{"format":"csv","path":"${NOPE}/a.csv"}},{"sink":{"format":"ndjson","path":"o"}}"#))
        }
        #expect(error.description.contains("NOPE"))
        #expect(error.location?.jsonPath == "stages[0].read.path")
    }

    @Test("unknown top-level keys and a wrong version are errors")
    func topLevel() throws {
        #expect(throws: DebtflowError.self) { try decode(#"{"version":1,"stages":[],"extra":1}"#) }
        #expect(throws: DebtflowError.self) { try decode(#"{"version":2,"stages":[{"read":{"format":"csv","path":"a"}},{"sink":{"format":"ndjson","path":"o"}}]}"#) }
        #expect(throws: DebtflowError.self) { try decode("not json") }
    }

    @Test("secrets in the config are collected for masking")
    func secrets() throws {
        let config = try decode(stages(#"{"read":{"format":"magicline","base_url":"https://t.open-api.magicline.com/v1","run_id":42,"api_key":"k-123"}},{"map":{"preset":"magicline-debtor"}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://getbill.io/external-api/v1/debts/batch","token":"tok-456"}}"#))
        #expect(config.secrets.contains("k-123"))
        #expect(config.secrets.contains("tok-456"))
        guard case .magicline(let pager) = config.read.reader else { Issue.record("expected a magicline read"); return }
        #expect(pager.runID == "42")
    }

    @Test("a secret in the pipeline's name is masked there: the name labels the summary, the metrics and stderr")
    func secretInName() throws {
        let config = try decode(#"{"version":1,"name":"nightly-tok-456","stages":[{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://getbill.io/external-api/v1/debts/batch","token":"tok-456"}}]}"#)
        #expect(config.name == "nightly-***")
    }

    @Test("the secrets a run masks are the values of the options marked secret: whole values, and URL passwords")
    func secretsFollowTheMarks() throws {
        let marks = PipelineConfigurationDecoder.secretOptions
        #expect(Set(marks.filter { $0.value == .value }.keys) == ["token", "client_secret", "api_key"])
        #expect(Set(marks.filter { $0.value == .urlPassword }.keys) == ["url", "token_url", "base_url"])
        let decoder = PipelineConfigurationDecoder(environment: ["CS": "client-s3cret", "KEY": "api-k3y"])
        let config = try decoder.decode(Data(stages(#"{"read":{"format":"magicline","base_url":"https://u:base-pa55@t.open-api.magicline.com/v1","run_id":1,"api_key":"${KEY}"}},{"map":{"preset":"magicline-debtor"}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://u:push-pa55@getbill.io/b","token_url":"https://c:token-pa55@auth.example/t","client_id":"id-not-secret","client_secret":"${CS}"}}"#).utf8), baseDirectory: "/etc/debtflow", fileName: "p.json")
        #expect(Set(config.secrets) == ["base-pa55", "api-k3y", "push-pa55", "token-pa55", "client-s3cret"])
    }

    @Test("a config error never quotes a secret, even one put where a choice was expected, in a stage before or after it",
          arguments: [
              #"{"read":{"format":"csv","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://x","token":"${TOK}","on_ambiguous":"${TOK}"}}"#,
              #"{"read":{"format":"${TOK}","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://x","token":"${TOK}"}}"#,
              #"{"read":{"format":"${PASS}","path":"a"}},{"map":{}},{"normalize":{}},{"validate":{}},{"sink":{"format":"http","url":"https://u:${PASS}@x","token":"t"}}"#,
          ])
    func errorsMaskSecrets(stageList: String) throws {
        let decoder = PipelineConfigurationDecoder(environment: ["TOK": "sekret-token-99", "PASS": "pa55-w0rd-77"])
        let error = try #require(throws: DebtflowError.self) {
            try decoder.decode(Data(stages(stageList).utf8), baseDirectory: "/etc/debtflow", fileName: "p.json")
        }
        #expect(error.kind == .configuration)
        #expect(!error.description.contains("sekret-token-99") && !error.description.contains("pa55-w0rd-77"), "\(error)")
        #expect(error.description.contains("***"), "\(error)")
    }
}

@Suite("Environment interpolation")
struct EnvironmentInterpolationTests {
    let interpolation = EnvironmentInterpolation(environment: ["A": "x", "EMPTY": ""])

    @Test("expands references and defaults", arguments: [
        ("${A}/b", "x/b"), ("${B:-dflt}", "dflt"), ("${A:-dflt}", "x"), ("${EMPTY:-d}", "d"), ("${EMPTY:-}", ""),
        ("no refs", "no refs"), ("${A}${A}", "xx"), ("${B:-}", ""),
    ])
    func expands(input: String, expected: String) throws {
        #expect(try interpolation.expand(input, at: "p") == expected)
    }

    @Test("rejects unset variables and broken references", arguments: ["${B}", "${A", "${1X}"])
    func rejects(input: String) {
        #expect(throws: DebtflowError.self) { try interpolation.expand(input, at: "p") }
    }

    @Test("a variable set but empty is an error naming it, unless the reference asks for an empty value (${EMPTY:-}): `OUT= debtflow run` must not write ${OUT}/valid.ndjson at /")
    func setButEmpty() throws {
        let error = try #require(throws: DebtflowError.self) { try interpolation.expand("${EMPTY}/valid.ndjson", at: "stages[5].sink.path") }
        #expect(error.kind == .configuration)
        #expect(error.message.contains("EMPTY is set but empty") && error.message.contains("${EMPTY:-}"), "\(error)")
        #expect(error.location?.jsonPath == "stages[5].sink.path")
    }
}
