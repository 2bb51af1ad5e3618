import DebtflowCore
import Foundation

/// The checks a path from the config or the command line passes before it is used at all.
enum PathText {
    /// The longest path the system accepts, in bytes (Linux's `PATH_MAX`, its NUL excluded).
    static let maxBytes = 4095

    /// What makes `path` unusable (a NUL byte, or longer than the system allows), or `nil`.
    static func problem(_ path: String) -> String? {
        if path.utf8.contains(0) {
            return "a path cannot contain a NUL byte: \(MessageExcerpt.quoted(path))"
        }
        if path.utf8.count > maxBytes {
            return "a path of \(path.utf8.count) bytes is longer than the system allows (\(maxBytes)): \(MessageExcerpt.quoted(path))"
        }
        return nil
    }

    /// `path` made absolute against `baseDirectory` (the config's folder) and standardized; `-`
    /// (stdin, stdout) and absolute paths are kept as they are.
    static func resolve(_ path: String, against baseDirectory: String) -> String {
        if path == "-" || path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: baseDirectory).appendingPathComponent(path).standardizedFileURL.path
    }
}
