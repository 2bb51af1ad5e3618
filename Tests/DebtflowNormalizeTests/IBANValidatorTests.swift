import DebtflowCore
@testable import DebtflowNormalize
import Testing

@Suite("IBAN validation")
struct IBANValidatorTests {
    @Test("well-known example IBANs are valid and keep their electronic form",
          arguments: ["DE89370400440532013000", "FR1420041010050500013M02606", "GB82WEST12345698765432",
                      "NL91ABNA0417164300", "BE68539007547034", "CH9300762011623852957",
                      "IT60X0542811101000000123456", "ES9121000418450200051332", "DE02370400441000000087"])
    func valid(iban: String) {
        #expect(IBANValidator.normalize(iban) == iban)
    }

    @Test("spaces are removed and letters upper-cased",
          arguments: [("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
                      ("fr14 2004 1010 0505 0001 3m02 606", "FR1420041010050500013M02606"),
                      ("  gb82\u{00A0}west\u{202F}1234 5698 7654 32 ", "GB82WEST12345698765432")])
    func normalizes(raw: String, expected: String) {
        #expect(IBANValidator.normalize(raw) == expected)
    }

    @Test("a wrong checksum, length, check digits or character is invalid_iban",
          arguments: ["DE89370400440532013001", "DE88370400440532013000", "GB82WEST12345698765433",
                      "FR1420041010050500013M02607",
                      "DE8937040044053201300", "DE893704004405320130000", // wrong length for DE
                      "DE99370400441000000087", // 99 ≡ 02 (mod 97) but check digits run 02–98
                      "DE89-3704-0044-0532-0130-00", "DE89.370400440532013000", "", "DE", "DE89",
                      "1289370400440532013000", "D189370400440532013000", "DEAB370400440532013000",
                      "GB82WEST1234569876543Ä", "DE89370400440532013000DE89370400440532013000"])
    func invalid(raw: String) {
        #expect(IBANValidator.normalize(raw) == nil)
    }
}

/// ``IBANValidator/normalize(utf8:rewritten:)``'s ASCII loop against its general loop: a
/// no-break space (U+00A0, dropped like a space) in front makes the general loop read the whole
/// IBAN, so both must give the same answer.
@Suite("IBAN validation: the ASCII loop and the general one agree")
struct IBANASCIILoopTests {
    @Test("the same answer through either loop",
          arguments: ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "fr14 2004 1010 0505 0001 3m02 606",
                      "GB82WEST1234\u{00A0}5698 7654 32", "DE89-3704-0044-0532-0130-00", "DE89370400440532013001",
                      "DE89370400440532013000DE89370400440532013000", "GB82WEST1234569876543Ä", "DE89\t3704",
                      String(repeating: "1", count: 33) + " 12", String(repeating: "a", count: 35), "", " "])
    func sameAnswer(raw: String) {
        #expect(IBANValidator.normalize(raw) == IBANValidator.normalize("\u{00A0}" + raw), "\(raw)")
    }

    @Test("a typed IBAN's electronic form, and at most 34 characters")
    func typed() {
        #expect(IBANValidator.normalize("fr14 2004 1010 0505 0001 3m02 606") == "FR1420041010050500013M02606")
        #expect(IBANValidator.normalize(String(repeating: "1", count: 35)) == nil)
    }
}

@Suite("IBAN checksum")
struct IBANRemainderTests {
    /// The remainder as ISO 7064 defines it, one character at a time (the rule before it was
    /// taken in 64-bit steps).
    private func reference(_ text: String) -> Int {
        let bytes = Array(text.utf8)
        var remainder = 0
        for offset in 0..<bytes.count {
            let byte = bytes[(offset + 4) % bytes.count]
            if byte >= 0x30 && byte <= 0x39 {
                remainder = (remainder * 10 + Int(byte - 0x30)) % 97
            } else {
                remainder = (remainder * 100 + Int(byte - 0x41 + 10)) % 97
            }
        }
        return remainder
    }

    private func remainder(_ text: String) -> Int {
        Array(text.utf8).withUnsafeBufferPointer { IBANValidator.remainder($0) }
    }

    @Test("the 64-bit steps give the remainder of the character-by-character rule")
    func sameAsReference() {
        var texts = ["", "7", "DE", "DE8", "DE89", "DE893", "DE89370400440532013000", "FR1420041010050500013M02606",
                     "ZZ99" + String(repeating: "Z", count: 30), "AA00" + String(repeating: "9", count: 30),
                     "GB82WEST12345698765432", "LC55HEMM000100010012001200023015"]
        // 500 more of 1 to 34 characters, the same every run (a linear congruential sequence).
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var state: UInt64 = 42
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<500 {
            let length = 1 + next(34)
            texts.append(String(decoding: (0..<length).map { _ in alphabet[next(alphabet.count)] }, as: UTF8.self))
        }
        for text in texts {
            #expect(remainder(text) == reference(text), "\(text)")
        }
    }
}
