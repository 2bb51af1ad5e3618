import DebtflowCore

/// Checks, at decode time, that the `read` stage's record locator can find records at all: a
/// JSON `records` path of non-empty keys, an XML `record` that is a possible element name.
enum RecordLocatorRules {
    /// libxml2's longest name (`XML_MAX_NAME_LENGTH`; debtflow never sets `XML_PARSE_HUGE`).
    static let maxNameBytes = 50_000

    /// What is wrong with a JSON `records` value, or `nil`. `""` (the top-level array or NDJSON),
    /// `"result"` and dotted paths of keys (`"data.items"`) are fine; an empty key (`"."`,
    /// `"data."`, `"a..b"`) can never be found.
    static func recordsPathProblem(_ records: String) -> String? {
        guard !records.isEmpty else { return nil }
        let keys = records.split(separator: ".", omittingEmptySubsequences: false)
        guard keys.contains(where: \.isEmpty) else { return nil }
        return "expected \"\" (the top-level array, or one object per line), a key such as \"result\", "
            + "or a dotted path of keys such as \"data.items\"; found \(MessageExcerpt.quoted(records)), which holds an empty key"
    }

    /// What is wrong with an XML `record` element name, or `nil`. Records are matched by local
    /// name (without a namespace prefix), so the name must be an XML NCName: a letter or `_`
    /// first, then letters, digits, `-`, `.`, `_` (XML 1.0 fifth edition, Namespaces in XML).
    static func recordElementProblem(_ name: String) -> String? {
        if name.utf8.count > maxNameBytes {
            return "an element name of \(name.utf8.count) bytes is longer than any element the XML parser accepts "
                + "(\(maxNameBytes)): \(MessageExcerpt.quoted(name))"
        }
        if let colon = name.lastIndex(of: ":"), isNCName(String(name[name.index(after: colon)...])),
           isNCName(String(name[..<colon])) {
            return "expected the element's local name, without a namespace prefix: \"\(name[name.index(after: colon)...])\", "
                + "not \(MessageExcerpt.quoted(name))"
        }
        guard isNCName(name) else {
            return "expected an XML element name (a letter or _ first, then letters, digits, -, . or _); "
                + "found \(MessageExcerpt.quoted(name)), which no element can have"
        }
        return nil
    }

    /// True when `name` is an XML NCName (a Name without `:`).
    static func isNCName(_ name: String) -> Bool {
        var scalars = name.unicodeScalars.makeIterator()
        guard let first = scalars.next(), isNameStart(first) else { return false }
        while let scalar = scalars.next() {
            guard isNameStart(scalar) || isNameContinuation(scalar) else { return false }
        }
        return true
    }

    /// NameStartChar of XML 1.0 (fifth edition), without `:`.
    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0x5F, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D,
             0x37F...0x1FFF, 0x200C...0x200D, 0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF,
             0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF:
            return true
        default:
            return false
        }
    }

    /// The rest of NameChar: `-`, `.`, digits, `·`, combining marks, `‿` `⁀`.
    private static func isNameContinuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: return true
        default: return false
        }
    }
}
