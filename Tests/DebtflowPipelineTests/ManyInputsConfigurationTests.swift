import DebtflowCore
import DebtflowPipeline
import Foundation
import Testing

@Suite("Pipeline config, many inputs")
struct ManyInputsConfigurationTests {
    let decoder = PipelineConfigurationDecoder(environment: ["IN": "/data/in"])

    private func decode(_ read: String, sink: String = #"{"format":"ndjson","path":"out.ndjson"}"#) throws -> PipelineConfiguration {
        let json = #"{"version":1,"name":"t","stages":[{"read":\#(read)},{"sink":\#(sink)}]}"#
        return try decoder.decode(Data(json.utf8), baseDirectory: "/etc/debtflow", fileName: "p.json")
    }

    @Test("a plain path stays a single input; a glob or an array is the many-input form, patterns as written")
    func forms() throws {
        let single = try decode(#"{"format":"csv","path":"in.csv"}"#)
        #expect(!single.read.hasManyInputs && single.read.path == "/etc/debtflow/in.csv")
        let glob = try decode(#"{"format":"csv","path":"${IN}/*.csv.gz","if_missing":"ok","on_input_error":"continue"}"#)
        #expect(glob.read.patterns == ["/data/in/*.csv.gz"] && glob.read.path == nil)
        #expect(glob.read.missingInputsAllowed && glob.read.continuesAfterInputError)
        let array = try decode(#"{"format":"xml","record":"debtor","path":["a.xml","b/*.xml"]}"#)
        #expect(array.read.patterns == ["a.xml", "b/*.xml"])
        #expect(!array.read.missingInputsAllowed && !array.read.continuesAfterInputError)
    }

    @Test("wrong many-input settings are config errors naming the JSON path", arguments: [
        (#"{"format":"csv","path":[]}"#, #"{"format":"ndjson","path":"o"}"#, "stages[0].read.path"),
        (#"{"format":"csv","path":["a.csv","-"]}"#, #"{"format":"ndjson","path":"o"}"#, "stages[0].read.path[1]"),
        (#"{"format":"csv","path":["a.csv",3]}"#, #"{"format":"ndjson","path":"o"}"#, "stages[0].read.path[1]"),
        (#"{"format":"csv","path":"*.csv","if_missing":"maybe"}"#, #"{"format":"ndjson","path":"o"}"#, "stages[0].read.if_missing"),
        (#"{"format":"csv","path":"*.csv","on_input_error":"skip"}"#, #"{"format":"ndjson","path":"o"}"#, "stages[0].read.on_input_error"),
        (#"{"format":"magicline","base_url":"https://x/v1","run_id":1,"if_missing":"ok"}"#, #"{"format":"ndjson","path":"o"}"#, "stages[0].read.if_missing"),
        (#"{"format":"csv","path":"-"}"#, #"{"format":"ndjson","path":"{input}.ndjson"}"#, "stages[1].sink.path"),
        (#"{"format":"csv","path":"*.csv"}"#, #"{"format":"ndjson","path":"{input}/x.ndjson"}"#, "stages[1].sink.path"),
        (#"{"format":"csv","path":"*.csv","on_input_error":"continue"}"#, #"{"format":"ndjson","path":"-"}"#, "stages[1].sink.path"),
    ])
    func errors(_ read: String, _ sink: String, _ jsonPath: String) {
        do {
            _ = try decode(read, sink: sink)
            Issue.record("expected a configuration error at \(jsonPath)")
        } catch let error as DebtflowError {
            #expect(error.kind == .configuration)
            #expect(error.location?.jsonPath == jsonPath, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("{input} is allowed in an ndjson sink's file name")
    func placeholder() throws {
        let config = try decode(#"{"format":"csv","path":"*.csv"}"#, sink: #"{"format":"ndjson","path":"out/{input}.ndjson","gzip":true}"#)
        #expect(config.sinks.first?.isPerInput == true)
        #expect(config.sinks.first?.path == "/etc/debtflow/out/{input}.ndjson")
    }
}
