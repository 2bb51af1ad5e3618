/// Values quoted in messages, cut so that one huge value (a `${VAR}` holding a whole file, a
/// runaway path) cannot flood stderr or a log line.
public enum MessageExcerpt {
    /// How many characters of a value a message shows.
    public static let valueLimit = 64
    /// How many characters of a path a message shows (longer than any usable path, `PATH_MAX`
    /// aside).
    public static let pathLimit = 512

    /// `text` when it has at most `limit` characters, else its first `limit` characters and `…`.
    /// NUL and other control characters (C0, DEL, C1, and the Unicode line and paragraph
    /// separators) are shown as `\u{…}` escapes so the message stays one line, also inside a
    /// character of several scalars (`\r\n` is one `Character`).
    public static func value(_ text: String, limit: Int = valueLimit) -> String {
        var result = ""
        var count = 0
        for character in text {
            if count == limit { return result + "…" }
            if character.unicodeScalars.contains(where: isControl) {
                for scalar in character.unicodeScalars {
                    if isControl(scalar) {
                        result += "\\u{\(String(scalar.value, radix: 16))}"
                    } else {
                        result.unicodeScalars.append(scalar)
                    }
                }
            } else {
                result.append(character)
            }
            count += 1
        }
        return result
    }

    /// A scalar that would break a line or steer a terminal.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
    }

    /// `"text"` (quoted, cut as ``value(_:limit:)``).
    public static func quoted(_ text: String, limit: Int = valueLimit) -> String {
        "\"" + value(text, limit: limit) + "\""
    }

    /// A path as messages show it (cut at ``pathLimit``).
    public static func path(_ path: String) -> String { value(path, limit: pathLimit) }
}
