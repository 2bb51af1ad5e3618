@testable import DebtflowCore
import Testing

/// `TempIDText` holds a `temp_id` where its text is (a span of the record's tape, its bytes inline,
/// or past those a `String`): each way must read back the same text, and compare equal to the
/// others; `DebtCandidate.setOwnTempID` points it at the record's own id, trimmed, as
/// `ownIDText` finds it.
@Suite("A temp_id where its text is")
struct TempIDTextTests {
    /// A one-record tape: `{"id": "  C-123 ", "blank": "   ", "plain": "C-123"}`.
    private let view = RecordView(RecordObject(["id": .string("  C-123 "), "blank": .string("   "),
                                                "plain": .string("C-123")]))

    private func span(_ key: String) -> ByteSpan { view[key]!.node.value }

    private static func text(_ id: TempIDText) -> String? {
        id.withBytes { bytes in bytes.map { String(decoding: $0, as: UTF8.self) } }
    }

    @Test("none, a tape span, inline bytes and a long text read back as set, and equal across kinds")
    func kinds() {
        var id = TempIDText()
        #expect(!id.hasText && id.string == nil && Self.text(id) == nil && id.byteCount == 0)
        #expect(id == TempIDText(nil))

        let plain = span("plain")
        id.set(tape: view.tape, span: plain)
        #expect(id.kind == .tape && id.string == "C-123" && Self.text(id) == "C-123" && id.byteCount == 5)
        #expect(id == TempIDText("C-123"))
        #expect(TempIDText("C-123").kind == .inline)

        let long = String(repeating: "débiteur-", count: 8)
        id.set(long)
        #expect(id.kind == .string && id.string == long && Self.text(id) == long && id.byteCount == long.utf8.count)
        // Back to a tape text: the same tape again, another span of it.
        id.set(tape: view.tape, span: ByteSpan(offset: span("id").offset + 2, length: 5))
        #expect(id.kind == .tape && id.string == "C-123")

        let made = Array("debts.csv#12".utf8)
        made.withUnsafeBufferPointer { id.set(bytes: $0) }
        #expect(id.kind == .inline && id.string == "debts.csv#12" && id.byteCount == 12)
        let exactlyInline = String(repeating: "x", count: TempIDText.inlineCapacity)
        id.set(exactlyInline)
        #expect(id.kind == .inline && id.string == exactlyInline)
        id.clear()
        #expect(!id.hasText && id == TempIDText())
        #expect(TempIDText("a") != TempIDText("b") && TempIDText("a") != TempIDText())
    }

    @Test("copied bytes that are not valid UTF-8 are repaired, as a String made of them is; a tape text is taken as it is")
    func repaired() {
        let bytes: [UInt8] = [0x43, 0xFF, 0x31]
        var id = TempIDText()
        bytes.withUnsafeBufferPointer { id.set(bytes: $0) }
        #expect(id.string == String(decoding: bytes, as: UTF8.self))
        let valid = Array("Zoë-7".utf8)
        id.set(tape: RecordTape(bytes: valid, nodes: []), span: ByteSpan(offset: 0, length: UInt32(valid.count)))
        #expect(id.kind == .tape && id.string == "Zoë-7")
    }

    @Test("a candidate's own id is its temp_id, else its internal_id, trimmed: a tape span when in the record, its bytes when not, none when blank")
    func ownID() {
        var candidate = DebtCandidate(provenance: Provenance(source: "in.json", record: 1), data: view)
        candidate.raw = DebtRawFields(tape: view.tape)
        let noneFound = candidate.setOwnTempID()
        #expect(!noneFound)

        candidate.raw.set(.internalID, tapeSpan: span("id"))
        let inTape = candidate.setOwnTempID()
        var own = candidate.ownIDText()
        #expect(inTape && candidate.tempIDText.kind == .tape && candidate.tempID == "C-123" && own == "C-123")

        candidate.raw.set(.tempID, tapeSpan: span("blank"))
        candidate.tempID = "kept"
        let blank = candidate.setOwnTempID()
        #expect(!blank && candidate.tempID == "kept")

        candidate.raw[.tempID] = " side-9 "
        let aside = candidate.setOwnTempID()
        own = candidate.ownIDText()
        #expect(aside && candidate.tempIDText.kind == .inline && candidate.tempID == "side-9" && own == "side-9")
    }

    @Test("an envelope's temp_id is written the same from a String, from a tape span known to need no escaping (copied as it is) and from one that needs escaping, with and without its source")
    func envelopeHead() {
        let view = RecordView(RecordObject(["id": .string("C-7"), "quoted": .string("a\"b\\c")]))
        for (key, expected) in [("id", "C-7"), ("quoted", "a\"b\\c")] {
            for includeSource in [false, true] {
                var fromString = Outcome(status: .failed, provenance: Provenance(source: "in.json", record: 3), tempID: expected,
                                         data: view, errors: [])
                var fromSpan = fromString
                fromSpan.tempIDText.set(tape: view.tape, span: view[key]!.node.value, verbatim: key == "id")
                #expect(fromSpan == fromString)
                var left = JSONByteWriter()
                left.outcome(inPlace: &fromString, includeSource: includeSource)
                var right = JSONByteWriter()
                right.outcome(inPlace: &fromSpan, includeSource: includeSource)
                #expect(left.bytes == right.bytes, "\(key)")
                #expect(String(decoding: right.bytes, as: UTF8.self).contains(#""temp_id":"# + (key == "id" ? #""C-7""# : #""a\"b\\c""#)))
            }
        }
    }
}
