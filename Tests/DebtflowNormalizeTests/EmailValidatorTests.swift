import DebtflowCore
import DebtflowNormalize
import Testing

@Suite("Email validation")
struct EmailValidatorTests {
    static let longestLocalPart = String(repeating: "a", count: 64)

    @Test("valid addresses are trimmed, their domain lower-cased and their local part kept",
          arguments: [("jean.dupont@example.fr", "jean.dupont@example.fr"),
                      ("  Jean.Dupont@Example.FR \t", "Jean.Dupont@example.fr"),
                      ("a@b.co", "a@b.co"),
                      ("user+tag@mail.sub.example.com", "user+tag@mail.sub.example.com"),
                      ("x@my-domain.fr", "x@my-domain.fr"),
                      ("x@1and1.fr", "x@1and1.fr"),
                      ("o'brien@example.ie", "o'brien@example.ie"),
                      ("élodie@example.fr", "élodie@example.fr"),
                      ("a@xn--caf-dma.fr", "a@xn--caf-dma.fr"),
                      ("\(longestLocalPart)@example.fr", "\(longestLocalPart)@example.fr")])
    func valid(raw: String, expected: String) {
        #expect(EmailValidator.normalize(raw) == expected)
    }

    @Test("addresses breaking the contract's rule are invalid_email",
          arguments: ["", "   ", "jean.dupont", "jean.dupont@", "@example.fr", "a@@example.fr", "a@b@example.fr",
                      "jean dupont@example.fr", "jean\u{00A0}dupont@example.fr",
                      String(repeating: "a", count: 65) + "@example.fr",
                      "a@example", "a@-example.fr", "a@example-.fr", "a@example.-fr", "a@example.fr-",
                      "a@example.f", "a@example.12", "a@example.f1", "a@exa_mple.fr", "a@example..fr", "a@.example.fr",
                      "a@example.fr.", "a@exämple.fr", "a@ example.fr", "a@example .fr", "a@exam ple.fr"])
    func invalid(raw: String) {
        #expect(EmailValidator.normalize(raw) == nil)
    }
}
