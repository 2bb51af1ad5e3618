/// Chooses the delimiter of a CSV file from its first line (`delimiter: auto`).
enum CSVDelimiterDetection {
    /// The candidate (`,` `;` tab `|`) that occurs most often outside quotes in `line`, which
    /// holds the file's first bytes up to (at least) the first line break outside quotes. Ties go
    /// to the earlier candidate; `,` when none occurs.
    static func detect(_ line: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var counts = [Int](repeating: 0, count: CSVDelimiter.candidates.count)
        var inQuotes = false
        for byte in line {
            if byte == CSVBytes.quote {
                inQuotes.toggle()
            } else if !inQuotes {
                if byte == CSVBytes.lineFeed || byte == CSVBytes.carriageReturn { break }
                if let index = CSVDelimiter.candidates.firstIndex(of: byte) { counts[index] += 1 }
            }
        }
        var best = 0
        for index in counts.indices where counts[index] > counts[best] { best = index }
        return CSVDelimiter.candidates[best]
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
