import DebtflowCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The per-debt results file of an http sink: one line per debt whose fate is known,
/// `{"temp_id","status":"created|failed|skipped|unknown","debt_id"?,"errors"?,"reason"?,"batch"}`,
/// mode 0600, written as batches complete and kept whatever the exit code (it is a record of
/// what happened, not a data output). A resumed run writes it afresh, repeating the results of
/// batches acknowledged earlier from the journal.
///
/// The earlier run's file is emptied when this run writes its first result (or closes the file
/// having written none), not when it is opened: a `--resume` refused as soon as it meets a debt
/// (``close(keepingEarlier:)``) leaves the earlier run's results as they were.
///
/// Used by the sink's own task only.
final class ResultsFile {
    private var descriptor: Int32
    let path: String
    private var writer = JSONByteWriter(capacity: 64 * 1024)
    /// Whether the earlier run's results were emptied out.
    private var emptied = false

    /// - Parameter emptyingLater: `--resume`: the earlier run's results are emptied out at the
    ///   first result written (or at close), not now (``close(keepingEarlier:)``). Otherwise now,
    ///   so that a run killed before its first answer does not leave them as if they were its own.
    init(path: String, emptyingLater: Bool = false) throws(DebtflowError) {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .sink("cannot create the results file \(path)", cause: String(cString: strerror(errno))) }
        fchmod(fd, 0o600)
        descriptor = fd
        if !emptyingLater { try emptyOnce() }
    }

    /// Empties out the earlier run's results, once.
    private func emptyOnce() throws(DebtflowError) {
        guard !emptied, descriptor >= 0 else { return }
        emptied = true
        guard ftruncate(descriptor, 0) == 0 else {
            throw .sink("cannot start the results file \(path) afresh", cause: String(cString: strerror(errno)))
        }
    }

    deinit { close() }

    /// Appends the results of one batch (one `write`).
    func append(_ results: [DebtPushResult], batch: Int?) throws(DebtflowError) {
        try emptyOnce()
        writer.removeAll()
        for result in results {
            writer.pushResult(result, batch: batch)
            writer.newline()
        }
        let bytes = writer.bytes
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw .sink("cannot write the results file \(path)", cause: String(cString: strerror(errno)))
            }
            offset += written
        }
    }

    /// Closes the file; one this run wrote nothing to is emptied out first, unless
    /// `keepingEarlier` (the run was refused before it sent anything).
    func close(keepingEarlier: Bool = false) {
        if !keepingEarlier { try? emptyOnce() }
        if descriptor >= 0 {
            fsync(descriptor)
            _ = Glibc.close(descriptor)
        }
        descriptor = -1
    }
}
