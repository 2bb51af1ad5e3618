/// Recognises gzip data by its first two bytes, whatever the file is called.
public enum GzipDetection {
    /// The gzip magic number (RFC 1952): `1f 8b`.
    public static let magic: [UInt8] = [0x1f, 0x8b]

    /// Whether `prefix` starts with the gzip magic number.
    /// - Parameter prefix: the first bytes of an input (at least two for a positive answer).
    public static func isGzip(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 2 && prefix[0] == magic[0] && prefix[1] == magic[1]
    }
}
