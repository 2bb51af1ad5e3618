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
/// first, and the next run that publishes into one of those folders finishes them, when the
/// folders are still as the killed run left them.
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

    /// One output of a killed run: its final path, what the run wrote, and its temporary file's
    /// name (`.NAME.tmp-PID-N` unless given).
    private struct Output {
        var final: String
        var content: String
        var temporaryName: String? = nil
    }

    /// What a run (process `pid`) killed after renaming its first `renamed` outputs leaves: each
    /// output's temporary file written, the list written as the run writes it (before any
    /// rename), the first `renamed` renamed into place, and the list let go of (a killed
    /// process's descriptors close and its locks go).
    private func killedRun(_ outputs: [Output], renamed: Int, pid: pid_t) {
        var renames: [PublishManifest.Rename] = []
        for (index, output) in outputs.enumerated() {
            let (folder, name) = AtomicFile.split(output.final)
            let temporary = folder + "/" + (output.temporaryName ?? ".\(name).tmp-\(pid)-\(index)")
            write(output.content, to: temporary)
            if let rename = PublishManifest.Rename(temporaryPath: temporary, finalPath: output.final) { renames.append(rename) }
        }
        let written = PublishManifest.write(renames, processID: pid)
        #expect(!written.copies.isEmpty)
        for rename in renames.prefix(renamed) { #expect(Glibc.rename(rename.temporaryPath, rename.finalPath) == 0) }
        for copy in written.copies { close(copy.descriptor) }
    }

    /// The next run's output at `path`: it finishes what it can, and what it says is returned.
    private func nextRun(_ path: String) throws -> [String] {
        var said: [String] = []
        let output = try AtomicFile(path: path, removedLeftovers: { said.append($0) }, finishingKilledPublish: true)
        output.discard()
        return said
    }

    @Test("a list's name gives its PID; other names give none", arguments: [
        (".debtflow-publishing-123-456", 123 as pid_t?), (".debtflow-publishing-123", nil), ("debtflow-publishing-1-2", nil),
        (".debtflow-publishing-1a-2", nil), (".debtflow-publishing--2", nil), (".debtflow-publishing-1-2-3", nil),
        (".debtflow-publishing-99999999-1", nil), (".valid.ndjson.tmp-1-2", nil),
    ])
    func names(name: String, pid: pid_t?) {
        #expect(PublishManifest.processID(inListName: name) == pid)
    }

    @Test("a list is written in every folder its renames touch, 0600 and locked, reads back the same, and none is written for one rename")
    func writtenAndRead() throws {
        let first = try TestSupport.makeTemporaryDirectory("debtflow-list-a")
        let second = try TestSupport.makeTemporaryDirectory("debtflow-list-b")
        write("v", to: first.path + "/.valid.ndjson.tmp-1-2")
        write("r", to: second.path + "/.rejects.ndjson.tmp-1-3")
        write("last night's", to: second.path + "/rejects.ndjson")
        let renames = try [
            #require(PublishManifest.Rename(temporaryPath: first.path + "/.valid.ndjson.tmp-1-2", finalPath: first.path + "/valid.ndjson")),
            #require(PublishManifest.Rename(temporaryPath: second.path + "/.rejects.ndjson.tmp-1-3", finalPath: second.path + "/rejects.ndjson")),
        ]
        #expect(renames[0].previousFinal == nil && renames[1].previousFinal != nil)
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
        let fields = PublishManifest.encoded(renames, in: first.path).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        #expect(fields.count == 6)
        #expect(Array(fields.prefix(2)) == [".valid.ndjson.tmp-1-2", "valid.ndjson"])
        #expect(fields[2].hasPrefix("T") && fields[2].hasSuffix(" F-"), "\(fields[2])")
        #expect(Array(fields[3...4]) == [second.path + "/.rejects.ndjson.tmp-1-3", second.path + "/rejects.ndjson"])
        #expect(fields[5].hasPrefix("T") && !fields[5].hasSuffix(" F-"), "\(fields[5])")
    }

    @Test("what is not a list is not read as one (a path not absolute and canonical, nor a bare name, included)", arguments: [
        "", "/a\0", "a\0b\0", "a/b\0b\0T1 2 3 4 5 F-\0", "a\0b\0T1 2 3 F-\0", "a\0b\0T1 2 3 4 5\0", "a\0b\0T1 2 3 4 5 F-",
        "a\0b\0T1 2 3 4 5 F1 2\0", "\0b\0T1 2 3 4 5 F-\0", "a\0/x/./b\0T1 2 3 4 5 F-\0", "a\0/x//b\0T1 2 3 4 5 F-\0",
        "a\0/x/../b\0T1 2 3 4 5 F-\0", "..\0b\0T1 2 3 4 5 F-\0",
    ])
    func notAList(content: String) throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-list-bad")
        let path = folder.path + "/.debtflow-publishing-1-1"
        write(content, to: path)
        #expect(PublishManifest.read(path, in: folder.path) == nil, "\(content.debugDescription)")
        // The same shape, well formed, is one.
        write("a\0/x/b\0T1 2 3 4 5 F6 7 8 9 10\0", to: path)
        #expect(PublishManifest.read(path, in: folder.path)?.renames.first?.finalPath == "/x/b")
    }

    @Test("the next run finishes a killed run's publish: the renames it had not done are done, in every folder, the lists removed, and it is said")
    func killedRunIsFinished() throws {
        let tonight = try TestSupport.makeTemporaryDirectory("debtflow-killed-publish")
        let elsewhere = try TestSupport.makeTemporaryDirectory("debtflow-killed-publish-other")
        let valid = tonight.path + "/valid.ndjson", rejects = elsewhere.path + "/rejects.ndjson"
        write("last night's valid\n", to: valid)
        write("last night's rejects\n", to: rejects)
        killedRun([Output(final: valid, content: "tonight's valid\n"), Output(final: rejects, content: "tonight's rejects\n")],
                  renamed: 1, pid: deadPID)
        #expect(text(valid) == "tonight's valid\n" && text(rejects) == "last night's rejects\n")
        let said = try nextRun(valid)
        #expect(text(rejects) == "tonight's rejects\n" && text(valid) == "tonight's valid\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == ["rejects.ndjson"])
        #expect(try lists(in: tonight).isEmpty && lists(in: elsewhere).isEmpty)
        #expect(said == ["finished the publish of a run killed while it renamed its outputs into place (process \(deadPID)): "
                         + "put \(rejects) in place beside the 1 output it had published, so its outputs are one set again"], "\(said)")
    }

    @Test("a list is finished whatever its PID once no process holds its lock (a fresh PID namespace gives a killed run's PID again)")
    func livePIDUnlockedIsFinished() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-same-pid")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        // This process's own PID: alive, as a new container's first process would be.
        killedRun([Output(final: valid, content: "v\n"), Output(final: rejects, content: "r\n")], renamed: 1, pid: getpid())
        _ = try nextRun(rejects)
        #expect(text(rejects) == "r\n")
        #expect(try lists(in: folder).isEmpty)
    }

    @Test("a list whose lock is held is left alone, whatever its PID (a run still renaming), and so are its run's temporary files")
    func lockedListIsLeftAlone() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-live-publish")
        let a = folder.path + "/a", b = folder.path + "/b"
        write("old a\n", to: a)
        write("old b\n", to: b)
        write("new a\n", to: folder.path + "/.a.tmp-\(deadPID)-1")
        write("new b\n", to: folder.path + "/.b.tmp-\(deadPID)-1")
        let renames = try [#require(PublishManifest.Rename(temporaryPath: folder.path + "/.a.tmp-\(deadPID)-1", finalPath: a)),
                           #require(PublishManifest.Rename(temporaryPath: folder.path + "/.b.tmp-\(deadPID)-1", finalPath: b))]
        let locked = PublishManifest.write(renames, processID: deadPID)
        defer { PublishManifest.finish(locked) }
        #expect(Glibc.rename(folder.path + "/.a.tmp-\(deadPID)-1", a) == 0)
        _ = try nextRun(b)
        #expect(text(b) == "old b\n")
        #expect(try lists(in: folder).count == 1)
        #expect(FileManager.default.fileExists(atPath: folder.path + "/.b.tmp-\(deadPID)-1"))
    }

    @Test("only that run's temporary files of the listed outputs are renamed, each output once")
    func onlyWhatTheListNames() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-dead-publish")
        let valid = folder.path + "/valid.ndjson"
        killedRun([Output(final: valid, content: "tonight's valid\n"),
                   Output(final: folder.path + "/rejects.ndjson", content: "another run's\n", temporaryName: ".rejects.ndjson.tmp-\(deadPID - 1)-1"),
                   Output(final: folder.path + "/summary.json", content: "another output's\n", temporaryName: ".other.tmp-\(deadPID)-1"),
                   Output(final: folder.path + "/twice", content: "first\n", temporaryName: ".twice.tmp-\(deadPID)-1"),
                   Output(final: folder.path + "/twice", content: "second\n", temporaryName: ".twice.tmp-\(deadPID)-2")],
                  renamed: 1, pid: deadPID)
        let said = try nextRun(valid)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/rejects.ndjson"))
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/summary.json"))
        #expect(text(folder.path + "/twice") == "first\n")
        #expect(try lists(in: folder).isEmpty)
        #expect(said.first?.contains("put \(folder.path)/twice in place beside the 1 output it had published") == true, "\(said)")
    }

    @Test("a run killed before its first rename left last night's set whole: the list is removed, nothing is renamed, its files are swept")
    func nothingRenamedStaysAsItWas() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-early")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("last night's valid\n", to: valid)
        write("last night's rejects\n", to: rejects)
        killedRun([Output(final: valid, content: "tonight's valid\n"), Output(final: rejects, content: "tonight's rejects\n")],
                  renamed: 0, pid: deadPID)
        let said = try nextRun(valid)
        #expect(text(valid) == "last night's valid\n" && text(rejects) == "last night's rejects\n")
        #expect(try lists(in: folder).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["rejects.ndjson", "valid.ndjson"])
        #expect(said == ["removed the 2 temporary files of a run killed while it renamed its outputs into place (process \(deadPID)) "
                         + "before its first rename: the outputs it would have replaced are left as they were"], "\(said)")
    }

    @Test("an output that is not published (a dry run's, the summary, the metrics) leaves a killed run's list and files for a run that publishes")
    func onlyPublishingOutputsFinish() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-dry")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("last night's rejects\n", to: rejects)
        killedRun([Output(final: valid, content: "tonight's valid\n"), Output(final: rejects, content: "tonight's rejects\n")],
                  renamed: 1, pid: deadPID)
        try AtomicFile(path: folder.path + "/summary.json").discard()
        try AtomicFile(path: rejects).discard()
        #expect(text(rejects) == "last night's rejects\n")
        #expect(try lists(in: folder).count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).contains { $0.hasPrefix(".rejects.ndjson.tmp-\(deadPID)-") })
        _ = try nextRun(rejects)
        #expect(text(rejects) == "tonight's rejects\n")
    }

    @Test("an output restored after the kill (a new file, even with its old modification time kept) is left, nothing is renamed, and it is said")
    func restoredOutputIsKept() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-restored")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("last night's valid\n", to: valid)
        write("last night's rejects\n", to: rejects)
        var before = stat()
        #expect(stat(rejects, &before) == 0)
        killedRun([Output(final: valid, content: "tonight's valid\n"), Output(final: rejects, content: "tonight's rejects\n")],
                  renamed: 1, pid: deadPID)
        // `cp -p` from a backup: a new file, the same bytes and modification time.
        #expect(unlink(rejects) == 0)
        write("last night's rejects\n", to: rejects)
        var times = [timeval(tv_sec: before.st_mtim.tv_sec, tv_usec: before.st_mtim.tv_nsec / 1000),
                     timeval(tv_sec: before.st_mtim.tv_sec, tv_usec: before.st_mtim.tv_nsec / 1000)]
        #expect(utimes(rejects, &times) == 0)
        let said = try nextRun(valid)
        #expect(text(rejects) == "last night's rejects\n" && text(valid) == "tonight's valid\n")
        #expect(try lists(in: folder).isEmpty)
        #expect(said == ["did not finish the publish of a run killed while it renamed its outputs into place (process \(deadPID)): "
                         + "\(rejects) was changed after that run was killed; the 1 output it had published may not belong with "
                         + "the others beside it: run the pipeline again (its 1 temporary file is removed)"], "\(said)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["rejects.ndjson", "valid.ndjson"])
    }

    @Test("the published output rewritten in place after the kill (cp -p onto it, a shell redirection: the same inode) is not the killed run's")
    func publishedOutputRewrittenInPlace() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-inplace")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("last night's valid\n", to: valid)
        write("last night's rejects\n", to: rejects)
        killedRun([Output(final: valid, content: "tonight's valid\n"), Output(final: rejects, content: "tonight's rejects\n")],
                  renamed: 1, pid: deadPID)
        var before = stat()
        #expect(stat(valid, &before) == 0)
        // Rolled back by rewriting the file where it is: same inode, other bytes and time.
        let fd = open(valid, O_WRONLY | O_TRUNC)
        #expect(fd >= 0)
        _ = "last night's valid\n".withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
        var after = stat()
        #expect(stat(valid, &after) == 0 && after.st_ino == before.st_ino)
        let said = try nextRun(valid)
        #expect(text(rejects) == "last night's rejects\n", "the killed run's rejects was put beside last night's valid")
        #expect(said.first?.contains("\(valid) was changed after that run was killed") == true, "\(said)")
    }

    @Test("a hard link (a snapshot with cp -al), a chmod or a read of last night's file change nothing: the publish is finished")
    func hardLinkedOutputIsTheSame() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-linked")
        let snapshot = try TestSupport.makeTemporaryDirectory("debtflow-killed-snapshot")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        write("last night's rejects\n", to: rejects)
        killedRun([Output(final: valid, content: "tonight's valid\n"), Output(final: rejects, content: "tonight's rejects\n")],
                  renamed: 1, pid: deadPID)
        #expect(link(rejects, snapshot.path + "/rejects.ndjson") == 0)
        #expect(chmod(rejects, 0o640) == 0)
        #expect(text(rejects) == "last night's rejects\n")
        _ = try nextRun(valid)
        #expect(text(rejects) == "tonight's rejects\n")
        #expect(text(snapshot.path + "/rejects.ndjson") == "last night's rejects\n")
    }

    @Test("a final path that is now a folder is not renamed over; nothing is, and it is said")
    func folderInTheWay() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-folder")
        let valid = folder.path + "/valid.ndjson", rejects = folder.path + "/rejects.ndjson"
        killedRun([Output(final: valid, content: "tonight's valid\n"), Output(final: rejects, content: "tonight's rejects\n")],
                  renamed: 1, pid: deadPID)
        try FileManager.default.createDirectory(atPath: rejects, withIntermediateDirectories: false)
        let said = try nextRun(valid)
        var info = stat()
        #expect(lstat(rejects, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR)
        #expect(said.first?.contains("\(rejects) is now a folder, device, FIFO or symbolic link") == true, "\(said)")
    }

    @Test("a list that cannot be read (a power cut while it was written) is removed and said, and its run's temporary files are swept; one left under its unfinished name is removed")
    func unreadableListIsRemoved() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-empty-list")
        let valid = folder.path + "/valid.ndjson"
        write("tonight's valid\n", to: folder.path + "/.valid.ndjson.tmp-\(deadPID)-1")
        write("", to: folder.path + "/.debtflow-publishing-\(deadPID)-9")
        write("", to: folder.path + "/.debtflow-publishing-\(deadPID)-8-writing")
        let said = try nextRun(valid)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        #expect(said.contains { $0.hasPrefix("removed the list of renames of a run killed while it renamed its outputs into place (process \(deadPID)), which could not be read (.debtflow-publishing-\(deadPID)-9)") }, "\(said)")
        #expect(said.contains { $0.hasPrefix("removed 1 temporary file(s)") }, "\(said)")
    }

    @Test("another run finishing the same list from another folder's copy (holding its lock) is left to it")
    func otherFolderCopyLocked() throws {
        let tonight = try TestSupport.makeTemporaryDirectory("debtflow-two-finishers-a")
        let elsewhere = try TestSupport.makeTemporaryDirectory("debtflow-two-finishers-b")
        let valid = tonight.path + "/valid.ndjson", rejects = elsewhere.path + "/rejects.ndjson"
        write("last night's rejects\n", to: rejects)
        killedRun([Output(final: valid, content: "v\n"), Output(final: rejects, content: "r\n")], renamed: 1, pid: deadPID)
        let copy = try #require(try lists(in: elsewhere).first)
        let holder = open(elsewhere.path + "/" + copy, O_RDONLY)
        #expect(holder >= 0 && flock(holder, LOCK_EX | LOCK_NB) == 0)
        _ = try nextRun(valid)
        close(holder)
        #expect(text(rejects) == "last night's rejects\n")
        #expect(try lists(in: tonight).count == 1 && lists(in: elsewhere).count == 1)
    }

    @Test("a list naming a folder that holds no copy of it (made by hand, or the folder moved) renames nothing there, and it is said")
    func folderWithoutACopy() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-list-by-hand")
        let victim = try TestSupport.makeTemporaryDirectory("debtflow-list-victim")
        let valid = folder.path + "/valid.ndjson", keep = victim.path + "/keep.txt"
        write("kept\n", to: keep)
        killedRun([Output(final: valid, content: "v\n"), Output(final: keep, content: "replaced\n")], renamed: 1, pid: deadPID)
        for name in try lists(in: victim) { unlink(victim.path + "/" + name) }
        let said = try nextRun(valid)
        #expect(text(keep) == "kept\n")
        #expect(said.first?.contains("\(victim.path) holds no copy of the list") == true, "\(said)")
        #expect(try lists(in: folder).isEmpty)
    }

    @Test("a run's output sweeps a killed run's unlocked temporary file even when a live process has its PID (a fresh PID namespace), and keeps a locked one")
    func sweepTrustsLocks() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-sweep-namespace")
        let unlocked = folder.path + "/.valid.ndjson.tmp-\(getpid())-1"
        let locked = folder.path + "/.valid.ndjson.tmp-\(getpid())-2"
        write("a killed run's\n", to: unlocked)
        write("a live run's\n", to: locked)
        let holder = open(locked, O_RDONLY)
        #expect(holder >= 0 && flock(holder, LOCK_EX | LOCK_NB) == 0)
        defer { close(holder) }
        _ = try nextRun(folder.path + "/valid.ndjson")
        #expect(!FileManager.default.fileExists(atPath: unlocked))
        #expect(FileManager.default.fileExists(atPath: locked))
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
}
