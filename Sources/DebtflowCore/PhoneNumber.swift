/// A phone number in E.164 form, with its calling code and the region it belongs to.
///
/// `region` is libphonenumber's region for the number (ISO 3166 alpha-2, e.g. `"FR"`, `"GP"`,
/// `"RE"`, `"YT"`, `"DE"`; `"001"` for non-geographic numbers such as +800).
///
/// The number is held as its digits, the calling code and the national significant number as
/// integers, not as the E.164 text: `normalize` writes that text straight into the debt
/// (``writeE164(into:)``), and ``e164`` makes a `String` only for a caller that asks for one (the
/// `phone` command, tests). (A `String` per valid phone cost about 330 instructions; the text's
/// bytes held inline made the type larger, and its copies cost more.)
public struct PhoneNumber: Sendable, Equatable, Hashable {
    /// The country calling code (`590` for Guadeloupe, `33` for mainland France): 1 to 3 digits.
    public var callingCode: Int
    /// The national significant number's digits read as a decimal integer (`690123456`).
    public var nationalNumber: UInt64
    /// How many digits the national significant number has, leading zeros included (an Italian
    /// fixed line's `06…`): at most ``maxNationalNumberDigits``.
    public var nationalNumberDigitCount: UInt8
    /// The ISO 3166 region the number belongs to.
    public var region: String

    /// The most digits a national significant number may have here (all a `UInt64` holds;
    /// libphonenumber's longest is 17).
    public static let maxNationalNumberDigits = 19

    /// The longest E.164 text a number may have: `+`, 3 digits of calling code, the national number.
    public static let maxE164ByteCount = 1 + 3 + maxNationalNumberDigits

    /// A number from its parts (no check is made that it is a valid number).
    /// - Precondition: `callingCode` is 1 to 999; `digitCount` is at most ``maxNationalNumberDigits``
    ///   and `nationalNumber` has no more digits than that.
    public init(callingCode: Int, nationalNumber: UInt64, digitCount: Int, region: String) {
        precondition(callingCode >= 1 && callingCode <= 999, "PhoneNumber: calling code out of range")
        precondition(digitCount >= 0 && digitCount <= Self.maxNationalNumberDigits, "PhoneNumber: too many digits")
        // (Checked in debug builds: the normalizer counts the digits it reads, once per valid phone.)
        assert(digitCount == Self.maxNationalNumberDigits || nationalNumber < Self.powerOfTen(digitCount),
               "PhoneNumber: national number longer than its digit count")
        self.callingCode = callingCode
        self.nationalNumber = nationalNumber
        self.nationalNumberDigitCount = UInt8(digitCount)
        self.region = region
    }

    /// A number from its E.164 text (no check is made that it is a valid number).
    /// - Precondition: `e164` is `+`, `callingCode`'s digits, then at most
    ///   ``maxNationalNumberDigits`` digits.
    public init(e164: String, callingCode: Int, region: String) {
        let code = Array(String(callingCode).utf8)
        let bytes = Array(e164.utf8)
        precondition(bytes.first == UInt8(ascii: "+") && bytes.dropFirst().starts(with: code),
                     "PhoneNumber: \(e164) does not start with +\(callingCode)")
        let national = bytes.dropFirst(1 + code.count)
        precondition(national.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") },
                     "PhoneNumber: \(e164) is not + and digits")
        var value: UInt64 = 0
        for digit in national { value = value &* 10 &+ UInt64(digit &- UInt8(ascii: "0")) }
        self.init(callingCode: callingCode, nationalNumber: value, digitCount: national.count, region: region)
    }

    /// `+590690123456`: `+`, the calling code, the national significant number (made on request).
    public var e164: String {
        String(unsafeUninitializedCapacity: e164ByteCount) { writeE164(into: $0) }
    }

    /// How many bytes ``e164`` has.
    @inlinable
    public var e164ByteCount: Int {
        1 + Self.decimalDigitCount(callingCode) + Int(nationalNumberDigitCount)
    }

    /// Writes the E.164 text (`+`, the calling code, the national number's digits, leading zeros
    /// included) at the start of `buffer` and returns its length, ``e164ByteCount``.
    /// - Precondition: `buffer` holds at least ``e164ByteCount`` bytes.
    public func writeE164(into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        precondition(buffer.count >= e164ByteCount, "PhoneNumber.writeE164: buffer too small")
        guard let start = buffer.baseAddress else { return 0 }
        writeE164(to: start)
        return e164ByteCount
    }

    /// ``writeE164(into:)`` at `start`, which the caller has made room at (``e164ByteCount`` bytes).
    func writeE164(to start: UnsafeMutablePointer<UInt8>) {
        let codeWidth = Self.decimalDigitCount(callingCode)
        start[0] = UInt8(ascii: "+")
        DecimalDigits.write(UInt64(callingCode), width: codeWidth, to: start + 1)
        DecimalDigits.write(nationalNumber, width: Int(nationalNumberDigitCount), to: start + 1 + codeWidth)
    }

    /// How many decimal digits a calling code (1–999) has.
    @inlinable
    static func decimalDigitCount(_ callingCode: Int) -> Int {
        callingCode < 10 ? 1 : callingCode < 100 ? 2 : 3
    }

    /// 10 to the power `exponent` (0–18).
    private static func powerOfTen(_ exponent: Int) -> UInt64 {
        var value: UInt64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

/// Why a phone number was rejected. The message says what was expected and never repeats the
/// full number (logs and outcomes must not hold personal data).
public struct PhoneNormalizationError: Error, Sendable, Equatable, Hashable {
    /// A message for people, e.g. `not a valid number for FR: expected 10 digits starting with 0`.
    public var message: String

    /// Creates an error with its message.
    public init(message: String) {
        self.message = message
    }
}
