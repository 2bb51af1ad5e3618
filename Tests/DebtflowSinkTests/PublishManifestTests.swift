import DebtflowCore
@testable import DebtflowSink
import DebtflowTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A run killed between two of its renames (SIGKILL, the OOM killer, a power cut) must not leave
/// tonight's valid file beside last night's rejects: the renames are written down before the
/// first, and the next run writing into one of those folders finishes them.
@Suite("The list of a publish's renames")
struct PublishManifestTests {
    /// A PID no process has (looked for from the top of the range Linux gives).
    private let deadPID: pid_t = {
        var pid = StaleTemporaryFiles.largestPID
        while kill(pid, 0) == 0 || errno != ESRCH { pid -= 1 }
        return pid
    }()

    private func write(_ text: String, to path: String) {
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    }

    private func text(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    private func lists(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".debtflow-publishing-") }
    }

    /// Writes a list as process `pid` would have, then lets go of it as a killed process does
    /// (its descriptors close, its locks go): what a next run finds.
    private func abandonedList(_ renames: [PublishManifest.Rename], pid: pid_t) {
        let written = PublishManifest.write(renames, processID: pid)
        for copy in written.copies { close(copy.descriptor) }
    }

    @Test("a list's name gives its PID; other names give none", arguments: [
        (".debtflow-publishing-123-456", 123 as pid_t?), (".debtflow-publishing-123", nil), ("debtflow-publishing-1-2", nil),
        (".debtflow-publishing-1a-2", nil), (".debtflow-publishing--2", nil), (".debtflow-publishing-1-2-3", nil),
        (".debtflow-publishing-99999999-1", nil), (".valid.ndjson.tmp-1-2", nil),
    ])
    func names(name: String, pid: pid_t?) {
        #expect(PublishManifest.processID(inListName: name) == pid)
    }

    @Test("a list is written in every folder its renames touch, reads back the same, and none is written for one rename")
    func writtenAndRead() throws {
        let first = try TestSupport.makeTemporaryDirectory("debtflow-list-a")
        let second = try TestSupport.makeTemporaryDirectory("debtflow-list-b")
        let renames = [
            PublishManifest.Rename(temporaryPath: first.path + "/.valid.ndjson.tmp-1-2", finalPath: first.path + "/valid.ndjson"),
            PublishManifest.Rename(temporaryPath: second.path + "/.rejects.ndjson.tmp-1-3", finalPath: second.path + "/rejects.ndjson"),
        ]
        let written = PublishManifest.write(renames, processID: 4242)
        #expect(written.copies.count == 2)
        for folder in [first, second] {
            let names = try lists(in: folder)
            #expect(names.count == 1 && names[0].hasPrefix(".debtflow-publishing-4242-"), "\(names)")
            let path = folder.path + "/" + names[0]
            #expect(PublishManifest.read(path) == PublishManifest(renames: renames))
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
            // Locked while the publish is under way: another run leaves it alone.
            #expect(!StaleTemporaryFiles.isUnlocked(path))
        }
        PublishManifest.finish(written)
        #expect(try lists(in: first).isEmpty && lists(in: second).isEmpty)
        #expect(PublishManifest.write(Array(renames.prefix(1))).copies.isEmpty)
    }

    @Test("what is not a list is not read as one: an odd count of paths, no final NUL, a relative path", arguments: [
        "", "/a\0", "/a\0/b", "a\0/b\0", "/a\0/b\0/c\0",
    ])
    func notAList(content: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-list-bad")
        let path = folder.path + "/.debtflow-publishing-1-1"
        write(content, to: path)
        #expect(PublishManifest.read(path) == nil, "\(content.debugDescription)")
    }

    @Test("the next output in the folder finishes a killed run's publish: the renames it had not done are done, the lists removed, and it is said")
    func killedRunIsFinished() throws {
        let tonight = try TestSupport.makeTemporaryDirectory("debtflow-killed-publish")
        let elsewhere = try TestSupport.makeTemporaryDirectory("debtflow-killed-publish-other")
        let valid = tonight.path + "/valid.ndjson", rejects = elsewhere.path + "/rejects.ndjson"
        // The killed run had renamed valid.ndjson into place, not yet rejects.ndjson.
        write("tonight's valid\n", to: valid)
        write("last night's rejects\n", to: rejects)
        let rejectsTemporary = elsewhere.path + "/.rejects.ndjson.tmp-\(deadPID)-7"
        write("tonight's rejects\n", to: rejectsTemporary)
        abandonedList([
            .init(temporaryPath: tonight.path + "/.valid.ndjson.tmp-\(deadPID)-6", finalPath: valid),
            .init(temporaryPath: rejectsTemporary, finalPath: rejects),
        ], pid: deadPID)
        var said: [String] = []
        let next = try AtomicFile(path: valid, removedLeftovers: { said.append($0) })
        defer { next.discard() }
        #expect(text(rejects) == "tonight's rejects\n")
        #expect(text(valid) == "tonight's valid\n")
        #expect(!FileManager.default.fileExists(atPath: rejectsTemporary))
        #expect(try lists(in: tonight).isEmpty && lists(in: elsewhere).isEmpty)
        #expect(said.count == 1, "\(said)")
        #expect(said.first?.contains("(process \(deadPID)): put \(rejects) in place beside the 1 output it had published") == true, "\(said)")
    }

    @Test("a list is left alone while its run lives or holds its lock, and only that run's temporary files of the listed outputs are renamed")
    func onlyWhatIsAbandoned() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-live-publish")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("old valid\n", to: valid)
        write("old rejects\n", to: rejects)
        // A live process's list (this one's), unlocked: its PID lives.
        write("new valid\n", to: folder.path + "/.valid.ndjson.tmp-\(getpid())-1")
        abandonedList([.init(temporaryPath: folder.path + "/.valid.ndjson.tmp-\(getpid())-1", finalPath: valid),
                       .init(temporaryPath: folder.path + "/.x.tmp-\(getpid())-2", finalPath: folder.path + "/x")], pid: getpid())
        // A dead PID's list still locked (a run in another PID namespace, still renaming).
        let locked = PublishManifest.write([.init(temporaryPath: folder.path + "/.a.tmp-\(deadPID)-1", finalPath: folder.path + "/a"),
                                            .init(temporaryPath: folder.path + "/.b.tmp-\(deadPID)-1", finalPath: folder.path + "/b")],
                                           processID: deadPID)
        write("a\n", to: folder.path + "/.a.tmp-\(deadPID)-1")
        defer { PublishManifest.finish(locked) }
        let next = try AtomicFile(path: valid)
        defer { next.discard() }
        #expect(text(valid) == "old valid\n")
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/a"))
        #expect(try lists(in: folder).count == 2)
        for name in try lists(in: folder) { unlink(folder.path + "/" + name) }

        // An abandoned list naming a file of another PID, another output's name, and a final path
        // that is now a folder: none of them is renamed; the list is removed.
        let other = try TestSupport.makeTemporaryDirectory("debtflow-dead-publish")
        write("not this run's\n", to: other.path + "/.valid.ndjson.tmp-\(deadPID - 1)-1")
        write("another output's\n", to: other.path + "/.other.tmp-\(deadPID)-1")
        write("over a folder\n", to: other.path + "/.dir.tmp-\(deadPID)-1")
        try FileManager.default.createDirectory(atPath: other.path + "/dir", withIntermediateDirectories: false)
        abandonedList([.init(temporaryPath: other.path + "/.valid.ndjson.tmp-\(deadPID - 1)-1", finalPath: other.path + "/valid.ndjson"),
                       .init(temporaryPath: other.path + "/.other.tmp-\(deadPID)-1", finalPath: other.path + "/rejects.ndjson"),
                       .init(temporaryPath: other.path + "/.dir.tmp-\(deadPID)-1", finalPath: other.path + "/dir")], pid: deadPID)
        var said: [String] = []
        let output = try AtomicFile(path: other.path + "/valid.ndjson", removedLeftovers: { said.append($0) })
        defer { output.discard() }
        #expect(!FileManager.default.fileExists(atPath: other.path + "/valid.ndjson"))
        #expect(!FileManager.default.fileExists(atPath: other.path + "/rejects.ndjson"))
        var info = stat()
        #expect(lstat(other.path + "/dir", &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
        #expect(try lists(in: other).isEmpty)
        #expect(!said.contains { $0.hasPrefix("finished the publish") }, "\(said)")
    }

    @Test("a run's publish writes its list before the first rename, syncs, and removes it after the last")
    func publishingAllWritesTheList() async throws {
        let first = try TestSupport.makeTemporaryDirectory("debtflow-publish-all-a")
        let second = try TestSupport.makeTemporaryDirectory("debtflow-publish-all-b")
        let valid = try AtomicFile(path: first.path + "/valid.ndjson")
        let rejects = try AtomicFile(path: second.path + "/rejects.ndjson")
        try valid.write(Array("v\n".utf8))
        try rejects.write(Array("r\n".utf8))
        try valid.flushToDisk()
        try rejects.flushToDisk()
        var seen: [PublishManifest] = []
        try await AtomicFile.publishingAll {
            for folder in [first, second] {
                let names = try lists(in: folder)
                #expect(names.count == 1, "\(names)")
                if let name = names.first, let list = PublishManifest.read(folder.path + "/" + name) { seen.append(list) }
            }
            try valid.publish()
            try rejects.publish()
        }
        #expect(seen.count == 2 && seen[0] == seen[1])
        // Absolute, as a run started elsewhere reads them (other tests' outputs may be listed too).
        let finals = Set(seen.first?.renames.map(\.finalPath) ?? [])
        #expect(finals.isSuperset(of: [first.resolvingSymlinksInPath().path + "/valid.ndjson",
                                       second.resolvingSymlinksInPath().path + "/rejects.ndjson"]), "\(finals)")
        #expect(try lists(in: first).isEmpty && lists(in: second).isEmpty)
        #expect(text(first.path + "/valid.ndjson") == "v\n" && text(second.path + "/rejects.ndjson") == "r\n")
    }

    @Test("an output written after the run was killed (by hand, by another tool) is left as it is, and it is said")
    func newerOutputIsKept() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-newer")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("tonight's valid\n", to: valid)
        write("tonight's rejects\n", to: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2")
        abandonedList([.init(temporaryPath: folder.path + "/.valid.ndjson.tmp-\(deadPID)-1", finalPath: valid),
                       .init(temporaryPath: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2", finalPath: rejects)], pid: deadPID)
        write("fixed by hand\n", to: rejects)
        let later = time(nil) + 5
        var times = [timeval(tv_sec: later, tv_usec: 0), timeval(tv_sec: later, tv_usec: 0)]
        #expect(utimes(rejects, &times) == 0)
        var said: [String] = []
        let next = try AtomicFile(path: valid, removedLeftovers: { said.append($0) })
        defer { next.discard() }
        #expect(text(rejects) == "fixed by hand\n")
        #expect(try lists(in: folder).isEmpty)
        #expect(said.contains { $0.contains("over \(rejects): written after that run was killed, so left as it is") }, "\(said)")
        #expect(!said.contains { $0.hasPrefix("finished the publish") }, "\(said)")
    }
}
