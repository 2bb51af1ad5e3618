import DebtflowCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The batch journal of an http sink: one JSON line per event, each made durable (`fsync`)
/// before the sink goes on (CONTRACT.md §5), so that `--resume` after a crash or a kill sends
/// only what was never acknowledged.
///
/// Lines, in the order they happen:
/// - `{"event":"started","batch":3,"key":"…","count":500,"temp_ids":"<sha-256 of the temp_ids>",
///   "ids":["CC-1",…]}` before the batch is sent (`ids`: its temp_ids in body order, so a resumed
///   run knows each debt's fate however its batches fall);
/// - `{"event":"done","batch":3,"key":"…","count":500,"created":…,"failed":…,"skipped":…,
///   "unknown":…,"results":[…]}` once the server answered (the per-debt results, so a resumed
///   run can write them again, each with `sum`, the digest of the debt it answers,
///   ``PushBatch/debtDigest(_:)``, so that a resumed run knows whether tonight's debt is that one);
/// - `{"event":"unknown","batch":3,"key":"…","count":500,"reason":"…"}` when no answer came and
///   the batch may have reached the server;
/// - `{"event":"not_sent","batch":3,"key":"…","count":500,"reason":"…"}` when the batch was
///   certainly not applied (refused credentials, server unreachable): safe to send again;
/// - `{"event":"target","batch":-1,"key":"","host":"getbill.io"}` first (``target(_:)``):
///   the server the answers come from.
///
/// `final class … @unchecked Sendable`: the descriptor is only used under `lock`.
final class JournalFile: @unchecked Sendable {
    private let lock = NSLock()
    private var descriptor: Int32
    let path: String
    /// The `write(2)` the journal's lines go through (errno set on failure): tests put one in its
    /// place that fails as a full disk does, so that the error path itself runs.
    var write: @Sendable (Int32, UnsafeRawPointer?, Int) -> Int {
        get { lock.withLock { writeBytes } }
        set { lock.withLock { writeBytes = newValue } }
    }
    private var writeBytes: @Sendable (Int32, UnsafeRawPointer?, Int) -> Int = { Glibc.write($0, $1, $2) }

    /// Opens the journal for appending (creating it with mode 0600), or truncates it for a run
    /// that does not resume.
    init(path: String, truncate: Bool) throws(DebtflowError) {
        self.path = path
        // Read and write when resuming: a torn last line is looked for and cut (``cutTornLastLine(_:)``).
        // A FIFO put there since the config was checked is refused, not truncated: O_TRUNC comes
        // after the check.
        // Read too when started afresh: its first line is looked at (``holdsSomethingElse(_:)``).
        let flags = O_RDWR | O_CREAT | O_APPEND
        guard let fd = try Self.openRegularFile(path, flags: flags, failure: "cannot open the journal \(path)") else {
            throw .sink("cannot open the journal \(path)", cause: String(cString: strerror(ENOENT)))
        }
        // Neither started afresh nor cut: a file of something else the config names by mistake.
        if Self.holdsSomethingElse(fd) {
            _ = Glibc.close(fd)
            throw .usage("the journal \(path) holds something other than a debtflow journal (its first line is not a "
                         + "journal event); it is left as it is: point the http sink's `journal` at a file of its own")
        }
        if truncate && ftruncate(fd, 0) != 0 {
            let code = errno
            _ = Glibc.close(fd)
            throw .sink("cannot start the journal \(path) afresh", cause: String(cString: strerror(code)))
        }
        fchmod(fd, 0o600)
        descriptor = fd
        if !truncate {
            Self.cutTornLastLine(fd)
            Self.cutUnreadableLastLine(fd)
        }
    }

    /// Opens the journal at `path` (`flags` plus close-on-exec and non-blocking, mode 0600 when
    /// created): a regular file only, so that a FIFO put there since the config was checked
    /// neither holds the run in `open` nor is written.
    /// - Returns: `nil` when there is no file (and `flags` do not create one).
    /// - Throws: `.sink(failure)` with the system's reason, or "not a regular file".
    static func openRegularFile(_ path: String, flags: Int32, failure: String) throws(DebtflowError) -> Int32? {
        let fd = open(path, flags | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .sink(failure, cause: String(cString: strerror(errno)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            _ = Glibc.close(fd)
            throw .sink(failure, cause: "not a regular file")
        }
        return fd
    }

    /// Whether the file at `fd` holds something other than a journal: a first line that is empty
    /// or not a journal event (``JournalState/readsAsEvent(_:)``), or no whole line and bytes that
    /// do not begin as an event does. An empty file, or one whose first line was torn by a crash
    /// (`{"event":"sta`, no line break yet), is a journal.
    static func holdsSomethingElse(_ fd: Int32) -> Bool {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return false }
        let limit: off_t = 4 << 20   // a first line (`target`, or an older journal's `started`) is far shorter
        guard let head = bytes(fd, count: Int(min(size, limit)), at: 0) else { return false }
        // A journal writes no empty line; one before the first line is something else's.
        guard head.first != 0x0A else { return true }
        guard let end = head.firstIndex(of: 0x0A) else {
            // No whole line: a journal's first line torn by a crash starts as every event does.
            return size > limit || !head.starts(with: Array(#"{"event":""#.utf8).prefix(head.count))
        }
        return !JournalState.readsAsEvent(Array(head[..<end]))
    }

    /// `count` bytes of `fd` from `offset`; `nil` when fewer could be read (`errno` is the
    /// failure's, or 0 when the file is shorter).
    static func bytes(_ fd: Int32, count: Int, at offset: Int64) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        errno = 0
        let read = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return read == count ? bytes : nil
    }

    /// Cuts a last line that a failed write left without its line break (a full disk), so that
    /// the next line starts on a line of its own: glued to the torn one, it made the journal
    /// unreadable from there on. The torn line was never whole, so never durable: nothing relied
    /// on it (``JournalState/load(path:)`` skips it too).
    private static func cutTornLastLine(_ fd: Int32) {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0, let start = lineStart(fd, endingAt: size), start < size else { return }
        _ = ftruncate(fd, start)
    }

    /// Cuts a whole last line that is not a journal event (``JournalState/readsAsEvent(_:)``):
    /// ``JournalState/load(path:)`` passes over such a line when it is the last, so it must not
    /// stay where the next line would make it "damaged, line N" for the resume after this one.
    private static func cutUnreadableLastLine(_ fd: Int32) {
        let size = lseek(fd, 0, SEEK_END)
        // The last line, without its line break (an empty one, which the reader passes over, is left).
        guard size > 1, let start = lineStart(fd, endingAt: size - 1), start < size - 1 else { return }
        guard let line = bytes(fd, count: Int(size - 1 - start), at: Int64(start)) else { return }
        if !JournalState.readsAsEvent(line) { _ = ftruncate(fd, start) }
    }

    /// Where the line holding the byte before `end` starts: just after the last line break
    /// before `end`, or 0. `nil` when the file cannot be read.
    private static func lineStart(_ fd: Int32, endingAt end: off_t) -> off_t? {
        var block = [UInt8](repeating: 0, count: 4096)
        var blockEnd = end
        while blockEnd > 0 {
            let blockStart = max(0, blockEnd - off_t(block.count))
            let count = Int(blockEnd - blockStart)
            let read = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, blockStart) }
            guard read == count else { return nil }
            if let last = block[0..<count].lastIndex(of: 0x0A) { return blockStart + off_t(last) + 1 }
            blockEnd = blockStart
        }
        return 0
    }

    deinit { close() }

    /// Appends one line and waits until it is on disk.
    func append(_ line: [UInt8]) throws(DebtflowError) {
        let failure: Int32? = lock.withLock {
            guard descriptor >= 0 else { return EBADF }
            var bytes = line
            bytes.append(0x0A)
            // Where the line starts: a write that fails half-way (a full disk) is cut back to it,
            // so no torn line stays for the next one to be glued to.
            let start = lseek(descriptor, 0, SEEK_END)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { writeBytes(descriptor, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    let code = errno
                    if start >= 0 { _ = ftruncate(descriptor, start) }
                    return code
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : errno
        }
        if let failure {
            throw .sink("cannot write the journal \(path)", cause: String(cString: strerror(failure)))
        }
    }

    func close() {
        lock.withLock {
            if descriptor >= 0 { _ = Glibc.close(descriptor) }
            descriptor = -1
        }
    }

    // MARK: - Event lines

    static func started(_ batch: PushBatch) -> [UInt8] {
        var writer = header("started", batch)
        writer.field("temp_ids", batch.tempIDsDigest)
        writer.key("ids")
        writer.beginArray()
        for tempID in batch.tempIDs {
            if let tempID { writer.string(tempID) } else { writer.null() }
        }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    static func done(_ batch: PushBatch, results: [DebtPushResult]) -> [UInt8] {
        var writer = header("done", batch)
        for status in DebtPushResult.Status.allCases {
            writer.field(status.rawValue, results.lazy.filter { $0.status == status }.count)
        }
        writer.key("results")
        writer.beginArray()
        let digests = batch.debtDigestsByTempID
        for result in results { writer.pushResult(result, batch: nil, digest: result.tempID.flatMap { digests[$0] }) }
        writer.endArray()
        writer.endObject()
        return writer.bytes
    }

    /// `{"event":"target","batch":-1,"key":"","host":"getbill.io"}`, first in a journal: the
    /// server its answers came from (``target(of:)``), so that a `--resume` aimed at another one
    /// is refused. (A key and a batch number, so that versions that do not know the event pass
    /// over it.)
    static func target(_ host: String) -> [UInt8] {
        var writer = JSONByteWriter(capacity: 128)
        writer.beginObject()
        writer.field("event", "target")
        writer.field("batch", -1)
        writer.field("key", "")
        writer.field("host", host)
        writer.endObject()
        return writer.bytes
    }

    /// The server a push goes to, as the journal names it: its host, lowercased (not its scheme,
    /// port or path, which may change for the same server; never a user, password or query,
    /// which may hold secrets).
    static func target(of url: URL) -> String {
        (url.host ?? "").lowercased()
    }

    static func unknown(_ batch: PushBatch, reason: String) -> [UInt8] {
        var writer = header("unknown", batch)
        writer.field("reason", reason)
        writer.endObject()
        return writer.bytes
    }

    static func notSent(_ batch: PushBatch, reason: String) -> [UInt8] {
        var writer = header("not_sent", batch)
        writer.field("reason", reason)
        writer.endObject()
        return writer.bytes
    }

    private static func header(_ event: String, _ batch: PushBatch) -> JSONByteWriter {
        var writer = JSONByteWriter(capacity: 256)
        writer.beginObject()
        writer.field("event", event)
        writer.field("batch", batch.index)
        writer.field("key", batch.idempotencyKey)
        writer.field("count", batch.count)
        return writer
    }
}
