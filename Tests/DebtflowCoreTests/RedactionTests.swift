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

    @Test("in bytes (a whole answer body): every occurrence masked, and nil when none occurs (nothing copied)")
    func bytes() {
        let body = Array(#"{"result":[{"note":"Ab3+x/Yz9=Qk"},{"note":"x Ab3%2bx%2fYz9%3dQk y Ab3+x/Yz9=Qk"}]}"#.utf8)
        let masked = Redaction.scrub(bytes: body, secrets: [key]).map { String(decoding: $0, as: UTF8.self) }
        #expect(masked == #"{"result":[{"note":"***"},{"note":"x *** y ***"}]}"#)
        #expect(Redaction.scrub(bytes: Array(#"{"result":[]}"#.utf8), secrets: [key]) == nil)
        #expect(Redaction.scrub(bytes: Array("Ab3".utf8), secrets: [key]) == nil, "shorter than the secret")
    }
}
