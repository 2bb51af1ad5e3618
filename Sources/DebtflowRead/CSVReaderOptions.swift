/// Which byte separates CSV fields.
public enum CSVDelimiter: Sendable, Equatable {
    /// Detected from the first line: the most frequent of `,` `;` tab `|` outside quotes (ties in
    /// that order; `,` when none appears).
    case auto
    /// This byte (an ASCII character).
    case byte(UInt8)

    /// The candidates ``auto`` chooses among, in tie-break order.
    public static let candidates: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")]

    /// Reads the config's `delimiter` value: `auto`, a single ASCII character (`,` `;` `|` or a tab),
    /// or the words `tab`, `comma`, `semicolon`, `pipe`. `nil` for anything else (also `"`, CR, LF).
    public init?(configValue: String) {
        switch configValue {
        case "auto": self = .auto
        case "tab", "\\t": self = .byte(UInt8(ascii: "\t"))
        case "comma": self = .byte(UInt8(ascii: ","))
        case "semicolon": self = .byte(UInt8(ascii: ";"))
        case "pipe": self = .byte(UInt8(ascii: "|"))
        default:
            let bytes = Array(configValue.utf8)
            guard bytes.count == 1, bytes[0] < 0x80, bytes[0] != UInt8(ascii: "\""),
                  bytes[0] != UInt8(ascii: "\r"), bytes[0] != UInt8(ascii: "\n") else { return nil }
            self = .byte(bytes[0])
        }
    }
}

/// How the `read` stage reads a CSV file (CONTRACT.md §2: `delimiter`, `encoding`, `header`).
public struct CSVReaderOptions: Sendable, Equatable {
    /// The field separator; ``CSVDelimiter/auto`` by default.
    public var delimiter: CSVDelimiter
    /// How field bytes become text; ``TextEncodingChoice/auto`` (UTF-8, else Windows-1252) by default.
    public var encoding: TextEncodingChoice
    /// Whether the first line holds the column names (the record keys). When `false` the keys are
    /// the 1-based column numbers `"1"`, `"2"`, … and the first line is data.
    public var header: Bool
    /// The longest field, in bytes as stored (quotes included); a longer one stops the run with an
    /// input error naming its line and column. 16 MiB by default, the record limit (CONTRACT.md
    /// §3): a record under it reads, whatever its fields.
    public var maxFieldBytes: Int

    /// The default ``maxFieldBytes`` and the longest row: 16 MiB.
    public static let recordLimit = 16 << 20
    /// The fields at which a chunk is cut, whatever its bytes: each field costs memory all the
    /// way to the sinks, however short its text (a row of 65,536 empty fields is 64 KiB of
    /// input). A row with more is a chunk of its own.
    public static let fieldsPerChunk = 1 << 16
    /// The most fields a row may have: 4,194,304 (issue 8: rows of 4 million fields convert).
    /// Every field costs about a hundred bytes on its way to the sinks (its node, its key, its
    /// output), so the 16 MiB row limit alone let a row of 16 million empty fields (a 31 KB gzip)
    /// take 2–3 GB; at this limit a row stays within a few hundred MB.
    public static let maxFieldsPerRow = 1 << 22

    public init(delimiter: CSVDelimiter = .auto, encoding: TextEncodingChoice = .auto, header: Bool = true,
                maxFieldBytes: Int = CSVReaderOptions.recordLimit) {
        self.delimiter = delimiter
        self.encoding = encoding
        self.header = header
        self.maxFieldBytes = max(1, maxFieldBytes)
    }
}
