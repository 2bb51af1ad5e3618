import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// What an output path names on disk, and so how an output is written there (CONTRACT.md §2:
/// outputs never clobber what they should not).
///
/// - A new name, or an existing regular file, is a ``file(_:)``: written under a temporary name
///   beside it and renamed over it at the end (atomic publish).
/// - A symbolic link to a regular file is followed: the link's **target** is replaced atomically
///   and the link itself stays as it is (as `>` would write through it). A dangling link is refused.
/// - An existing character or block device, or a FIFO, is a ``stream(_:kind:)``: opened and
///   written in place, never renamed over; there is no atomic publish (what was written stays).
/// - `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are the process's own
///   open ``descriptor(_:)``: written as a stream, never reopened.
/// - A folder, a socket, an empty path or one holding a NUL byte cannot be an output.
public enum OutputTarget: Equatable, Sendable {
    /// Written to a temporary file in this path's folder and renamed onto this path.
    case file(String)
    /// An existing device or FIFO at this path, written in place.
    case stream(String, kind: StreamKind)
    /// An already-open descriptor of this process (stdout for `-`).
    case descriptor(Int32)

    /// The kinds of special files an output may stream into.
    public enum StreamKind: String, Sendable {
        case characterDevice = "character device"
        case blockDevice = "block device"
        case fifo = "FIFO"
    }

    /// Whether the output is published by a rename at the end (only ``file(_:)`` is).
    public var isAtomic: Bool {
        if case .file = self { return true }
        return false
    }

    /// Finds out how an output at `path` is to be written.
    /// - Parameter folderLabel: how messages name the folder (`output folder`, or just `folder`
    ///   after an option name such as `--summary:`).
    /// - Throws: ``OutputPathProblem`` saying what is wrong (a folder, a socket, a missing or
    ///   read-only folder, a dangling link, an empty path, a NUL byte).
    public static func resolve(_ path: String, folderLabel: String = "output folder") throws(OutputPathProblem) -> OutputTarget {
        if path == "-" { return .descriptor(STDOUT_FILENO) }
        if path.isEmpty { throw OutputPathProblem("expected the path of a file, found an empty string") }
        if path.utf8.contains(0) { throw OutputPathProblem("a path cannot contain a NUL byte") }
        let shown = MessageExcerpt.path(path)
        if let descriptor = ownDescriptor(named: path) {
            guard InheritedDescriptors.contains(descriptor) else {
                throw OutputPathProblem("\(shown) names descriptor \(descriptor), which the run was not started with "
                                        + "(give it in the command line, as in `3>out.ndjson`)")
            }
            return .descriptor(descriptor)
        }
        var link = stat()
        if lstat(path, &link) != 0 {
            let code = errno
            guard code == ENOENT else { throw OutputPathProblem("cannot inspect \(shown) (\(String(cString: strerror(code))))") }
            return .file(try writableNewName(path, folderLabel: folderLabel))
        }
        var info = link
        var resolved = path
        if fileType(link) == S_IFLNK {
            guard stat(path, &info) == 0, let real = realPath(path) else {
                throw OutputPathProblem("\(shown) is a symbolic link to a file that does not exist; give the target's path itself")
            }
            resolved = real
        }
        switch fileType(info) {
        case S_IFREG:
            try checkWritableFolder(of: resolved, folderLabel: folderLabel)
            return .file(resolved)
        case S_IFDIR:
            throw OutputPathProblem("\(shown) is a folder; expected the path of a file")
        case S_IFCHR:
            return .stream(resolved, kind: .characterDevice)
        case S_IFBLK:
            return .stream(resolved, kind: .blockDevice)
        case S_IFIFO:
            return .stream(resolved, kind: .fifo)
        case S_IFSOCK:
            throw OutputPathProblem("\(shown) is a socket; expected the path of a file, a device or a FIFO")
        default:
            throw OutputPathProblem("\(shown) is not a regular file, a device or a FIFO")
        }
    }

    /// `/dev/stdout` → 1, `/dev/fd/3` → 3, `/proc/self/fd/2` → 2; `nil` for any other path.
    public static func ownDescriptor(named path: String) -> Int32? {
        switch path {
        case "/dev/stdout": return STDOUT_FILENO
        case "/dev/stderr": return STDERR_FILENO
        default: break
        }
        for prefix in ["/dev/fd/", "/proc/self/fd/", "/proc/\(getpid())/fd/"] where path.hasPrefix(prefix) {
            return Int32(path.dropFirst(prefix.count))
        }
        return nil
    }

    private static func writableNewName(_ path: String, folderLabel: String) throws(OutputPathProblem) -> String {
        try checkWritableFolder(of: path, folderLabel: folderLabel)
        return path
    }

    private static func checkWritableFolder(of path: String, folderLabel: String) throws(OutputPathProblem) {
        let folder = AtomicFile.split(path).folder
        var info = stat()
        guard stat(folder, &info) == 0, fileType(info) == S_IFDIR else {
            throw OutputPathProblem("\(folderLabel) \(MessageExcerpt.path(folder)) does not exist")
        }
        guard access(folder, W_OK) == 0 else { throw OutputPathProblem("\(folderLabel) \(MessageExcerpt.path(folder)) is not writable") }
    }

    static func fileType(_ info: stat) -> mode_t { info.st_mode & S_IFMT }

    /// The canonical path of an existing file (symbolic links, `.` and `..` resolved).
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Why a path cannot be an output: a sentence naming the path, for a config or usage error.
public struct OutputPathProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
