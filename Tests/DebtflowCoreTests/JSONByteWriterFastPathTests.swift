@testable import DebtflowCore
import Foundation
import Testing

/// The byte writer's fast paths (comma flags as bits, the eight-bytes-at-a-time escape scan,
/// numbers written without strings) write exactly what the plain rules say.
@Suite("JSON byte writer: fast paths")
struct JSONByteWriterFastPathTests {
    private func text(_ build: (inout JSONByteWriter) -> Void) -> String {
        var writer = JSONByteWriter()
        build(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// RFC 8259 escaping, one scalar at a time: the specification the writer must meet.
    private func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test("a long string to escape, its escapes on either side of each 8 KiB run and in the last byte, is escaped whole")
    func longStringInRuns() {
        let length = 3 * JSONByteWriter.escapedRunLength + 5
        var scalars = Array(repeating: Character("a"), count: length)
        for position in [0, 7, JSONByteWriter.escapedRunLength - 1, JSONByteWriter.escapedRunLength,
                         2 * JSONByteWriter.escapedRunLength + 1, length - 1] {
            scalars[position] = position % 2 == 0 ? "\"" : "\u{1}"
        }
        let input = String(scalars)
        #expect(text { $0.string(input) } == reference(input))
        let lateOnly = String(repeating: "b", count: 2 * JSONByteWriter.escapedRunLength + 3) + "\n"
        #expect(text { $0.string(lateOnly) } == reference(lateOnly))
    }

    @Test("a character to escape is found at every position of a string of up to 24 bytes", arguments: [
        "\"", "\\", "\n", "\u{01}", "\u{1F}",
    ])
    func escapeAtEveryPosition(special: String) {
        for length in 0...24 {
            for position in 0...length {
                let plain = String(repeating: "a", count: length)
                let input = String(plain.prefix(position)) + special + String(plain.dropFirst(position))
                #expect(text { $0.string(input) } == reference(input), "length \(length), position \(position)")
            }
        }
    }

    @Test("strings with nothing to escape are copied as they are, ASCII or not, at every length", arguments: [
        "a", "é", "€", "𝄞", " ", "~", "\u{7F}",
    ])
    func nothingToEscape(unit: String) {
        for count in 0...20 {
            let input = String(repeating: unit, count: count)
            #expect(text { $0.string(input) } == "\"" + input + "\"")
        }
    }

    @Test("containers nested 200 deep get their commas right at every level (past the 64 kept as bits)")
    func deepNesting() throws {
        let depth = 200
        let json = text { w in
            for _ in 0..<depth { w.beginArray(); w.int(1) }
            for _ in 0..<depth { w.int(2); w.endArray() }
        }
        // Each level: `[1`, a comma, its child, a comma, `2]`.
        let expected = "[1" + String(repeating: ",[1", count: depth - 1) + String(repeating: ",2]", count: depth)
        #expect(json == expected)
        #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) is [Any])
    }

    @Test("removeAll forgets open containers too")
    func removeAllResets() {
        var writer = JSONByteWriter()
        writer.beginObject(); writer.field("a", 1)
        writer.removeAll()
        writer.beginArray(); writer.int(1); writer.int(2); writer.endArray()
        #expect(String(decoding: writer.bytes, as: UTF8.self) == "[1,2]")
    }

    @Test("integers are written as Swift prints them, extremes included",
          arguments: [0, 7, -7, 10, 1_000_000, Int.max, Int.min])
    func integers(value: Int) {
        #expect(text { $0.int(value) } == String(value))
        #expect(text { $0.int64(Int64(value)) } == String(value))
    }

    @Test("integers are written as Swift prints them on each side of every power of ten, and for every value up to 10,000")
    func integersAtEveryLength() {
        var values: [Int] = Array(0...10_000)
        var power = 10
        for exponent in 1...18 {  // 10 ... 10^18
            values += [power - 1, power, power + 1, -(power - 1), -power]
            if exponent < 18 { power *= 10 }
        }
        values += [Int.max - 1, Int.min + 1]
        for value in values {
            #expect(text { $0.int(value) } == String(value), "\(value)")
        }
    }

    @Test("an amount's fraction is padded to its decimals whatever the pairs of digits written before it",
          arguments: [0, 1, 9, 10, 99, 100, 101, 999, 1000, 9999, 10000, 123_456_789, 1_000_000_000_000])
    func amountFractionsAtEveryWidth(minorUnits: Int64) {
        for digits in 0...18 {
            let amount = MinorUnitAmount(minorUnits: minorUnits, digits: digits)
            #expect(text { $0.amount(amount) } == amount.decimalText, "\(minorUnits) with \(digits) decimals")
        }
    }

    @Test("an amount is written as its decimal text", arguments: [
        (123450 as Int64, 2), (1234, 0), (12500, 3), (5, 2), (-5, 2), (0, 2), (100, 2), (999_999_999_999_999_999, 2),
        (1, 4), (-1234, 0), (7, 18),
    ])
    func amounts(minorUnits: Int64, digits: Int) {
        let amount = MinorUnitAmount(minorUnits: minorUnits, digits: digits)
        #expect(text { $0.amount(amount) } == amount.decimalText)
    }

    @Test("an amount in an array gets its comma like any value")
    func amountSeparated() {
        let json = text { w in
            w.beginArray(); w.amount(MinorUnitAmount(minorUnits: 1, digits: 2)); w.amount(MinorUnitAmount(minorUnits: 2, digits: 0)); w.endArray()
        }
        #expect(json == "[0.01,2]")
    }

    @Test("a member written in one piece (key and value) is what key then string write, commas included",
          arguments: ["", "Lyon", "Céline", "say \"hi\"", "tab\there", String(repeating: "x", count: 240),
                      String(repeating: "é", count: 200), "back\\slash", String(repeating: "long ", count: 2000)])
    func memberInOnePiece(_ value: String) {
        let piecewise = text { writer in
            writer.beginObject()
            writer.key(literal: "first")
            writer.int(1)
            writer.key(literal: "city")
            writer.string(value)
            writer.key(literal: "last")
            writer.string(value)
            writer.endObject()
        }
        let inOnePiece = text { writer in
            writer.beginObject()
            writer.field(literal: "first", 1)
            value.utf8.withContiguousStorageIfAvailable { writer.field(literal: "city", utf8: $0) }
            writer.field(literal: "last", value)
            writer.endObject()
        }
        #expect(inOnePiece == piecewise)
        #expect(inOnePiece == "{\"first\":1,\"city\":\(reference(value)),\"last\":\(reference(value))}")
    }

    @Test("pieces written past the buffer's capacity grow it: nothing is lost or overwritten")
    func piecesGrowTheBuffer() {
        var small = JSONByteWriter(capacity: 1)
        var expected = "["
        small.beginArray()
        for index in 0..<2000 {
            let value = String(repeating: "v", count: index % 37)
            small.beginObject()
            value.utf8.withContiguousStorageIfAvailable { small.field(literal: "k", utf8: $0) }
            small.field(literal: "n", index)
            small.endObject()
            expected += (index == 0 ? "" : ",") + "{\"k\":\"\(value)\",\"n\":\(index)}"
        }
        small.endArray()
        expected += "]"
        #expect(String(decoding: small.bytes, as: UTF8.self) == expected)
    }

    @Test("an amount's fraction keeps its leading zeros, at every number of decimals", arguments: [
        (MinorUnitAmount(minorUnits: 5, digits: 2), "0.05"), (MinorUnitAmount(minorUnits: -5, digits: 3), "-0.005"),
        (MinorUnitAmount(minorUnits: 100_001, digits: 4), "10.0001"), (MinorUnitAmount(minorUnits: 0, digits: 2), "0.00"),
        (MinorUnitAmount(minorUnits: Int64.max, digits: 18), "9.223372036854775807"),
    ])
    func amountFractionZeros(amount: MinorUnitAmount, expected: String) {
        #expect(text { $0.amount(amount) } == expected)
        #expect(amount.decimalText == expected)
    }
}

