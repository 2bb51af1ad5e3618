/// Chooses the delimiter of a CSV file from its first line (`delimiter: auto`).
enum CSVDelimiterDetection {
    /// The candidate (`,` `;` tab `|`) that occurs most often outside quotes in `line`, which
    /// holds the file's first bytes up to (at least) the first line break outside quotes. Ties go
    /// to the earlier candidate; `,` when none occurs.
    static func detect(_ line: UnsafeBufferPointer<UInt8>) -> UInt8 {
        CSVDelimiter.candidates[mostFrequent(counts(line))]
    }

    /// How often each candidate (`,` `;` tab `|`, in that order) occurs outside quotes in the
    /// first line of `line`.
    static func counts(_ line: UnsafeBufferPointer<UInt8>) -> [Int] {
        row(at: 0, in: line).counts
    }

    /// The index of the largest count (the earlier one on a tie).
    private static func mostFrequent(_ counts: [Int]) -> Int {
        var best = 0
        for index in counts.indices where counts[index] > counts[best] { best = index }
        return best
    }

    /// The row of `text` that starts at `start`, up to its line break outside quotes: how often
    /// each candidate occurs outside quotes in it, whether it holds more than spaces and tabs,
    /// where the next row starts (after the break), and whether the break was found (else the
    /// row runs to the end of `text` and may go on past it).
    private static func row(at start: Int, in text: UnsafeBufferPointer<UInt8>)
        -> (counts: [Int], hasText: Bool, next: Int, isComplete: Bool) {
        var counts = [Int](repeating: 0, count: CSVDelimiter.candidates.count)
        var hasText = false
        var inQuotes = false
        var index = start
        while index < text.count {
            let byte = text[index]
            index += 1
            if byte == CSVBytes.quote {
                inQuotes.toggle()
                hasText = true
            } else if !inQuotes && (byte == CSVBytes.lineFeed || byte == CSVBytes.carriageReturn) {
                return (counts, hasText, index, true)
            } else if !inQuotes, let candidate = CSVDelimiter.candidates.firstIndex(of: byte) {
                counts[candidate] += 1
                hasText = true
            } else if byte != CSVBytes.space && byte != CSVBytes.tab {
                hasText = true
            }
        }
        return (counts, hasText, index, false)
    }

    /// A title line above the header (`Export du 01/02/2026`, then `nom;prenom;montant`): the
    /// first line has no candidate delimiter, while the rows after it (at least two, at most
    /// five, among `following`'s complete rows; blank ones skipped) all have the same number,
    /// at least two (three columns: an export of debtors has more), of one candidate, the most
    /// frequent in each. Returns that candidate and its count per row, or `nil`. Read with
    /// `auto`, such a file is one column named after the title. (With one per row, a file of one
    /// column whose values hold a `;` or a decimal comma would be taken for one.)
    static func delimiterBelowTitle(firstLine: UnsafeBufferPointer<UInt8>,
                                    following: UnsafeBufferPointer<UInt8>) -> (delimiter: UInt8, perRow: Int)? {
        guard counts(firstLine).allSatisfy({ $0 == 0 }) else { return nil }
        var found: (delimiter: Int, perRow: Int)?
        var rows = 0
        var start = 0
        while rows < 5 {
            let row = row(at: start, in: following)
            guard row.isComplete else { break }
            start = row.next
            guard row.hasText else { continue }
            let best = mostFrequent(row.counts)
            guard row.counts[best] > 0 else { return nil }
            if let found, found != (best, row.counts[best]) { return nil }
            found = (best, row.counts[best])
            rows += 1
        }
        guard rows >= 2, let found, found.perRow >= 2 else { return nil }
        return (CSVDelimiter.candidates[found.delimiter], found.perRow)
    }

    /// The delimiter an Excel `sep=X` first line names (`sep=;`, any case, optionally followed by
    /// the line break), or `nil` when `line` is not such a line. Excel writes it, and reads it, to
    /// say which separator the file uses. X is a tab or a printable character that is not a
    /// letter, a digit or `"` (a one-column header `Sep=1` is a header).
    static func excelSeparator(in line: UnsafeBufferPointer<UInt8>) -> UInt8? {
        var text = line[...]
        while let last = text.last, last == CSVBytes.lineFeed || last == CSVBytes.carriageReturn { text = text.dropLast() }
        guard text.count == 5 else { return nil }
        let bytes = Array(text)
        guard bytes[0] | 0x20 == UInt8(ascii: "s"), bytes[1] | 0x20 == UInt8(ascii: "e"), bytes[2] | 0x20 == UInt8(ascii: "p"),
              bytes[3] == UInt8(ascii: "="), Self.mayBeSeparator(bytes[4]) else { return nil }
        return bytes[4]
    }

    private static func mayBeSeparator(_ byte: UInt8) -> Bool {
        if byte == CSVBytes.tab { return true }
        guard byte > 0x20, byte < 0x7F, byte != CSVBytes.quote else { return false }
        let isLetterOrDigit = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        return !isLetterOrDigit
    }

    /// `LE` or `BE` when `line` (the first line, at least 4 bytes) looks like UTF-16 text without
    /// a byte-order mark: at least a third of its bytes are 0, all at even positions (big-endian
    /// ASCII) or all at odd ones (little-endian). CSV text in UTF-8 or Windows-1252 has no 0 byte.
    static func utf16Order(of line: UnsafeBufferPointer<UInt8>) -> String? {
        guard line.count >= 4 else { return nil }
        var zerosAtEven = 0, zerosAtOdd = 0
        for (index, byte) in line.enumerated() where byte == 0 {
            if index % 2 == 0 { zerosAtEven += 1 } else { zerosAtOdd += 1 }
        }
        guard (zerosAtEven + zerosAtOdd) * 3 >= line.count else { return nil }
        if zerosAtEven == 0 { return "LE" }
        if zerosAtOdd == 0 { return "BE" }
        return nil
    }
}

/// The bytes CSV syntax is made of.
enum CSVBytes {
    static let quote = UInt8(ascii: "\"")
    static let lineFeed = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
}
