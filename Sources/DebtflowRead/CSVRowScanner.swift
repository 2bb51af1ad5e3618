import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// One field of the current row: offsets of its stored bytes from the row's first byte.
///
/// Offsets are 32-bit (a row is at most ``CSVRowScanner/maxRowBytes``, far below 4 GiB), so a row
/// of four million one-byte fields takes 48 MB of spans, not 96.
struct CSVFieldSpan {
    private var storedStart: UInt32
    private var storedEnd: UInt32
    var start: Int { Int(storedStart) }
    var end: Int { Int(storedEnd) }
    /// The stored bytes are a quoted field that needs its quotes removed and `""` undoubled;
    /// otherwise `start..<end` is the field's text as is.
    var needsUnquoting: Bool
    /// What the scan saw of the field's bytes (``CSVByteClass``), when it looked at each of them:
    /// `nil` for a quoted field.
    var seen: CSVByteClass?

    init(start: Int, end: Int, needsUnquoting: Bool, seen: CSVByteClass? = nil) {
        storedStart = UInt32(truncatingIfNeeded: start)
        storedEnd = UInt32(truncatingIfNeeded: end)
        self.needsUnquoting = needsUnquoting
        self.seen = seen
    }

    /// The field's tape flags when the scan already knows them: an ASCII field (the same text in
    /// every encoding the reader takes, and well-formed UTF-8), so no second pass over its bytes
    /// is needed. `nil` for a field with a byte above 0x7F, or a quoted one.
    var knownASCIIFlags: RecordNode.Flags? {
        guard let seen, !seen.contains(.nonASCII) else { return nil }
        return seen.contains(.needsEscaping) ? .valueNeedsEscaping : []
    }

    /// The tape flags of the field's stored bytes `text` (``start``..<``end`` of the row) when they
    /// are its text and well-formed UTF-8, else `nil` (a field to decode): for a field that is not
    /// ASCII (``knownASCIIFlags`` is `nil`). An unquoted field's escaping is known from the scan,
    /// so only its UTF-8 is checked.
    func flagsAsStored(_ text: UnsafeBufferPointer<UInt8>) -> RecordNode.Flags? {
        if let seen { return UTF8Validation.tapeFlags(of: text, needsEscaping: seen.contains(.needsEscaping)) }
        return needsUnquoting ? nil : UTF8Validation.tapeFlags(of: text)
    }
}

/// The class of a byte for the unquoted-field scan, one table lookup per byte: whether it ends
/// the field, and (gathered over the field) whether the field is ASCII and needs JSON escaping.
struct CSVByteClass: OptionSet {
    let rawValue: UInt8
    /// The delimiter, CR or LF.
    static let endsField = CSVByteClass(rawValue: 1)
    /// A byte above 0x7F.
    static let nonASCII = CSVByteClass(rawValue: 2)
    /// `"`, `\` or a control character: JSON writes it escaped.
    static let needsEscaping = CSVByteClass(rawValue: 4)
}

/// The spans of one row's fields while the scanner gathers them: memory the scanner owns, lent
/// for one row (``CSVRowScanner/nextRow()`` takes it and hands it back, grown if need be).
/// Appending checks only the capacity; growing moves the spans into memory twice as large.
struct CSVFieldSpans {
    private(set) var storage: UnsafeMutablePointer<CSVFieldSpan>
    private(set) var capacity: Int
    private(set) var count = 0

    init(storage: UnsafeMutablePointer<CSVFieldSpan>, capacity: Int) {
        self.storage = storage
        self.capacity = capacity
    }

    @inline(__always)
    mutating func append(_ span: CSVFieldSpan) {
        if count == capacity { grow() }
        (storage + count).initialize(to: span)
        count &+= 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<CSVFieldSpan>.allocate(capacity: capacity * 2)
        larger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = larger
        capacity *= 2
    }
}

/// Splits a byte source into CSV rows of field spans (RFC 4180, read leniently), without
/// making any `String`: the byte-level half of ``CSVRecordReader``.
///
/// Behaviour:
/// - Rows end at CR, LF or CRLF outside quotes; inside quotes, line breaks belong to the field as
///   stored. ``line`` counts physical lines (CR, LF and CRLF each count once), quoted ones included.
/// - A field is quoted only when its first byte is `"`; then `""` is one quote, and text after the
///   closing quote up to the next delimiter is kept as written. A `"` inside an unquoted field is
///   an ordinary character.
/// - The buffer starts at 256 KiB and only grows when one row does not fit; a field longer than
///   `maxFieldBytes` or a row longer than ``maxRowBytes`` is an input error, as is an unclosed
///   quote at the end of the input.
/// - The byte after the buffered ones is always a LF, a sentinel (the buffer has room for it
///   past its capacity): every byte loop stops at a LF, so the loops test for the end of the
///   buffered bytes once per field, not once per byte.
///
/// Resumable: a row split across reads is scanned once, from where the previous read stopped, so
/// the work is linear whatever the read size.
final class CSVRowScanner {
    static let initialCapacity = 256 * 1024

    private enum State {
        case fieldStart
        case unquoted
        case quoted
        case quoteInQuoted
        case afterQuoted
    }

    private let source: any ByteSource
    private let maxFieldBytes: Int
    /// The longest row the buffer may grow to hold.
    let maxRowBytes: Int

    /// ``capacity`` bytes, and one more for the sentinel LF at ``end``.
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Offset of the current row's first byte; bytes before it may be discarded.
    private var rowStart = 0
    /// Offset of the next byte to scan.
    private var position = 0
    /// Offset after the last valid byte.
    private var end = 0
    private var atEndOfInput = false
    /// The previous row ended with CR: a LF right after it is part of that line break.
    private var pendingLineFeed = false

    private var delimiter = UInt8(ascii: ",")
    /// Each byte's class in an unquoted field (``CSVByteClass``): the delimiter, CR and LF end it.
    private let unquotedClass: UnsafeMutablePointer<CSVByteClass>
    /// Bytes the quoted-field loop stops at: `"`, CR, LF.
    private let stopsQuoted: UnsafeMutablePointer<Bool>

    /// Unquoted text of the last field asked for with ``fieldBytes(_:)``.
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 4096

    /// The fields of the current row: ``fieldCount`` spans in memory the scanner owns (grown by
    /// ``CSVFieldSpans``), written without an array's uniqueness check per field.
    private var fieldStorage: UnsafeMutablePointer<CSVFieldSpan>
    private var fieldCapacity = 64
    /// How many fields the current row has.
    private(set) var fieldCount = 0
    /// The physical line of the next byte to scan (1-based).
    private(set) var line = 1
    /// The physical line where the current row starts.
    private(set) var rowLine = 1

    init(source: any ByteSource, maxFieldBytes: Int) {
        self.source = source
        self.maxFieldBytes = maxFieldBytes
        // A row is a record: 16 MiB (CONTRACT.md §3), or one field's configured limit when larger.
        self.maxRowBytes = min(Int(UInt32.max), max(CSVReaderOptions.recordLimit, maxFieldBytes))
        self.capacity = Self.initialCapacity
        self.storage = .allocate(capacity: Self.initialCapacity + 1)
        storage[0] = CSVBytes.lineFeed  // the sentinel at `end`
        self.scratch = .allocate(capacity: 4096)
        self.fieldStorage = .allocate(capacity: 64)
        self.unquotedClass = .allocate(capacity: 256)
        self.stopsQuoted = .allocate(capacity: 256)
        stopsQuoted.initialize(repeating: false, count: 256)
        stopsQuoted[Int(CSVBytes.quote)] = true
        stopsQuoted[Int(CSVBytes.carriageReturn)] = true
        stopsQuoted[Int(CSVBytes.lineFeed)] = true
        for byte in 0..<256 {
            var byteClass: CSVByteClass = []
            if byte >= 0x80 { byteClass.insert(.nonASCII) }
            if JSONEscapeScan.needsEscape(UInt8(byte)) { byteClass.insert(.needsEscaping) }
            (unquotedClass + byte).initialize(to: byteClass)
        }
        setDelimiter(delimiter)
    }

    deinit {
        fieldStorage.deallocate()
        storage.deallocate()
        scratch.deallocate()
        unquotedClass.deallocate()
        stopsQuoted.deallocate()
    }

    /// Sets the field delimiter (before the first row).
    func setDelimiter(_ byte: UInt8) {
        unquotedClass[Int(delimiter)].remove(.endsField)
        delimiter = byte
        unquotedClass[Int(byte)].insert(.endsField)
        unquotedClass[Int(CSVBytes.carriageReturn)].insert(.endsField)
        unquotedClass[Int(CSVBytes.lineFeed)].insert(.endsField)
    }

    // MARK: - Start of the input

    /// Skips a UTF-8 byte order mark at the very start of the input.
    /// - Throws: ``DebtflowError`` of kind `.input` for a UTF-16 byte order mark (`FF FE`, `FE FF`):
    ///   such a file ("Unicode text" from Excel) is refused by name rather than read as garbage.
    func skipByteOrderMark() throws {
        let mark = CSVBytes.byteOrderMark
        while end - position < mark.count && !atEndOfInput {
            rowStart = position
            try refill()
        }
        if end - position >= 2, let order = UTF16ByteOrderMark(storage[position], storage[position + 1]) {
            throw DebtflowError.input(
                "the input is UTF-16 text (\(order.description) byte-order mark), which the CSV reader does not read: "
                    + "save it as \"CSV UTF-8\" or convert it (iconv -f UTF-16 -t UTF-8)",
                location: .init(file: source.name, line: 1, byteOffset: 0))
        }
        guard end - position >= mark.count else { return }
        if storage[position] == mark[0] && storage[position + 1] == mark[1] && storage[position + 2] == mark[2] {
            position += mark.count
        }
    }

    /// The first line that holds more than white space, from its start through the first line
    /// break outside quotes after it (or all that is left, or the first `limit` bytes), without
    /// consuming anything: for delimiter detection. Blank lines before the header (a
    /// spreadsheet's empty first row) are skipped here as the header's reading skips them; the
    /// header line itself is taken whole, its leading tabs included (a first column with no name).
    func firstLine(limit: Int = 1 << 20) throws -> UnsafeBufferPointer<UInt8> {
        // Offsets from `position`, which a refill may move: `first` is where the line being
        // looked at starts, `scanned` how far its white space goes.
        var first = 0
        var scanned = 0
        var foundText = false
        while true {
            while position + scanned < end {
                let byte = storage[position + scanned]
                if byte == CSVBytes.space || byte == CSVBytes.tab {
                    scanned += 1
                } else if byte == CSVBytes.lineFeed || byte == CSVBytes.carriageReturn {
                    scanned += 1
                    first = scanned
                } else {
                    foundText = true
                    break
                }
            }
            if foundText || atEndOfInput || scanned >= limit { break }
            rowStart = position
            try refill()
        }
        if !foundText { first = scanned }
        scanned = first
        var inQuotes = false
        while true {
            while position + scanned < end {
                let byte = storage[position + scanned]
                if byte == CSVBytes.quote {
                    inQuotes.toggle()
                } else if !inQuotes && (byte == CSVBytes.lineFeed || byte == CSVBytes.carriageReturn) {
                    return UnsafeBufferPointer(start: storage + position + first, count: scanned + 1 - first)
                }
                scanned += 1
            }
            if atEndOfInput || end - position >= limit {
                return UnsafeBufferPointer(start: storage + position + first, count: end - position - first)
            }
            rowStart = position
            try refill()
        }
    }

    /// ``firstLine(limit:)``, and up to `wanted` bytes after it (fewer at the end of the input,
    /// or when the buffer is full), reading more if need be without consuming anything: for a
    /// look at the lines after the first.
    func firstLineAndFollowing(wanted: Int = 64 << 10) throws
        -> (line: UnsafeBufferPointer<UInt8>, following: UnsafeBufferPointer<UInt8>) {
        var line = try firstLine()
        // Where the line is from `position`: a refill may move the bytes, never this.
        let lineStart = UnsafePointer(storage + position).distance(to: line.baseAddress.unsafelyUnwrapped)
        var lineEnd: Int { position + lineStart + line.count }
        while end - lineEnd < wanted && !atEndOfInput && end < capacity {
            rowStart = position
            try refill()
            line = UnsafeBufferPointer(start: storage + position + lineStart, count: line.count)
        }
        return (line, UnsafeBufferPointer(start: storage + lineEnd, count: min(wanted, end - lineEnd)))
    }

    /// The physical line `line` (from ``firstLine(limit:)``, not yet consumed) starts on: the
    /// blank lines before it counted (a CR LF is one line break).
    func lineNumber(of line: UnsafeBufferPointer<UInt8>) -> Int {
        var number = self.line
        var index = position
        let start = UnsafePointer(storage).distance(to: line.baseAddress.unsafelyUnwrapped)
        while index < start {
            if storage[index] == CSVBytes.lineFeed || (storage[index] == CSVBytes.carriageReturn
                                                        && !(index + 1 < start && storage[index + 1] == CSVBytes.lineFeed)) {
                number += 1
            }
            index += 1
        }
        return number
    }

    // MARK: - Rows

    /// Scans the next row into ``fields``.
    /// - Returns: `false` at the end of the input (no row).
    /// - Throws: ``DebtflowError`` of kind `.input` for an unclosed quote at the end, an oversize
    ///   field or row, or an error of the source.
    func nextRow() throws -> Bool {
        // The row's fields are gathered in a local buffer, taken from the scanner and handed back
        // once per row: appending to the class's own property would pay a run-time exclusivity
        // check per field, and an array a uniqueness check per field.
        var fields = CSVFieldSpans(storage: fieldStorage, capacity: fieldCapacity)
        defer {
            fieldStorage = fields.storage
            fieldCapacity = fields.capacity
            fieldCount = fields.count
        }
        if pendingLineFeed {
            if position == end {
                rowStart = position
                try refill()
            }
            if position < end && storage[position] == CSVBytes.lineFeed { position += 1 }
            pendingLineFeed = false
        }
        if position == end {
            rowStart = position
            try refill()
            if position == end { return false }
        }
        rowStart = position
        rowLine = line

        var state = State.fieldStart
        var fieldStart = 0      // relative to rowStart
        var fieldLine = line
        var escaped = false
        var closedAt = 0        // relative to rowStart: just after a quoted field's closing quote
        var seen: CSVByteClass = []  // what the unquoted field's bytes so far are (ASCII, escaping)
        let delimiter = self.delimiter  // read once, not per field (a class property read is checked at run time)

        while true {
            let bytes = storage
            let base = rowStart
            let stop = end
            var index = position
            scan: while index < stop {
                switch state {
                case .fieldStart:
                    // Unquoted fields one after another (the common case) in one loop, without
                    // going back through the state switch per field. (Its offsets are below the
                    // buffer's capacity: wrapping arithmetic, with no overflow check per field.)
                    let table = unquotedClass
                    while true {
                        fieldStart = index &- base
                        if bytes[index] == CSVBytes.quote {
                            state = .quoted
                            fieldLine = line
                            escaped = false
                            index += 1
                            break
                        }
                        seen = []
                        index = Self.scanUnquoted(bytes, from: index, table: table, seen: &seen)
                        if index == stop {
                            state = .unquoted
                            break scan
                        }
                        try appendField(start: fieldStart, end: index &- base, needsUnquoting: false, seen: seen, line: line, to: &fields)
                        let byte = bytes[index]
                        index &+= 1
                        guard byte == delimiter else {
                            endRow(at: index, carriageReturn: byte == CSVBytes.carriageReturn)
                            return true
                        }
                        // The next field starts here; past the buffered bytes, its first byte
                        // (a quote or not) is only known after a refill.
                        if index == stop { break scan }
                    }

                case .unquoted:
                    // A field resumed after a refill.
                    index = Self.scanUnquoted(bytes, from: index, table: unquotedClass, seen: &seen)
                    if index == stop { break scan }
                    try appendField(start: fieldStart, end: index - base, needsUnquoting: false, seen: seen, line: line, to: &fields)
                    let byte = bytes[index]
                    index += 1
                    if byte == delimiter {
                        state = .fieldStart
                    } else {
                        endRow(at: index, carriageReturn: byte == CSVBytes.carriageReturn)
                        return true
                    }

                case .quoted:
                    let table = stopsQuoted
                    while !table[Int(bytes[index])] { index += 1 }  // stops at the sentinel LF at the latest
                    if index == stop { break scan }
                    let byte = bytes[index]
                    if byte == CSVBytes.quote {
                        state = .quoteInQuoted
                    } else if byte == CSVBytes.carriageReturn || bytes[index - 1] != CSVBytes.carriageReturn {
                        line += 1
                    }
                    index += 1

                case .quoteInQuoted:
                    if bytes[index] == CSVBytes.quote {
                        escaped = true
                        state = .quoted
                        index += 1
                    } else {
                        closedAt = index - base
                        state = .afterQuoted
                    }

                case .afterQuoted:
                    let table = unquotedClass
                    while !table[Int(bytes[index])].contains(.endsField) { index += 1 }  // as in the quoted loop
                    if index == stop { break scan }
                    let fieldEnd = index - base
                    try appendQuotedField(start: fieldStart, end: fieldEnd, simple: !escaped && fieldEnd == closedAt,
                                          line: fieldLine, to: &fields)
                    let byte = bytes[index]
                    index += 1
                    if byte == delimiter {
                        state = .fieldStart
                    } else {
                        endRow(at: index, carriageReturn: byte == CSVBytes.carriageReturn)
                        return true
                    }
                }
            }
            position = index

            // Out of bytes in the middle of a row.
            if state != .fieldStart && position - rowStart - fieldStart > maxFieldBytes {
                throw oversizeField(line: state == .unquoted ? line : fieldLine, quoted: state == .quoted, column: fields.count + 1)
            }
            try refill()
            if position == end {
                // The input ends without a final line break.
                let fieldEnd = position - rowStart
                switch state {
                case .fieldStart:
                    try appendField(start: fieldEnd, end: fieldEnd, needsUnquoting: false, line: line, to: &fields)
                case .unquoted:
                    try appendField(start: fieldStart, end: fieldEnd, needsUnquoting: false, seen: seen, line: line, to: &fields)
                case .quoted:
                    throw DebtflowError.input(
                        "unterminated quoted field: the quote opened on line \(fieldLine) is never closed",
                        location: .init(file: source.name, line: fieldLine))
                case .quoteInQuoted:
                    try appendQuotedField(start: fieldStart, end: fieldEnd, simple: !escaped, line: fieldLine, to: &fields)
                case .afterQuoted:
                    try appendQuotedField(start: fieldStart, end: fieldEnd, simple: !escaped && fieldEnd == closedAt,
                                          line: fieldLine, to: &fields)
                }
                return true
            }
        }
    }

    @inline(__always)
    private func endRow(at index: Int, carriageReturn: Bool) {
        position = index
        line += 1
        pendingLineFeed = carriageReturn
    }

    @inline(__always)
    private func appendField(start: Int, end: Int, needsUnquoting: Bool, seen: CSVByteClass? = nil, line: Int,
                             to fields: inout CSVFieldSpans) throws {
        if end &- start > maxFieldBytes { throw oversizeField(line: line, quoted: false, column: fields.count + 1) }
        fields.append(CSVFieldSpan(start: start, end: end, needsUnquoting: needsUnquoting, seen: seen))
    }

    /// Throws for a row of more than ``CSVReaderOptions/maxFieldsPerRow`` fields. Called by the
    /// reader once per row, after it: a check per field, or a limit where the spans grow, made
    /// the scanner's loop slower (W2: 54 to 338 instructions a record).
    @inline(__always)
    func checkFieldCount() throws {
        if fieldCount > CSVReaderOptions.maxFieldsPerRow {
            throw DebtflowError.input("row of more than \(CSVReaderOptions.maxFieldsPerRow) fields (the CSV field count limit)",
                                      location: .init(file: source.name, line: rowLine))
        }
    }

    /// A quoted field from its opening quote to `end`; `simple` when it is exactly `"…"` with no
    /// doubled quote, so its text is the bytes between the quotes.
    @inline(__always)
    private func appendQuotedField(start: Int, end: Int, simple: Bool, line: Int, to fields: inout CSVFieldSpans) throws {
        if simple {
            try appendField(start: start + 1, end: end - 1, needsUnquoting: false, line: line, to: &fields)
        } else {
            try appendField(start: start, end: end, needsUnquoting: true, line: line, to: &fields)
        }
    }

    /// The error for the field being scanned (in `column`, 1-based), naming its column.
    private func oversizeField(line: Int, quoted: Bool, column: Int) -> DebtflowError {
        DebtflowError.input(
            "field longer than \(maxFieldBytes) bytes (the CSV field size limit) in column \(column)"
                + (quoted ? "; is a quote left unclosed?" : ""),
            location: .init(file: source.name, line: line))
    }

    // MARK: - Fields of the current row

    /// How many bytes the current row takes in the input, its line break included.
    var rowByteCount: Int { position - rowStart }

    /// Whether the current row is a blank line: one field, empty or only spaces and tabs.
    var rowIsBlank: Bool {
        guard fieldCount == 1 else { return false }
        let span = fieldStorage[0]
        var index = rowStart + span.start
        let stop = rowStart + span.end
        while index < stop {
            let byte = storage[index]
            if byte != CSVBytes.space && byte != CSVBytes.tab { return false }
            index += 1
        }
        return true
    }

    /// The tape flags of field `index` when the scan found it all ASCII (see
    /// ``CSVFieldSpan/knownASCIIFlags``), else `nil`.
    @inline(__always)
    func knownASCIIFlags(ofField index: Int) -> RecordNode.Flags? {
        precondition(index >= 0 && index < fieldCount, "no such field in the row")
        return fieldStorage[index].knownASCIIFlags
    }

    /// The current row's bytes from its first field's first byte to its last field's last byte
    /// (delimiters and any quotes included), as stored, and where each field lies in them
    /// (``rowField(_:)``'s offsets count from their first byte). Valid until the next
    /// ``nextRow()``. The row has at least one field.
    @inline(__always)
    func rowBytes() -> UnsafeBufferPointer<UInt8> {
        precondition(fieldCount > 0, "no field in the row")
        let first = fieldStorage[0].start
        return UnsafeBufferPointer(start: storage + rowStart + first, count: fieldStorage[fieldCount - 1].end - first)
    }

    /// The current row's field spans (offsets from the row's start in the buffer: the first
    /// field's `start` is where ``rowBytes()`` begins). Valid until the next ``nextRow()``.
    @inline(__always)
    func rowFieldSpans() -> UnsafeBufferPointer<CSVFieldSpan> {
        UnsafeBufferPointer(start: fieldStorage, count: fieldCount)
    }

    /// Field `index` of the current row as it lies in ``rowBytes()``: its offset there and
    /// length, whether its bytes there are its text (not a quoted field with `""` to undouble),
    /// and its flags when the scan found it all ASCII (``knownASCIIFlags(ofField:)``).
    @inline(__always)
    func rowField(_ index: Int) -> (offset: Int, count: Int, isText: Bool, knownASCIIFlags: RecordNode.Flags?) {
        precondition(index >= 0 && index < fieldCount, "no such field in the row")
        let field = fieldStorage[index]
        return (field.start - fieldStorage[0].start, field.end - field.start, !field.needsUnquoting, field.knownASCIIFlags)
    }

    /// The text bytes of field `index` of the current row (quotes removed). Valid until the next
    /// call of this method or of ``nextRow()``.
    @inline(__always)
    func fieldBytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(index >= 0 && index < fieldCount, "no such field in the row")
        let span = fieldStorage[index]
        let start = storage + rowStart + span.start
        let count = span.end - span.start
        if !span.needsUnquoting { return UnsafeBufferPointer(start: start, count: count) }
        return unquote(start, count: count)
    }

    /// Removes the quotes of a stored quoted field (`"a""b"c` → `a"bc`) into the scratch buffer.
    private func unquote(_ stored: UnsafeMutablePointer<UInt8>, count: Int) -> UnsafeBufferPointer<UInt8> {
        if count > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = count
            scratch = .allocate(capacity: count)
        }
        var length = 0
        var index = 1            // after the opening quote
        var inQuotes = true
        while index < count {
            let byte = stored[index]
            index += 1
            if inQuotes && byte == CSVBytes.quote {
                if index < count && stored[index] == CSVBytes.quote {
                    index += 1
                } else {
                    inQuotes = false
                    continue
                }
            }
            scratch[length] = byte
            length += 1
        }
        return UnsafeBufferPointer(start: scratch, count: length)
    }

    // MARK: - Buffer

    /// Reads more bytes after ``end``, first moving the current row to the buffer's start, and
    /// growing the buffer when the row fills it. Sets ``atEndOfInput`` when the source is done.
    private func refill() throws {
        guard !atEndOfInput else { return }
        if rowStart > 0 {
            let kept = end - rowStart
            if kept > 0 { memmove(storage, storage + rowStart, kept) }
            position -= rowStart
            end -= rowStart
            rowStart = 0
        }
        if end == capacity {
            guard capacity < maxRowBytes else {
                throw DebtflowError.input("row longer than \(maxRowBytes) bytes (the CSV row size limit)",
                                          location: .init(file: source.name, line: rowLine))
            }
            let larger = min(capacity * 2, maxRowBytes)
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: larger + 1)
            grown.update(from: storage, count: end)
            storage.deallocate()
            storage = grown
            capacity = larger
        }
        let count = try source.read(into: UnsafeMutableRawBufferPointer(start: storage + end, count: capacity - end))
        if count == 0 { atEndOfInput = true } else { end += count }
        storage[end] = CSVBytes.lineFeed  // the sentinel (after a move or a read, `end` is new)
    }

    /// Scans an unquoted field from `index` to the first byte that ends it (the delimiter, CR or
    /// LF; at the latest the sentinel at the end of the buffered bytes), gathering what its bytes
    /// are into `seen`: one table lookup per byte and no bounds test. Returns the stopping byte's
    /// offset.
    private static func scanUnquoted(_ bytes: UnsafeMutablePointer<UInt8>, from index: Int,
                                     table: UnsafeMutablePointer<CSVByteClass>, seen: inout CSVByteClass) -> Int {
        var index = index
        var found = seen
        while true {
            let byteClass = table[Int(bytes[index])]
            if byteClass.contains(.endsField) { break }
            found.formUnion(byteClass)
            // Wrapping: the index stays below the buffer's end (the sentinel stops it), so the
            // overflow check `+=` makes per byte would only cost an instruction.
            index &+= 1
        }
        seen = found
        return index
    }
}
