import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// The temporary files an earlier run left beside an output when it could not remove them itself
/// (killed with SIGKILL or by the OOM killer, the machine died, a crash inside a library): each
/// is a copy of personal data. A run that writes the same output removes them.
///
/// Removed only when all of these hold, so that nothing a live run writes is touched:
/// - its name is this output's temporary name, `.NAME.tmp-PID-N` (``AtomicFile``'s pattern);
/// - it is a regular file owned by this user;
/// - no process has that PID (`kill(pid, 0)` answers `ESRCH`);
/// - it was last written at least ``minimumAge`` ago (a run in another PID namespace sharing the
///   folder, a container, looks dead by its PID but keeps writing).
enum StaleTemporaryFiles {
    /// How long a temporary file must have been left alone before it is taken for abandoned.
    static let minimumAge: time_t = 24 * 3600

    /// Removes the abandoned temporary files of the output `name` in `folder`.
    /// - Returns: the paths removed.
    @discardableResult
    static func remove(in folder: String, forOutput name: String, now: time_t = time(nil)) -> [String] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var removed: [String] = []
        while let entry = readdir(directory) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard let pid = processID(inTemporaryName: entryName, ofOutput: name), kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = folder + "/" + entryName
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid(),
                  now - info.st_mtim.tv_sec >= minimumAge else { continue }
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }

    /// The PID in `entry` when it is a temporary name of the output `name` (`.NAME.tmp-PID-N`,
    /// NAME cut as ``AtomicFile/temporaryStem(of:leaving:)`` cuts a long one), else `nil`.
    static func processID(inTemporaryName entry: String, ofOutput name: String) -> pid_t? {
        let bytes = Array(entry.utf8)
        let marker = Array(".tmp-".utf8)
        guard bytes.first == UInt8(ascii: "."), bytes.count > marker.count + 1 else { return nil }
        // The last `.tmp-`, then `PID-N` in digits.
        guard let at = (1...(bytes.count - marker.count)).reversed().first(where: { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        else { return nil }
        let numbers = bytes[(at + marker.count)...].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard numbers.count == 2,
              numbers.allSatisfy({ !$0.isEmpty && $0.count <= 10 && $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
              let pid = pid_t(String(decoding: numbers[0], as: UTF8.self)), pid > 0 else { return nil }
        // Compared as bytes: `==` on `String`s equates `é` and `e\u{301}`, two names on disk.
        guard bytes[1..<at].elementsEqual(AtomicFile.temporaryStem(of: name, leaving: bytes.count - at + 1).utf8) else { return nil }
        return pid
    }
}
