/// What a rule made of a field's text, as its byte entry point says it: the input's own bytes
/// (a range of them, once trimmed), or new text when the normalized form differs from the input.
///
/// A caller that holds the field as a `String` keeps that very string when the range is all of
/// it (``string(input:bytes:)``); a caller holding a span makes a `String` from the range once
/// (``string(bytes:)``). No text is copied before it is known to be needed.
public enum NormalizedText: Sendable, Equatable {
    /// The normalized text is these bytes of the input, unchanged.
    case input(Range<Int>)
    /// The normalized text differs from the input (an upper-case domain lowered, spaces taken
    /// out of an IBAN, a date reordered).
    case rewritten(String)

    /// The text, given the bytes the rule read.
    public func string(bytes: UnsafeBufferPointer<UInt8>) -> String {
        switch self {
        case .input(let range): String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        case .rewritten(let text): text
        }
    }

    /// The text, given the string whose UTF-8 `bytes` the rule read: `input` itself when the
    /// range covers all of it (no copy).
    public func string(input: String, bytes: UnsafeBufferPointer<UInt8>) -> String {
        if case .input(let range) = self, range.count == bytes.count { return input }
        return string(bytes: bytes)
    }
}

/// ``NormalizedText`` for a caller that keeps rewritten text as bytes: the rule hands the new
/// text to the caller's closure during the call, from a buffer of its own, instead of making a
/// `String` of it (a heap allocation for a text over 15 bytes, such as a lowered email address
/// or an IBAN with its spaces taken out). `normalize` copies it straight into the debt.
public enum NormalizedBytes: Sendable, Equatable {
    /// The normalized text is these bytes of the input, unchanged.
    case input(Range<Int>)
    /// The normalized text differs from the input; it was handed to the caller's closure, exactly
    /// once, before the rule returned (a rule answering this without calling it is a bug).
    case rewritten

    /// The ``NormalizedText`` answer, `rewritten` being the text the closure was handed.
    func text(rewritten: String?) -> NormalizedText {
        switch self {
        case .input(let range): return .input(range)
        case .rewritten:
            assert(rewritten != nil, "a rule answered .rewritten without handing the text over")
            return .rewritten(rewritten ?? "")
        }
    }
}
