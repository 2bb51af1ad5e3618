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
/// and the copies removed; where the lock cannot be taken no list is written. For each output it
/// holds its temporary file's path, its final path (a bare name for a file in the copy's own
/// folder, so a copy read through another path to that folder, a bind mount, still names its
/// files; an absolute, canonical path for a file in another folder), and what both files were
/// when the list was written (inode, size and modification time; for the final, or that there was
/// none). A list is written and locked under an unfinished name, then renamed into place.
///
/// A list is finished only when no process holds its lock (its PID is not asked: a run in a fresh
/// PID namespace may have the same one), and only when the folders are exactly as the killed run
/// left them: each output either renamed into place (the final is the temporary file written
/// down) or not yet (the temporary file is there and the final is still what it was), at least one
/// of each. Anything else (an output restored, rewritten, replaced, moved, a folder not found)
/// means the set is no longer the killed run's to finish: nothing is renamed, the list is removed,
/// and the next run is told the outputs may not belong together. A list that cannot be read (a
/// power cut while it was written) is removed and said. Only files named as that run's temporary
/// files of the listed outputs (`.NAME.tmp-PID-N`, the same PID), owned by this user and regular,
/// are renamed; those not renamed are removed with the list (its run is gone, whatever PID a new
/// namespace gives).
public struct PublishManifest: Sendable, Equatable {
    /// One output to rename into place, and what its files were when the list was written.
    public struct Rename: Sendable, Equatable {
        /// The temporary file: absolute, or a bare name in the list's own folder.
        public var temporaryPath: String
        /// Where it is published: absolute, or a bare name in the list's own folder.
        public var finalPath: String
        /// The temporary file's device and inode.
        public var temporary: FileIdentity
        /// The final file's identity before the rename, or `nil` when there was none.
        public var previousFinal: FileIdentity?

        public init(temporaryPath: String, finalPath: String, temporary: FileIdentity, previousFinal: FileIdentity?) {
            self.temporaryPath = temporaryPath
            self.finalPath = finalPath
            self.temporary = temporary
            self.previousFinal = previousFinal
        }

        /// The rename of `temporaryPath` to `finalPath` as the files are now, or `nil` when the
        /// temporary file is not a regular file.
        init?(temporaryPath: String, finalPath: String) {
            guard let temporary = FileIdentity(path: temporaryPath) else { return nil }
            self.init(temporaryPath: temporaryPath, finalPath: finalPath, temporary: temporary, previousFinal: FileIdentity(path: finalPath))
        }
    }

    /// What a file is: which one (device, inode) and, to tell a rewrite in place, its size and
    /// modification time. A hard link, a `chmod` or an access leave it the same; a copy, a
    /// restore or a rename over it do not.
    public struct FileIdentity: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        public var modifiedSeconds: Int64
        public var modifiedNanoseconds: Int64

        /// The identity of the regular file at `path` (not followed), or `nil`.
        public init?(path: String) {
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            size = Int64(info.st_size)
            modifiedSeconds = Int64(info.st_mtim.tv_sec)
            modifiedNanoseconds = Int64(info.st_mtim.tv_nsec)
        }

        init(device: UInt64, inode: UInt64, size: Int64, modifiedSeconds: Int64, modifiedNanoseconds: Int64) {
            (self.device, self.inode, self.size) = (device, inode, size)
            (self.modifiedSeconds, self.modifiedNanoseconds) = (modifiedSeconds, modifiedNanoseconds)
        }

        /// The same file, unchanged: its inode, size and modification time. (Not its device: a
        /// folder mounted again may get another number. A file rewritten in place, by `cp -p` onto
        /// it or a shell's `>`, keeps its inode but not its size and time.)
        func isUnchanged(from other: FileIdentity) -> Bool {
            inode == other.inode && size == other.size && modifiedSeconds == other.modifiedSeconds
                && modifiedNanoseconds == other.modifiedNanoseconds
        }

        var text: String { "\(device) \(inode) \(size) \(modifiedSeconds) \(modifiedNanoseconds)" }

        init?(text: Substring) {
            let numbers = text.split(separator: " ")
            guard numbers.count == 5, let device = UInt64(numbers[0]), let inode = UInt64(numbers[1]), let size = Int64(numbers[2]),
                  let seconds = Int64(numbers[3]), let nanoseconds = Int64(numbers[4]) else { return nil }
            self.init(device: device, inode: inode, size: size, modifiedSeconds: seconds, modifiedNanoseconds: nanoseconds)
        }
    }

    /// The renames, by final path.
    public var renames: [Rename]

    static let namePrefix = ".debtflow-publishing-"
    /// The end of a list's name while it is written (``write(_:processID:)``).
    static let unfinishedSuffix = "-writing"

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
            // Written and locked under another name first, so a list is never seen unlocked or
            // half written while its run lives. Another run may remove that file between its
            // creation and its lock (taking it for a killed run's): then it is written again.
            let writing = path + unfinishedSuffix
            for _ in 0..<3 {
                let fd = open(writing, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
                guard fd >= 0 else { break }
                fchmod(fd, 0o600)
                let written = flock(fd, LOCK_EX | LOCK_NB) == 0 ? content.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) } : -1
                guard written == content.count, fsync(fd) == 0, rename(writing, path) == 0 else {
                    let taken = errno == ENOENT
                    if !taken { unlink(writing) }
                    close(fd)
                    if taken { continue }
                    break
                }
                syncFolder(folder)
                copies.append((path, fd))
                break
            }
        }
        return Written(copies: copies)
    }

    /// The list as the copy in `folder` holds it: per output three NUL-ended fields, the
    /// temporary path, the final path (a file in `folder` by its bare name) and the identities
    /// (`T…` for the temporary file, then `F…` for the final file before, or `F-`).
    static func encoded(_ renames: [Rename], in folder: String) -> [UInt8] {
        var content: [UInt8] = []
        for rename in renames {
            for path in [rename.temporaryPath, rename.finalPath] {
                let (pathFolder, name) = AtomicFile.split(path)
                content += Array((pathFolder == folder ? name : path).utf8) + [0]
            }
            content += Array("T\(rename.temporary.text) F\(rename.previousFinal.map(\.text) ?? "-")".utf8) + [0]
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

    /// What the files of one listed output are now, against the list.
    private enum OutputState {
        /// Renamed into place by the killed run.
        case published
        /// Its temporary file waits, and the final file is what it was.
        case waiting
        /// Anything else: restored, replaced, moved, not found (and whether its temporary file,
        /// this user's regular file, is still there).
        case changed(String, temporary: Bool)
    }

    /// Finishes the publishes that runs killed between two renames left in `folder` (once per
    /// folder per process), when the folders are as the killed run left them (see the type's
    /// documentation); otherwise removes the list and says the outputs may not be one set.
    /// - Returns: one line per list finished, left unfinished or unreadable.
    static func finishAbandoned(in folder: String) -> [String] {
        let firstLook = foldersSeen.withLock { $0.insert(folder).inserted }
        guard firstLook else { return [] }
        // The folder read once for both: a list's unfinished name is not a list's name.
        let names = FolderEntries.names(in: folder)
        removeUnfinishedLists(names, in: folder)
        var reports: [String] = []
        for (name, pid) in lists(names) {
            let path = folder + "/" + name
            // Read first, then every copy locked in folder order (two runs finishing one list from
            // two folders: the one that takes the first lock goes on, the other leaves it).
            guard access(path, R_OK) == 0 else { continue }
            let opening = "a run killed while it renamed its outputs into place (process \(pid))"
            guard let manifest = read(path, in: folder) else {
                guard let lock = lockedList(at: path) else { continue }
                unlink(path)
                close(lock)
                reports.append("removed the list of renames of \(opening), which could not be read (\(name)): "
                               + "if that run had renamed some of its outputs, they may not belong with the others beside them; "
                               + "its temporary files are removed")
                continue
            }
            var folders: [String] = [folder]
            for rename in manifest.renames {
                let renameFolder = AtomicFile.split(rename.finalPath).folder
                if !folders.contains(renameFolder) { folders.append(renameFolder) }
            }
            var locks: [Int32] = []
            defer { for lock in locks { close(lock) } }
            var missingCopies: [String] = []
            var lockedElsewhere = false
            for other in folders.sorted() {
                let copy = other + "/" + name
                guard access(copy, F_OK) == 0 else {
                    missingCopies.append(other)
                    continue
                }
                guard let lock = lockedList(at: copy) else {
                    lockedElsewhere = true
                    break
                }
                locks.append(lock)
            }
            // Being finished by another run, or gone with it.
            guard !lockedElsewhere, access(path, F_OK) == 0 else { continue }
            var states: [(rename: Rename, state: OutputState)] = []
            var finals: Set<String> = []
            for rename in manifest.renames where finals.insert(rename.finalPath).inserted {
                let (renameFolder, finalName) = AtomicFile.split(rename.finalPath)
                let (temporaryFolder, temporaryName) = AtomicFile.split(rename.temporaryPath)
                guard temporaryFolder == renameFolder,
                      StaleTemporaryFiles.processID(inTemporaryName: temporaryName, ofOutput: finalName) == pid else { continue }
                // The run wrote a copy of its list in every folder it renamed into: a folder without
                // one is not that run's (a list made by hand), or was moved since.
                if missingCopies.contains(renameFolder) {
                    states.append((rename, .changed("\(MessageExcerpt.path(renameFolder)) holds no copy of the list "
                                                    + "(moved, mounted elsewhere now, or not that run's folder)", temporary: false)))
                } else {
                    states.append((rename, state(of: rename)))
                }
            }
            // Every copy goes, whatever is decided.
            defer {
                for other in folders { unlink(other + "/" + name) }
            }
            let published = states.filter { if case .published = $0.state { true } else { false } }.count
            let waiting = states.filter { if case .waiting = $0.state { true } else { false } }.map(\.rename)
            let changed = states.compactMap { if case .changed(let why, _) = $0.state { why } else { nil } }
            // What the killed run left that will not be renamed: its run is gone (the lists are
            // unlocked), so they are removed here, whatever PID a new namespace gives.
            func removeLeftovers(_ renames: [Rename]) -> Int {
                renames.filter { unlink($0.temporaryPath) == 0 }.count
            }
            let strayTemporaries = states.compactMap { if case .changed(_, true) = $0.state { $0.rename } else { nil } }
            guard changed.isEmpty else {
                let removed = removeLeftovers(waiting + strayTemporaries)
                reports.append("did not finish the publish of \(opening): \(changed.joined(separator: "; ")); "
                               + (published == 0 ? "" : "the \(published) output\(published == 1 ? "" : "s") it had published may not belong "
                                  + "with the others beside \(published == 1 ? "it" : "them"): ")
                               + "run the pipeline again" + (removed == 0 ? "" : " (its \(removed) temporary file\(removed == 1 ? " is" : "s are") removed)"))
                continue
            }
            // Nothing renamed yet: last night's set is whole, and stays.
            guard published > 0 else {
                let removed = removeLeftovers(waiting)
                if removed > 0 {
                    reports.append("removed the \(removed) temporary file\(removed == 1 ? "" : "s") of \(opening) before its first rename: "
                                   + "the outputs it would have replaced are left as they were")
                }
                continue
            }
            // Every rename done: a kill after the last one.
            guard !waiting.isEmpty else { continue }
            var put: [String] = [], failed: [String] = []
            for rename in waiting {
                if Glibc.rename(rename.temporaryPath, rename.finalPath) == 0 {
                    put.append(MessageExcerpt.path(rename.finalPath))
                } else {
                    failed.append("\(MessageExcerpt.path(rename.finalPath)) (\(String(cString: strerror(errno))))")
                }
            }
            for other in folders { syncFolder(other) }
            if failed.isEmpty {
                reports.append("finished the publish of \(opening): put \(put.joined(separator: ", ")) in place beside the "
                               + "\(published) output\(published == 1 ? "" : "s") it had published, so its outputs are one set again")
            } else {
                reports.append("could not wholly finish the publish of \(opening): "
                               + (put.isEmpty ? "" : "put \(put.joined(separator: ", ")) in place; ")
                               + "could not put \(failed.joined(separator: ", ")) in place; its outputs are not one set: run the pipeline again")
            }
        }
        return reports
    }

    /// A descriptor holding the lock of the list at `path` (a regular file of this user, no
    /// larger than a list can be), or `nil` when another process holds it or it is not one.
    private static func lockedList(at path: String) -> Int32? {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == getuid(), info.st_size <= 1 << 24 else { return nil }
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Removes the lists among `names` in `folder` that a run killed while it wrote them left
    /// under their unfinished name (no process holds their lock).
    private static func removeUnfinishedLists(_ names: [String], in folder: String) {
        for name in names where name.hasPrefix(namePrefix) && name.hasSuffix(unfinishedSuffix) {
            let path = folder + "/" + name
            if let lock = lockedList(at: path) {
                unlink(path)
                close(lock)
            }
        }
    }

    /// Where one listed output stands now.
    private static func state(of rename: Rename) -> OutputState {
        var info = stat()
        let temporaryIsOurs = lstat(rename.temporaryPath, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_uid == getuid()
        let temporary = temporaryIsOurs ? FileIdentity(path: rename.temporaryPath) : nil
        let final = FileIdentity(path: rename.finalPath)
        if lstat(rename.temporaryPath, &info) != 0, let final, final.isUnchanged(from: rename.temporary) { return .published }
        if let temporary, temporary.isUnchanged(from: rename.temporary) {
            switch (final, rename.previousFinal) {
            case (nil, nil):
                // Nothing there, as before; or something that is not a regular file now.
                if lstat(rename.finalPath, &info) == 0 {
                    return .changed("\(MessageExcerpt.path(rename.finalPath)) is now a folder, device, FIFO or symbolic link", temporary: true)
                }
                return .waiting
            case (let now?, let before?) where now.isUnchanged(from: before):
                return .waiting
            default:
                break
            }
        }
        if temporary == nil && final == nil && lstat(rename.temporaryPath, &info) != 0 {
            return .changed("neither \(MessageExcerpt.path(rename.finalPath)) nor its temporary file can be found "
                            + "(moved, or the folder is mounted elsewhere now?)", temporary: false)
        }
        return .changed("\(MessageExcerpt.path(rename.finalPath)) was changed after that run was killed", temporary: temporaryIsOurs)
    }

    /// The lists among a folder's `names` (names and their runs' PIDs), locked or not.
    private static func lists(_ names: [String]) -> [(name: String, processID: pid_t)] {
        names.compactMap { name in processID(inListName: name).map { (name, $0) } }.sorted { $0.name < $1.name }
    }

    /// The lists in `folder` that a run killed while it renamed its outputs into place left (no
    /// process holds their lock), with that run's PID: what the next run that publishes there
    /// finishes first. Reads the folder only (`debtflow check`).
    public static func abandonedLists(in folder: String) -> [(name: String, processID: pid_t)] {
        lists(FolderEntries.names(in: folder)).filter { StaleTemporaryFiles.isUnlocked(folder + "/" + $0.name) }
    }

    /// Reads the copy of a list at `path`, in `folder` (see ``encoded(_:in:)``), bare names made
    /// `folder`-based. `nil` when it is not one.
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
        let fields = bytes.dropLast().split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard !fields.isEmpty, fields.count % 3 == 0 else { return nil }
        var renames: [Rename] = []
        for start in stride(from: 0, to: fields.count, by: 3) {
            let paths = fields[start..<start + 2]
            // Absolute and canonical (as a run writes them: no `.`, `..` or empty component), or a bare name.
            guard paths.allSatisfy({ isCanonical($0) }) else { return nil }
            // `T` and five numbers, a space, `F` and five numbers or `-`.
            let identities = fields[start + 2].split(separator: " F", maxSplits: 1, omittingEmptySubsequences: false)
            guard identities.count == 2, identities[0].hasPrefix("T"), let temporary = FileIdentity(text: identities[0].dropFirst())
            else { return nil }
            let finalText = identities[1]
            let previousFinal: FileIdentity?
            if finalText == "-" {
                previousFinal = nil
            } else {
                guard let identity = FileIdentity(text: finalText) else { return nil }
                previousFinal = identity
            }
            let absolute = paths.map { $0.hasPrefix("/") ? $0 : folder + "/" + $0 }
            renames.append(Rename(temporaryPath: absolute[0], finalPath: absolute[1], temporary: temporary, previousFinal: previousFinal))
        }
        return PublishManifest(renames: renames)
    }

    /// Whether `path` is a bare name, or an absolute path with no `.`, `..` or empty component.
    private static func isCanonical(_ path: String) -> Bool {
        guard !path.isEmpty else { return false }
        guard path.hasPrefix("/") else { return !path.contains("/") && path != "." && path != ".." }
        return path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." }
    }

    /// The PID in a list's name `.debtflow-publishing-PID-N`, else `nil`.
    static func processID(inListName name: String) -> pid_t? {
        guard name.hasPrefix(namePrefix) else { return nil }
        let numbers = name.dropFirst(namePrefix.count).split(separator: "-", omittingEmptySubsequences: false)
        guard numbers.count == 2, numbers.allSatisfy({ !$0.isEmpty && $0.count <= 10 && $0.allSatisfy(\.isASCIIDigit) }),
              let pid = pid_t(numbers[0]), pid > 0, pid <= StaleTemporaryFiles.largestPID else { return nil }
        return pid
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
