/// Values quoted in messages, cut so that one huge value (a `${VAR}` holding a whole file, a
/// runaway path) cannot flood stderr or a log line.
public enum MessageExcerpt {
    /// How many characters of a value a message shows.
    public static let valueLimit = 64
    /// How many characters of a path a message shows (longer than any usable path, `PATH_MAX`
    /// aside).
    public static let pathLimit = 512

    /// `text` when it has at most `limit` characters, else its first `limit` characters and `…`.
    /// NUL and other control characters are shown as `\u{…}` escapes so the message stays one line.
    public static func value(_ text: String, limit: Int = valueLimit) -> String {
        var result = ""
        var count = 0
        for character in text {
            if count == limit { return result + "…" }
            if let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
               scalar.value < 0x20 || scalar.value == 0x7F {
                result += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                result.append(character)
            }
            count += 1
        }
        return result
    }

    /// `"text"` (quoted, cut as ``value(_:limit:)``).
    public static func quoted(_ text: String, limit: Int = valueLimit) -> String {
        "\"" + value(text, limit: limit) + "\""
    }

    /// A path as messages show it (cut at ``pathLimit``).
    public static func path(_ path: String) -> String { value(path, limit: pathLimit) }
}
