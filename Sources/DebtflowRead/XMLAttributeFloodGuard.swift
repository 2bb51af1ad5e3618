import DebtflowCore

/// Counts the attributes of each start tag in the raw bytes before libxml2 sees them, so that an
/// element flooded with attributes is refused before libxml2 2.9 checks them for duplicates, which
/// takes time quadratic in their number (150,000 attributes: half a minute of CPU; a 10 MB tag:
/// hours).
///
/// A cheap byte scan, not a parser: in a start tag (`<` then a name), every `=` outside quotes
/// is an attribute; `<!…>` and `<?…?>` markup (comments, CDATA, DOCTYPE, processing
/// instructions) and end tags are not counted. Only for ASCII-compatible encodings:
/// ``XMLAttributeFloodInspector``, which runs it on the XML reader's read-ahead thread, turns it
/// off for UTF-16 and UTF-32.
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
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        // This scan runs over every byte before libxml2 does, so it looks at eight bytes at a
        // time: each state searches words for the next byte that matters to it (``ByteWord/firstIndex(of:in:from:to:)``),
        // and lines are counted in a separate pass over the whole read, only their total kept
        // (the line of a refusal is found then). The state lives in locals meanwhile.
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
                guard let found = ByteWord.firstIndex(of: 0x3C, in: base, from: index, to: count) else { return finish(base, count) }
                index = found + 1
                state = .tagStart
            case .tagStart:
                let byte = base.load(fromByteOffset: index, as: UInt8.self)
                index += 1
                if byte == 0x21 || byte == 0x3F || byte == 0x2F {                              // ! ? /
                    state = .otherMarkup
                } else {
                    state = .startTag
                    attributes = 0
                }
            case .startTag:
                guard let found = Self.firstIndexInStartTag(in: base, from: index, to: count) else { return finish(base, count) }
                let byte = base.load(fromByteOffset: found, as: UInt8.self)
                index = found + 1
                if byte == 0x3D {                                                               // =
                    attributes += 1
                    if attributes > maxAttributes {
                        line += Self.lineBreaks(in: base, count: index)
                        return false
                    }
                } else if byte == 0x3E {                                                        // >
                    state = .text
                } else {                                                                        // " '
                    quote = byte
                    state = .quoted
                }
            case .quoted:
                guard let found = ByteWord.firstIndex(of: quote, in: base, from: index, to: count) else { return finish(base, count) }
                index = found + 1
                state = .startTag
            case .otherMarkup:
                guard let found = ByteWord.firstIndex(of: 0x3E, in: base, from: index, to: count) else { return finish(base, count) }
                index = found + 1
                state = .text
            }
        }
        return finish(base, count)
    }

    /// The read was scanned to its end without a refusal: its lines are counted.
    private mutating func finish(_ base: UnsafeRawPointer, _ count: Int) -> Bool {
        line += Self.lineBreaks(in: base, count: count)
        return true
    }

    // MARK: - Eight bytes at a time

    // Each byte that matters, in all eight bytes of a word (literals: no lazy initialization).
    private static let greaterThan: UInt64 = 0x3E3E_3E3E_3E3E_3E3E
    private static let equals: UInt64 = 0x3D3D_3D3D_3D3D_3D3D
    private static let doubleQuote: UInt64 = 0x2222_2222_2222_2222
    private static let singleQuote: UInt64 = 0x2727_2727_2727_2727
    private static let lineFeed: UInt64 = 0x0A0A_0A0A_0A0A_0A0A

    /// The first offset in `start..<end` holding `=`, `>`, `"` or `'` (what matters in a start tag).
    @inline(__always)
    private static func firstIndexInStartTag(in base: UnsafeRawPointer, from start: Int, to end: Int) -> Int? {
        var index = start
        while index + 8 <= end {
            let bytes = ByteWord.load(base, at: index)
            let found = ByteWord.zeroBytes(bytes ^ equals) | ByteWord.zeroBytes(bytes ^ greaterThan)
                | ByteWord.zeroBytes(bytes ^ doubleQuote) | ByteWord.zeroBytes(bytes ^ singleQuote)
            if found != 0 { return index + ByteWord.firstMarked(found) }
            index += 8
        }
        while index < end {
            switch base.load(fromByteOffset: index, as: UInt8.self) {
            case 0x3D, 0x3E, 0x22, 0x27: return index
            default: index += 1
            }
        }
        return nil
    }

    /// How many line feeds the first `count` bytes at `base` hold: per word, one count per byte
    /// lane (no population count, which the baseline x86-64 target emulates), summed every 255
    /// words before a lane could overflow.
    private static func lineBreaks(in base: UnsafeRawPointer, count: Int) -> Int {
        var breaks = 0
        var index = 0
        while index + 8 <= count {
            var lanes: UInt64 = 0
            let stop = min(count - 7, index + 255 * 8)
            while index < stop {
                lanes &+= ByteWord.zeroBytes(ByteWord.load(base, at: index) ^ lineFeed) >> 7
                index += 8
            }
            let pairs = (lanes & 0x00FF_00FF_00FF_00FF) &+ ((lanes >> 8) & 0x00FF_00FF_00FF_00FF)
            breaks += Int(truncatingIfNeeded: (pairs &* 0x0001_0001_0001_0001) >> 48)
        }
        while index < count {
            breaks &+= base.load(fromByteOffset: index, as: UInt8.self) == 0x0A ? 1 : 0
            index += 1
        }
        return breaks
    }
}
