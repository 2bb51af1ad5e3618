import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// Standard input, output and error as a cron job may hand them over: possibly closed, or a full
/// disk.
enum StandardStreams {
    /// Puts `/dev/null` on any of descriptors 0, 1 and 2 that is closed (`cmd <&-`, `>&-`), so
    /// that no file the run opens later lands on one of them: an output file on descriptor 1
    /// would receive stdout's data, and libdispatch's own descriptor on 0 made `path: "-"` wait
    /// forever. A closed stdin reads as empty; a closed stdout is reserved read-only, so writing
    /// to it still fails (`Bad file descriptor`) instead of losing data silently.
    static func reserveClosedDescriptors() {
        for descriptor: Int32 in [0, 1, 2] where fcntl(descriptor, F_GETFD) == -1 && errno == EBADF {
            let flags = descriptor == 2 ? O_WRONLY : O_RDONLY
            let opened = open("/dev/null", flags)
            if opened >= 0 && opened != descriptor {
                dup2(opened, descriptor)
                close(opened)
            }
        }
    }

    /// Writes `text` and a line break to stdout (help, the version), as `print` would, but saying
    /// when it could not (a full disk, a closed stdout): exit 4, not 0.
    /// - Throws: ``DebtflowError`` of kind `.sink`, as ``writeToStandardOutput(_:)``.
    static func printLine(_ text: String) throws {
        try writeToStandardOutput(Array((text + "\n").utf8))
    }

    /// Prints `help` when `arguments` ask for it (`--help` or `-h` anywhere), for the commands
    /// that parse their own arguments (`generate`, `sandbox`): through ``printLine(_:)``, so that
    /// on a full disk it is exit 4, as every command's help. Returns whether it did.
    static func printHelpIfAsked(_ arguments: [String], _ help: String) throws -> Bool {
        guard arguments.contains("--help") || arguments.contains("-h") else { return false }
        try printLine(help)
        return true
    }

    /// Writes all of `bytes` to stdout.
    /// - Throws: ``DebtflowError`` of kind `.sink` when stdout is closed, a closed pipe or a full
    ///   disk (Foundation's `FileHandle.write` stops the process on those instead).
    static func writeToStandardOutput(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    throw DebtflowError.sink(code == ENOSPC ? "disk full while writing to stdout" : "cannot write to stdout",
                                             cause: String(cString: strerror(code)))
                }
                offset += written
            }
        }
    }
}
