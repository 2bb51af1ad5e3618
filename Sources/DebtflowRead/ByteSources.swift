import DebtflowCore
import DebtflowGzip

/// Opens the input a `read` stage names.
public enum ByteSources {
    /// Opens `path` for reading: `-` is standard input, anything else a file. Gzip data is
    /// recognised from its first two bytes (`1f 8b`), whatever the name, and inflated on the fly.
    ///
    /// - Parameters:
    ///   - path: the path as the operator wrote it, or `-`. It is also the source's ``ByteSource/name``.
    ///   - relativeTo: the folder a relative `path` is resolved against (the config file's folder);
    ///     `nil` for the current directory.
    /// - Throws: ``DebtflowError`` of kind `.input` naming the path when it cannot be opened or read.
    public static func open(path: String, relativeTo folder: String? = nil) throws -> any ByteSource {
        let file: FileByteSource
        if path == "-" {
            file = FileByteSource.standardInput()
        } else {
            file = try FileByteSource(path: resolve(path, relativeTo: folder), name: path)
        }
        if GzipDetection.isGzip(try file.peek(count: GzipDetection.magic.count)) {
            return GzipByteSource(wrapping: file)
        }
        return file
    }

    /// `path` itself when absolute (or when there is no folder), else `folder/path`.
    static func resolve(_ path: String, relativeTo folder: String?) -> String {
        guard let folder, !folder.isEmpty, !path.hasPrefix("/") else { return path }
        return folder.hasSuffix("/") ? folder + path : folder + "/" + path
    }
}
