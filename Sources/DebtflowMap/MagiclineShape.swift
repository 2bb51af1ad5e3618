import DebtflowCore

/// Reading helpers for the Sportalliance debtor shape as it arrives from the API's JSON, a JSON
/// export, or an XML export (where a list of one element may be a single object, a list may be
/// wrapped in an element per item, and every scalar is a string).
///
/// They read a record's ``RecordView`` in place: names and texts are compared as bytes on the
/// chunk's tape, and a `String` is made only for a text the debt keeps (``text(_:_:)``).
enum MagiclineShape {
    /// The member `name` of `object`, or its attribute `@name` (XML); the first of each, and the
    /// member before the attribute.
    static func value(_ object: RecordView, _ name: String) -> RecordView? {
        guard object.kind == .object else { return nil }
        let tape = object.tape
        var name = name
        // Walks the node table and the arena in place: no view (and no retain of the tape) per
        // member looked at, only for the one found.
        let found = name.withUTF8 { wanted in
            tape.nodes.withUnsafeBufferPointer { nodes in
                tape.bytes.withUnsafeBufferPointer { arena -> Int? in
                    var attribute: Int?
                    var index = object.index + 1
                    let end = Int(nodes[object.index].end)
                    while index < end {
                        let key = nodes[index].key
                        let length = Int(key.length)
                        if length == wanted.count || length == wanted.count + 1 {
                            let bytes = UnsafeBufferPointer(rebasing: arena[Int(key.offset)..<key.end])
                            if length == wanted.count {
                                if bytes.elementsEqual(wanted) { return index }
                            } else if attribute == nil, bytes[0] == UInt8(ascii: "@"),
                                      UnsafeBufferPointer(rebasing: bytes[1...]).elementsEqual(wanted) {
                                attribute = index
                            }
                        }
                        index = Int(nodes[index].end)
                    }
                    return attribute
                }
            }
        }
        return found.map { RecordView(tape: tape, index: $0) }
    }

    /// The trimmed, non-empty text of `name` in `object`, else `nil`.
    static func text(_ object: RecordView, _ name: String) -> String? {
        guard let value = value(object, name) else { return nil }
        return text(value)
    }

    /// The trimmed, non-empty text of a scalar (or of an XML element's `#text`), else `nil`.
    static func text(_ value: RecordView) -> String? {
        guard let scalar = scalar(value) else { return nil }
        switch scalar.kind {
        case .true: return "true"
        case .false: return "false"
        default:
            return scalar.withTextBytes { bytes in
                let trimmed = trimmedRange(bytes)
                return trimmed.isEmpty ? nil : String(decoding: UnsafeBufferPointer(rebasing: bytes[trimmed]), as: UTF8.self)
            }
        }
    }

    /// Sets `key` of `raw` to the trimmed, non-empty text of `value` (as ``text(_:)`` reads it)
    /// without making a `String`: a span of the record's tape (`raw` is built on that tape); a
    /// `true` / `false` literal, which has no text on the tape, is copied. Nothing when there is
    /// no such text.
    /// - Returns: whether `key` was set.
    @discardableResult
    static func setText(_ key: DebtRawKey, of value: RecordView?, in raw: inout DebtRawFields) -> Bool {
        guard let value, let scalar = scalar(value) else { return false }
        switch scalar.kind {
        case .true: raw[key] = "true"
        case .false: raw[key] = "false"
        default:
            let span = scalar.node.value
            let trimmed = scalar.withTextBytes { trimmedRange($0) }
            guard !trimmed.isEmpty else { return false }
            raw.set(key, tapeSpan: ByteSpan(offset: span.offset + UInt32(trimmed.lowerBound), length: UInt32(trimmed.count)))
        }
        return true
    }

    /// Whether a scalar (or `#text`) has a non-empty trimmed text (``text(_:)`` is not `nil`),
    /// without making a `String`.
    static func hasText(_ value: RecordView) -> Bool {
        guard let scalar = scalar(value) else { return false }
        switch scalar.kind {
        case .true, .false: return true
        default: return scalar.withTextBytes { !trimmedRange($0).isEmpty }
        }
    }

    /// ``setText(_:of:in:)`` for the member (or attribute) `name` of `object`.
    @discardableResult
    static func setText(_ key: DebtRawKey, _ object: RecordView, _ name: String, in raw: inout DebtRawFields) -> Bool {
        setText(key, of: value(object, name), in: &raw)
    }

    /// Whether the text of `name` in `object`, uppercased, is `expected` (an ASCII keyword such
    /// as `TEL_PRIVATE_MOBILE`): as `text(object, name)?.uppercased() == expected`, compared in
    /// place for ASCII text.
    static func text(_ object: RecordView, _ name: String, uppercasedIs expected: String) -> Bool {
        guard let value = value(object, name) else { return false }
        return text(value, uppercasedIs: expected)
    }

    /// Whether a scalar's (or `#text`'s) trimmed text, uppercased, is `expected` (ASCII).
    static func text(_ value: RecordView, uppercasedIs expected: String) -> Bool {
        guard let scalar = scalar(value), scalar.kind == .string || scalar.kind == .number else {
            return text(value)?.uppercased() == expected
        }
        if scalar.node.flags.contains(.valueIsNonASCII) {
            // Unicode case mapping (`ı` uppercases to `I`): the String path decides.
            return text(value)?.uppercased() == expected
        }
        var expected = expected
        return expected.withUTF8 { wanted in
            scalar.withTextBytes { bytes in
                let trimmed = trimmedRange(bytes)
                guard !trimmed.isEmpty, trimmed.count == wanted.count else { return false }
                var position = 0
                for index in trimmed {
                    var byte = bytes[index]
                    if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") { byte -= 0x20 }
                    guard byte == wanted[position] else { return false }
                    position += 1
                }
                return true
            }
        }
    }

    /// The object of `name` in `object` when it is a non-empty object, else `nil`.
    static func object(_ object: RecordView, _ name: String) -> RecordView? {
        guard let inner = value(object, name), inner.kind == .object, hasContent(inner) else { return nil }
        return inner
    }

    /// The items of a list field, whatever its shape: an array; a single object (an XML list of
    /// one); or a wrapper element holding the items under one name
    /// (`<collectionCases><collectionCase>…</collectionCase></collectionCases>`).
    /// - Parameter marker: a key every item has (`collectionCaseId`), to tell an item from a wrapper.
    static func items(_ value: RecordView?, marker: String) -> [RecordView] {
        var found: [RecordView] = []
        if let value { collectItems(value, marker: marker, into: &found) }
        return found
    }

    private static func collectItems(_ value: RecordView, marker: String, into found: inout [RecordView]) {
        switch value.kind {
        case .array:
            for element in value.children where element.kind == .object {
                if isItem(element, marker: marker) { found.append(element) } else { collectItems(element, marker: marker, into: &found) }
            }
        case .object:
            if isItem(value, marker: marker) {
                found.append(value)
                return
            }
            var hasContainer = false
            for child in value.children where child.kind == .array || child.kind == .object {
                hasContainer = true
                collectItems(child, marker: marker, into: &found)
            }
            if !hasContainer && hasContent(value) { found.append(value) }
        case .null, .true, .false, .number, .string:
            return
        }
    }

    private static func isItem(_ object: RecordView, marker: String) -> Bool {
        value(object, marker) != nil
    }

    /// Whether a value holds anything: a non-blank scalar, or a container with such a scalar inside.
    static func hasContent(_ value: RecordView) -> Bool {
        switch value.kind {
        case .null: return false
        case .true, .false, .number: return true
        case .string: return !value.withTextBytes(isBlank)
        case .array, .object: return value.children.contains(where: hasContent)
        }
    }

    /// The scalar a text is read from: the value itself, or an object's `#text`.
    private static func scalar(_ value: RecordView) -> RecordView? {
        var scalar = value
        if value.kind == .object {
            guard let inner = value["#text"] else { return nil }
            scalar = inner
        }
        switch scalar.kind {
        case .string, .number, .true, .false: return scalar
        case .null, .array, .object: return nil
        }
    }

    /// The positions of `bytes` without leading and trailing ASCII whitespace (as `TextScan.trimmed`).
    private static func trimmedRange(_ bytes: UnsafeBufferPointer<UInt8>) -> Range<Int> {
        TextTrimming.asciiTrimmedRange(bytes)
    }

    /// Whether `bytes` are empty or only ASCII spaces, tabs, CR/LF and no-break spaces (as
    /// `TextScan.isBlank`).
    private static func isBlank(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { TextTrimming.isBlank(bytes) }
}
