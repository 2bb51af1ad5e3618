/// Serializes flat rows into bytes for one output format: the document's opening, each row,
/// and the closing. Works on bytes only (no `String` per field).
struct FlatRowEncoder {
    let format: GeneratedFormat
    let delimiter: UInt8

    /// The bytes before the first row: the CSV header, `[`, or the XML prologue.
    func appendHeader(into out: inout [UInt8]) {
        switch format {
        case .csv:
            for column in GeneratedColumn.allCases {
                if column.rawValue > 0 { out.append(delimiter) }
                appendCSVField(Array(column.csvHeader.utf8)[...], into: &out)
            }
            out.append(UInt8(ascii: "\n"))
        case .json:
            out.append(UInt8(ascii: "["))
        case .ndjson:
            break
        case .xml:
            out.append(contentsOf: Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<debtors>\n".utf8))
        }
    }

    /// One row; `index` is its 1-based position (JSON arrays need a comma before all but the first).
    func appendRow(_ row: RowFields, index: Int, into out: inout [UInt8]) {
        switch format {
        case .csv:
            for column in GeneratedColumn.allCases {
                if column.rawValue > 0 { out.append(delimiter) }
                appendCSVField(row.field(column), into: &out)
            }
            out.append(UInt8(ascii: "\n"))
        case .json:
            if index > 1 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: [UInt8(ascii: "\n"), UInt8(ascii: " "), UInt8(ascii: " ")])
            appendJSONObject(row, into: &out)
        case .ndjson:
            appendJSONObject(row, into: &out)
            out.append(UInt8(ascii: "\n"))
        case .xml:
            out.append(contentsOf: Self.debtorOpen)
            for column in GeneratedColumn.allCases {
                let key = Self.keys[column.rawValue]
                let value = row.field(column)
                out.append(UInt8(ascii: "<"))
                out.append(contentsOf: key)
                if value.isEmpty {
                    out.append(contentsOf: [UInt8(ascii: "/"), UInt8(ascii: ">")])
                    continue
                }
                out.append(UInt8(ascii: ">"))
                appendXMLText(value, into: &out)
                out.append(contentsOf: [UInt8(ascii: "<"), UInt8(ascii: "/")])
                out.append(contentsOf: key)
                out.append(UInt8(ascii: ">"))
            }
            out.append(contentsOf: Self.debtorClose)
        }
    }

    /// The bytes after the last row.
    func appendFooter(rowCount: Int, into out: inout [UInt8]) {
        switch format {
        case .csv, .ndjson: break
        case .json: out.append(contentsOf: Array((rowCount > 0 ? "\n]\n" : "]\n").utf8))
        case .xml: out.append(contentsOf: Array("</debtors>\n".utf8))
        }
    }

    private static let keys: [[UInt8]] = GeneratedColumn.allCases.map { Array($0.key.utf8) }
    private static let quotedKeys: [[UInt8]] = GeneratedColumn.allCases.map { Array("\"\($0.key)\":".utf8) }
    private static let debtorOpen: [UInt8] = Array("  <debtor>".utf8)
    private static let debtorClose: [UInt8] = Array("</debtor>\n".utf8)

    private func appendJSONObject(_ row: RowFields, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for column in GeneratedColumn.allCases {
            if column.rawValue > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: Self.quotedKeys[column.rawValue])
            let value = row.field(column)
            if column == .amount && row.amountIsNumber {
                out.append(contentsOf: value)
            } else {
                JSONBytes.appendString(value, into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A CSV field, quoted (with `"` doubled) when it holds the delimiter, a quote or a line break.
    private func appendCSVField(_ value: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var needsQuotes = false
        for byte in value where byte == delimiter || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            out.append(contentsOf: value)
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in value {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
    }

    private func appendXMLText(_ value: ArraySlice<UInt8>, into out: inout [UInt8]) {
        XMLBytes.appendEscaped(value, into: &out)
    }
}

/// JSON string escaping on bytes (RFC 8259).
enum JSONBytes {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func appendString(_ value: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in value {
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(byte)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(byte)
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

/// XML character-data escaping on bytes (`&`, `<`, `>`; `"` in attribute values).
enum XMLBytes {
    static func appendEscaped(_ value: some Collection<UInt8>, into out: inout [UInt8]) {
        for byte in value {
            switch byte {
            case UInt8(ascii: "&"): out.append(contentsOf: [0x26, 0x61, 0x6D, 0x70, 0x3B])  // &amp;
            case UInt8(ascii: "<"): out.append(contentsOf: [0x26, 0x6C, 0x74, 0x3B])  // &lt;
            case UInt8(ascii: ">"): out.append(contentsOf: [0x26, 0x67, 0x74, 0x3B])  // &gt;
            case UInt8(ascii: "\""): out.append(contentsOf: [0x26, 0x71, 0x75, 0x6F, 0x74, 0x3B])  // &quot;
            default: out.append(byte)
            }
        }
    }
}
