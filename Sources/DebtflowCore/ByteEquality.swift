extension UnsafeBufferPointer where Element == UInt8 {
    /// Whether both hold the same bytes: the counts, then eight bytes at a time and the last
    /// bytes one by one (`elementsEqual` steps through the bytes one at a time).
    @inlinable @inline(__always)
    public func sameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = self.count
        guard count == other.count else { return false }
        guard count > 0, let left = baseAddress, let right = other.baseAddress else { return true }
        let leftWords = UnsafeRawPointer(left), rightWords = UnsafeRawPointer(right)
        var index = 0
        while index + 8 <= count {
            guard leftWords.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                == rightWords.loadUnaligned(fromByteOffset: index, as: UInt64.self) else { return false }
            index += 8
        }
        while index < count {
            guard left[index] == right[index] else { return false }
            index += 1
        }
        return true
    }
}
