/// Trimming for per-record paths, without Foundation.
public enum TextTrimming {
    /// `text` without leading and trailing whitespace (Unicode spaces included), or `nil` when
    /// nothing is left. No copy when there is nothing to trim (the common ASCII case).
    public static func nonBlank(_ text: String?) -> String? {
        guard let text, let first = text.utf8.first, let last = text.utf8.last else { return nil }
        if first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return text }
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, scalars[start].properties.isWhitespace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].properties.isWhitespace { end = scalars.index(before: end) }
        return start < end ? String(scalars[start..<end]) : nil
    }
}
