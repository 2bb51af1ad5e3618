/// The file formats `debtflow generate` writes.
public enum GeneratedFormat: String, CaseIterable, Sendable {
    /// `;`-separated (by default) text with a French header row, UTF-8, no BOM, `\n` line ends.
    case csv
    /// One JSON document: a top-level array of objects (or `{"result":[…]}` for the magicline shape).
    case json
    /// One JSON object per line.
    case ndjson
    /// `<debtors><debtor>…</debtor>…</debtors>`: record element `debtor`, one child element per field.
    case xml
}

/// What the records look like.
public enum GeneratedShape: String, CaseIterable, Sendable {
    /// Flat debtor rows: reference, names, amount, currency, phone, email, due date, IBAN.
    case flat
    /// Sportalliance (Magicline) debtors as the Get Debtors API returns them, with collection
    /// cases, contact details, liable persons and blocks: the input of the `magicline-debtor` preset.
    case magicline
}

/// Everything that decides what `debtflow generate` writes; the same options give the same bytes.
public struct GeneratorOptions: Sendable, Equatable {
    /// How many records: data rows (blank, instruction and "champs obligatoires" rows included;
    /// the CSV header is not counted), or debtors for the magicline shape.
    public var rows: Int
    public var format: GeneratedFormat
    public var shape: GeneratedShape
    /// Compress the output as one gzip member.
    public var gzip: Bool
    /// zlib level when `gzip` is on (1 = fast, the default; 9 = smallest).
    public var gzipLevel: Int32
    /// The seed of the random choices.
    public var seed: UInt64
    /// The CSV field delimiter (default `;`).
    public var csvDelimiter: UInt8

    public init(rows: Int, format: GeneratedFormat = .csv, shape: GeneratedShape = .flat, gzip: Bool = false,
                gzipLevel: Int32 = 1, seed: UInt64 = 1, csvDelimiter: UInt8 = UInt8(ascii: ";")) {
        self.rows = rows
        self.format = format
        self.shape = shape
        self.gzip = gzip
        self.gzipLevel = gzipLevel
        self.seed = seed
        self.csvDelimiter = csvDelimiter
    }
}
