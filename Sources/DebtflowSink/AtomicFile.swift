import DebtflowCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The temporary files of every ``AtomicFile`` not yet published or discarded, so that a process
/// that must exit at once (a second SIGINT) can still remove them.
private let pendingTemporaryFiles = Mutex<Set<String>>([])

/// An output file written under a temporary name in its destination folder and renamed into place
/// only by ``publish()``, so a reader never sees it half-written (CONTRACT.md §1).
///
/// The file is created with mode 0600 whatever the umask: outputs hold personal data. `-` writes to
/// stdout directly (nothing to publish). One owner: not shared between tasks.
public final class AtomicFile {
    /// The final path as the operator configured it.
    public let path: String
    private let temporaryPath: String?
    private var descriptor: Int32
    private var isOpen = true
    /// Bytes written so far (the file's size, for a file we created).
    public private(set) var bytesWritten: Int64 = 0

    /// Creates the temporary file next to `path` (or takes stdout for `-`).
    /// - Throws: ``DebtflowError`` of kind `.sink` when the folder is missing or not writable.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            temporaryPath = nil
            descriptor = STDOUT_FILENO
            return
        }
        let (folder, name) = AtomicFile.split(path)
        var attempt = 0
        while true {
            let candidate = folder + "/." + name + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 {
                fchmod(fd, 0o600)
                pendingTemporaryFiles.withLock { _ = $0.insert(candidate) }
                temporaryPath = candidate
                descriptor = fd
                return
            }
            let code = errno
            attempt += 1
            if code != EEXIST || attempt > 10 {
                throw DebtflowError.sink("cannot create output file in \(folder)", location: .init(file: path),
                                         cause: String(cString: strerror(code)))
            }
        }
    }

    /// Appends bytes, retrying short writes.
    /// - Throws: `.sink` on an I/O error (`disk full` for ENOSPC).
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    throw DebtflowError.sink(code == ENOSPC ? "disk full while writing output" : "cannot write output",
                                             location: .init(file: path), cause: String(cString: strerror(code)))
                }
                offset += written
            }
        }
        bytesWritten += Int64(bytes.count)
    }

    /// Cuts the unpublished file back to its first `size` bytes, so what was written after that
    /// point is gone (a failed input's lines under `on_input_error: continue`).
    /// - Throws: `.sink` for stdout (nothing written there can be taken back) or an I/O error.
    public func truncate(to size: Int64) throws {
        guard size < bytesWritten else { return }
        guard temporaryPath != nil, isOpen else {
            throw DebtflowError.sink("cannot take back lines already written", location: .init(file: path))
        }
        if ftruncate(descriptor, off_t(size)) != 0 || lseek(descriptor, off_t(size), SEEK_SET) < 0 {
            let code = errno
            throw DebtflowError.sink("cannot cut the output back", location: .init(file: path), cause: String(cString: strerror(code)))
        }
        bytesWritten = size
    }

    /// Flushes the file to disk and renames it into place, then syncs the folder.
    public func publish() throws {
        guard let temporaryPath else { return }
        guard isOpen else { return }
        if fsync(descriptor) != 0 {
            let code = errno
            throw DebtflowError.sink("cannot flush output to disk", location: .init(file: path), cause: String(cString: strerror(code)))
        }
        close(descriptor)
        isOpen = false
        defer { pendingTemporaryFiles.withLock { _ = $0.remove(temporaryPath) } }
        if rename(temporaryPath, path) != 0 {
            let code = errno
            unlink(temporaryPath)
            throw DebtflowError.sink("cannot publish output", location: .init(file: path), cause: String(cString: strerror(code)))
        }
        let (folder, _) = AtomicFile.split(path)
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
    }

    /// Removes the temporary file: nothing is published.
    public func discard() {
        guard let temporaryPath, isOpen else { return }
        close(descriptor)
        isOpen = false
        unlink(temporaryPath)
        pendingTemporaryFiles.withLock { _ = $0.remove(temporaryPath) }
    }

    /// Removes the temporary file of every atomic file still open, for a process about to exit
    /// without unwinding (the second SIGINT). Safe to call from any thread.
    public static func removePendingTemporaryFiles() {
        for path in pendingTemporaryFiles.withLock({ $0 }) { unlink(path) }
    }

    deinit {
        discard()
    }

    /// `("/a/b", "c.ndjson")` for `/a/b/c.ndjson`; `(".", name)` for a bare name.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }
}
