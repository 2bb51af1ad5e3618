#if canImport(Glibc)
import Glibc
#endif

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
    private enum State {
        case text
        /// Just after `<`.
        case tagStart
        /// In a start tag, outside quotes.
        case startTag
        /// In a start tag's quoted value, until the byte held.
        case quoted(UInt8)
        /// In an end tag or `<!…>` / `<?…>` markup: nothing counted until `>`.
        case otherMarkup
    }

    /// The most `=` one start tag may hold.
    let maxAttributes: Int
    private var state = State.text
    private var attributes = 0
    /// The 1-based line of the next byte.
    private(set) var line = 1

    init(maxAttributes: Int) {
        self.maxAttributes = maxAttributes
    }

    /// Scans the next bytes of the document.
    /// - Returns: `false` once a start tag holds more than ``maxAttributes`` attributes (``line``
    ///   is then the line where that happened).
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Bool {
        // The state lives in locals while scanning, and text (most of a document) is skipped to
        // the next `<` with memchr: this scan runs over every byte before libxml2 does.
        var state = self.state
        var attributes = self.attributes
        var line = self.line
        defer {
            self.state = state
            self.attributes = attributes
            self.line = line
        }
        var index = 0
        let count = bytes.count
        while index < count {
            if case .text = state {
                // To the next `<` (memchr), counting the line breaks on the way (branch-free).
                let base = bytes.baseAddress!
                let found = memchr(base + index, 0x3C, count - index)
                let stop = found.map { base.distance(to: UnsafeRawPointer($0)) } ?? count
                var breaks = 0
                while index < stop {
                    breaks &+= bytes[index] == 0x0A ? 1 : 0
                    index += 1
                }
                line += breaks
                if found != nil {
                    index += 1
                    state = .tagStart
                }
                continue
            }
            let byte = bytes[index]
            index += 1
            if byte == 0x0A { line += 1 }
            switch state {
            case .text:
                break
            case .tagStart:
                switch byte {
                case 0x21, 0x3F, 0x2F: state = .otherMarkup                   // ! ? /
                default:
                    state = .startTag
                    attributes = 0
                }
            case .startTag:
                switch byte {
                case 0x22, 0x27: state = .quoted(byte)                          // " '
                case 0x3E: state = .text                                        // >
                case 0x3D:                                                      // =
                    attributes += 1
                    if attributes > maxAttributes { return false }
                default: break
                }
            case .quoted(let quote):
                if byte == quote { state = .startTag }
            case .otherMarkup:
                if byte == 0x3E { state = .text }
            }
        }
        return true
    }
}
