import DebtflowCore

/// The JSON tokenizer's view of its input: one reused byte buffer refilled from a ``ByteSource``,
/// with the absolute byte offset and the line/column of the current byte.
///
/// Lines can only change in whitespace between tokens (a raw line break inside a string is an
/// error), so only ``skipWhitespace()`` counts them. Columns are 1-based byte columns.
public final class JSONByteCursor {
    let source: any ByteSource
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// The index of the current byte in ``buffer``.
    var position = 0
    /// How many bytes of ``buffer`` are filled.
    var end = 0
    /// The absolute input offset of `buffer[0]`.
    private(set) var bufferStartOffset: Int64 = 0
    private(set) var reachedEnd = false
    /// The 1-based line of the current byte.
    private(set) var lineNumber = 1
    /// The absolute offset of the first byte of the current line.
    private(set) var lineStartOffset: Int64 = 0
    /// The last byte of the buffer was a CR skipped as whitespace: the next buffer's first byte
    /// tells whether it ended a line (see ``skipWhitespace()``).
    private var carriageReturnEndsBuffer = false
    /// The input offset a record being built must end before (``JSONTokenizer/keptValueEndOffset``;
    /// `Int64.max`: no bound).
    private var keptEnd = Int64.max
    /// ``keptEnd`` as an index of the buffer, kept with it when it is set and when the buffer is
    /// refilled: the current byte lies past the kept record's end when `position > keptEndIndex`,
    /// one comparison where the offset's took an (overflow-checked) add.
    private(set) var keptEndIndex = Int.max

    /// How many readable bytes follow the buffer's capacity (zeroed, never filled): a text of
    /// the buffer is copied to a tape as 32 bytes from its start, whatever its length
    /// (``DebtflowCore/RecordTapeBuilder/appendText(paddedRun:)``).
    static let padding = 32

    public init(source: any ByteSource, capacity: Int = 64 << 10) {
        self.source = source
        self.capacity = max(1, capacity)
        self.buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity + Self.padding)
        (buffer + self.capacity).initialize(repeating: 0, count: Self.padding)
    }

    deinit {
        buffer.deallocate()
    }

    /// The absolute offset of the current byte.
    public var offset: Int64 { bufferStartOffset + Int64(position) }

    /// The 1-based line of the current byte. (The stored counter is internal: state the module
    /// alone touches lets the optimizer drop dynamic exclusivity checks on the hot path.)
    public var line: Int { lineNumber }

    /// Replaces the buffer's content with the next bytes of the source.
    /// - Returns: `false` at the end of the input.
    public func refill() throws -> Bool {
        if reachedEnd { return false }
        bufferStartOffset += Int64(end)
        updateKeptEndIndex()
        position = 0
        end = 0
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: capacity))
        if count == 0 {
            reachedEnd = true
            return false
        }
        end = count
        if carriageReturnEndsBuffer {
            carriageReturnEndsBuffer = false
            if buffer[0] != 0x0A { countLoneCarriageReturn() }
        }
        return true
    }

    /// The input offset a record being built must end before (see ``keptEndIndex``).
    var keptEndOffset: Int64 {
        get { keptEnd }
        set {
            keptEnd = newValue
            updateKeptEndIndex()
        }
    }

    private func updateKeptEndIndex() {
        // The buffer's start offset is at least 0: only an end near `Int64.min` overflows, and
        // every byte lies past it.
        let (index, overflow) = keptEnd.subtractingReportingOverflow(bufferStartOffset)
        keptEndIndex = overflow ? .min : Int(index)
    }

    /// The current byte, or `nil` at the end of the input.
    @inline(__always)
    public func peek() throws -> UInt8? {
        if position < end { return buffer[position] }
        return try refill() ? buffer[position] : nil
    }

    /// Moves past the current byte (which ``peek()`` returned). (The position is at most the
    /// buffer's capacity: a wrapping add, no overflow check.)
    @inline(__always)
    public func advance() {
        position &+= 1
    }

    /// Skips JSON whitespace (space, tab, CR, LF), counting lines: LF, CR LF and a lone CR each end one.
    /// - Returns: the first byte that is not whitespace, or `nil` at the end of the input.
    @inline(__always)
    public func skipWhitespace() throws -> UInt8? {
        while true {
            // Inside the buffer: the position steps with wrapping adds.
            while position < end {
                let byte = buffer[position]
                // Every byte above the space ends the whitespace: one test for the common case.
                if byte > 0x20 { return byte }
                switch byte {
                case 0x20, 0x09:
                    position &+= 1
                case 0x0A:
                    position &+= 1
                    lineNumber += 1
                    lineStartOffset = offset
                case 0x0D:
                    position &+= 1
                    carriageReturn()
                default:
                    return byte
                }
            }
            if !(try refill()) { return nil }
        }
    }

    /// After a CR: the first half of CR LF (the LF counts the line), or a line break of its own
    /// (old Mac files). Off the hot path, so that LF alone costs what it did; a CR that ends the
    /// buffer is settled by ``refill()``.
    @inline(never)
    private func carriageReturn() {
        if position == end {
            carriageReturnEndsBuffer = true
        } else if buffer[position] != 0x0A {
            countLoneCarriageReturn()
        }
    }

    /// A CR not followed by LF ended a line.
    private func countLoneCarriageReturn() {
        lineNumber += 1
        lineStartOffset = offset
    }

    /// The location of the current byte, for an error message.
    public func location(record: Int? = nil) -> DebtflowError.Location {
        location(of: mark, record: record)
    }

    /// A cheap note of where the current byte is, turned into a ``DebtflowError/Location`` only
    /// when an error needs it.
    public struct Mark: Sendable {
        var offset: Int64
        var line: Int
        var lineStartOffset: Int64
    }

    public var mark: Mark { Mark(offset: offset, line: lineNumber, lineStartOffset: lineStartOffset) }

    /// The mark of the byte at `index` of the buffer, on the current line (a token just read from
    /// the buffer, with no line break in it): for an error found after the token was read.
    func mark(atBufferIndex index: Int) -> Mark {
        Mark(offset: bufferStartOffset + Int64(index), line: lineNumber, lineStartOffset: lineStartOffset)
    }

    public func location(of mark: Mark, record: Int? = nil) -> DebtflowError.Location {
        DebtflowError.Location(file: source.name, line: mark.line, column: Int(mark.offset - mark.lineStartOffset) + 1,
                               byteOffset: mark.offset, record: record)
    }

    /// An input error at the current byte.
    public func error(_ message: String, record: Int? = nil) -> DebtflowError {
        .input(message, location: location(record: record))
    }
}
