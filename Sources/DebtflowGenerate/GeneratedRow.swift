/// The columns of a flat generated debtor row, in output order.
public enum GeneratedColumn: Int, CaseIterable, Sendable {
    case reference, firstName, lastName, amount, currency, phone, email, dueDate, iban

    /// The CSV header name (French, as an operator's spreadsheet has it).
    public var csvHeader: String {
        switch self {
        case .reference: "Référence"
        case .firstName: "Prénom"
        case .lastName: "Nom"
        case .amount: "Montant"
        case .currency: "Devise"
        case .phone: "Téléphone"
        case .email: "Email"
        case .dueDate: "Date échéance"
        case .iban: "IBAN"
        }
    }

    /// The key in JSON/NDJSON objects and the child element name in XML (ASCII, camelCase).
    public var key: String {
        switch self {
        case .reference: "reference"
        case .firstName: "firstName"
        case .lastName: "lastName"
        case .amount: "amount"
        case .currency: "currency"
        case .phone: "phone"
        case .email: "email"
        case .dueDate: "dueDate"
        case .iban: "iban"
        }
    }
}

/// What a generated record is meant to become in a debt pipeline (with the default options and
/// `normalize.currency` left unset): the mix the generator aims at, counted in its report.
public enum IntendedOutcome: Sendable, Hashable {
    case valid
    /// Fails with this contract error code (`invalid_phone`, `required`, …).
    case failed(String)
    /// Skipped with this contract skip reason (`empty_row`, `instruction_row`, `blocked`, `no_open_case`).
    case skipped(String)

    /// `valid`, `failed` or `skipped`.
    public var status: String {
        switch self {
        case .valid: "valid"
        case .failed: "failed"
        case .skipped: "skipped"
        }
    }
}

/// One flat row's field values as UTF-8 bytes in a single reused buffer (no `String` per field:
/// generating a million rows must take seconds).
struct RowFields {
    /// The bytes of every field, back to back.
    var storage: [UInt8] = []
    /// `ends[i]` is where field `i` ends in `storage`.
    private(set) var ends: [Int] = []
    /// Write the amount as a bare JSON number (formats with types only; the amount text must be
    /// a valid JSON number).
    var amountIsNumber = false

    init() {
        storage.reserveCapacity(512)
        ends.reserveCapacity(GeneratedColumn.allCases.count)
    }

    mutating func reset() {
        storage.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        amountIsNumber = false
    }

    /// Closes the field being written; fields must be written in column order.
    mutating func endField() { ends.append(storage.count) }

    mutating func append(_ bytes: [UInt8]) { storage.append(contentsOf: bytes) }
    mutating func append(_ byte: UInt8) { storage.append(byte) }
    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { storage.append(contentsOf: $0) }
    }

    /// Appends `value` in decimal, left-padded with zeros to `width` digits.
    mutating func appendDigits(_ value: Int, width: Int = 1) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                count += 1
            } while rest > 0 && count < 20
            while count < width && count < 20 {
                buffer[count] = UInt8(ascii: "0")
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { storage.append(buffer[index]) }
        }
    }

    /// The bytes of `column`.
    func field(_ column: GeneratedColumn) -> ArraySlice<UInt8> {
        let index = column.rawValue
        let start = index == 0 ? 0 : ends[index - 1]
        return storage[start..<ends[index]]
    }
}
