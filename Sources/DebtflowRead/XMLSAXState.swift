import CLibXML2
import DebtflowCore

/// Everything libxml2's SAX callbacks read and change, kept at one fixed address that the
/// ``XMLPushParser`` allocates and hands to libxml2 as the callbacks' user data.
///
/// A callback reaches it as `UnsafeMutablePointer<XMLSAXState>` and mutates it in place: no
/// class instance to retain and release per event, no dynamic exclusivity check per access to a
/// class's stored property (together about a fifth of W3's reader before this layout). Only the
/// parser thread touches it, one callback at a time.
///
/// Limits of our own: elements nest at most ``XMLPushParser/maxDepth`` levels in the whole
/// document (libxml2 2.9 does not bound a SAX parser's depth) and an element carries at most
/// ``XMLPushParser/maxAttributes`` attributes.
struct XMLSAXState {
    /// The parser context, to stop it and to ask where it is (set once it exists).
    var context: xmlParserCtxtPtr?
    /// Builds the records from the events.
    var assembler: XMLRecordAssembler
    let sourceName: String
    let maxTextBytes: Int
    /// The assembler's ids of element names and of attribute keys (`@name`), keyed by libxml2's
    /// dictionary pointer (stable for the context's life).
    private var elementNames = XMLNamePointerTable()
    private var attributeKeys = XMLNamePointerTable()
    /// Whether ``failure`` is set (a plain flag: every callback checks it first, and testing
    /// the optional error there cost a generic enum-tag call per event). Events after a failure
    /// are ignored.
    private(set) var stopped = false
    /// The first failure seen by a callback; callbacks cannot throw, so they stop the parser and
    /// leave it here.
    private(set) var failure: DebtflowError?
    /// How many elements are open (the document element is depth 1).
    private(set) var depth = 0
    /// The parser was told the input ended (its last feed): an error with elements still open
    /// is then a document cut short.
    var inputEnded = false
    /// Whether the document element has started.
    private(set) var sawElement = false
    /// A message libxml2 printed through its generic error function, for the error it goes with.
    var genericMessage = ""

    init(sourceName: String, assembler: XMLRecordAssembler, maxTextBytes: Int) {
        self.sourceName = sourceName
        self.assembler = assembler
        self.maxTextBytes = maxTextBytes
    }

    /// The line libxml2 is at.
    var currentLine: Int { context.map { Int(xmlSAX2GetLineNumber($0)) } ?? 0 }
    private var currentColumn: Int { context.map { Int(xmlSAX2GetColumnNumber($0)) } ?? 0 }

    private mutating func stop(with error: DebtflowError) {
        if failure == nil { failure = error }
        stopped = true
        if let context { xmlStopParser(context) }
    }

    // MARK: - Events (called from the C callbacks)

    mutating func startElement(_ localname: UnsafePointer<xmlChar>, attributeCount: Int,
                               attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard !stopped else { return }
        sawElement = true
        depth += 1
        let name = nameID(localname)
        if depth > XMLPushParser.maxDepth {
            stop(with: .input("XML nesting deeper than \(XMLPushParser.maxDepth) levels (<\(assembler.name(name))> opens level \(depth)); "
                              + "is an element left unclosed, or is the document built to exhaust the reader?",
                              location: .init(file: sourceName, line: currentLine, column: currentColumn)))
            return
        }
        if attributeCount > XMLPushParser.maxAttributes {
            stop(with: .input("the element <\(assembler.name(name))> carries \(attributeCount) attributes, more than the "
                              + "\(XMLPushParser.maxAttributes) accepted on one element",
                              location: .init(file: sourceName, line: currentLine, column: currentColumn)))
            return
        }
        guard assembler.wantsElement(name) else { return }
        // The line is asked of libxml2 only where a record starts (the one place it is kept).
        assembler.startElement(name, line: assembler.isInsideRecord ? 0 : currentLine)
        if attributeCount > 0, let attributes {
            // Five pointers per attribute: localname, prefix, URI, value start, value end.
            let qualified = Self.prefixedAttributesSharingALocalName(attributes, count: attributeCount)
            for index in 0..<attributeCount {
                let base = index * 5
                guard let attributeName = attributes[base], let start = attributes[base + 3],
                      let end = attributes[base + 4] else { continue }
                let key: Int
                if qualified.contains(index), let prefix = attributes[base + 1] {
                    // `@x:id` beside `@id`: a record's keys are unique.
                    let name = Self.bytes(prefix) + [UInt8(ascii: ":")] + Self.bytes(attributeName)
                    key = name.withUnsafeBufferPointer { assembler.nameID($0, attribute: true) }
                } else {
                    key = attributeKeyID(attributeName)
                }
                assembler.addAttribute(key, rawValue: UnsafeBufferPointer(start: start, count: end - start))
            }
        }
        if assembler.recordIsTooLarge { stopForOversizeRecord() }
    }

    mutating func endElement() {
        guard !stopped else { return }
        depth -= 1
        assembler.endElement()
    }

    mutating func characters(_ bytes: UnsafePointer<xmlChar>, count: Int) {
        guard !stopped, assembler.isInsideRecord, count > 0 else { return }
        let held = assembler.characters(UnsafeBufferPointer(start: bytes, count: count))
        // The record's limit is told first: when one piece of text takes both past their limits
        // (where libxml2 cuts the text depends on how the input was fed), the record is what the
        // operator configured (`max_record_bytes`).
        if assembler.recordIsTooLarge {
            stopForOversizeRecord()
        } else if held > maxTextBytes {
            stop(with: .input("an XML element holds more than \(maxTextBytes) bytes of text",
                              location: .init(file: sourceName, line: currentLine, column: currentColumn)))
        }
    }

    private mutating func stopForOversizeRecord() {
        let record = assembler.currentRecord
        stop(with: .input("the <\(assembler.recordElement)> record starting on line \(record.line ?? currentLine) "
                          + "is longer than \(assembler.maxRecordBytes) bytes (the XML record size limit); "
                          + "is the record element never closed, or is \"record\" set to the document's root?",
                          location: .init(file: sourceName, line: currentLine, record: record.number)))
    }

    mutating func entityDeclared(_ name: UnsafePointer<xmlChar>?) {
        let entity = name.map { String(cString: $0) } ?? "?"
        stop(with: .input("the XML document declares an entity (<!ENTITY \(entity) …>); entity declarations are refused",
                          location: .init(file: sourceName, line: currentLine, column: currentColumn)))
    }

    mutating func reported(_ error: xmlError) {
        let isUndeclaredEntity = error.code == Int32(XML_WAR_UNDECLARED_ENTITY.rawValue)
            || error.code == Int32(XML_ERR_UNDECLARED_ENTITY.rawValue)
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue || isUndeclaredEntity else { return }
        guard error.code != Int32(XML_ERR_USER_STOP.rawValue) else { return }
        // Namespace errors (an undeclared prefix in a legacy export) do not matter: prefixes are
        // dropped from keys anyway. XML 1.0 well-formedness errors do.
        guard error.domain != Int32(XML_FROM_NAMESPACE.rawValue) else { return }
        stop(with: inputError(error))
    }

    /// An error libxml2 raised without a parser context (an encoding conversion, an I/O layer):
    /// kept for the feed to throw, but the parser is not stopped from here, since libxml2 is in
    /// the middle of its input layer and stops the parse itself.
    mutating func reportedOutsideParser(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue, failure == nil else { return }
        failure = inputError(error)
        stopped = true
    }

    // MARK: - Helpers

    private mutating func nameID(_ pointer: UnsafePointer<xmlChar>) -> Int {
        if let id = elementNames.id(of: pointer) { return id }
        let id = assembler.nameID(UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer))))
        elementNames.insert(pointer, id: id)
        return id
    }

    /// The attributes (by index) that keep their prefix in their key: a prefixed attribute whose
    /// local name another attribute of the element has too (`id` and `x:id`, which would both be
    /// `@id`). Empty, at the cost of one look per attribute, when no attribute has a prefix.
    static func prefixedAttributesSharingALocalName(_ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>,
                                                    count: Int) -> Set<Int> {
        guard (0..<count).contains(where: { attributes[$0 * 5 + 1] != nil }) else { return [] }
        var uses: [[UInt8]: Int] = [:]
        for index in 0..<count {
            if let name = attributes[index * 5] { uses[bytes(name), default: 0] += 1 }
        }
        var qualified: Set<Int> = []
        for index in 0..<count {
            guard attributes[index * 5 + 1] != nil, let name = attributes[index * 5], uses[bytes(name), default: 0] > 1 else { continue }
            qualified.insert(index)
        }
        return qualified
    }

    /// A NUL-terminated libxml2 string's bytes.
    static func bytes(_ pointer: UnsafePointer<xmlChar>) -> [UInt8] {
        Array(UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer))))
    }

    private mutating func attributeKeyID(_ pointer: UnsafePointer<xmlChar>) -> Int {
        if let id = attributeKeys.id(of: pointer) { return id }
        let id = assembler.nameID(UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer))), attribute: true)
        attributeKeys.insert(pointer, id: id)
        return id
    }

    /// libxml2's error as the run's error: what is wrong in our words where we know the case,
    /// libxml2's own reason as the cause, and the line and column it gives (else where the
    /// parser is).
    func inputError(_ error: xmlError) -> DebtflowError {
        var cause = Self.trimmed(error.message.map { String(cString: $0) } ?? "unknown libxml2 error \(error.code)")
        if !genericMessage.isEmpty { cause += "; " + Self.trimmed(genericMessage) }
        let line = error.line > 0 ? Int(error.line) : currentLine
        let column = error.int2 > 0 ? Int(error.int2) : (error.line > 0 ? nil : currentColumn)
        let message: String
        switch Int(error.code) {
        case let code where inputEnded && depth > 0 && Self.endOfInputErrors.contains(code):
            message = "malformed XML: the document ends with \(depth) element\(depth == 1 ? "" : "s") still open; is the file cut "
                + "short (a truncated download or export)?"
        case Int(XML_ERR_DOCUMENT_EMPTY.rawValue) where !sawElement, Int(XML_ERR_DOCUMENT_END.rawValue) where !sawElement:
            message = "the XML input holds no document element (it is empty, or only whitespace, comments "
                + "or an XML declaration)"
        case Int(XML_ERR_INTERNAL_ERROR.rawValue) where cause.contains("Huge input lookup"):
            message = "an XML tag, comment or text run longer than 10,000,000 bytes (libxml2's limit); "
                + "is a quote or '>' missing, or is an element flooded with attributes?"
        case Int(XML_I18N_CONV_FAILED.rawValue), Int(XML_ERR_INVALID_ENCODING.rawValue):
            message = "the XML input holds bytes that are not valid in its encoding (the one its <?xml … "
                + "encoding=\"…\"?> declaration or byte-order mark names, else UTF-8)"
        case Int(XML_ERR_ATTRIBUTE_REDEFINED.rawValue):
            message = "malformed XML: an element repeats an attribute"
        case Int(XML_ERR_NAME_TOO_LONG.rawValue):
            message = "an XML name longer than 50,000 bytes (libxml2's limit)"
        default:
            message = cause.contains("too long") || cause.contains("huge") || cause.contains("Huge")
                ? "an XML value longer than libxml2's limit (10,000,000 bytes)" : "malformed XML"
        }
        return .input(message, location: .init(file: sourceName, line: line, column: column), cause: cause)
    }

    /// The errors libxml2 gives when the input stops inside the document, whatever it calls them
    /// ("Extra content at the end of the document" for a file that ends in `<`).
    static let endOfInputErrors = Set([XML_ERR_DOCUMENT_END, XML_ERR_TAG_NOT_FINISHED, XML_ERR_LTSLASH_REQUIRED,
                                       XML_ERR_GT_REQUIRED].map { Int($0.rawValue) })

    /// libxml2's message on one line: trimmed, its inner line breaks made spaces.
    static func trimmed(_ text: String) -> String {
        var text = text
        while let last = text.last, last == "\n" || last == " " { text.removeLast() }
        while let first = text.first, first == "\n" || first == " " { text.removeFirst() }
        return text.contains("\n") ? text.split(separator: "\n").joined(separator: " ") : text
    }
}
