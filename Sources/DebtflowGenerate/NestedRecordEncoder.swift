import DebtflowCore

/// Serializes nested records (the magicline shape): JSON as `{"result":[…],"hasNext":false,
/// "offset":"N"}` like one page of the Get Debtors API, NDJSON one debtor per line, XML as
/// `<debtors><debtor>…</debtor></debtors>` with nested objects as child elements and arrays as
/// repeated elements of the same name (`<contactDetails>` once per contact).
struct NestedRecordEncoder {
    let format: GeneratedFormat

    func appendHeader(into out: inout [UInt8]) {
        switch format {
        case .json: out.append(contentsOf: Array("{\"result\":[".utf8))
        case .xml: out.append(contentsOf: Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<debtors>\n".utf8))
        case .csv, .ndjson: break
        }
    }

    func appendRecord(_ record: RecordObject, index: Int, into out: inout [UInt8]) {
        switch format {
        case .json, .ndjson:
            var writer = JSONByteWriter(capacity: 2048)
            writer.object(record)
            if format == .json {
                if index > 1 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: " "), UInt8(ascii: " ")])
                out.append(contentsOf: writer.bytes)
            } else {
                out.append(contentsOf: writer.bytes)
                out.append(UInt8(ascii: "\n"))
            }
        case .xml:
            out.append(contentsOf: Array("  ".utf8))
            appendElement("debtor", .object(record), into: &out)
            out.append(UInt8(ascii: "\n"))
        case .csv:
            break
        }
    }

    func appendFooter(rowCount: Int, into out: inout [UInt8]) {
        switch format {
        case .json:
            out.append(contentsOf: Array("\(rowCount > 0 ? "\n" : "")],\"hasNext\":false,\"offset\":\"\(rowCount)\"}\n".utf8))
        case .xml: out.append(contentsOf: Array("</debtors>\n".utf8))
        case .csv, .ndjson: break
        }
    }

    private func appendElement(_ name: String, _ value: RecordValue, into out: inout [UInt8]) {
        if case .array(let elements) = value {
            for element in elements { appendElement(name, element, into: &out) }
            return
        }
        out.append(UInt8(ascii: "<"))
        out.append(contentsOf: Array(name.utf8))
        switch value {
        case .null:
            out.append(contentsOf: Array("/>".utf8))
            return
        case .string(let text) where text.isEmpty:
            out.append(contentsOf: Array("/>".utf8))
            return
        default:
            out.append(UInt8(ascii: ">"))
        }
        switch value {
        case .object(let object):
            for entry in object.entries { appendElement(entry.key, entry.value, into: &out) }
        case .string(let text): XMLBytes.appendEscaped(Array(text.utf8), into: &out)
        case .number(let text): out.append(contentsOf: Array(text.utf8))
        case .bool(let flag): out.append(contentsOf: Array((flag ? "true" : "false").utf8))
        case .null, .array: break
        }
        out.append(contentsOf: [UInt8(ascii: "<"), UInt8(ascii: "/")])
        out.append(contentsOf: Array(name.utf8))
        out.append(UInt8(ascii: ">"))
    }
}
