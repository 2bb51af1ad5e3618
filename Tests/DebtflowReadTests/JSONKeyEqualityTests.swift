import DebtflowCore
@testable import DebtflowJSON
import Testing

/// The key table's byte comparison (``JSONKeyTable/equal(_:_:_:)``: words, the last one
/// overlapping) at its bounds, and the guessed name it decides on read through the tokenizer.
@Suite("JSON key table: comparing names")
struct JSONKeyEqualityTests {
    @Test("names of 0 to 40 bytes are equal to themselves and unequal to a copy with any one byte changed")
    func everyLengthAndPosition() {
        for length in 0...40 {
            let name = (0..<length).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let same = Array(name)
            name.withUnsafeBufferPointer { a in
                same.withUnsafeBufferPointer { b in
                    #expect(JSONKeyTable.equal(a.baseAddress ?? UnsafePointer(bitPattern: 1)!,
                                               b.baseAddress ?? UnsafePointer(bitPattern: 1)!, length), "\(length)")
                }
            }
            for position in 0..<length {
                var changed = name
                changed[position] ^= 0x20
                name.withUnsafeBufferPointer { a in
                    changed.withUnsafeBufferPointer { b in
                        #expect(!JSONKeyTable.equal(a.baseAddress!, b.baseAddress!, length), "\(length) at \(position)")
                    }
                }
            }
        }
    }

    @Test("a record whose names differ from the last record's in one byte (the table's guess) keeps its own names, at every length and position")
    func guessedNameDiffersInOneByte() throws {
        for length in 1...20 {
            for position in 0..<length {
                let name = String((0..<length).map { Character(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
                var other = Array(name.utf8)
                other[position] = UInt8(ascii: "Z")
                let changed = String(decoding: other, as: UTF8.self)
                let document = Array("[{\"\(name)\":1,\"x\":2},{\"\(changed)\":3,\"x\":4},{\"\(name)\":5,\"x\":6}]".utf8)
                let view = try JSONDocument.parseTape(document, name: "doc")
                let keys = Array(view.children).map { record in Array(record.children).map { $0.key } }
                #expect(keys == [[name, "x"], [changed, "x"], [name, "x"]], "\(length) at \(position)")
            }
        }
    }
}
