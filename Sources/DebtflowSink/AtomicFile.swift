import DebtflowCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The temporary files of every ``AtomicFile`` not yet published or discarded, so that a process
/// that must exit at once (a second signal) can still remove them.
private let pendingTemporaryFiles = Mutex<Set<String>>([])

/// How many publishes (``AtomicFile/publishingTogether(_:)``) are renaming outputs into place now.
private let publishesUnderWay = Atomic<Int>(0)
/// Set when a run starts renaming its outputs into place; never cleared: the run is finished.
private let publishBegan = Atomic<Bool>(false)
/// The outputs flushed to disk and not yet published or discarded, by temporary path, with their
/// temporary and final paths made absolute (`nil` when they cannot be: no list is written then):
/// what ``AtomicFile/publishingTogether(_:)`` writes down before its first rename (``PublishManifest``).
private let flushedAwaitingPublish = Mutex<[String: (temporaryPath: String, finalPath: String)?]>([:])
/// The folders whose renames ``AtomicFile/publishingTogether(_:)`` syncs once at its end, or `nil`
/// outside it (each ``AtomicFile/publish()`` then syncs its own folder).
private let foldersToSyncAfterPublish = Mutex<Set<String>?>(nil)

/// An output file written under a temporary name in its destination folder and renamed into place
/// only by ``publish()``, so a reader never sees it half-written (CONTRACT.md §1).
///
/// The file is created with mode 0600 whatever the umask: outputs hold personal data. What the
/// path names decides how it is written (``OutputTarget``): `-` and `/dev/stdout` write to stdout
/// directly, an existing device or FIFO is written in place as a stream (nothing to publish, never
/// renamed over), a symbolic link to a file has its target replaced. One owner: not shared
/// between tasks.
public final class AtomicFile {
    /// The final path as the operator configured it.
    public let path: String
    /// How the output is written.
    public let target: OutputTarget
    private let temporaryPath: String?
    private var descriptor: Int32
    private var isOpen = true
    /// Bytes written so far (the file's size, for a file we created).
    public private(set) var bytesWritten: Int64 = 0
    /// Where the bytes not yet handed to the kernel's writeback begin (``WriteBehind``).
    private var writeBehindStart: Int64 = 0
    /// Bytes the kernel was asked to start writing to disk before ``publish()`` (a file we
    /// created only, never a stream): what the last `fsync` no longer waits for.
    public private(set) var bytesHandedToWriteback: Int64 = 0
    /// Every byte written so far is on disk (``flushToDisk()``); writing more clears it.
    private var isFlushed = false

    /// Creates the temporary file next to `path` (or opens the stream it names).
    /// - Parameters:
    ///   - mode: the file's permission bits, whatever the umask: 0600 for outputs that hold personal
    ///     data (every data output); 0644 only for files without any (the `--metrics` file).
    ///   - isInterrupted: polled while a FIFO waits for its reader; the wait ends with
    ///     ``DebtflowError/interrupted`` when it answers true.
    ///   - waitingForReader: called once when a FIFO has no reader yet and the open waits for one.
    ///   - removedLeftovers: told of the temporary files of this output that a killed run left and
    ///     that were removed (``StaleTemporaryFiles``), and of a killed run's publish finished.
    ///   - finishingKilledPublish: first finish the publish of a run killed while it renamed its
    ///     outputs into this folder (``PublishManifest``): for a run's data outputs that will be
    ///     published, not for a dry run's, the summary or the metrics file.
    /// - Throws: ``DebtflowError`` of kind `.sink` when the folder is missing or not writable, or
    ///   the path cannot be an output (a folder, a socket).
    public init(path: String, mode: mode_t = 0o600, isInterrupted: @escaping () -> Bool = { false },
                waitingForReader: (String) -> Void = { _ in }, removedLeftovers: (String) -> Void = { _ in },
                finishingKilledPublish: Bool = false) throws {
        self.path = path
        do {
            target = try OutputTarget.resolve(path)
        } catch {
            throw DebtflowError.sink(error.message, location: .init(file: path))
        }
        switch target {
        case .descriptor(let borrowed):
            temporaryPath = nil
            descriptor = borrowed
        case .stream(let streamPath, let kind):
            temporaryPath = nil
            descriptor = try Self.openStream(streamPath, kind: kind, displayPath: path, isInterrupted: isInterrupted,
                                             waitingForReader: waitingForReader)
        case .file(let finalPath):
            let locksWork: Bool
            (temporaryPath, descriptor, locksWork) = try Self.createTemporaryFile(beside: finalPath, displayPath: path, mode: mode)
            let (folder, name) = AtomicFile.split(finalPath)
            // A run killed between two renames: its outputs are finished and flushed, so its
            // publish is finished first (before the sweep below would take its files for leftovers).
            if finishingKilledPublish {
                for report in PublishManifest.finishAbandoned(in: folder) { removedLeftovers(report) }
            }
            // What a run killed outright left beside this output (copies of personal data).
            let removed = StaleTemporaryFiles.remove(in: folder, forOutput: name, locksWork: locksWork)
            if !removed.isEmpty {
                removedLeftovers("removed \(removed.count) temporary file(s) that an earlier run killed outright left beside \(path) "
                                 + "(\(removed.map { MessageExcerpt.path(String($0.split(separator: "/").last ?? "")) }.joined(separator: ", ")))")
            }
        }
    }

    /// Appends bytes, retrying short writes. Every ``WriteBehind/step`` bytes of a file we created
    /// are handed to the kernel's writeback at once, so that ``publish()`` waits for little.
    /// - Throws: `.sink` on an I/O error (`disk full` for ENOSPC, `its reader went away` for EPIPE).
    public func write(_ bytes: [UInt8]) throws {
        guard isOpen else {
            throw DebtflowError.sink("cannot write output: it is already closed", location: .init(file: path))
        }
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    let message = switch code {
                    case ENOSPC: "disk full while writing output"
                    case EPIPE: "cannot write output: its reader went away (a closed pipe, as with `| head`)"
                    default: "cannot write output"
                    }
                    throw DebtflowError.sink(message, location: .init(file: path), cause: String(cString: strerror(code)))
                }
                offset += written
            }
        }
        bytesWritten += Int64(bytes.count)
        isFlushed = false
        if temporaryPath != nil && bytesWritten - writeBehindStart >= WriteBehind.step {
            if WriteBehind.start(descriptor, from: writeBehindStart, count: bytesWritten - writeBehindStart) {
                bytesHandedToWriteback += bytesWritten - writeBehindStart
            }
            writeBehindStart = bytesWritten
        }
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
        writeBehindStart = min(writeBehindStart, size)
        isFlushed = false
    }

    /// Makes what was written durable (`fsync`) without publishing it: the step of ``publish()``
    /// that can fail, done for every output before the first is renamed into place. Nothing to
    /// do for a stream.
    /// - Throws: `.sink` when the flush fails (an I/O error, a disk that filled late).
    public func flushToDisk() throws {
        guard isOpen, temporaryPath != nil, !isFlushed else { return }
        if fsync(descriptor) != 0 {
            let code = errno
            throw DebtflowError.sink("cannot flush output to disk", location: .init(file: path), cause: String(cString: strerror(code)))
        }
        isFlushed = true
        if let temporaryPath, case .file(let finalPath) = target {
            let paths = Self.absolutePaths(temporaryPath, finalPath)
            flushedAwaitingPublish.withLock { $0[temporaryPath] = .some(paths) }
        }
    }

    /// `temporaryPath` and `finalPath` (one folder) made absolute, for a ``PublishManifest`` that
    /// a run started elsewhere may read; `nil` when the folder cannot be resolved to a UTF-8 path.
    private static func absolutePaths(_ temporaryPath: String, _ finalPath: String) -> (temporaryPath: String, finalPath: String)? {
        let (folder, name) = split(finalPath)
        guard let resolved = realpath(folder, nil) else { return nil }
        defer { free(resolved) }
        guard let absolute = String(validatingCString: resolved) else { return nil }
        let base = absolute == "/" ? "" : absolute
        return (base + "/" + split(temporaryPath).name, base + "/" + name)
    }

    /// Flushes the file to disk (unless ``flushToDisk()`` did) and renames it into place, then
    /// syncs the folder. A stream is closed (a device or FIFO) or left open (stdout): there is
    /// nothing to rename.
    public func publish() throws {
        guard isOpen else { return }
        guard let temporaryPath, case .file(let finalPath) = target else {
            closeStream()
            return
        }
        try flushToDisk()
        close(descriptor)
        isOpen = false
        defer {
            pendingTemporaryFiles.withLock { _ = $0.remove(temporaryPath) }
            flushedAwaitingPublish.withLock { _ = $0.removeValue(forKey: temporaryPath) }
        }
        if rename(temporaryPath, finalPath) != 0 {
            let code = errno
            unlink(temporaryPath)
            throw DebtflowError.sink("cannot publish output", location: .init(file: path), cause: String(cString: strerror(code)))
        }
        let (folder, _) = AtomicFile.split(finalPath)
        let syncedLater = foldersToSyncAfterPublish.withLock { folders in
            guard folders != nil else { return false }
            folders!.insert(folder)
            return true
        }
        if !syncedLater { PublishManifest.syncFolder(folder) }
    }

    /// Removes the temporary file: nothing is published. (A stream keeps what was written to it.)
    public func discard() {
        guard isOpen else { return }
        guard let temporaryPath else {
            closeStream()
            return
        }
        close(descriptor)
        isOpen = false
        unlink(temporaryPath)
        pendingTemporaryFiles.withLock { _ = $0.remove(temporaryPath) }
        flushedAwaitingPublish.withLock { _ = $0.removeValue(forKey: temporaryPath) }
    }

    /// Runs `body`, the renames that publish a run's outputs: while it runs (``isPublishing``) a
    /// process that would exit at once (a second signal) must wait, since exiting would cut the
    /// renames in two and leave tonight's valid file beside last night's rejects; from its start
    /// the run is finished (``publishHasBegun``). Every output must be flushed to disk before
    /// (``flushToDisk()``), so `body` only renames: it takes a moment.
    ///
    /// A process killed outright (SIGKILL, the OOM killer, a power cut) cannot wait: before the
    /// first rename the renames are written down (``PublishManifest``), so the next run writing
    /// into one of these folders finishes them. Each folder is synced once, after the last rename.
    public static func publishingAll<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        publishBegan.store(true, ordering: .sequentiallyConsistent)
        return try await publishingTogether(body)
    }

    /// Runs `body`, renames that publish outputs flushed to disk before (``flushToDisk()``) as
    /// one set: the renames are written down first (``PublishManifest``), a second signal waits
    /// for them (``isPublishing``), and each folder is synced once after the last. The outputs
    /// of one input of a many-input run are published so; ``publishingAll(_:)`` is the run's end.
    public static func publishingTogether<Result>(_ body: () async throws -> Result) async rethrows -> Result {
        publishesUnderWay.add(1, ordering: .sequentiallyConsistent)
        defer { publishesUnderWay.subtract(1, ordering: .sequentiallyConsistent) }
        // What each output's files are now, before the first rename; no list when one cannot be
        // named (its folder unresolved, its temporary file gone).
        let renames = flushedAwaitingPublish.withLock { Array($0.values) }
            .map { paths in paths.flatMap { PublishManifest.Rename(temporaryPath: $0.temporaryPath, finalPath: $0.finalPath) } }
        let manifest = PublishManifest.write(renames.contains(nil) ? [] : renames.compactMap { $0 }.sorted { $0.finalPath < $1.finalPath })
        foldersToSyncAfterPublish.withLock { $0 = [] }
        defer {
            let folders = foldersToSyncAfterPublish.withLock { folders in
                defer { folders = nil }
                return folders ?? []
            }
            for folder in folders.sorted() { PublishManifest.syncFolder(folder) }
            PublishManifest.finish(manifest)
        }
        return try await body()
    }

    /// Whether outputs are being renamed into place now (``publishingAll(_:)``). Safe to ask from
    /// any thread.
    public static var isPublishing: Bool { publishesUnderWay.load(ordering: .sequentiallyConsistent) > 0 }

    /// Whether the run has begun renaming its outputs into place (``publishingAll(_:)``): it is
    /// finished (exit 0 or 1, or 3 for a failed input under `continue`), whatever comes after.
    /// Safe to ask from any thread.
    public static var publishHasBegun: Bool { publishBegan.load(ordering: .sequentiallyConsistent) }

    /// Removes the temporary file of every atomic file still open, for a process about to exit
    /// without unwinding (the second signal). Safe to call from any thread.
    public static func removePendingTemporaryFiles() {
        for path in pendingTemporaryFiles.withLock({ $0 }) { unlink(path) }
    }

    deinit {
        discard()
    }

    /// Closes a device or FIFO this file opened; a borrowed descriptor (stdout) stays open.
    private func closeStream() {
        if case .stream = target { close(descriptor) }
        isOpen = false
    }

    /// The longest file name the file systems debtflow writes to accept, in bytes (`NAME_MAX`).
    static let longestFileName = 255

    /// `name` as the start of a temporary file's name that has `reserved` more bytes: whole, or
    /// cut (at a character's start) so that the temporary name stays within ``longestFileName``,
    /// as a final name of up to 255 bytes must still be publishable.
    static func temporaryStem(of name: String, leaving reserved: Int) -> String {
        let budget = longestFileName - reserved
        guard name.utf8.count > budget else { return name }
        var end = name.utf8.index(name.utf8.startIndex, offsetBy: budget)
        while end > name.utf8.startIndex && UTF8.isContinuation(name.utf8[end]) { end = name.utf8.index(before: end) }
        return String(name[..<end])
    }

    /// - Returns: the temporary file's path, its descriptor, and whether its lock was taken (the
    ///   folder's file system supports locks).
    private static func createTemporaryFile(beside finalPath: String, displayPath: String, mode: mode_t) throws -> (String, Int32, Bool) {
        let (folder, name) = AtomicFile.split(finalPath)
        var attempt = 0
        while true {
            let suffix = ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            let candidate = folder + "/." + temporaryStem(of: name, leaving: suffix.utf8.count + 1) + suffix
            let fd = open(candidate, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
            if fd >= 0 {
                fchmod(fd, mode)
                // Held while the file is open, and let go when this process ends however it ends:
                // a later run that finds the file unlocked knows it was abandoned
                // (``StaleTemporaryFiles``). A file system without locks leaves the age rule.
                let locked = flock(fd, LOCK_EX | LOCK_NB) == 0
                pendingTemporaryFiles.withLock { _ = $0.insert(candidate) }
                return (candidate, fd, locked)
            }
            let code = errno
            attempt += 1
            if code != EEXIST || attempt > 10 {
                throw DebtflowError.sink("cannot create output file in \(folder)", location: .init(file: displayPath),
                                         cause: String(cString: strerror(code)))
            }
        }
    }

    /// Opens an existing device or FIFO for writing, in place (no `O_CREAT`, no `O_TRUNC`). A FIFO
    /// without a reader is waited for (as the shell's `>` would), polling so a signal ends the wait.
    private static func openStream(_ streamPath: String, kind: OutputTarget.StreamKind, displayPath: String,
                                   isInterrupted: () -> Bool, waitingForReader: (String) -> Void) throws -> Int32 {
        let blocking = O_WRONLY | O_CLOEXEC | O_NOCTTY
        guard kind == .fifo else {
            let fd = open(streamPath, blocking)
            guard fd >= 0 else {
                let code = errno
                throw DebtflowError.sink("cannot open the \(kind.rawValue) for writing", location: .init(file: displayPath),
                                         cause: String(cString: strerror(code)))
            }
            return fd
        }
        var announced = false
        while true {
            let fd = open(streamPath, blocking | O_NONBLOCK)
            if fd >= 0 {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
                return fd
            }
            let code = errno
            guard code == ENXIO || code == EINTR else {
                throw DebtflowError.sink("cannot open the FIFO for writing", location: .init(file: displayPath),
                                         cause: String(cString: strerror(code)))
            }
            if isInterrupted() { throw DebtflowError.interrupted }
            if !announced {
                waitingForReader("\(displayPath): waiting for a reader on the FIFO")
                announced = true
            }
            usleep(20_000)
        }
    }

    /// `("/a/b", "c.ndjson")` for `/a/b/c.ndjson`; `(".", name)` for a bare name.
    static func split(_ path: String) -> (folder: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }
}
