extension Array {
    /// Reverses the elements by moving them (`reverse()` copies each element it swaps: a retain
    /// and a release per reference a wide value holds). With `popLast()` after it, a loop takes
    /// each element in order as a value of its own, moved out of the array, not copied.
    ///
    /// Each swap goes through one slot of temporary memory with `moveInitialize`, so no element is
    /// ever held as a value: held as a value and stored back, a wide one was copied and the
    /// original destroyed.
    @inlinable
    public mutating func reverseByMoving() {
        withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 1 else { return }
            withUnsafeTemporaryAllocation(of: Element.self, capacity: 1) { slot in
                let spare = slot.baseAddress.unsafelyUnwrapped
                var low = 0
                var high = buffer.count - 1
                while low < high {
                    spare.moveInitialize(from: base + low, count: 1)
                    (base + low).moveInitialize(from: base + high, count: 1)
                    (base + high).moveInitialize(from: spare, count: 1)
                    low += 1
                    high -= 1
                }
            }
        }
    }
}
