import CZlib

/// The IEEE CRC-32 (zlib's `crc32`, as in gzip trailers and `cksum -a crc32b`).
public enum CRC32 {
    /// The CRC-32 of `bytes`: `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, UInt32(buffer.count)))
        }
    }
}
