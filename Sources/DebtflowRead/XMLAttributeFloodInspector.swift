import DebtflowCore

/// The ``XMLAttributeFloodGuard`` as a ``ByteBlockInspector``: it runs on the read-ahead thread
/// over every read of an XML input before the reader (and so libxml2) gets any of it, and refuses
/// the read that completes a flooded start tag with the reader's input error.
///
/// Like the guard it only counts in ASCII-compatible encodings: the input's first 4 bytes decide
/// (gathered across reads if the source gives fewer at first, or fewer at the end of a short
/// input), as they decide the parser's encoding. In UTF-16 and UTF-32 (a byte-order mark, or a
/// NUL among them) nothing is scanned and libxml2 alone checks attributes. Once the guard is on,
/// it scans every byte from the first, once, in order, keeping its state from one read to the
/// next, so its refusal and its line do not depend on where reads are cut.
struct XMLAttributeFloodInspector: ByteBlockInspector {
    private enum Mode {
        /// Fewer than 4 bytes seen so far: these (already handed out, too few to hold a flood).
        case undecided([UInt8])
        case guarding(XMLAttributeFloodGuard)
        /// UTF-16 or UTF-32: nothing to scan.
        case off
    }

    /// The input's name for the error.
    let sourceName: String
    /// The most attributes one start tag may hold.
    let maxAttributes: Int
    private var mode = Mode.undecided([])

    init(sourceName: String, maxAttributes: Int = XMLPushParser.maxAttributes) {
        self.sourceName = sourceName
        self.maxAttributes = maxAttributes
    }

    /// Whether the guard can read a document that starts with `first` (its first 4 bytes, or all
    /// of a shorter one): no NUL and no UTF-16 byte-order mark.
    static func isASCIICompatible(_ first: [UInt8]) -> Bool {
        !first.contains(0) && !(first.count >= 2 && UTF16ByteOrderMark(first[0], first[1]) != nil)
    }

    mutating func inspect(_ block: UnsafeRawBufferPointer) throws {
        switch mode {
        case .off:
            return
        case .guarding(var floodGuard):
            defer { mode = .guarding(floodGuard) }
            try scan(block, with: &floodGuard)
        case .undecided(var first):
            let taken = min(block.count, 4 - first.count)
            let earlier = first.count
            first += block[0..<taken]
            guard first.count == 4 else {
                mode = .undecided(first)
                return
            }
            guard Self.isASCIICompatible(first) else {
                mode = .off
                return
            }
            var floodGuard = XMLAttributeFloodGuard(maxAttributes: maxAttributes)
            defer { mode = .guarding(floodGuard) }
            // The first bytes handed out with earlier reads, then all of this one.
            try first[0..<earlier].withUnsafeBytes { try scan($0, with: &floodGuard) }
            try scan(block, with: &floodGuard)
        }
    }

    /// Scans `bytes`; throws the reader's input error at a refusal (at the guard's line).
    private func scan(_ bytes: UnsafeRawBufferPointer, with floodGuard: inout XMLAttributeFloodGuard) throws {
        if !floodGuard.scan(bytes) {
            throw DebtflowError.input("an XML element carries more than \(floodGuard.maxAttributes) attributes "
                                      + "(an attribute flood); no export has that many on one element",
                                      location: .init(file: sourceName, line: floodGuard.line))
        }
    }
}
