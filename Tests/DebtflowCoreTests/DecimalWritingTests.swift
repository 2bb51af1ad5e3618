import DebtflowCore
import Testing

@Suite("Writing a number's decimal text into a byte buffer (positional temp_ids)")
struct DecimalWritingTests {
    private func written(_ number: Int, after prefix: String = "") -> String {
        let prefix = Array(prefix.utf8)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: prefix.count + 20) { buffer in
            let end = buffer.writeDecimal(number, at: buffer.initialize(fromContentsOf: prefix))
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<end]), as: UTF8.self)
        }
    }

    @Test("the same text as String(number), from one digit to the widest Int, negatives included",
          arguments: [0, 7, 9, 10, 99, 100, 12_345, -1, -10, -987, Int.max, Int.min])
    func sameAsString(_ number: Int) {
        #expect(written(number) == String(number))
        #expect(written(number, after: "debts.csv#") == "debts.csv#" + String(number))
    }
}
