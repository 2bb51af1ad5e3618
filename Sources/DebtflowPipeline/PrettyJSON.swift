import DebtflowCore

extension RecordValue {
    /// The value as indented JSON for people (two spaces per level, `"key": value`, arrays of
    /// plain values on one line), ending with a newline. Keys keep their order, so the same value
    /// always gives the same bytes. Strings and numbers are written by ``JSONByteWriter``.
    func prettyPrintedJSON() -> [UInt8] {
        var bytes: [UInt8] = []
        appendPretty(to: &bytes, indent: 0)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    private var isContainer: Bool {
        switch self {
        case .array, .object: return true
        default: return false
        }
    }

    private func appendPretty(to bytes: inout [UInt8], indent: Int) {
        switch self {
        case .object(let object):
            guard !object.isEmpty else { return bytes.append(contentsOf: Array("{}".utf8)) }
            bytes.append(UInt8(ascii: "{"))
            for (index, entry) in object.entries.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.newline(&bytes, indent: indent + 1)
                Self.appendCompact(.string(entry.key), to: &bytes)
                bytes.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
                entry.value.appendPretty(to: &bytes, indent: indent + 1)
            }
            Self.newline(&bytes, indent: indent)
            bytes.append(UInt8(ascii: "}"))
        case .array(let elements) where elements.contains(where: \.isContainer):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                Self.newline(&bytes, indent: indent + 1)
                element.appendPretty(to: &bytes, indent: indent + 1)
            }
            Self.newline(&bytes, indent: indent)
            bytes.append(UInt8(ascii: "]"))
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(contentsOf: [UInt8(ascii: ","), UInt8(ascii: " ")]) }
                Self.appendCompact(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        default:
            Self.appendCompact(self, to: &bytes)
        }
    }

    private static func newline(_ bytes: inout [UInt8], indent: Int) {
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }

    private static func appendCompact(_ value: RecordValue, to bytes: inout [UInt8]) {
        var writer = JSONByteWriter(capacity: 64)
        writer.value(value)
        bytes.append(contentsOf: writer.bytes)
    }
}
