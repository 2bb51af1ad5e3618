import DebtflowCore

/// Turns SAX events into records: one record per record element, its content converted as in
/// CONTRACT §3 (child elements as keys, attributes as `@name`, repeated children as arrays, text
/// trimmed; an element with only text is a string; one with attributes or children and text keeps
/// the text as `#text`; an empty element is `""`).
///
/// Knows nothing of libxml2: it is fed names, attributes and text as Swift values and bytes.
///
/// A record is built in memory whole, so its size is counted (text, element names, attributes)
/// in ``recordBytes``; the parser stops with an input error once it passes ``maxRecordBytes``.
final class XMLRecordAssembler {
    /// One open element inside a record.
    private struct Frame {
        var name: String
        /// Attributes (`@name`) first, then child elements in document order.
        var fields = RecordObject()
        /// The element's own text, untrimmed, as UTF-8.
        var text: [UInt8] = []
        /// Position in `fields` of each child name, once the element has many children (a
        /// linear search per child would make an element with a million children quadratic).
        var childPositions: [String: Int]?

        init(name: String) {
            self.name = name
        }
    }

    let sourceName: String
    let recordElement: String
    /// The largest record accepted, in bytes of text, names and attributes.
    let maxRecordBytes: Int
    /// The size of the record being built so far (see ``maxRecordBytes``).
    private(set) var recordBytes = 0
    private var frames: [Frame] = []
    private var recordLine: Int?
    private(set) var recordCount = 0
    /// Records completed and not yet handed out.
    var completed: [Record] = []

    init(sourceName: String, recordElement: String, maxRecordBytes: Int = 16 << 20) {
        self.sourceName = sourceName
        self.recordElement = recordElement
        self.maxRecordBytes = maxRecordBytes
    }

    /// Whether the record being built has grown past ``maxRecordBytes``.
    var recordIsTooLarge: Bool { recordBytes > maxRecordBytes }

    /// The 1-based number and start line of the record being built.
    var currentRecord: (number: Int, line: Int?) { (recordCount, recordLine) }

    /// Whether an element is open inside a record (text then matters).
    var isInsideRecord: Bool { !frames.isEmpty }

    /// Whether an element with this name is kept: any element inside a record, or a record
    /// element. The caller converts attributes only for kept elements.
    func wantsElement(named name: String) -> Bool {
        !frames.isEmpty || name == recordElement
    }

    /// Opens an element that ``wantsElement(named:)`` accepted.
    /// - Parameter line: the line where the element is, used when it starts a record.
    func startElement(_ name: String, line: Int) {
        if frames.isEmpty {
            recordCount += 1
            recordLine = line
            recordBytes = 0
        }
        recordBytes += name.utf8.count + 16
        frames.append(Frame(name: name))
    }

    /// Adds an attribute to the element just opened.
    func addAttribute(_ key: String, _ value: String) {
        recordBytes += key.utf8.count + value.utf8.count + 16
        frames[frames.count - 1].fields.append(key, .string(value))
    }

    /// Adds text to the innermost open element.
    /// - Returns: how many bytes of text that element now holds.
    func characters(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        guard !frames.isEmpty else { return 0 }
        recordBytes += bytes.count
        frames[frames.count - 1].text.append(contentsOf: bytes)
        return frames[frames.count - 1].text.count
    }

    /// Closes the innermost open element (no-op outside records).
    func endElement() {
        guard let frame = frames.popLast() else { return }
        let value = Self.value(of: frame)
        if frames.isEmpty {
            let fields: RecordObject
            switch value {
            case .object(let object): fields = object
            case .string(let text) where !text.isEmpty: fields = RecordObject(entries: [.init(key: "#text", value: .string(text))])
            default: fields = RecordObject()
            }
            completed.append(Record(provenance: Provenance(source: sourceName, record: recordCount, line: recordLine),
                                    fields: fields))
        } else {
            Self.addChild(frame.name, value, to: &frames[frames.count - 1])
        }
    }

    private static func value(of frame: Frame) -> RecordValue {
        let text = trimmedText(frame.text)
        if frame.fields.isEmpty { return .string(text) }
        var fields = frame.fields
        if !text.isEmpty { fields.append("#text", .string(text)) }
        return .object(fields)
    }

    /// A repeated child name turns the entry into an array (a child's own value is never an
    /// array, so an array entry always means repetition).
    private static func addChild(_ name: String, _ value: RecordValue, to parent: inout Frame) {
        guard let index = position(of: name, in: &parent) else {
            parent.childPositions?[name] = parent.fields.entries.count
            parent.fields.append(name, value)
            return
        }
        // Move the value out so the array below is uniquely referenced and grows in place
        // (appending to a shared copy would copy it for every repetition).
        var existing = parent.fields.entries[index].value
        parent.fields.entries[index].value = .null
        if case .array(var elements) = existing {
            existing = .null
            elements.append(value)
            parent.fields.entries[index].value = .array(elements)
        } else {
            parent.fields.entries[index].value = .array([existing, value])
        }
    }

    /// Where the child `name` already is among `frame`'s fields: a short linear search, or the
    /// index built once the element has many fields.
    private static func position(of name: String, in frame: inout Frame) -> Int? {
        if let positions = frame.childPositions { return positions[name] }
        let entries = frame.fields.entries
        if entries.count < 16 {
            return entries.lastIndex(where: { $0.key == name })
        }
        var positions: [String: Int] = [:]
        for (index, entry) in entries.enumerated() where !entry.key.hasPrefix("@") { positions[entry.key] = index }
        frame.childPositions = positions
        return positions[name]
    }

    /// The text without leading and trailing XML whitespace (space, tab, CR, LF).
    private static func trimmedText(_ bytes: [UInt8]) -> String {
        var start = 0
        var end = bytes.count
        while start < end, isXMLSpace(bytes[start]) { start += 1 }
        while end > start, isXMLSpace(bytes[end - 1]) { end -= 1 }
        if start == end { return "" }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    @inline(__always) private static func isXMLSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }
}
