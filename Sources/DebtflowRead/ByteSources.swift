import DebtflowCore
import DebtflowGzip
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// What `path` is when it is a stream, whose bytes one reader takes and no other sees again:
    /// `"standard input"` for `-`, `"a FIFO"`, `"a character device"` or `"a socket"`; `nil` for a
    /// regular file, a folder or a path that cannot be inspected (opening it says why).
    /// `debtflow check` does not open a stream: even a peek at its first bytes would take them
    /// from the run that follows.
    public static func streamKind(of path: String, relativeTo folder: String? = nil) -> String? {
        if path == "-" { return "standard input" }
        var status = stat()
        guard stat(resolve(path, relativeTo: folder), &status) == 0 else { return nil }
        switch status.st_mode & S_IFMT {
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFSOCK: return "a socket"
        default: return nil
        }
    }

    /// `path` itself when absolute (or when there is no folder), else `folder/path`.
    static func resolve(_ path: String, relativeTo folder: String?) -> String {
        guard let folder, !folder.isEmpty, !path.hasPrefix("/") else { return path }
        return folder.hasSuffix("/") ? folder + path : folder + "/" + path
    }
}
