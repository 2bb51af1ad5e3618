/// Counts the attributes of each start tag in the raw bytes before libxml2 sees them, so that an
/// element flooded with attributes is refused before libxml2 2.9 checks them for duplicates, which
/// takes time quadratic in their number (150,000 attributes: half a minute of CPU; a 10 MB tag:
/// hours).
///
/// A cheap byte scan, not a parser: in a start tag (`<` then a name), every `=` outside quotes
/// is an attribute; `<!…>` and `<?…?>` markup (comments, CDATA, DOCTYPE, processing
/// instructions) and end tags are not counted. Only for ASCII-compatible encodings: the reader
/// turns it off for UTF-16 and UTF-32.
struct XMLAttributeFloodGuard {
    private enum State: UInt8 {
        case text
        /// Just after `<`.
        case tagStart
        /// In a start tag, outside quotes.
        case startTag
        /// In a start tag's quoted value, until the byte in ``quote``.
        case quoted
        /// In an end tag or `<!…>` / `<?…>` markup: nothing counted until `>`.
        case otherMarkup
    }

    /// The most `=` one start tag may hold.
    let maxAttributes: Int
    private var state = State.text
    /// The quote that ends the value being scanned (in ``State/quoted``).
    private var quote: UInt8 = 0
    private var attributes = 0
    /// The 1-based line of the next byte (after a refusal: the line of the `=` refused).
    private(set) var line = 1

    init(maxAttributes: Int) {
        self.maxAttributes = maxAttributes
    }

    /// Scans the next bytes of the document.
    /// - Returns: `false` once a start tag holds more than ``maxAttributes`` attributes (``line``
    ///   is then the line where that happened).
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let start = bytes.baseAddress, bytes.count > 0 else { return true }
        let base = start.assumingMemoryBound(to: UInt8.self)
        // This scan runs over every byte before libxml2 does: the state lives in locals, each
        // state runs its own tight loop to the next byte that matters (runs are short in an
        // export: a tag or a value of a few bytes), and lines are counted in a separate pass
        // over the whole read, only their total kept (the line of a refusal is found then).
        var state = self.state
        var quote = self.quote
        var attributes = self.attributes
        defer {
            self.state = state
            self.quote = quote
            self.attributes = attributes
        }
        var index = 0
        let count = bytes.count
        while index < count {
            switch state {
            case .text:
                while index < count && base[index] != 0x3C { index += 1 }                      // <
                if index < count {
                    index += 1
                    state = .tagStart
                }
            case .tagStart:
                let byte = base[index]
                index += 1
                if byte == 0x21 || byte == 0x3F || byte == 0x2F {                              // ! ? /
                    state = .otherMarkup
                } else {
                    state = .startTag
                    attributes = 0
                }
            case .startTag:
                while index < count {
                    let byte = base[index]
                    index += 1
                    if byte == 0x3D {                                                           // =
                        attributes += 1
                        if attributes > maxAttributes {
                            line += Self.lineBreaks(in: UnsafeBufferPointer(start: base, count: index))
                            return false
                        }
                    } else if byte == 0x3E {                                                    // >
                        state = .text
                        break
                    } else if byte == 0x22 || byte == 0x27 {                                    // " '
                        quote = byte
                        state = .quoted
                        break
                    }
                }
            case .quoted:
                while index < count && base[index] != quote { index += 1 }
                if index < count {
                    index += 1
                    state = .startTag
                }
            case .otherMarkup:
                while index < count && base[index] != 0x3E { index += 1 }                      // >
                if index < count {
                    index += 1
                    state = .text
                }
            }
        }
        line += Self.lineBreaks(in: UnsafeBufferPointer(start: base, count: count))
        return true
    }

    /// How many line feeds `bytes` hold (a loop the compiler vectorizes).
    private static func lineBreaks(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var breaks = 0
        for byte in bytes { breaks &+= byte == 0x0A ? 1 : 0 }
        return breaks
    }
}
