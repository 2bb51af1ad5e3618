import DebtflowCore
import Foundation
import Testing

@Suite("JSON byte writer")
struct JSONByteWriterTests {
    private func text(_ build: (inout JSONByteWriter) -> Void) -> String {
        var writer = JSONByteWriter()
        build(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test("writes nested objects and arrays with commas only between members")
    func nesting() {
        let json = text { w in
            w.beginObject()
            w.field("a", 1)
            w.key("b"); w.beginArray(); w.int(1); w.string("x"); w.null(); w.endArray()
            w.key("c"); w.beginObject(); w.field("d", true); w.endObject()
            w.endObject()
        }
        #expect(json == #"{"a":1,"b":[1,"x",null],"c":{"d":true}}"#)
    }

    @Test("escapes quotes, backslashes and control characters and keeps non-ASCII as UTF-8",
          arguments: [
              ("say \"hi\"", #""say \"hi\"""#),
              ("back\\slash", #""back\\slash""#),
              ("line\nbreak\r\ttab", #""line\nbreak\r\ttab""#),
              ("\u{01}\u{1F}", #""\u0001\u001f""#),
              ("€ é ü œ 𝄞", "\"€ é ü œ 𝄞\""),
          ])
    func escaping(input: String, expected: String) throws {
        let json = text { $0.string(input) }
        #expect(json == expected)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed) as? String
        #expect(decoded == input)
    }

    @Test("writes a record value tree in source key order")
    func recordValue() {
        var object = RecordObject()
        object.append("z", .string("last-first"))
        object.append("amount", .number("1234.50"))
        object.append("tags", .array([.string("a"), .bool(false)]))
        let json = text { $0.object(object) }
        #expect(json == #"{"z":"last-first","amount":1234.50,"tags":["a",false]}"#)
    }

    @Test("writes amounts from minor units with the currency's decimals",
          arguments: [(123450 as Int64, 2, "1234.50"), (1234, 0, "1234"), (12500, 3, "12.500"),
                      (5, 2, "0.05"), (-5, 2, "-0.05")])
    func amounts(minorUnits: Int64, digits: Int, expected: String) {
        #expect(MinorUnitAmount(minorUnits: minorUnits, digits: digits).decimalText == expected)
    }

    @Test("writes a failed envelope with every error and the data as read")
    func failedEnvelope() throws {
        let outcome = Outcome(status: .failed, provenance: Provenance(source: "f.csv", record: 13, line: 14),
                              tempID: "t-13", data: RecordObject(["nom": .string("Dupont")]),
                              errors: [RecordError(field: "phone", code: .invalidPhone, message: "not a number"),
                                       RecordError(field: nil, code: .missingContact, message: "none")])
        let json = text { $0.outcome(outcome) }
        #expect(json == #"{"status":"failed","record":13,"line":14,"temp_id":"t-13","data":{"nom":"Dupont"},"errors":[{"field":"phone","code":"invalid_phone","message":"not a number"},{"code":"missing_contact","message":"none"}]}"#)
    }

    @Test("a constant key is written exactly as the same key given as a string")
    func literalKeys() {
        let literal = text { w in
            w.beginObject()
            w.field(literal: "status", "valid")
            w.field(literal: "record", 7)
            w.optionalField(literal: "line", nil as Int?)
            w.optionalField(literal: "temp_id", "t-1")
            w.key(literal: "debt"); w.beginObject(); w.field(literal: "expensive", false); w.endObject()
            w.endObject()
        }
        let dynamic = text { w in
            w.beginObject()
            w.field("status", "valid")
            w.field("record", 7)
            w.optionalField("temp_id", "t-1")
            w.key("debt"); w.beginObject(); w.field("expensive", false); w.endObject()
            w.endObject()
        }
        #expect(literal == dynamic)
        #expect(literal == #"{"status":"valid","record":7,"temp_id":"t-1","debt":{"expensive":false}}"#)
    }
}
