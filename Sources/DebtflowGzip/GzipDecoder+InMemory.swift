import DebtflowCore

extension GzipDecoder {
    /// Inflates a whole gzip file held in memory (concatenated members read through), for small
    /// inputs loaded once (the sandbox's debtors file); pipelines stream through ``read(into:)``.
    /// - Throws: ``DebtflowError`` of kind `.input` for a truncated or corrupt stream, naming `name`.
    public static func inflateWhole(_ compressed: [UInt8], name: String) throws -> [UInt8] {
        var offset = 0
        let decoder = GzipDecoder(name: name) { buffer in
            let count = min(buffer.count, compressed.count - offset)
            guard count > 0 else { return 0 }
            compressed.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
            }
            offset += count
            return count
        }
        var output: [UInt8] = []
        output.reserveCapacity(compressed.count * 4)
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 256 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        while true {
            let count = try decoder.read(into: scratch)
            if count == 0 { return output }
            output.append(contentsOf: scratch[0..<count])
        }
    }
}
