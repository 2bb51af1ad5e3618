import DebtflowCore
import DebtflowNormalize
import Testing

/// The rules' byte entry points (what a reader's span is handed to): their bounds, and that they
/// answer as the `String` entry points do.
@Suite("Rules read UTF-8 bytes")
struct RuleBytesTests {
    private func withBytes<T>(_ bytes: [UInt8], _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        bytes.withUnsafeBufferPointer(body)
    }

    private func text(_ bytes: [UInt8], _ rule: (UnsafeBufferPointer<UInt8>) -> NormalizedText?) -> String? {
        withBytes(bytes) { buffer in rule(buffer)?.string(bytes: buffer) }
    }

    // MARK: amounts

    @Test("amount: empty is invalid_amount (empty), one digit is an amount")
    func amountBounds() throws {
        let empty = withBytes([]) { AmountParser.parse(utf8: $0, decimal: .auto) }
        guard case .failure(let error) = empty else { Issue.record("expected invalid_amount"); return }
        #expect(error.code == .invalidAmount && error.message.hasSuffix("the field is empty"))
        let one = try withBytes(Array("5".utf8)) { AmountParser.parse(utf8: $0, decimal: .auto) }.get()
        #expect(one.digits == "5" && one.fractionDigits == 0)
    }

    @Test("amount: 18 digits is the most; 19 is invalid_amount")
    func amountLength() throws {
        let most = try withBytes(Array(String(repeating: "9", count: 18).utf8)) { AmountParser.parse(utf8: $0, decimal: .auto) }.get()
        #expect(most.digits.count == 18)
        let tooMany = withBytes(Array(String(repeating: "9", count: 19).utf8)) { AmountParser.parse(utf8: $0, decimal: .auto) }
        #expect(throws: RecordError.self) { try tooMany.get() }
    }

    @Test("amount: non-ASCII signs and spaces read as in text; ill-formed UTF-8 is invalid_amount", arguments: [
        "1\u{A0}234,56 €", "£12.50", "1\u{202F}234.5", "EUR 12.50", "12,50 euros", "(12.50)", "12,5,3", "abc",
    ])
    func amountAsText(input: String) {
        let bytes = withBytes(Array(input.utf8)) { AmountParser.parse(utf8: $0, decimal: .auto) }
        #expect(bytes == AmountParser.parse(input, decimal: .auto))
    }

    @Test("amount: ill-formed UTF-8 is invalid_amount")
    func amountIllFormed() {
        let result = withBytes(Array("12".utf8) + [0xC3]) { AmountParser.parse(utf8: $0, decimal: .auto) }
        guard case .failure(let error) = result else { Issue.record("expected invalid_amount"); return }
        #expect(error.code == .invalidAmount)
    }

    // MARK: currencies

    @Test("currency: empty, one letter and six letters name none; three letters, € and `euros` (five) do", arguments: [
        ("", nil), ("E", nil), ("eur", "EUR"), (" Eur\u{A0}", "EUR"), ("€", "EUR"), ("£", "GBP"), ("euros", "EUR"),
        ("eurosx", nil), ("FRF", nil), ("$", nil),
    ] as [(String, String?)])
    func currencyBounds(input: String, code: String?) {
        #expect(withBytes(Array(input.utf8)) { CurrencyTable.normalize(utf8: $0) }?.code == code)
        #expect(CurrencyTable.normalize(input)?.code == code)
    }

    @Test("currency: ill-formed UTF-8 names none")
    func currencyIllFormed() {
        #expect(withBytes([0x45, 0x55, 0xD2]) { CurrencyTable.normalize(utf8: $0) } == nil)
        #expect(withBytes([0xE2, 0x82]) { CurrencyTable.normalize(utf8: $0) } == nil)
    }

    // MARK: emails

    @Test("email: empty and one byte are invalid; the shortest address is valid as it is")
    func emailBounds() {
        #expect(withBytes([]) { EmailValidator.normalize(utf8: $0) } == nil)
        #expect(withBytes([0x40]) { EmailValidator.normalize(utf8: $0) } == nil)
        #expect(withBytes(Array("a@b.co".utf8)) { EmailValidator.normalize(utf8: $0) } == .input(0..<6))
    }

    @Test("email: a local part of 64 characters is the longest; 65 is invalid")
    func emailLocalLength() {
        let longest = String(repeating: "a", count: 64) + "@example.fr"
        #expect(text(Array(longest.utf8), EmailValidator.normalize(utf8:)) == longest)
        #expect(text(Array(("a" + longest).utf8), EmailValidator.normalize(utf8:)) == nil)
    }

    @Test("email: the trimmed input is kept as it is unless the domain has capitals to lower")
    func emailKeptOrRewritten() {
        #expect(withBytes(Array(" jean@example.fr\u{A0}".utf8)) { EmailValidator.normalize(utf8: $0) } == .input(1..<16))
        #expect(withBytes(Array("Jean@Example.FR".utf8)) { EmailValidator.normalize(utf8: $0) } == .rewritten("Jean@example.fr"))
    }

    @Test("email: a non-ASCII local part counts characters; ill-formed UTF-8 in the domain is invalid")
    func emailNonASCII() {
        #expect(text(Array("élodie@example.fr".utf8), EmailValidator.normalize(utf8:)) == "élodie@example.fr")
        let local64 = String(repeating: "é", count: 64) + "@example.fr"
        #expect(text(Array(local64.utf8), EmailValidator.normalize(utf8:)) == local64)
        #expect(text(Array("a@exam".utf8) + [0xC3] + Array("ple.fr".utf8), EmailValidator.normalize(utf8:)) == nil)
    }

    // MARK: IBANs

    @Test("IBAN: empty, one byte and 14 characters are invalid; 15 and 34 (the longest) are valid; 35 is not")
    func ibanBounds() {
        #expect(text([], IBANValidator.normalize(utf8:)) == nil)
        #expect(text([0x44], IBANValidator.normalize(utf8:)) == nil)
        #expect(text(Array("ZZ811234567890".utf8), IBANValidator.normalize(utf8:)) == nil)
        #expect(text(Array("ZZ8112345678901".utf8), IBANValidator.normalize(utf8:)) == "ZZ8112345678901")
        let longest = "ZZ20123456789012345678901234567890"
        #expect(longest.utf8.count == 34)
        #expect(text(Array(longest.utf8), IBANValidator.normalize(utf8:)) == longest)
        #expect(text(Array((longest + "1").utf8), IBANValidator.normalize(utf8:)) == nil)
    }

    @Test("IBAN: the electronic form is the input's own bytes; spaces (Unicode ones too) and lower case are rewritten")
    func ibanKeptOrRewritten() {
        #expect(withBytes(Array(" DE89370400440532013000 ".utf8)) { IBANValidator.normalize(utf8: $0) } == .input(1..<23))
        #expect(withBytes(Array("de89\u{A0}3704 0044 0532 0130 00".utf8)) { IBANValidator.normalize(utf8: $0) }
                == .rewritten("DE89370400440532013000"))
    }

    @Test("IBAN: ill-formed UTF-8 is invalid")
    func ibanIllFormed() {
        #expect(text(Array("DE89370400440532013000".utf8) + [0xFF], IBANValidator.normalize(utf8:)) == nil)
    }

    // MARK: rewritten text handed over as bytes

    /// Checks a rule's bytes entry point on `input`: it hands `rewritten` over exactly once and
    /// answers `.rewritten`, or, when `rewritten` is `nil`, hands nothing over. Returns its answer.
    @discardableResult
    private func expectHandedOver(_ input: String, _ rewritten: String?,
                                  _ rule: (UnsafeBufferPointer<UInt8>, (UnsafeBufferPointer<UInt8>) -> Void) -> NormalizedBytes?)
        -> NormalizedBytes? {
        var handed: String?
        var calls = 0
        let answer = withBytes(Array(input.utf8)) { buffer in
            rule(buffer) { bytes in
                handed = String(decoding: bytes, as: UTF8.self)
                calls += 1
            }
        }
        #expect(handed == rewritten, "\(input)")
        #expect(calls == (rewritten == nil ? 0 : 1), "\(input)")
        #expect((answer == .rewritten) == (rewritten != nil), "\(input)")
        return answer
    }

    @Test("email: a lowered domain is handed over as bytes once, as the String entry point writes it, and nothing for a kept input or a refusal",
          arguments: [
              ("Jean.Dupont@EXAMPLE.FR", "Jean.Dupont@example.fr"), (" a@b.co ", nil), ("not an address", nil),
              ("a.very.long.local.part.over.fifteen.bytes@Example.Org", "a.very.long.local.part.over.fifteen.bytes@example.org"),
          ] as [(String, String?)])
    func emailRewrittenAsBytes(input: String, rewritten: String?) {
        let answer = expectHandedOver(input, rewritten, EmailValidator.normalize(utf8:rewritten:))
        #expect(text(Array(input.utf8), EmailValidator.normalize(utf8:)) == (rewritten ?? (answer == nil ? nil : input.trimmingSpaces)))
    }

    @Test("IBAN: spaces taken out and letters raised are handed over as bytes; the electronic form as typed is kept",
          arguments: [
              ("fr76 3000 6000 0112 3456 7890 189", "FR7630006000011234567890189"),
              ("FR7630006000011234567890189", nil), ("FR76 3000 6000 0112 3456 7890 188", nil),
          ] as [(String, String?)])
    func ibanRewrittenAsBytes(input: String, rewritten: String?) {
        expectHandedOver(input, rewritten, IBANValidator.normalize(utf8:rewritten:))
        if let rewritten { #expect(IBANValidator.normalize(input) == rewritten) }
    }

    @Test("date: a reordered date is handed over as bytes; YYYY-MM-DD is kept and a non-date refused, with nothing handed over",
          arguments: [("29/02/2024", "2024-02-29"), ("01.12.1999", "1999-12-01"), ("2024-02-29", nil), ("29/02/2023", nil)]
              as [(String, String?)])
    func dateRewrittenAsBytes(input: String, rewritten: String?) {
        expectHandedOver(input, rewritten, DateNormalizer.normalize(utf8:rewritten:))
        if let rewritten { #expect(DateNormalizer.normalize(input) == rewritten) }
    }

    // MARK: dates

    @Test("date: empty, one byte, nine and eleven bytes are invalid; ten bytes are a date", arguments: [
        ("", nil), ("1", nil), ("2024-02-2", nil), ("2024-02-290", nil), ("2024-02-29", "2024-02-29"),
        ("29/02/2024", "2024-02-29"), ("29.02.2024", "2024-02-29"), (" 2024-02-29\u{A0}", "2024-02-29"),
        ("29/02/2023", nil), ("２０２４-02-29", nil),
    ] as [(String, String?)])
    func dateBounds(input: String, expected: String?) {
        #expect(text(Array(input.utf8), DateNormalizer.normalize(utf8:)) == expected)
        #expect(DateNormalizer.normalize(input) == expected)
    }

    @Test("date: YYYY-MM-DD is kept as the input's bytes; the other orders are rewritten")
    func dateKeptOrRewritten() {
        #expect(withBytes(Array("2024-02-29".utf8)) { DateNormalizer.normalize(utf8: $0) } == .input(0..<10))
        #expect(withBytes(Array("29/02/2024".utf8)) { DateNormalizer.normalize(utf8: $0) } == .rewritten("2024-02-29"))
    }

    @Test("date: ill-formed UTF-8 is invalid")
    func dateIllFormed() {
        #expect(text(Array("2024-02-2".utf8) + [0xC3], DateNormalizer.normalize(utf8:)) == nil)
    }
}

private extension String {
    /// Without the ASCII spaces around it (what the rules' trimming takes off these inputs).
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
