import DebtflowCore
import Testing

@Suite("Secrets masked in what servers echo")
struct RedactionTests {
    private let key = "Ab3+x/Yz9=Qk"

    @Test("a secret is masked as written, percent-encoded in upper- or lowercase hex, and JSON-escaped", arguments: [
        "Ab3+x/Yz9=Qk", "Ab3%2Bx%2FYz9%3DQk", "Ab3%2bx%2fYz9%3dQk", #"Ab3+x\/Yz9=Qk"#,
    ])
    func forms(echo: String) {
        #expect(Redaction.scrub("the key \(echo) is refused", secrets: [key]) == "the key *** is refused")
    }

    @Test("in data: each occurrence inside the given value overwritten with as many *, so every span keeps its place")
    func maskInData() {
        let mask = Redaction.SecretMask(secrets: [key])
        var bytes = Array("Ab3+x/Yz9=Qk|x Ab3%2bx%2fYz9%3dQk y|Ab3".utf8)
        #expect(mask.apply(to: &bytes, in: 0..<bytes.count) == 2)
        #expect(String(decoding: bytes, as: UTF8.self) == "************|x ****************** y|Ab3")
        var quoted = Array(#"say "sec\ret" here"#.utf8)
        #expect(Redaction.SecretMask(secrets: [#""sec\ret""#]).apply(to: &quoted, in: 0..<quoted.count) == 1,
                "a secret with a quote and a backslash, as decoded text holds it")
        #expect(String(decoding: quoted, as: UTF8.self) == "say ********* here")
    }

    @Test("a match never runs from one value into the next: only what lies inside the range is looked at")
    func maskStaysInsideItsValue() {
        let mask = Redaction.SecretMask(secrets: ["12345678"])
        var bytes = Array("12345678xyz".utf8)   // two values side by side: "12345" and "678xyz"
        #expect(mask.apply(to: &bytes, in: 0..<5) + mask.apply(to: &bytes, in: 5..<11) == 0)
        #expect(String(decoding: bytes, as: UTF8.self) == "12345678xyz")
    }

    @Test("a secret shorter than 8 characters is not masked inside data: it would mask a name or an amount")
    func shortSecretsLeftInData() {
        let mask = Redaction.SecretMask(secrets: ["Anna", "100"])
        var bytes = Array("Anna 100".utf8)
        #expect(mask.isEmpty && mask.apply(to: &bytes, in: 0..<bytes.count) == 0)
        #expect(String(decoding: bytes, as: UTF8.self) == "Anna 100")
        #expect(Redaction.scrub("Anna refused", secrets: ["Anna"]) == "*** refused", "messages are still scrubbed")
    }

    @Test("a message excerpt escapes every control scalar, also CR LF (one Character of two scalars) and U+2028")
    func excerptEscapesLineBreaks() {
        #expect(MessageExcerpt.value("bad run\r\nerror: forged\u{2028}x\u{85}") == #"bad run\u{d}\u{a}error: forged\u{2028}x\u{85}"#)
        #expect(MessageExcerpt.value("e\u{301}t\u{e9}") == "e\u{301}t\u{e9}", "other characters of several scalars stay")
    }
}
