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

    @Test("in data (a tape's decoded text): each occurrence overwritten with as many *, so every span keeps its place")
    func maskInData() {
        var bytes = Array("Ab3+x/Yz9=Qk|x Ab3%2bx%2fYz9%3dQk y|Ab3".utf8)
        #expect(Redaction.mask(&bytes, secrets: [key]) == 2)
        #expect(String(decoding: bytes, as: UTF8.self) == "************|x ****************** y|Ab3")
        var quoted = Array(#"say "sec\ret" here"#.utf8)
        #expect(Redaction.mask(&quoted, secrets: [#""sec\ret""#]) == 1, "a secret with a quote and a backslash, as decoded text holds it")
        #expect(String(decoding: quoted, as: UTF8.self) == "say ********* here")
    }

    @Test("a secret shorter than 8 characters is not masked inside data: it would mask a name or an amount")
    func shortSecretsLeftInData() {
        var bytes = Array("Anna 100".utf8)
        #expect(Redaction.mask(&bytes, secrets: ["Anna", "100"]) == 0)
        #expect(String(decoding: bytes, as: UTF8.self) == "Anna 100")
        #expect(Redaction.scrub("Anna refused", secrets: ["Anna"]) == "*** refused", "messages are still scrubbed")
    }
}
