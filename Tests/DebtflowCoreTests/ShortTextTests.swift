import DebtflowCore
import Testing

@Suite("ShortText: up to 24 bytes inline, and a destination's texts kept in them")
struct ShortTextTests {
    @Test("a text round-trips at every length from 0 to the capacity, non-ASCII included")
    func roundTrip() {
        let alphabet = Array("é0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        for length in 0...ShortText.capacity {
            let bytes = Array(alphabet.prefix(length))
            guard String(validating: bytes, as: UTF8.self) != nil else { continue }  // 1 byte of "é"
            let text = String(decoding: bytes, as: UTF8.self)
            let short = ShortText(text)
            #expect(short.string == text)
            #expect(Int(short.count) == bytes.count)
            #expect(short.withBytes { Array($0) } == bytes)
        }
        #expect(ShortText().count == 0)
        #expect(ShortText().string == "")
        // The longest text a Double's description can be (a multiplier from a config).
        #expect(ShortText(String(-2.2250738585072014e-308)).string == "-2.2250738585072014e-308")
    }

    @Test("texts are equal when their bytes are, and a prefix is not the text")
    func equality() {
        #expect(ShortText("GP") == ShortText("GP"))
        #expect(ShortText("GP") != ShortText("GF"))
        #expect(ShortText("1.0") != ShortText("1.00"))
        #expect(ShortText("") == ShortText())
        // Bytes past the count are zeros: the same text made twice hashes the same.
        #expect(ShortText("fr_mainland").hashValue == ShortText("fr_mainland").hashValue)
        let full = String(repeating: "x", count: 24)
        #expect(ShortText(full) != ShortText(String(full.dropLast())))
        #expect(ShortText(full) == ShortText(full))
    }

    @Test("a destination's country and multiplier read and write as Strings over their short texts")
    func destinationTexts() {
        var destination = Destination(zone: .domTom, country: "GP", credits: 100, multiplier: "4.0", expensive: true)
        #expect(destination.country == "GP")
        #expect(destination.multiplier == "4.0")
        #expect(destination.countryText == ShortText("GP"))
        destination.country = "001"
        destination.multiplier = nil
        #expect(destination.country == "001")
        #expect(destination.multiplier == nil)
        #expect(destination.multiplierText == nil)
        #expect(destination != Destination(zone: .domTom, country: "GP", credits: 100, multiplier: "4.0", expensive: true))
        #expect(Destination(zone: .eu, country: "DE", credits: 30, multiplier: "1.2", expensive: false)
                == Destination(zone: .eu, countryText: ShortText("DE"), credits: 30, multiplierText: ShortText("1.2"), expensive: false))
    }
}
