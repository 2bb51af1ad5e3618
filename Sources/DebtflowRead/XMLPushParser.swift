import CLibXML2
import DebtflowCore

/// Makes libxml2 ready once per process (its global tables).
private let libxml2Initialized: Void = { xmlInitParser() }()

/// The one Swift owner of a libxml2 SAX2 push-parser context, fed with our own bytes.
///
/// Hardened per DESIGN §4: options are `XML_PARSE_NONET` only (never `NOENT`, `DTDLOAD` or
/// `HUGE`); no external-subset or entity-resolving callbacks are installed; any entity
/// declaration (`entityDecl`, also inside a DOCTYPE internal subset) stops the parser with an
/// input error before anything could be expanded or loaded. Errors and warnings arrive through
/// the structured-error callback; errors (and the undeclared-entity warning) stop the parse.
///
/// Nothing libxml2 says reaches stderr: around every call into libxml2 its thread's generic and
/// structured error handlers point at this parser (messages without a parser context, such as
/// encoding conversion failures, arrive there), so every problem becomes the run's one error,
/// with line, column and reason. Limits of our own: elements nest at most ``maxDepth`` levels in
/// the whole document (libxml2 2.9 does not bound a SAX parser's depth) and an element carries at
/// most ``maxAttributes`` attributes.
final class XMLPushParser {
    /// The deepest element nesting accepted, in the whole document, inside and outside records.
    static let maxDepth = 512
    /// The most attributes one element may carry.
    static let maxAttributes = 10_000

    private var context: xmlParserCtxtPtr?
    /// Builds the records from this parser's events (a struct it owns: see its notes).
    private var assembler: XMLRecordAssembler
    private let sourceName: String
    private let maxTextBytes: Int
    /// The assembler's ids of element names, keyed by libxml2's dictionary pointer (stable for
    /// the context's life).
    private var elementNames: [UnsafeRawPointer: Int] = [:]
    /// The assembler's ids of attribute keys (`@name`), keyed the same way.
    private var attributeKeys: [UnsafeRawPointer: Int] = [:]
    /// The first failure seen by a callback; callbacks cannot throw, so they stop the parser and
    /// leave it here.
    private(set) var failure: DebtflowError?
    /// How many elements are open (the document element is depth 1).
    private var depth = 0
    /// Whether the document element has started.
    private var sawElement = false
    /// A message libxml2 printed through its generic error function, for the error it goes with.
    private var genericMessage = ""
    /// Where libxml2's generic messages are sent while this parser runs (see ``withErrorCapture(_:)``).
    private let messageSink = UnsafeMutablePointer<CLibXML2_MessageSink>.allocate(capacity: 1)

    /// - Parameters:
    ///   - firstBytes: the input's first bytes (up to 4 are enough) for encoding detection.
    ///   - maxTextBytes: the most text one element inside a record may hold.
    init(sourceName: String, assembler: XMLRecordAssembler, firstBytes: [UInt8], maxTextBytes: Int) throws {
        _ = libxml2Initialized
        self.sourceName = sourceName
        self.maxTextBytes = maxTextBytes
        self.assembler = assembler
        var handler = Self.makeHandler()
        let me = Unmanaged.passUnretained(self).toOpaque()
        let created = withErrorCapture {
            firstBytes.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                    xmlCreatePushParserCtxt(&handler, me, chars, Int32(bytes.count), sourceName)
                }
            }
        }
        guard let created else {
            throw DebtflowError.input("cannot create the XML parser", location: .init(file: sourceName),
                                      cause: genericMessage.isEmpty ? nil : Self.trimmed(genericMessage))
        }
        context = created
        _ = xmlCtxtUseOptions(created, Int32(XML_PARSE_NONET.rawValue))
    }

    deinit {
        if let context { withErrorCapture { xmlFreeParserCtxt(context) } }
        messageSink.deallocate()
    }

    /// Runs `body` (a call into libxml2) with this thread's libxml2 error output routed to this
    /// parser, and libxml2's defaults back afterwards (the thread may serve another parser next).
    private func withErrorCapture<Result>(_ body: () throws -> Result) rethrows -> Result {
        let me = Unmanaged.passUnretained(self).toOpaque()
        messageSink.pointee = CLibXML2_MessageSink(callback: { context, message in
            guard let context, let message else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue().genericMessage += String(cString: message)
        }, context: me)
        CLibXML2_setErrorHandlers(messageSink, { context, error in
            guard let context, let error else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue().reportedOutsideParser(error.pointee)
        }, me)
        defer { CLibXML2_setErrorHandlers(nil, nil, nil) }
        return try body()
    }

    /// Feeds the next bytes; `terminate` at the end of the input.
    /// - Throws: the first error (malformed XML, entity declaration) as a ``DebtflowError``.
    func feed(_ bytes: UnsafeRawBufferPointer, terminate: Bool) throws {
        guard let context else { return }
        let status = withErrorCapture {
            xmlParseChunk(context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                          Int32(bytes.count), terminate ? 1 : 0)
        }
        if let failure { throw failure }
        if status != 0 {
            if let error = xmlCtxtGetLastError(context) {
                throw inputError(error.pointee)
            }
            throw DebtflowError.input("malformed XML", location: .init(file: sourceName, line: currentLine),
                                      cause: genericMessage.isEmpty ? nil : Self.trimmed(genericMessage))
        }
        if !genericMessage.isEmpty {
            // A message libxml2 gave without failing the parse: an error all the same (libxml2
            // only prints this way when something went wrong, such as an encoding conversion).
            throw DebtflowError.input("malformed XML", location: .init(file: sourceName, line: currentLine),
                                      cause: Self.trimmed(genericMessage))
        }
        if terminate && !sawElement {
            throw DebtflowError.input("the XML input holds no document element (it is empty, or only whitespace, "
                                      + "comments or an XML declaration)", location: .init(file: sourceName))
        }
    }

    /// How many records are complete and not handed out yet.
    var completedCount: Int { assembler.completedCount }

    /// Up to `limit` complete records, in document order (see ``XMLRecordAssembler/takeRecords(max:)``).
    func takeRecords(max limit: Int) -> [Record] { assembler.takeRecords(max: limit) }

    /// The line libxml2 is at.
    private var currentLine: Int { context.map { Int(xmlSAX2GetLineNumber($0)) } ?? 0 }
    private var currentColumn: Int { context.map { Int(xmlSAX2GetColumnNumber($0)) } ?? 0 }

    private func stop(with error: DebtflowError) {
        if failure == nil { failure = error }
        if let context { xmlStopParser(context) }
    }

    // MARK: - Events (called from the C callbacks)

    fileprivate func startElement(_ localname: UnsafePointer<xmlChar>, attributeCount: Int,
                                  attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard failure == nil else { return }
        sawElement = true
        depth += 1
        let name = nameID(localname)
        if depth > Self.maxDepth {
            stop(with: .input("XML nesting deeper than \(Self.maxDepth) levels (<\(assembler.name(name))> opens level \(depth)); "
                              + "is an element left unclosed, or is the document built to exhaust the reader?",
                              location: .init(file: sourceName, line: currentLine, column: currentColumn)))
            return
        }
        if attributeCount > Self.maxAttributes {
            stop(with: .input("the element <\(assembler.name(name))> carries \(attributeCount) attributes, more than the "
                              + "\(Self.maxAttributes) accepted on one element",
                              location: .init(file: sourceName, line: currentLine, column: currentColumn)))
            return
        }
        guard assembler.wantsElement(name) else { return }
        assembler.startElement(name, line: currentLine)
        defer { if assembler.recordIsTooLarge { stopForOversizeRecord() } }
        guard attributeCount > 0, let attributes else { return }
        // Five pointers per attribute: localname, prefix, URI, value start, value end.
        for index in 0..<attributeCount {
            let base = index * 5
            guard let attributeName = attributes[base], let start = attributes[base + 3],
                  let end = attributes[base + 4] else { continue }
            assembler.addAttribute(attributeKeyID(attributeName), rawValue: UnsafeBufferPointer(start: start, count: end - start))
        }
    }

    fileprivate func endElement() {
        guard failure == nil else { return }
        depth -= 1
        assembler.endElement()
    }

    fileprivate func characters(_ bytes: UnsafePointer<xmlChar>, count: Int) {
        guard failure == nil, assembler.isInsideRecord, count > 0 else { return }
        let held = assembler.characters(UnsafeBufferPointer(start: bytes, count: count))
        if held > maxTextBytes {
            stop(with: .input("an XML element holds more than \(maxTextBytes) bytes of text",
                              location: .init(file: sourceName, line: currentLine, column: currentColumn)))
        } else if assembler.recordIsTooLarge {
            stopForOversizeRecord()
        }
    }

    private func stopForOversizeRecord() {
        let record = assembler.currentRecord
        stop(with: .input("the <\(assembler.recordElement)> record starting on line \(record.line ?? currentLine) "
                          + "is longer than \(assembler.maxRecordBytes) bytes (the XML record size limit); "
                          + "is the record element never closed, or is \"record\" set to the document's root?",
                          location: .init(file: sourceName, line: currentLine, record: record.number)))
    }

    fileprivate func entityDeclared(_ name: UnsafePointer<xmlChar>?) {
        let entity = name.map { String(cString: $0) } ?? "?"
        stop(with: .input("the XML document declares an entity (<!ENTITY \(entity) …>); entity declarations are refused",
                          location: .init(file: sourceName, line: currentLine, column: currentColumn)))
    }

    fileprivate func reported(_ error: xmlError) {
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
    fileprivate func reportedOutsideParser(_ error: xmlError) {
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue, failure == nil else { return }
        failure = inputError(error)
    }

    // MARK: - Helpers

    private func nameID(_ pointer: UnsafePointer<xmlChar>) -> Int {
        let key = UnsafeRawPointer(pointer)
        if let id = elementNames[key] { return id }
        let id = assembler.nameID(UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer))))
        elementNames[key] = id
        return id
    }

    private func attributeKeyID(_ pointer: UnsafePointer<xmlChar>) -> Int {
        let key = UnsafeRawPointer(pointer)
        if let id = attributeKeys[key] { return id }
        let id = assembler.nameID(UnsafeBufferPointer(start: pointer, count: Int(xmlStrlen(pointer))), attribute: true)
        attributeKeys[key] = id
        return id
    }

    /// libxml2's error as the run's error: what is wrong in our words where we know the case,
    /// libxml2's own reason as the cause, and the line and column it gives (else where the
    /// parser is).
    private func inputError(_ error: xmlError) -> DebtflowError {
        var cause = Self.trimmed(error.message.map { String(cString: $0) } ?? "unknown libxml2 error \(error.code)")
        if !genericMessage.isEmpty { cause += "; " + Self.trimmed(genericMessage) }
        let line = error.line > 0 ? Int(error.line) : currentLine
        let column = error.int2 > 0 ? Int(error.int2) : (error.line > 0 ? nil : currentColumn)
        let message: String
        switch Int(error.code) {
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

    private static func trimmed(_ text: String) -> String {
        var text = text
        while let last = text.last, last == "\n" || last == " " { text.removeLast() }
        while let first = text.first, first == "\n" || first == " " { text.removeFirst() }
        return text
    }

    /// The SAX2 handler: only what the reader needs; no tree building, no entity resolution, no
    /// external subset.
    private static func makeHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localname, _, _, _, _, attributeCount, _, attributes in
            guard let context, let localname else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue()
                .startElement(localname, attributeCount: Int(attributeCount), attributes: attributes)
        }
        handler.endElementNs = { context, _, _, _ in
            guard let context else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue().endElement()
        }
        let characters: charactersSAXFunc = { context, bytes, count in
            guard let context, let bytes else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue().characters(bytes, count: Int(count))
        }
        handler.characters = characters
        handler.cdataBlock = characters
        handler.entityDecl = { context, name, _, _, _, _ in
            guard let context else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue().entityDeclared(name)
        }
        handler.unparsedEntityDecl = { context, name, _, _, _ in
            guard let context else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue().entityDeclared(name)
        }
        handler.internalSubset = { _, _, _, _ in
            // A DOCTYPE alone is harmless: its entity declarations each reach `entityDecl`, and
            // no external subset is ever loaded (no `externalSubset` callback, no DTDLOAD).
        }
        handler.serror = { context, error in
            guard let context, let error else { return }
            Unmanaged<XMLPushParser>.fromOpaque(context).takeUnretainedValue().reported(error.pointee)
        }
        return handler
    }
}
