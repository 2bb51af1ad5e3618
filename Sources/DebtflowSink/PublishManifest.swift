import DebtflowCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The list of renames that publish a run's outputs, written down before the first of them, so
/// that a run killed between two renames (SIGKILL, the OOM killer, the machine losing power) does
/// not leave tonight's valid file beside last night's rejects for good: the next run that writes
/// an output in one of its folders finishes the publish first (rolls it forward), then goes on.
///
/// Every output's bytes are flushed to disk before the list is written (``AtomicFile``), so
/// finishing the renames publishes the killed run's complete, finished outputs: the run had
/// decided its outcome (exit 0 or 1) when it began renaming.
///
/// A copy of the list is written in every folder the renames touch, named
/// `.debtflow-publishing-PID-N`, 0600, and locked (`flock`) by its run until the renames are done
/// and the copies removed. It holds, for each output, its temporary file's and its final path
/// (absolute, NUL-separated). A copy is taken for abandoned only when no process has its PID and
/// none holds its lock (or, on a file system without locks, it is a day old); only files named as
/// that run's temporary files of the listed outputs (`.NAME.tmp-PID-N`, the same PID), owned by
/// this user and regular, are renamed; a final path that is now a folder, device or FIFO is left.
public struct PublishManifest: Sendable, Equatable {
    /// One output to rename into place.
    public struct Rename: Sendable, Equatable {
        /// The temporary file, absolute.
        public var temporaryPath: String
        /// Where it is published, absolute.
        public var finalPath: String
    }

    /// The renames, in the order the run meant to do them.
    public var renames: [Rename]

    static let namePrefix = ".debtflow-publishing-"

    // MARK: Writing (the run that publishes)

    /// The copies of a list written down for the publish under way in this process (locked
    /// descriptors), removed by ``finish(_:)``.
    struct Written {
        var copies: [(path: String, descriptor: Int32)]
    }

    /// Writes the list in every folder its renames touch, each copy flushed to disk with its
    /// folder before this returns. Nothing is written for fewer than two renames: one rename
    /// cannot be cut in two. A copy that cannot be written is left out (the publish goes on as
    /// it did before lists existed): this is a safeguard, never a reason to fail a finished run.
    static func write(_ renames: [Rename], processID: pid_t = getpid()) -> Written {
        guard renames.count > 1 else { return Written(copies: []) }
        var content: [UInt8] = []
        for rename in renames {
            content += Array(rename.temporaryPath.utf8) + [0] + Array(rename.finalPath.utf8) + [0]
        }
        var folders: [String] = []
        for rename in renames {
            let folder = AtomicFile.split(rename.finalPath).folder
            if !folders.contains(folder) { folders.append(folder) }
        }
        // One name for every copy, so that whichever copy a next run finds names the others.
        let name = namePrefix + "\(processID)-\(UInt32.random(in: 0...UInt32.max))"
        var copies: [(path: String, descriptor: Int32)] = []
        for folder in folders {
            let path = folder + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { continue }
            fchmod(fd, 0o600)
            _ = flock(fd, LOCK_EX | LOCK_NB)
            let written = content.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
            guard written == content.count, fsync(fd) == 0 else {
                unlink(path)
                close(fd)
                continue
            }
            syncFolder(folder)
            copies.append((path, fd))
        }
        return Written(copies: copies)
    }

    /// Removes the copies once every rename is done (or the publish failed in this process, which
    /// then knows what happened and says so itself).
    static func finish(_ written: Written) {
        for copy in written.copies {
            unlink(copy.path)
            close(copy.descriptor)
        }
    }

    // MARK: Finishing an abandoned publish (the next run)

    /// The folders already looked at by this process.
    private static let foldersSeen = Mutex<Set<String>>([])

    /// Finishes the publishes that runs killed between two renames left in `folder` (once per
    /// folder per process): renames each listed temporary file still there into place, syncs the
    /// folders, and removes every copy of the list.
    /// - Returns: one line per list finished, naming the outputs it put in place.
    static func finishAbandoned(in folder: String, now: time_t = time(nil)) -> [String] {
        let firstLook = foldersSeen.withLock { $0.insert(folder).inserted }
        guard firstLook, let directory = opendir(folder) else { return [] }
        var found: [(path: String, processID: pid_t)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let pid = processID(inListName: name) { found.append((folder + "/" + name, pid)) }
        }
        closedir(directory)
        var reports: [String] = []
        for (path, pid) in found.sorted(by: { $0.path < $1.path }) {
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid(),
                  info.st_size <= 1 << 24,
                  now - info.st_mtim.tv_sec >= StaleTemporaryFiles.minimumAge || StaleTemporaryFiles.isUnlocked(path),
                  let manifest = read(path) else { continue }
            let written = info.st_mtim
            var published: [String] = []
            var newer: [String] = []
            var folders: [String] = []
            var copies: [String] = [path]
            for rename in manifest.renames {
                let (renameFolder, finalName) = AtomicFile.split(rename.finalPath)
                if !folders.contains(renameFolder) { folders.append(renameFolder) }
                let (temporaryFolder, temporaryName) = AtomicFile.split(rename.temporaryPath)
                guard temporaryFolder == renameFolder,
                      StaleTemporaryFiles.processID(inTemporaryName: temporaryName, ofOutput: finalName) == pid,
                      lstat(rename.temporaryPath, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid(),
                      isReplaceable(rename.finalPath) else { continue }
                // Written after the run was killed (by hand, by another tool): newer than what the
                // killed run would put there, so left as it is (its temporary file goes with the sweep).
                guard !isModified(rename.finalPath, after: written) else {
                    newer.append(rename.finalPath)
                    continue
                }
                guard Glibc.rename(rename.temporaryPath, rename.finalPath) == 0 else { continue }
                published.append(rename.finalPath)
            }
            // The other folders' copies of this list, named alike.
            let listName = AtomicFile.split(path).name
            for other in folders where other != folder { copies.append(other + "/" + listName) }
            for other in folders { syncFolder(other) }
            for copy in copies { unlink(copy) }
            if !published.isEmpty {
                let already = manifest.renames.count - published.count - newer.count
                reports.append("finished the publish of a run killed while it renamed its outputs into place (process \(pid)): put "
                               + published.map(MessageExcerpt.path).joined(separator: ", ")
                               + " in place beside the \(already) output\(already == 1 ? "" : "s") it had published, so its outputs are one set again")
            }
            if !newer.isEmpty {
                reports.append("did not finish the publish of a run killed while it renamed its outputs into place (process \(pid)) over "
                               + newer.map(MessageExcerpt.path).joined(separator: ", ")
                               + ": written after that run was killed, so left as it is")
            }
        }
        return reports
    }

    /// Reads a list: pairs of NUL-terminated absolute paths. `nil` when it is not one.
    static func read(_ path: String) -> PublishManifest? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            bytes += buffer[..<count]
            if bytes.count > 1 << 24 { return nil }
        }
        guard bytes.last == 0 else { return nil }
        let paths = bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard paths.count % 2 == 0, paths.allSatisfy({ $0.hasPrefix("/") }) else { return nil }
        return PublishManifest(renames: stride(from: 0, to: paths.count, by: 2).map { Rename(temporaryPath: paths[$0], finalPath: paths[$0 + 1]) })
    }

    /// The PID in a list's name `.debtflow-publishing-PID-N`, else `nil`.
    static func processID(inListName name: String) -> pid_t? {
        guard name.hasPrefix(namePrefix) else { return nil }
        let numbers = name.dropFirst(namePrefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard numbers.count == 2, numbers.allSatisfy({ !$0.isEmpty && $0.count <= 10 && $0.allSatisfy(\.isASCIIDigit) }),
              let pid = pid_t(numbers[0]), pid > 0, pid <= StaleTemporaryFiles.largestPID else { return nil }
        return pid
    }

    /// Whether an output may be renamed over `path`: nothing there, or a regular file (a symbolic
    /// link was resolved to its target when the list was written, so one now is left alone).
    private static func isReplaceable(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return errno == ENOENT }
        return info.st_mode & S_IFMT == S_IFREG
    }

    /// Whether the file at `path` was last written after `time`.
    private static func isModified(_ path: String, after time: timespec) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_mtim.tv_sec, info.st_mtim.tv_nsec) > (time.tv_sec, time.tv_nsec)
    }

    /// Flushes a folder's entries (its renames, its new files) to disk.
    static func syncFolder(_ folder: String) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
