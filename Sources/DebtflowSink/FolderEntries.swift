#if canImport(Glibc)
import Glibc
#endif

/// The names in a folder (`readdir`, `.` and `..` included), for the sweeps beside an output:
/// leftover temporary files (``StaleTemporaryFiles``) and publish lists (``PublishManifest``).
enum FolderEntries {
    /// The names in `folder`; none when it cannot be read.
    static func names(in folder: String) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            })
        }
        return names
    }
}
