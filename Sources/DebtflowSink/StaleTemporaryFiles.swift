import DebtflowCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The temporary files an earlier run left beside an output when it could not remove them itself
/// (killed with SIGKILL or by the OOM killer, the machine died, a crash inside a library): each
/// is a copy of personal data. A run that writes the same output removes them, and says so.
///
/// Removed only when all of these hold:
/// - its name is this output's temporary name, `.NAME.tmp-PID-N` (``AtomicFile``'s pattern, the
///   PID at most ``largestPID``);
/// - it is a regular file owned by this user (a symbolic link is never followed);
/// - no process holds its lock (the run that writes a temporary file holds an exclusive `flock`
///   on it until it ends, however it ends). Where this run could not lock its own temporary file
///   (a file system without locks), instead: no process has that PID (`kill(pid, 0)` answers
///   `ESRCH`), and it is unlocked or was last written at least ``minimumAge`` ago;
/// - no list of renames of its run is in the folder: a run killed while it published, whose
///   publish the next run that publishes here finishes (``PublishManifest``).
///
/// A run in another PID namespace sharing the folder (another container) may look dead by its PID
/// but holds its lock: its temporary file is kept; a killed run's file whose PID a fresh namespace
/// gives again (a container per night starts at the same PID) is removed, being unlocked. Two runs
/// writing one output at once already overwrite each other's result; this does not make that safe.
///
/// Each folder is read once per process (the first output created in it); later outputs in the
/// same folder look only at what that reading found, so a run with thousands of `{input}`
/// outputs in one folder reads it once, not once per output.
enum StaleTemporaryFiles {
    /// How long a temporary file must have been left alone before it is taken for abandoned.
    static let minimumAge: time_t = 24 * 3600
    /// The largest PID Linux gives (`pid_max` at most 2²²): a larger number is no PID.
    static let largestPID: pid_t = 1 << 22

    /// The abandoned-looking entries of each folder read so far (name and PID), not yet removed.
    private static let leftovers = Mutex<[String: [String]]>([:])

    /// Removes the abandoned temporary files of the output `name` in `folder`.
    /// - Parameter locksWork: this run could lock its own temporary file in `folder`: then a file
    ///   no process holds locked is abandoned whatever its PID says (a run in a fresh PID
    ///   namespace, a container per night, is given a killed run's PID again).
    /// - Returns: the paths removed.
    @discardableResult
    static func remove(in folder: String, forOutput name: String, now: time_t = time(nil), locksWork: Bool = false) -> [String] {
        leftovers.withLock { all in
            if all[folder] == nil { all[folder] = abandoned(in: folder, now: now, locksWork: locksWork) }
            var removed: [String] = []
            all[folder]?.removeAll { entry in
                guard processID(inTemporaryName: entry, ofOutput: name) != nil else { return false }
                let path = folder + "/" + entry
                if unlink(path) == 0 { removed.append(path) }
                return true
            }
            return removed
        }
    }

    /// The entries of `folder` that look like any output's abandoned temporary file.
    private static func abandoned(in folder: String, now: time_t, locksWork: Bool) -> [String] {
        var found: [(name: String, processID: pid_t)] = []
        // A killed run's outputs whose publish a next run is to finish (``PublishManifest``).
        var listed: Set<pid_t> = []
        for entryName in FolderEntries.names(in: folder) {
            if let pid = PublishManifest.processID(inListName: entryName) { listed.insert(pid) }
            guard let pid = processID(inTemporaryName: entryName) else { continue }
            var info = stat()
            let path = folder + "/" + entryName
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid() else { continue }
            if locksWork {
                guard isUnlocked(path) else { continue }
            } else {
                guard kill(pid, 0) != 0, errno == ESRCH, now - info.st_mtim.tv_sec >= minimumAge || isUnlocked(path) else { continue }
            }
            found.append((entryName, pid))
        }
        return found.filter { !listed.contains($0.processID) }.map(\.name)
    }

    /// Whether no process holds the lock of the regular file at `path` (its writer died). `false`
    /// when it cannot be opened or locks are not supported: then only its age says.
    static func isUnlocked(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return false }
        flock(fd, LOCK_UN)
        return true
    }

    /// The PID in `entry` when it is a temporary name `.STEM.tmp-PID-N` (of the output `name`
    /// when one is given: NAME cut as ``AtomicFile/temporaryStem(of:leaving:)`` cuts a long one),
    /// else `nil`.
    static func processID(inTemporaryName entry: String, ofOutput name: String? = nil) -> pid_t? {
        let bytes = Array(entry.utf8)
        let marker = Array(".tmp-".utf8)
        guard bytes.first == UInt8(ascii: "."), bytes.count > marker.count + 1 else { return nil }
        // The last `.tmp-`, then `PID-N` in digits.
        guard let at = (1...(bytes.count - marker.count)).reversed().first(where: { bytes[$0..<$0 + marker.count].elementsEqual(marker) }),
              at > 1 else { return nil }
        let numbers = bytes[(at + marker.count)...].split(separator: UInt8(ascii: "-"), omittingEmptySubsequences: false)
        guard numbers.count == 2,
              numbers.allSatisfy({ !$0.isEmpty && $0.count <= 10 && $0.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }),
              let pid = pid_t(String(decoding: numbers[0], as: UTF8.self)), pid > 0, pid <= largestPID else { return nil }
        guard let name else { return pid }
        // Compared as bytes: `==` on `String`s equates `é` and `e\u{301}`, two names on disk.
        guard bytes[1..<at].elementsEqual(AtomicFile.temporaryStem(of: name, leaving: bytes.count - at + 1).utf8) else { return nil }
        return pid
    }
}
