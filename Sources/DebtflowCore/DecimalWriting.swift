extension UnsafeMutableBufferPointer where Element == UInt8 {
    /// Writes `number`'s decimal text (a `-` first when negative, then its digits, counted and
    /// then written last to first) at `index`, and returns the index after it. A positional
    /// `temp_id`'s number (`debts.csv#12`, `…#3.1`) is written this way, with no `String` made.
    /// - Precondition: the buffer has room for 20 bytes from `index`.
    @inlinable
    public func writeDecimal(_ number: Int, at index: Int) -> Int {
        var index = index
        if number < 0 {
            self[index] = UInt8(ascii: "-")
            index += 1
        }
        var width = 1
        var rest = number.magnitude
        while rest >= 10 { rest /= 10; width += 1 }
        rest = number.magnitude
        for position in (index..<index + width).reversed() {
            self[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
        return index + width
    }
}
