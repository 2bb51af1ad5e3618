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
/// structured error handlers point at this parser's state (messages without a parser context,
/// such as encoding conversion failures, arrive there), so every problem becomes the run's one
/// error, with line, column and reason.
///
/// What the callbacks work on is an ``XMLSAXState`` at a fixed address owned by this parser
/// (libxml2's user data), reached through a plain pointer: no retain, release or exclusivity
/// check per event.
final class XMLPushParser {
    /// The deepest element nesting accepted, in the whole document, inside and outside records.
    static let maxDepth = 512
    /// The most attributes one element may carry.
    static let maxAttributes = 10_000

    private var context: xmlParserCtxtPtr?
    /// The callbacks' state (and the records' assembler), allocated here, freed in `deinit`.
    private let state: UnsafeMutablePointer<XMLSAXState>
    /// Where libxml2's generic messages are sent while this parser runs (see ``withErrorCapture(_:)``).
    private let messageSink = UnsafeMutablePointer<CLibXML2_MessageSink>.allocate(capacity: 1)

    /// - Parameters:
    ///   - firstBytes: the input's first bytes (up to 4 are enough) for encoding detection.
    ///   - maxTextBytes: the most text one element inside a record may hold.
    init(sourceName: String, assembler: XMLRecordAssembler, firstBytes: [UInt8], maxTextBytes: Int) throws {
        _ = libxml2Initialized
        state = .allocate(capacity: 1)
        state.initialize(to: XMLSAXState(sourceName: sourceName, assembler: assembler, maxTextBytes: maxTextBytes))
        var handler = Self.makeHandler()
        let userData = UnsafeMutableRawPointer(state)
        let created = withErrorCapture {
            firstBytes.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                    xmlCreatePushParserCtxt(&handler, userData, chars, Int32(bytes.count), sourceName)
                }
            }
        }
        guard let created else {
            let message = state.pointee.genericMessage
            throw DebtflowError.input("cannot create the XML parser", location: .init(file: sourceName),
                                      cause: message.isEmpty ? nil : XMLSAXState.trimmed(message))
        }
        context = created
        state.pointee.context = created
        _ = xmlCtxtUseOptions(created, Int32(XML_PARSE_NONET.rawValue))
    }

    deinit {
        if let context { withErrorCapture { xmlFreeParserCtxt(context) } }
        state.deinitialize(count: 1)
        state.deallocate()
        messageSink.deallocate()
    }

    /// Runs `body` (a call into libxml2) with this thread's libxml2 error output routed to this
    /// parser's state, and libxml2's defaults back afterwards (the thread may serve another
    /// parser next).
    private func withErrorCapture<Result>(_ body: () throws -> Result) rethrows -> Result {
        let userData = UnsafeMutableRawPointer(state)
        messageSink.pointee = CLibXML2_MessageSink(callback: { context, message in
            guard let context, let message else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee.genericMessage += String(cString: message)
        }, context: userData)
        CLibXML2_setErrorHandlers(messageSink, { context, error in
            guard let context, let error else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee.reportedOutsideParser(error.pointee)
        }, userData)
        defer { CLibXML2_setErrorHandlers(nil, nil, nil) }
        return try body()
    }

    /// Feeds the next bytes; `terminate` at the end of the input.
    /// - Throws: the first error (malformed XML, entity declaration) as a ``DebtflowError``.
    func feed(_ bytes: UnsafeRawBufferPointer, terminate: Bool) throws {
        guard let context else { return }
        if terminate { state.pointee.inputEnded = true }
        let status = withErrorCapture {
            xmlParseChunk(context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                          Int32(bytes.count), terminate ? 1 : 0)
        }
        if let failure = state.pointee.failure { throw failure }
        let genericMessage = state.pointee.genericMessage
        if status != 0 {
            if let error = xmlCtxtGetLastError(context) {
                throw state.pointee.inputError(error.pointee)
            }
            throw DebtflowError.input("malformed XML", location: .init(file: state.pointee.sourceName, line: state.pointee.currentLine),
                                      cause: genericMessage.isEmpty ? nil : XMLSAXState.trimmed(genericMessage))
        }
        if !genericMessage.isEmpty {
            // A message libxml2 gave without failing the parse: an error all the same (libxml2
            // only prints this way when something went wrong, such as an encoding conversion).
            throw DebtflowError.input("malformed XML", location: .init(file: state.pointee.sourceName, line: state.pointee.currentLine),
                                      cause: XMLSAXState.trimmed(genericMessage))
        }
        if terminate && !state.pointee.sawElement {
            throw DebtflowError.input("the XML input holds no document element (it is empty, or only whitespace, "
                                      + "comments or an XML declaration)", location: .init(file: state.pointee.sourceName))
        }
    }

    /// How many records are complete and not handed out yet.
    var completedCount: Int { state.pointee.assembler.completedCount }

    /// Up to `limit` complete records, in document order (see ``XMLRecordAssembler/takeRecords(max:)``).
    func takeRecords(max limit: Int) -> [Record] { state.pointee.assembler.takeRecords(max: limit) }

    /// The SAX2 handler: only what the reader needs; no tree building, no entity resolution, no
    /// external subset. Every callback's context is the parser's ``XMLSAXState``.
    private static func makeHandler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        handler.startElementNs = { context, localname, _, _, _, _, attributeCount, _, attributes in
            guard let context, let localname else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee
                .startElement(localname, attributeCount: Int(attributeCount), attributes: attributes)
        }
        handler.endElementNs = { context, _, _, _ in
            guard let context else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee.endElement()
        }
        let characters: charactersSAXFunc = { context, bytes, count in
            guard let context, let bytes else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee.characters(bytes, count: Int(count))
        }
        handler.characters = characters
        handler.cdataBlock = characters
        handler.entityDecl = { context, name, _, _, _, _ in
            guard let context else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee.entityDeclared(name)
        }
        handler.unparsedEntityDecl = { context, name, _, _, _ in
            guard let context else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee.entityDeclared(name)
        }
        handler.internalSubset = { _, _, _, _ in
            // A DOCTYPE alone is harmless: its entity declarations each reach `entityDecl`, and
            // no external subset is ever loaded (no `externalSubset` callback, no DTDLOAD).
        }
        handler.serror = { context, error in
            guard let context, let error else { return }
            context.assumingMemoryBound(to: XMLSAXState.self).pointee.reported(error.pointee)
        }
        return handler
    }
}
