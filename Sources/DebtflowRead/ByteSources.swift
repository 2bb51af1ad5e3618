import DebtflowCore
import DebtflowGzip

/// Opens the input a `read` stage names.
public enum ByteSources {
    /// Opens `path` for reading: `-` is standard input, anything else a file. Gzip data is
    /// recognised from its first two bytes (`1f 8b`), whatever the name, and inflated on the fly;
    /// zip, bzip2, xz and zstd data is recognised from its magic bytes and refused by name.
    ///
    /// - Parameters:
    ///   - path: the path as the operator wrote it, or `-`. It is also the source's ``ByteSource/name``.
    ///   - relativeTo: the folder a relative `path` is resolved against (the config file's folder);
    ///     `nil` for the current directory.
    /// - Throws: ``DebtflowError`` of kind `.input` naming the path when it cannot be opened or
    ///   read, or holds a compressed format other than gzip.
    public static func open(path: String, relativeTo folder: String? = nil) throws -> any ByteSource {
        let file: FileByteSource
        if path == "-" {
            file = FileByteSource.standardInput()
        } else {
            file = try FileByteSource(path: resolve(path, relativeTo: folder), name: path)
        }
        let prefix = try file.peek(count: CompressedFormatDetection.prefixLength)
        if GzipDetection.isGzip(prefix) {
            let gzip = GzipByteSource(wrapping: file)
            // What the gzip holds: an archive inside it (a .tar.gz, a zipped export gzipped
            // again) would otherwise be read as text and give garbage records, or none.
            if let refused = CompressedFormatDetection.format(of: try gzip.peek(count: CompressedFormatDetection.prefixLength)) {
                throw DebtflowError.input("the input is gzip-compressed, and what it holds is \(refused.article) \(refused.name) "
                                          + "file, which debtflow does not read (only plain text inside gzip): \(refused.unpackHint)",
                                          location: .init(file: path, byteOffset: 0))
            }
            return gzip
        }
        if let refused = CompressedFormatDetection.format(of: prefix) {
            throw DebtflowError.input("the input is \(refused.article) \(refused.name) file, which debtflow "
                                      + "does not read (only plain or gzip-compressed input): \(refused.unpackHint)",
                                      location: .init(file: path, byteOffset: 0))
        }
        return file
    }

    /// `path` itself when absolute (or when there is no folder), else `folder/path`.
    static func resolve(_ path: String, relativeTo folder: String?) -> String {
        guard let folder, !folder.isEmpty, !path.hasPrefix("/") else { return path }
        return folder.hasSuffix("/") ? folder + path : folder + "/" + path
    }
}
