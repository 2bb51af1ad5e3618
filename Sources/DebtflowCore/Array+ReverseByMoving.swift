extension Array {
    /// Reverses the elements by moving them (`reverse()` copies each element it swaps: a retain
    /// and a release per reference a wide value holds). With `popLast()` after it, a loop takes
    /// each element in order as a value of its own, moved out of the array, not copied.
    public mutating func reverseByMoving() {
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 1 else { return }
            var low = 0
            var high = buffer.count - 1
            while low < high {
                let lowElement = (base + low).move()
                (base + low).moveInitialize(from: base + high, count: 1)
                (base + high).initialize(to: lowElement)
                low += 1
                high -= 1
            }
        }
    }
}
