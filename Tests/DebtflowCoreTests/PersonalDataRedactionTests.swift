import DebtflowCore
import Testing

/// A server's text may echo a debt's contact back; what debtflow prints or writes of it never
/// holds a full phone number or email (logs never hold personal data).
@Suite("Personal data masked in what servers echo")
struct PersonalDataRedactionTests {
    @Test("emails and phone numbers are masked as Redaction.email and Redaction.phone mask them", arguments: [
        ("bad contact +33612345678 jean.dupont@example.fr", "bad contact +336******78 j***@example.fr"),
        ("phone 06 12 34 56 78 refused", "phone 0612****78 refused"),
        ("phone 06.12.34.56.78.", "phone 0612****78."),
        ("call +33 (0)6 12 34 56 78 now", "call +330*******78 now"),
        ("(+44 20 7946 0958)", "(+442*******58)"),
        ("email: o'brien+debts@mail.example.co.uk.", "email: o***@mail.example.co.uk."),
        (#"{"email":"a@b.io"}"#, #"{"email":"a***@b.io"}"#),
    ])
    func masked(text: String, expected: String) {
        #expect(Redaction.personalData(in: text) == expected)
    }

    @Test("what is not a phone number or an email is kept", arguments: [
        "due date 2023-11-08 is in the past",                 // 8 digits
        "created at 2023-11-08 10:30:00",                     // a date and a time
        "Idempotency-Key 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "reference DOS123456789 unknown",                     // digits inside a word
        "amount 1234.56 too high; batch 12 of 500",
        "user@localhost and @handle",                         // no dot in the domain
        "no personal data here",
    ])
    func kept(text: String) {
        #expect(Redaction.personalData(in: text) == text)
    }

    @Test("serverText masks secrets, then personal data, then cuts the line")
    func serverText() {
        let text = Redaction.serverText("token tok-123456 for +33612345678\nforged line", secrets: ["tok-123456"], limit: 300)
        #expect(!text.contains("tok-123456"))
        #expect(!text.contains("+33612345678"))
        #expect(text.contains("+336******78"))
        #expect(!text.contains("\n"))
    }
}
