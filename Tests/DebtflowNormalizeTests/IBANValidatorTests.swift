import DebtflowCore
import DebtflowNormalize
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
