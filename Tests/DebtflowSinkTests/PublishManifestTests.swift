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
            #expect(PublishManifest.read(path, in: folder.path) == PublishManifest(renames: renames))
            var info = stat()
            #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
            // Locked while the publish is under way: another run leaves it alone.
            #expect(!StaleTemporaryFiles.isUnlocked(path))
        }
        PublishManifest.finish(written)
        #expect(try lists(in: first).isEmpty && lists(in: second).isEmpty)
        #expect(PublishManifest.write(Array(renames.prefix(1))).copies.isEmpty)
        // A copy names the files of its own folder by their bare names (a copy read through another
        // path to the folder, a bind mount, still names them), the others' by absolute paths.
        #expect(String(decoding: PublishManifest.encoded(renames, in: first.path), as: UTF8.self)
                == ".valid.ndjson.tmp-1-2\0valid.ndjson\0\(second.path)/.rejects.ndjson.tmp-1-3\0\(second.path)/rejects.ndjson\0")
    }

    @Test("what is not a list is not read as one: an odd count of paths, no final NUL, a relative path with a folder", arguments: [
        "", "/a\0", "/a\0/b", "a/b\0/b\0", "/a\0/b\0/c\0", "\0/b\0",
    ])
    func notAList(content: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-list-bad")
        let path = folder.path + "/.debtflow-publishing-1-1"
        write(content, to: path)
        #expect(PublishManifest.read(path, in: folder.path) == nil, "\(content.debugDescription)")
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
        let next = try AtomicFile(path: valid, removedLeftovers: { said.append($0) }, finishingKilledPublish: true)
        defer { next.discard() }
        #expect(text(rejects) == "tonight's rejects\n")
        #expect(text(valid) == "tonight's valid\n")
        #expect(!FileManager.default.fileExists(atPath: rejectsTemporary))
        #expect(try lists(in: tonight).isEmpty && lists(in: elsewhere).isEmpty)
        #expect(said.count == 1, "\(said)")
        #expect(said.first?.contains("(process \(deadPID)): put \(rejects) in place beside the 1 output it had published") == true, "\(said)")
    }

    @Test("a list whose lock is held is left alone, whatever its PID (a run still renaming, in this or another PID namespace)")
    func lockedListIsLeftAlone() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-live-publish")
        let a = folder.path + "/a", b = folder.path + "/b"
        write("old a\n", to: a)
        write("old b\n", to: b)
        write("new b\n", to: folder.path + "/.b.tmp-\(deadPID)-1")
        let locked = PublishManifest.write([.init(temporaryPath: folder.path + "/.a.tmp-\(deadPID)-1", finalPath: a),
                                            .init(temporaryPath: folder.path + "/.b.tmp-\(deadPID)-1", finalPath: b)],
                                           processID: deadPID)
        defer { PublishManifest.finish(locked) }
        let next = try AtomicFile(path: b, finishingKilledPublish: true)
        defer { next.discard() }
        #expect(text(b) == "old b\n")
        #expect(try lists(in: folder).count == 1)
        // Its run's temporary files are not swept while the list is there.
        #expect(FileManager.default.fileExists(atPath: folder.path + "/.b.tmp-\(deadPID)-1"))
    }

    @Test("only that run's temporary files of the listed outputs are renamed, never over a folder, each output once; what could not be done is said")
    func onlyWhatTheListNames() throws {
        let other = try TestSupport.makeTemporaryDirectory("debtflow-dead-publish")
        // valid.ndjson was published before the kill; the rest was not.
        write("tonight's valid\n", to: other.path + "/valid.ndjson")
        write("not this run's\n", to: other.path + "/.rejects.ndjson.tmp-\(deadPID - 1)-1")
        write("another output's\n", to: other.path + "/.other.tmp-\(deadPID)-1")
        write("over a folder\n", to: other.path + "/.dir.tmp-\(deadPID)-1")
        write("first\n", to: other.path + "/.twice.tmp-\(deadPID)-1")
        write("second\n", to: other.path + "/.twice.tmp-\(deadPID)-2")
        try FileManager.default.createDirectory(atPath: other.path + "/dir", withIntermediateDirectories: false)
        abandonedList([.init(temporaryPath: other.path + "/.valid.ndjson.tmp-\(deadPID)-1", finalPath: other.path + "/valid.ndjson"),
                       .init(temporaryPath: other.path + "/.rejects.ndjson.tmp-\(deadPID - 1)-1", finalPath: other.path + "/rejects.ndjson"),
                       .init(temporaryPath: other.path + "/.other.tmp-\(deadPID)-1", finalPath: other.path + "/summary.json"),
                       .init(temporaryPath: other.path + "/.dir.tmp-\(deadPID)-1", finalPath: other.path + "/dir"),
                       .init(temporaryPath: other.path + "/.twice.tmp-\(deadPID)-1", finalPath: other.path + "/twice"),
                       .init(temporaryPath: other.path + "/.twice.tmp-\(deadPID)-2", finalPath: other.path + "/twice")], pid: deadPID)
        var said: [String] = []
        let output = try AtomicFile(path: other.path + "/valid.ndjson", removedLeftovers: { said.append($0) }, finishingKilledPublish: true)
        defer { output.discard() }
        #expect(!FileManager.default.fileExists(atPath: other.path + "/rejects.ndjson"))
        #expect(!FileManager.default.fileExists(atPath: other.path + "/summary.json"))
        #expect(text(other.path + "/twice") == "first\n")
        var info = stat()
        #expect(lstat(other.path + "/dir", &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
        #expect(try lists(in: other).isEmpty)
        #expect(said.contains { $0.hasPrefix("could not wholly finish the publish of a run killed while it renamed its outputs into place (process \(deadPID)): put \(other.path)/twice in place; could not put \(other.path)/dir in place (a folder, device, FIFO or symbolic link is there now); its outputs beside the 1 it had published are not one set: run the pipeline again") }, "\(said)")
    }

    @Test("a run killed before its first rename left last night's set whole: the list is removed, nothing is renamed, its files are swept")
    func nothingRenamedStaysAsItWas() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-early")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("last night's valid\n", to: valid)
        write("last night's rejects\n", to: rejects)
        write("tonight's valid\n", to: folder.path + "/.valid.ndjson.tmp-\(deadPID)-1")
        write("tonight's rejects\n", to: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2")
        abandonedList([.init(temporaryPath: folder.path + "/.valid.ndjson.tmp-\(deadPID)-1", finalPath: valid),
                       .init(temporaryPath: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2", finalPath: rejects)], pid: deadPID)
        var said: [String] = []
        let next = try AtomicFile(path: valid, removedLeftovers: { said.append($0) }, finishingKilledPublish: true)
        defer { next.discard() }
        #expect(text(valid) == "last night's valid\n" && text(rejects) == "last night's rejects\n")
        #expect(try lists(in: folder).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/.valid.ndjson.tmp-\(deadPID)-1"))
        #expect(!said.contains { $0.contains("publish") }, "\(said)")
    }

    @Test("an output that is not published (a dry run's, the summary, the metrics) leaves a killed run's list and files for a run that publishes")
    func onlyPublishingOutputsFinish() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-dry")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("tonight's valid\n", to: valid)
        write("last night's rejects\n", to: rejects)
        write("tonight's rejects\n", to: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2")
        abandonedList([.init(temporaryPath: folder.path + "/.valid.ndjson.tmp-\(deadPID)-1", finalPath: valid),
                       .init(temporaryPath: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2", finalPath: rejects)], pid: deadPID)
        let summary = try AtomicFile(path: folder.path + "/summary.json")
        summary.discard()
        let dry = try AtomicFile(path: rejects)
        dry.discard()
        #expect(text(rejects) == "last night's rejects\n")
        #expect(try lists(in: folder).count == 1)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2"))
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
                if let name = names.first, let list = PublishManifest.read(folder.path + "/" + name, in: folder.path) { seen.append(list) }
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

    @Test("an output changed after the run was killed (restored with its old modification time, written by another tool) is left as it is, and it is said")
    func newerOutputIsKept() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-newer")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("tonight's valid\n", to: valid)
        write("tonight's rejects\n", to: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2")
        abandonedList([.init(temporaryPath: folder.path + "/.valid.ndjson.tmp-\(deadPID)-1", finalPath: valid),
                       .init(temporaryPath: folder.path + "/.rejects.ndjson.tmp-\(deadPID)-2", finalPath: rejects)], pid: deadPID)
        // Restored from a backup after the kill, its modification time kept (`cp -p`): a day old.
        usleep(20_000)
        write("restored by hand\n", to: rejects)
        let earlier = time(nil) - 86_400
        var times = [timeval(tv_sec: earlier, tv_usec: 0), timeval(tv_sec: earlier, tv_usec: 0)]
        #expect(utimes(rejects, &times) == 0)
        var said: [String] = []
        let next = try AtomicFile(path: valid, removedLeftovers: { said.append($0) }, finishingKilledPublish: true)
        defer { next.discard() }
        #expect(text(rejects) == "restored by hand\n")
        #expect(try lists(in: folder).isEmpty)
        #expect(said.contains { $0.contains("left \(rejects) as it is (changed after that run was killed); its outputs beside the 1 it had published are not one set") }, "\(said)")
        #expect(!said.contains { $0.hasPrefix("finished the publish") }, "\(said)")
    }
}
