extension Array {
    /// Calls `body` with each element in order, `inout` where it lies in the array's buffer: an
    /// element reached through the array's subscript is moved out to a temporary and back (a
    /// memcpy of a wide value per call), one reached through the buffer is not. What the stages
    /// use to change a chunk's elements in place, or to hand each on.
    @inlinable
    public mutating func forEachInPlace(_ body: (inout Element) throws -> Void) rethrows {
        try withUnsafeMutableBufferPointer { elements in
            for index in elements.indices { try body(&elements[index]) }
        }
    }
}
