import DebtflowCore
@testable import DebtflowNormalize
import Testing

@Suite("PhoneDigits: a phone number's digits held inline, bounds-checked")
struct PhoneDigitsTests {
    @Test("a new value holds no digit")
    func empty() {
        let digits = PhoneDigits()
        #expect(digits.isEmpty)
        #expect(digits.count == 0)
        #expect(Array(digits) == [])
    }

    @Test("one digit is held and read back")
    func oneDigit() {
        var digits = PhoneDigits()
        let added = digits.append(7)
        #expect(added)
        #expect(Array(digits) == [7])
        #expect(digits[0] == 7)
    }

    @Test("it holds exactly its capacity, in order, and refuses the next digit without changing")
    func capacity() {
        var digits = PhoneDigits()
        for index in 0..<PhoneDigits.capacity {
            let added = digits.append(UInt8(index % 10))
            #expect(added)
        }
        #expect(digits.count == PhoneDigits.capacity)
        let full = digits
        let refused = !digits.append(1)
        #expect(refused)
        #expect(digits == full)
        #expect(digits.last == UInt8((PhoneDigits.capacity - 1) % 10))
    }

    @Test("slices keep the indices of the whole, as an ArraySlice does, and copy into a new value")
    func slicing() {
        let digits = PhoneDigits([0, 6, 1, 2])
        let tail = digits[1...]
        #expect(tail.startIndex == 1)
        #expect(Array(tail) == [6, 1, 2])
        #expect(PhoneDigits(tail) == PhoneDigits([6, 1, 2]))
        #expect(digits.starts(with: [0, 6]))
    }

    @Test("withDigits hands over exactly the digits of its range; a slice's are its own")
    func digitBuffers() {
        let digits = PhoneDigits([3, 3, 6, 1, 2])
        #expect(digits.withDigits(in: 0..<5) { Array($0) } == [3, 3, 6, 1, 2])
        #expect(digits.withDigits(in: 2..<4) { Array($0) } == [6, 1])
        #expect(digits.withDigits(in: 5..<5) { $0.count } == 0)
        #expect(digits[2...].withDigits { Array($0) } == [6, 1, 2])
        #expect(digits[..<0].withDigits { $0.count } == 0)
        let full = PhoneDigits([UInt8](repeating: 4, count: PhoneDigits.capacity))
        #expect(full[1...].withDigits { $0.count } == PhoneDigits.capacity - 1)
        #expect(PhoneDigits(full[1...]).count == PhoneDigits.capacity - 1)
        #expect(PhoneDigits(full[1...]) == PhoneDigits([UInt8](repeating: 4, count: PhoneDigits.capacity - 1)))
        #expect(PhoneDigits(digits[5...]).isEmpty)
    }

    @Test("E.164's longest number (15 digits) and a typed number with prefixes fit")
    func typicalLengths() {
        #expect(PhoneDigits([UInt8](repeating: 9, count: 15)).count == 15)
        #expect(PhoneDigits([UInt8](repeating: 9, count: 40)).count == 40)
    }
}

@Suite("Phone numbers from UTF-8 bytes")
struct PhoneBytesTests {
    let normalizer = PhoneNormalizer()

    private func answer(_ bytes: [UInt8], _ region: String = "FR") -> Result<PhoneNumber, PhoneNormalizationError> {
        bytes.withUnsafeBufferPointer { normalizer.normalize(utf8: $0, defaultRegion: region) }
    }

    @Test("bytes give the same answer as the same text", arguments: [
        "06 12 34 56 78", "+33 (0)6 12 34 56 78", "0690123456", "'0612345678", "06 12 34 56 78 poste 12",
        "０６１２３４５６７８", "O6 12 34 56 78", "+", "", "41 12 34",
    ])
    func sameAsText(input: String) {
        #expect(answer(Array(input.utf8)) == normalizer.normalize(input))
    }

    @Test("ill-formed UTF-8 among the digits is an unexpected character, not a crash")
    func illFormed() {
        let bytes: [UInt8] = Array("06 12 34".utf8) + [0xC3] + Array(" 56 78".utf8)
        guard case .failure(let error) = answer(bytes) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.message.hasPrefix("unexpected character"))
        #expect(answer([0xE2, 0x82]) == .failure(PhoneInputScanner.unexpected))
    }

    @Test("one byte: a digit alone is too short, a letter is letters")
    func oneByte() {
        #expect(throws: PhoneNormalizationError.self) { try answer(Array("7".utf8)).get() }
        #expect(answer(Array("x".utf8)) == .failure(PhoneInputScanner.letters))
    }

    @Test("more digits than PhoneDigits holds: invalid, and the answer of the first digits")
    func longerThanCapacity() {
        for prefix in ["+33 6", "06", "00 44 ", "+999"] {
            let long = prefix + String(repeating: "1", count: PhoneDigits.capacity + 5)
            let atCapacity = prefix + String(repeating: "1", count: PhoneDigits.capacity)
            #expect(throws: PhoneNormalizationError.self) { try normalizer.normalize(long).get() }
            #expect(normalizer.normalize(long) == normalizer.normalize(atCapacity), "\(prefix)")
        }
    }

    @Test("more than 250 digits is too many digits, whatever follows")
    func tooManyDigits() {
        let input = String(repeating: "1", count: 251) + " abc"
        #expect(normalizer.normalize(input) == .failure(PhoneInputScanner.tooLong))
    }
}
