/// A phone number in E.164 form, with its calling code and the region it belongs to.
///
/// `region` is libphonenumber's region for the number (ISO 3166 alpha-2, e.g. `"FR"`, `"GP"`,
/// `"RE"`, `"YT"`, `"DE"`; `"001"` for non-geographic numbers such as +800).
public struct PhoneNumber: Sendable, Equatable, Hashable {
    /// `+590690123456`: `+`, the calling code, the national significant number.
    public var e164: String
    /// The country calling code (`590` for Guadeloupe, `33` for mainland France).
    public var callingCode: Int
    /// The ISO 3166 region the number belongs to.
    public var region: String

    /// Creates a phone number from its parts (no check is made).
    public init(e164: String, callingCode: Int, region: String) {
        self.e164 = e164
        self.callingCode = callingCode
        self.region = region
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
