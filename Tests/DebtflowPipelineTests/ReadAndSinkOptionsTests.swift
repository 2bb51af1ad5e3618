import DebtflowCore
@testable import DebtflowPipeline
import DebtflowRead
import DebtflowSink
import Foundation
import Testing

/// `read` and `sink` decode straight into the readers' and sinks' own options types (issue 9
/// item 4): each value is compared whole, so a key the decoder forgot to carry over is a failure.
@Suite("Read and sink options, decoded into their own types")
struct ReadAndSinkOptionsTests {
    let decoder = PipelineConfigurationDecoder(environment: ["KEY": "k-1", "SECRET": "s-2"])

    private func decode(_ read: String, _ sink: String = #"{"format":"ndjson","path":"o.ndjson"}"#,
                        middle: String = "") throws -> PipelineConfiguration {
        let json = #"{"version":1,"name":"t","stages":[{"read":\#(read)},\#(middle){"sink":\#(sink)}]}"#
        return try decoder.decode(Data(json.utf8), baseDirectory: "/etc/debtflow", fileName: "p.json")
    }

    private let debtStages = #"{"map":{}},{"normalize":{}},{"validate":{}},"#

    @Test("a csv read is a CSVReaderOptions, with its closed sets as enums")
    func csv() throws {
        let config = try decode(#"{"format":"csv","path":"in.csv","delimiter":"semicolon","encoding":"Latin-1","header":false,"max_field_bytes":4096,"if_missing":"ok","on_input_error":"continue"}"#)
        #expect(config.read.reader == .csv(CSVReaderOptions(delimiter: .byte(UInt8(ascii: ";")), encoding: .windows1252,
                                                            header: false, maxFieldBytes: 4096)))
        #expect(config.read.ifMissing == .ok && config.read.onInputError == .continue)
        #expect(config.read.path == "/etc/debtflow/in.csv" && config.read.displayPath == "in.csv")
    }

    @Test("a csv read's defaults are the reader's own defaults")
    func csvDefaults() throws {
        let config = try decode(#"{"format":"csv","path":"-"}"#)
        #expect(config.read.reader == .csv(CSVReaderOptions()))
        #expect(config.read.ifMissing == .error && config.read.onInputError == .stop)
    }

    @Test("json and xml reads are JSONReaderOptions and XMLReaderOptions")
    func jsonAndXML() throws {
        #expect(try decode(#"{"format":"json","path":"a.json","records":"data.items"}"#).read.reader
                == .json(JSONReaderOptions(recordsPath: "data.items")))
        #expect(try decode(#"{"format":"json","path":"a.json"}"#).read.reader == .json(JSONReaderOptions()))
        #expect(try decode(#"{"format":"xml","path":"a.xml","record":"debtor"}"#).read.reader
                == .xml(XMLReaderOptions(recordElement: "debtor")))
    }

    @Test("a magicline read is the pager's MagiclineSourceConfiguration")
    func magicline() throws {
        let config = try decode(#"{"format":"magicline","base_url":"https://t.open-api.magicline.com/v1","run_id":"r-7","api_key":"${KEY}","slice_size":50,"rate_limit_wait_s":2.5,"max_retries":3,"timeout_s":12}"#,
                                middle: #"{"map":{"preset":"magicline-debtor"}},{"normalize":{}},{"validate":{}},"#)
        var expected = MagiclineSourceConfiguration(baseURL: "https://t.open-api.magicline.com/v1", runID: "r-7", apiKey: "k-1")
        expected.sliceSize = 50
        expected.rateLimitWaitSeconds = 2.5
        expected.maxRetries = 3
        expected.timeoutSeconds = 12
        #expect(config.read.reader == .magicline(expected))
        #expect(config.read.path == nil && config.read.patterns == nil)
        #expect(config.secrets.contains("k-1"))
    }

    @Test("an ndjson sink is NDJSONSinkOptions")
    func ndjson() throws {
        let config = try decode(#"{"format":"csv","path":"in.csv"}"#, #"{"format":"ndjson","path":"out/{input}.ndjson.gz","gzip":true,"accept":["failed","skipped"]}"#,
                                middle: debtStages)
        #expect(config.sinks.first?.output == .ndjson(NDJSONSinkOptions(path: "/etc/debtflow/out/{input}.ndjson.gz", gzip: true,
                                                                        accepts: [.failed, .skipped])))
        #expect(config.sinks.first?.jsonPath == "stages[4].sink")
        #expect(config.sinks.first?.isPerInput == true)
    }

    @Test("an http sink is the sink's HTTPSinkConfiguration, every key carried over")
    func http() throws {
        let sink = #"{"format":"http","url":"https://getbill.io/external-api/v1/debts/batch","token_url":"https://getbill.io/oauth/token","client_id":"debtflow","client_secret":"${SECRET}","scope":"debts","batch_size":250,"batch_name":"nightly","accept_expensive_destination":false,"concurrency":4,"timeout_s":45,"max_retries":5,"on_ambiguous":"retry","results":"out/results.ndjson","journal":"/var/lib/debtflow/journal","accept":["valid"]}"#
        let config = try decode(#"{"format":"csv","path":"in.csv"}"#, sink, middle: debtStages)
        var expected = HTTPSinkConfiguration(url: "https://getbill.io/external-api/v1/debts/batch",
                                             authentication: .clientCredentials(tokenURL: "https://getbill.io/oauth/token", clientID: "debtflow",
                                                                                clientSecret: "s-2", scope: "debts"))
        expected.batchSize = 250
        expected.batchName = "nightly"
        expected.acceptExpensiveDestination = false
        expected.concurrency = 4
        expected.timeoutSeconds = 45
        expected.maxRetries = 5
        expected.onAmbiguous = .retry
        expected.resultsPath = "/etc/debtflow/out/results.ndjson"
        expected.journalPath = "/var/lib/debtflow/journal"
        expected.accepts = [.valid]
        #expect(config.sinks.first?.output == .http(expected))
        #expect(config.secrets.contains("s-2"))
    }

    @Test("an http sink's results and journal are files: `-` is a config error naming the key, not a file named `-`", arguments: ["results", "journal"])
    func resultsAndJournalAreFiles(key: String) throws {
        let error = try #require(throws: DebtflowError.self) {
            try decode(#"{"format":"csv","path":"in.csv"}"#, #"{"format":"http","url":"https://getbill.io/b","token":"t","\#(key)":"-"}"#,
                       middle: debtStages)
        }
        #expect(error.kind == .configuration)
        #expect(error.description.contains("sink.\(key)"), "\(error)")
    }

    @Test("an http sink's defaults are the sink's own defaults")
    func httpDefaults() throws {
        let config = try decode(#"{"format":"csv","path":"in.csv"}"#, #"{"format":"http","url":"https://getbill.io/b","token":"t-3"}"#,
                                middle: debtStages)
        #expect(config.sinks.first?.output == .http(HTTPSinkConfiguration(url: "https://getbill.io/b", authentication: .bearer(token: "t-3"))))
    }

    @Test("closed sets are read as the enums' own names (the schema lists the same)")
    func choicesAreEnums() {
        let read = ReadStageConfiguration.Format.csv.configOptions
        let sink = SinkConfiguration.Format.http.configOptions
        func names(_ option: ConfigOption?) -> [String] {
            guard case .choice(let choice)? = option?.value else { return [] }
            return choice.names
        }
        #expect(names(read.option("if_missing")) == MissingInputPolicy.allCases.map(\.rawValue))
        #expect(names(read.option("on_input_error")) == InputErrorPolicy.allCases.map(\.rawValue))
        #expect(names(sink.option("on_ambiguous")) == HTTPSinkConfiguration.AmbiguousPolicy.allCases.map(\.rawValue))
    }
}
