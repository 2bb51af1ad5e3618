/// A current ISO 4217 currency and how many decimals its amounts carry.
///
/// Obtain one from ``CurrencyTable``: `CurrencyTable.currency(forCode: "EUR")` is
/// `Currency(code: "EUR", minorUnitDigits: 2)`, JPY has 0 digits and TND 3.
///
/// The code is kept as its bytes packed in one integer, not as a `String`: a currency is copied
/// for every amount `normalize` reads, and a copy then counts no references. So a code has at
/// most 8 UTF-8 bytes and no NUL (every ISO 4217 code has three letters); a longer one traps.
public struct Currency: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The code's UTF-8 bytes, the first in the lowest byte, zeros after the last.
    private var packedCode: UInt64
    /// The number of decimals of the currency's minor unit (EUR 2, JPY 0, TND 3).
    public var minorUnitDigits: Int

    /// Makes a currency value. Prefer ``CurrencyTable/currency(forCode:)``, which only returns
    /// currencies of the current ISO 4217 list.
    ///
    /// - Precondition: `code` has at most 8 UTF-8 bytes and no NUL (an ISO 4217 code has three
    ///   letters).
    public init(code: String, minorUnitDigits: Int) {
        self.packedCode = Self.pack(code)
        self.minorUnitDigits = minorUnitDigits
    }

    /// The three-letter ISO 4217 code in upper case (`EUR`).
    public var code: String {
        get { withCodeBytes { String(decoding: $0, as: UTF8.self) } }
        set { packedCode = Self.pack(newValue) }
    }

    /// Whether the two have the same code (``code`` compared without making `String`s).
    func hasSameCode(as other: Currency) -> Bool { packedCode == other.packedCode }

    /// `EUR (2 decimals)`: what tests and messages show (the packed code is a number).
    public var description: String { "\(code) (\(minorUnitDigits) decimals)" }

    /// Calls `body` with the code's UTF-8 bytes, without making a `String`.
    public func withCodeBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let count = (64 - packedCode.leadingZeroBitCount + 7) / 8
        return try withUnsafeBytes(of: packedCode.littleEndian) { raw in
            try body(UnsafeBufferPointer(rebasing: raw.bindMemory(to: UInt8.self)[0..<count]))
        }
    }

    private static func pack(_ code: String) -> UInt64 {
        var packed: UInt64 = 0
        var shift: UInt64 = 0
        for byte in code.utf8 {
            precondition(shift < 64 && byte != 0, "a currency code has at most 8 UTF-8 bytes and no NUL")
            packed |= UInt64(byte) << shift
            shift += 8
        }
        return packed
    }
}
