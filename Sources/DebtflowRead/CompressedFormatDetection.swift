/// Recognises the archive and compression formats debtflow does not read (zip, bzip2, xz,
/// zstd) by their magic bytes, so that such an input is refused by name instead of being read
/// as text and published as garbage (CONTRACT.md §3). Gzip is read (``ByteSources``).
enum CompressedFormatDetection {
    /// How many leading bytes ``format(of:)`` needs to tell every format apart (a tar archive's
    /// mark ends at byte 265).
    static let prefixLength = 265

    /// A format debtflow refuses, with how an operator unpacks it.
    struct RefusedFormat: Equatable {
        /// The format's common name (`zip`, `bzip2`, `xz`, `zstd`).
        var name: String
        /// The command that turns such a file into one debtflow reads.
        var unpackHint: String

        /// `an` before `xz`, else `a`.
        var article: String { name == "xz" ? "an" : "a" }
    }

    /// The refused format whose magic bytes start `prefix`, or `nil` for anything else (text,
    /// gzip, an empty input).
    ///
    /// - zip: `PK 03 04` (a member), `PK 05 06` (an empty archive), `PK 07 08` (a spanned one).
    /// - bzip2: `BZh`, a block size `1`–`9`, then the block magic (π's digits `31 41 59 26 53 59`)
    ///   or the end-of-stream magic (`17 72 45 38 50 90`), so a CSV whose first cell starts with
    ///   `BZh1` is still text.
    /// - xz: `FD 37 7A 58 5A 00`. zstd: `28 B5 2F FD`.
    /// - tar: `ustar` and a NUL at byte 257 (POSIX), or `ustar`, two spaces and a NUL (GNU): a tar
    ///   of text files, `.tar.gz` above all, would otherwise be read as the text of its first file
    ///   with header blocks in it. Text that merely holds `ustar` there (`mustard`) is text.
    static func format(of prefix: [UInt8]) -> RefusedFormat? {
        if prefix.starts(with: [0x50, 0x4B]), prefix.count >= 4,
           [(0x03, 0x04), (0x05, 0x06), (0x07, 0x08)].contains(where: { $0 == (prefix[2], prefix[3]) }) {
            return RefusedFormat(name: "zip", unpackHint: "unzip it first (unzip FILE)")
        }
        if prefix.count >= 10, prefix.starts(with: [0x42, 0x5A, 0x68]), (0x31...0x39).contains(prefix[3]),
           prefix[4...].starts(with: [0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
            || prefix[4...].starts(with: [0x17, 0x72, 0x45, 0x38, 0x50, 0x90]) {
            return RefusedFormat(name: "bzip2", unpackHint: "decompress it first (bunzip2 FILE), or recompress it with gzip")
        }
        if prefix.starts(with: [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]) {
            return RefusedFormat(name: "xz", unpackHint: "decompress it first (unxz FILE), or recompress it with gzip")
        }
        if prefix.starts(with: [0x28, 0xB5, 0x2F, 0xFD]) {
            return RefusedFormat(name: "zstd", unpackHint: "decompress it first (unzstd FILE), or recompress it with gzip")
        }
        let ustar: [UInt8] = [0x75, 0x73, 0x74, 0x61, 0x72]
        if prefix.count >= 265, prefix[257..<262].elementsEqual(ustar),
           prefix[262] == 0 || prefix[262..<265].elementsEqual([0x20, 0x20, 0x00]) {
            return RefusedFormat(name: "tar", unpackHint: "unpack it first (tar -xf FILE) and read the export inside")
        }
        return nil
    }
}
