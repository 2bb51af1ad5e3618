/// `normalize`'s last phone, kept with the candidate it normalized: the trimmed text (at most
/// ``maxBytes`` bytes), the region code it was read with, and the answer. A candidate is reused
/// record after record, and the cases of one Magicline debtor (one candidate each, in turn)
/// share the debtor's phone: the second case's phone is then not read again (`normalize` keeps
/// it for cases only). The answer is a
/// function of the text and the region alone, so a remembered one is the answer.
public struct PhoneMemo: Sendable {
    /// The longest text remembered.
    public static let maxBytes = 32

    /// How many bytes the remembered text has; -1 when there is none.
    private var count = -1
    /// The remembered text's bytes, in the first ``count`` bytes.
    private var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// The region code the text was read with.
    private var region = ""
    /// What reading it gave.
    private var answer: Result<PhoneNumber, PhoneNormalizationError> = .failure(PhoneNormalizationError(message: ""))

    public init() {}

    /// The answer remembered for `text` read with `region`, else `nil`.
    public func answer(for text: UnsafeBufferPointer<UInt8>, region: String) -> Result<PhoneNumber, PhoneNormalizationError>? {
        guard text.count == count, region == self.region else { return nil }
        guard count > 0 else { return answer }
        let same = withUnsafeBytes(of: self.text) { kept in
            ByteWord.equal(kept.baseAddress.unsafelyUnwrapped, UnsafeRawPointer(text.baseAddress.unsafelyUnwrapped), count: count)
        }
        return same ? answer : nil
    }

    /// Remembers `answer` for `text` read with `region` (nothing for a text past ``maxBytes``).
    public mutating func remember(_ answer: Result<PhoneNumber, PhoneNormalizationError>, for text: UnsafeBufferPointer<UInt8>,
                                  region: String) {
        guard text.count <= Self.maxBytes else { return }
        count = text.count
        if let base = text.baseAddress {
            withUnsafeMutableBytes(of: &self.text) { $0.baseAddress.unsafelyUnwrapped.copyMemory(from: base, byteCount: text.count) }
        }
        self.region = region
        self.answer = answer
    }
}
