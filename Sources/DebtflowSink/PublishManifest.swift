import DebtflowCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The list of renames that publish a run's outputs, written down before the first of them, so
/// that a run killed between two renames (SIGKILL, the OOM killer, the machine losing power) does
/// not leave tonight's valid file beside last night's rejects for good: the next run that publishes
/// an output in one of its folders finishes the publish first (rolls it forward), then goes on.
///
/// Every output's bytes are flushed to disk before the list is written (``AtomicFile``), so
/// finishing the renames publishes the killed run's complete, finished outputs: the run had
/// decided its outcome (exit 0 or 1) when it began renaming.
///
/// A copy of the list is written in every folder the renames touch, named
/// `.debtflow-publishing-PID-N`, 0600, and locked (`flock`) by its run until the renames are done
/// and the copies removed; where the lock cannot be taken no list is written. It holds, for each
/// output, its temporary file's and its final path, NUL-separated: a bare name for a file in the
/// copy's own folder (so a copy read through another path to that folder, a bind mount, still
/// names its files), an absolute path for a file in another folder.
///
/// A copy is finished only when no process holds its lock (its PID is not asked: a run in a fresh
/// PID namespace may have the same one), and only when the killed run had renamed at least one
/// output (else last night's set is still whole, and stays). Only files named as that run's
/// temporary files of the listed outputs (`.NAME.tmp-PID-N`, the same PID), owned by this user
/// and regular, are renamed, each output once; never over a folder, device, FIFO or symbolic link,
/// nor over a file changed after the list was written (its change time: restored from a backup,
/// published by another run).
public struct PublishManifest: Sendable, Equatable {
    /// One output to rename into place.
    public struct Rename: Sendable, Equatable {
        /// The temporary file: absolute, or a bare name in the list's own folder.
        public var temporaryPath: String
        /// Where it is published: absolute, or a bare name in the list's own folder.
        public var finalPath: String
    }

    /// The renames, by final path.
    public var renames: [Rename]

    static let namePrefix = ".debtflow-publishing-"

    // MARK: Writing (the run that publishes)

    /// The copies of a list written down for the publish under way in this process (locked
    /// descriptors), removed by ``finish(_:)``.
    struct Written {
        var copies: [(path: String, descriptor: Int32)]
    }

    /// Writes the list in every folder its renames touch (`renames` absolute), each copy flushed
    /// to disk with its folder before this returns. Nothing is written for fewer than two
    /// renames: one rename cannot be cut in two. A copy that cannot be written or locked is left
    /// out (the publish goes on as it did before lists existed): this is a safeguard, never a
    /// reason to fail a finished run.
    static func write(_ renames: [Rename], processID: pid_t = getpid()) -> Written {
        guard renames.count > 1 else { return Written(copies: []) }
        var folders: [String] = []
        for rename in renames {
            let folder = AtomicFile.split(rename.finalPath).folder
            if !folders.contains(folder) { folders.append(folder) }
        }
        // One name for every copy, so that whichever copy a next run finds names the others.
        let name = namePrefix + "\(processID)-\(UInt32.random(in: 0...UInt32.max))"
        var copies: [(path: String, descriptor: Int32)] = []
        for folder in folders {
            let content = encoded(renames, in: folder)
            let path = folder + "/" + name
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { continue }
            fchmod(fd, 0o600)
            let written = flock(fd, LOCK_EX | LOCK_NB) == 0 ? content.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) } : -1
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

    /// The list as the copy in `folder` holds it: each path NUL-ended, a file in `folder` by its
    /// bare name.
    static func encoded(_ renames: [Rename], in folder: String) -> [UInt8] {
        var content: [UInt8] = []
        for rename in renames {
            for path in [rename.temporaryPath, rename.finalPath] {
                let (pathFolder, name) = AtomicFile.split(path)
                content += Array((pathFolder == folder ? name : path).utf8) + [0]
            }
        }
        return content
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
    /// folders, and removes every copy of the list. A list whose run renamed nothing yet is only
    /// removed (its temporary files go with the sweep, ``StaleTemporaryFiles``).
    /// - Returns: one line per list finished (or that could not be), naming the outputs.
    static func finishAbandoned(in folder: String) -> [String] {
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
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid(), info.st_size <= 1 << 24,
                  StaleTemporaryFiles.isUnlocked(path), let manifest = read(path, in: folder) else { continue }
            let written = info.st_mtim
            var renamedBefore = 0
            var pending: [Rename] = []
            var finals: Set<String> = []
            var folders: [String] = []
            for rename in manifest.renames where finals.insert(rename.finalPath).inserted {
                let (renameFolder, finalName) = AtomicFile.split(rename.finalPath)
                if !folders.contains(renameFolder) { folders.append(renameFolder) }
                let (temporaryFolder, temporaryName) = AtomicFile.split(rename.temporaryPath)
                guard temporaryFolder == renameFolder,
                      StaleTemporaryFiles.processID(inTemporaryName: temporaryName, ofOutput: finalName) == pid else { continue }
                if lstat(rename.temporaryPath, &info) == 0 {
                    if info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid() { pending.append(rename) }
                } else if lstat(rename.finalPath, &info) == 0 {
                    renamedBefore += 1
                }
            }
            var published: [String] = [], changed: [String] = [], blocked: [String] = []
            // Nothing renamed yet: last night's set is whole, and stays.
            if renamedBefore > 0 {
                for rename in pending {
                    if !isReplaceable(rename.finalPath) {
                        blocked.append(MessageExcerpt.path(rename.finalPath) + " in place (a folder, device, FIFO or symbolic link is there now)")
                    } else if isChanged(rename.finalPath, after: written) {
                        changed.append(MessageExcerpt.path(rename.finalPath))
                    } else if Glibc.rename(rename.temporaryPath, rename.finalPath) != 0 {
                        blocked.append(MessageExcerpt.path(rename.finalPath) + " in place (\(String(cString: strerror(errno))))")
                    } else {
                        published.append(MessageExcerpt.path(rename.finalPath))
                    }
                }
            }
            for other in folders { syncFolder(other) }
            // This copy, and the other folders' copies of the list, named alike.
            let listName = AtomicFile.split(path).name
            unlink(path)
            for other in folders where other != folder { unlink(other + "/" + listName) }
            guard renamedBefore > 0 else { continue }
            let opening = "a run killed while it renamed its outputs into place (process \(pid))"
            if changed.isEmpty && blocked.isEmpty {
                guard !published.isEmpty else { continue }
                reports.append("finished the publish of \(opening): put \(published.joined(separator: ", ")) in place beside the "
                               + "\(renamedBefore) output\(renamedBefore == 1 ? "" : "s") it had published, so its outputs are one set again")
            } else {
                var parts: [String] = []
                if !published.isEmpty { parts.append("put \(published.joined(separator: ", ")) in place") }
                if !changed.isEmpty { parts.append("left \(changed.joined(separator: ", ")) as it is (changed after that run was killed)") }
                if !blocked.isEmpty { parts.append("could not put \(blocked.joined(separator: ", "))") }
                reports.append("could not wholly finish the publish of \(opening): \(parts.joined(separator: "; ")); its outputs beside "
                               + "the \(renamedBefore) it had published are not one set: run the pipeline again")
            }
        }
        return reports
    }

    /// The lists in `folder` that a run killed while it renamed its outputs into place left (no
    /// process holds their lock), with that run's PID: what the next run that publishes there
    /// finishes first. Reads the folder only (`debtflow check`).
    public static func abandonedLists(in folder: String) -> [(name: String, processID: pid_t)] {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var lists: [(name: String, processID: pid_t)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if let pid = processID(inListName: name), StaleTemporaryFiles.isUnlocked(folder + "/" + name) { lists.append((name, pid)) }
        }
        return lists.sorted { $0.name < $1.name }
    }

    /// Reads the copy of a list at `path`, in `folder`: pairs of NUL-ended paths, each absolute
    /// or a bare name in `folder` (made absolute, or `folder`-based, here). `nil` when it is not one.
    static func read(_ path: String, in folder: String) -> PublishManifest? {
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
        let entries = bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard entries.count % 2 == 0, entries.allSatisfy({ $0.hasPrefix("/") || (!$0.isEmpty && !$0.contains("/")) }) else { return nil }
        let paths = entries.map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 }
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

    /// Whether the file at `path` changed after `time` (its change time, which a copy that keeps
    /// modification times, `cp -p`, `rsync -a`, and a rename into place, both set).
    private static func isChanged(_ path: String, after time: timespec) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        return (info.st_ctim.tv_sec, info.st_ctim.tv_nsec) > (time.tv_sec, time.tv_nsec)
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
