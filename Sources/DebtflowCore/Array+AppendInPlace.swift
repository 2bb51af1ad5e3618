extension Array where Element == UInt8 {
    /// Appends at most `maxCount` bytes that `write` puts in the buffer it is given, returning how
    /// many it wrote: straight into the array's spare capacity (grown first if need be), with one
    /// capacity and uniqueness check, where `append(contentsOf:)` of a piece built elsewhere pays
    /// a copy more.
    ///
    /// The buffer's bytes are uninitialized: `write` writes before it reads. Only the bytes it
    /// says it wrote are kept; if it throws, nothing is appended. Writing past `maxCount` is a
    /// programming error, caught (after the fact) by a precondition.
    @inlinable @inline(__always)
    mutating func appendInPlace(upTo maxCount: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) throws -> Int) rethrows {
        try append(addingCapacity: maxCount) { span in
            try span.withUnsafeMutableBufferPointer { buffer, initialized in
                let written = try write(UnsafeMutableBufferPointer(rebasing: buffer[initialized..<initialized + maxCount]))
                precondition(written >= 0 && written <= maxCount, "wrote past the bytes asked for")
                initialized += written
            }
        }
    }
}
