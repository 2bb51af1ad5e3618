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
final class XMLPushParser {
    private var context: xmlParserCtxtPtr?
    private let assembler: XMLRecordAssembler
    private let sourceName: String
    private let maxTextBytes: Int
    /// Interned element names, keyed by libxml2's dictionary pointer (stable for the context's life).
    private var elementNames: [UnsafeRawPointer: String] = [:]
    /// Interned attribute keys (`@name`), keyed the same way.
    private var attributeKeys: [UnsafeRawPointer: String] = [:]
    /// The first failure seen by a callback; callbacks cannot throw, so they stop the parser and
    /// leave it here.
    private(set) var failure: DebtflowError?

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
        let created = firstBytes.withUnsafeBufferPointer { bytes in
            bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
                xmlCreatePushParserCtxt(&handler, me, chars, Int32(bytes.count), sourceName)
            }
        }
        guard let created else {
            throw DebtflowError.input("cannot create the XML parser", location: .init(file: sourceName))
        }
        context = created
        _ = xmlCtxtUseOptions(created, Int32(XML_PARSE_NONET.rawValue))
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
    }

    /// Feeds the next bytes; `terminate` at the end of the input.
    /// - Throws: the first error (malformed XML, entity declaration) as a ``DebtflowError``.
    func feed(_ bytes: UnsafeRawBufferPointer, terminate: Bool) throws {
        guard let context else { return }
        let status = xmlParseChunk(context, bytes.baseAddress?.assumingMemoryBound(to: CChar.self),
                                   Int32(bytes.count), terminate ? 1 : 0)
        if let failure { throw failure }
        if status != 0 {
            if let error = xmlCtxtGetLastError(context) {
                throw Self.inputError(error.pointee, sourceName: sourceName)
            }
            throw DebtflowError.input("malformed XML", location: .init(file: sourceName, line: currentLine))
        }
    }

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
        let name = internedName(localname)
        guard assembler.wantsElement(named: name) else { return }
        assembler.startElement(name, line: currentLine)
        defer { if assembler.recordIsTooLarge { stopForOversizeRecord() } }
        guard attributeCount > 0, let attributes else { return }
        // Five pointers per attribute: localname, prefix, URI, value start, value end.
        for index in 0..<attributeCount {
            let base = index * 5
            guard let attributeName = attributes[base], let start = attributes[base + 3],
                  let end = attributes[base + 4] else { continue }
            let value = Self.attributeValue(UnsafeBufferPointer(start: start, count: end - start))
            assembler.addAttribute(internedAttributeKey(attributeName), value)
        }
    }

    fileprivate func endElement() {
        guard failure == nil else { return }
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
        stop(with: Self.inputError(error, sourceName: sourceName))
    }

    // MARK: - Helpers

    private func internedName(_ pointer: UnsafePointer<xmlChar>) -> String {
        let key = UnsafeRawPointer(pointer)
        if let name = elementNames[key] { return name }
        let name = String(cString: pointer)
        elementNames[key] = name
        return name
    }

    private func internedAttributeKey(_ pointer: UnsafePointer<xmlChar>) -> String {
        let key = UnsafeRawPointer(pointer)
        if let name = attributeKeys[key] { return name }
        let name = "@" + String(cString: pointer)
        attributeKeys[key] = name
        return name
    }

    /// An attribute value as libxml2 hands it over without entity substitution: `&` arrives
    /// re-escaped as `&#38;` (for a tree builder to decode), so that is undone here.
    private static func attributeValue(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard bytes.contains(UInt8(ascii: "&")) else { return String(decoding: bytes, as: UTF8.self) }
        let escaped: [UInt8] = Array("&#38;".utf8)
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "&"), index + 5 <= bytes.count,
               bytes[index..<index + 5].elementsEqual(escaped) {
                decoded.append(UInt8(ascii: "&"))
                index += 5
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func inputError(_ error: xmlError, sourceName: String) -> DebtflowError {
        var cause = error.message.map { String(cString: $0) } ?? "unknown libxml2 error \(error.code)"
        while let last = cause.last, last == "\n" || last == " " { cause.removeLast() }
        let column = error.int2 > 0 ? Int(error.int2) : nil
        return .input("malformed XML", location: .init(file: sourceName, line: Int(error.line), column: column),
                      cause: cause)
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
