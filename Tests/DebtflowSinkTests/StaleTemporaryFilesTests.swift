import DebtflowCore
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// What a run killed outright (SIGKILL, the OOM killer, a crash inside a library) left beside an
/// output: the next run writing that output removes it, and nothing a live run may still write.
@Suite("Temporary files an earlier run left behind")
struct StaleTemporaryFilesTests {
    /// A PID no process has (looked for from the top of the range Linux gives).
    private let deadPID: pid_t = {
        var pid = StaleTemporaryFiles.largestPID
        while kill(pid, 0) == 0 || errno != ESRCH { pid -= 1 }
        return pid
    }()

    private func file(_ folder: URL, _ name: String, ageHours: Int) throws -> String {
        let path = folder.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data("personal data\n".utf8)))
        let when = time(nil) - time_t(ageHours * 3600)
        var times = [timeval(tv_sec: when, tv_usec: 0), timeval(tv_sec: when, tv_usec: 0)]
        #expect(utimes(path, &times) == 0)
        return path
    }

    @Test("the PID is read from this output's temporary names only", arguments: [
        (".valid.ndjson.tmp-123-456", 123 as pid_t?), (".valid.ndjson.tmp-123", nil), (".other.ndjson.tmp-1-2", nil),
        ("valid.ndjson.tmp-1-2", nil), (".valid.ndjson.tmp-12a-3", nil), (".valid.ndjson.tmp--3", nil),
        (".valid.ndjson", nil), (".valid.ndjson.tmp-1-2-3", nil), (".valid.ndjson.tmp-20240115-1", nil),
    ])
    func names(entry: String, pid: pid_t?) {
        #expect(StaleTemporaryFiles.processID(inTemporaryName: entry, ofOutput: "valid.ndjson") == pid)
    }

    @Test("removed: this output's, of a dead process, unlocked or a day old; kept: locked and fresh, a live process's, another output's, a folder")
    func sweep() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-stale")
        let stale = try file(folder, ".valid.ndjson.tmp-\(deadPID)-7", ageHours: 25)
        let unlocked = try file(folder, ".valid.ndjson.tmp-\(deadPID)-6", ageHours: 0)
        // Fresh and locked: its writer lives on (in another PID namespace, by the look of its PID).
        let locked = try file(folder, ".valid.ndjson.tmp-\(deadPID)-8", ageHours: 2)
        let holder = open(locked, O_RDONLY)
        #expect(holder >= 0 && flock(holder, LOCK_EX | LOCK_NB) == 0)
        defer { close(holder) }
        let live = try file(folder, ".valid.ndjson.tmp-\(getpid())-9", ageHours: 48)
        let other = try file(folder, ".rejects.ndjson.tmp-\(deadPID)-7", ageHours: 48)
        let subfolder = folder.appendingPathComponent(".valid.ndjson.tmp-\(deadPID)-10").path
        try FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: false)
        #expect(Set(StaleTemporaryFiles.remove(in: folder.path, forOutput: "valid.ndjson")) == [stale, unlocked])
        for kept in [locked, live, other, subfolder] { #expect(FileManager.default.fileExists(atPath: kept), "\(kept)") }
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(!FileManager.default.fileExists(atPath: unlocked))
    }

    @Test("a run's temporary file is locked while it is written: another run's sweep keeps it, however old and whatever its PID looks like")
    func runsHoldTheirLock() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-stale-lock")
        let output = try AtomicFile(path: folder.appendingPathComponent("valid.ndjson").path)
        defer { output.discard() }
        let temporary = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix(".valid.ndjson.tmp-") })
        #expect(!StaleTemporaryFiles.isUnlocked(folder.appendingPathComponent(temporary).path))
    }

    @Test("a run's output, as it starts, removes what a killed run left beside it; a long name cut to fit is matched too")
    func atomicFileSweeps() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-stale-output")
        let long = String(repeating: "é", count: 120) + ".ndjson"   // 247 bytes: the temporary stem is cut
        let suffix = ".tmp-\(deadPID)-4242424242"
        let stem = AtomicFile.temporaryStem(of: long, leaving: suffix.utf8.count + 1)
        #expect(stem.utf8.count < long.utf8.count)
        let staleLong = try file(folder, "." + stem + suffix, ageHours: 30)
        let stale = try file(folder, ".valid.ndjson.tmp-\(deadPID)-1", ageHours: 30)
        let output = try AtomicFile(path: folder.appendingPathComponent("valid.ndjson").path)
        let longOutput = try AtomicFile(path: folder.appendingPathComponent(long).path)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(!FileManager.default.fileExists(atPath: staleLong))
        output.discard()
        longOutput.discard()
    }

    @Test("the removal is said, naming the files (an operator salvaging a killed run's output is told it is gone)")
    func removalIsSaid() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-stale-said")
        _ = try file(folder, ".out.ndjson.tmp-\(deadPID)-5", ageHours: 30)
        var said: [String] = []
        let sink = try NDJSONFileSink(path: folder.appendingPathComponent("out.ndjson").path, accepts: [.valid],
                                      notice: { said.append($0) })
        #expect(said.count == 1 && said[0].hasPrefix("removed 1 temporary file(s) that an earlier run killed outright left beside "),
                "\(said)")
        #expect(said.first?.hasSuffix("(.out.ndjson.tmp-\(deadPID)-5)") == true, "\(said)")
        _ = sink
    }
}
