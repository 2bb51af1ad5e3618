import DebtflowCore
import DebtflowTestSupport
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// A run killed outright while it renames its outputs into place (SIGKILL, the OOM killer, a
/// power cut) would leave tonight's valid file beside last night's rejects: the next run that
/// writes into that folder finishes the killed run's publish before anything else, even when its
/// own input then fails. Run through the built binary.
@Suite("A publish cut in two by a kill")
struct KilledPublishTests {
    private static let config = #"""
    {"version":1,"name":"nightly","stages":[
      {"read":{"format":"csv","path":"${INPUT:-in.csv}"}},
      {"map":{}}, {"normalize":{"region":"FR","currency":"EUR"}}, {"classify":{}}, {"validate":{}},
      {"sink":{"format":"ndjson","path":"out/valid.ndjson","accept":["valid"]}},
      {"sink":{"format":"ndjson","path":"out/rejects.ndjson","accept":["failed","skipped"]}}]}
    """#

    /// A folder with tonight's `in.csv` (valid and failed rows), a corrupt `bad.csv.gz`, the
    /// config, and last night's outputs in `out/`.
    private func workspace() throws -> URL {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-killed-publish")
        try Data("""
        numero_dossier;nom;prenom;montant;devise;telephone
        D-1;Martin;Jean;120,50;EUR;06 12 34 56 78
        D-2;Durand;Marie;abc;EUR;06 98 76 54 32
        """.utf8).write(to: folder.appendingPathComponent("in.csv"))
        try Data([0x1f, 0x8b, 0x08, 0x00, 0x67, 0x61, 0x72]).write(to: folder.appendingPathComponent("bad.csv.gz"))
        try Data(Self.config.utf8).write(to: folder.appendingPathComponent("p.json"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("out"), withIntermediateDirectories: false)
        try Data("last night's valid\n".utf8).write(to: folder.appendingPathComponent("out/valid.ndjson"))
        try Data("last night's rejects\n".utf8).write(to: folder.appendingPathComponent("out/rejects.ndjson"))
        return folder
    }

    private func text(_ folder: URL, _ name: String) -> String {
        String(decoding: FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) ?? Data(), as: UTF8.self)
    }

    private func lists(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path)
            .filter { $0.hasPrefix(".debtflow-publishing-") }
    }

    /// The next run: its input is corrupt (exit 3, nothing of its own published).
    private func failingRun(_ folder: URL) throws -> TestSupport.ProcessResult {
        try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path],
                                    environment: ["INPUT": folder.appendingPathComponent("bad.csv.gz").path], timeout: 30)
    }

    /// strace, when it is installed and may trace here (a container may forbid `ptrace`).
    /// A file's device, inode, size and modification time, as a publish list writes them.
    private func identity(_ path: String) -> String {
        var info = stat()
        guard lstat(path, &info) == 0 else { return "?" }
        return "\(info.st_dev) \(info.st_ino) \(info.st_size) \(info.st_mtim.tv_sec) \(info.st_mtim.tv_nsec)"
    }

    private static let strace: String? = {
        guard let path = ["/usr/bin/strace", "/bin/strace"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
              let probe = try? TestSupport.run(URL(fileURLWithPath: path), ["-o", "/dev/null", "/bin/true"], timeout: 10),
              probe.status == 0 else { return nil }
        return path
    }()

    @Test("the state a kill leaves (one output renamed, one not, the list beside them) is finished by the next run that publishes, not by a dry run; check says it is there",
          .timeLimit(.minutes(1)))
    func writtenStateIsFinished() throws {
        let folder = try workspace()
        let out = folder.appendingPathComponent("out").resolvingSymlinksInPath().path
        // A dead PID (looked for from the top of the range Linux gives).
        var dead: pid_t = 1 << 22
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        // As the killed run left it: both temporary files written, the list, then valid.ndjson renamed.
        let validTemporary = out + "/.valid.ndjson.tmp-\(dead)-8", rejectsTemporary = out + "/.rejects.ndjson.tmp-\(dead)-9"
        try Data("tonight's valid\n".utf8).write(to: URL(fileURLWithPath: validTemporary))
        try Data("tonight's rejects\n".utf8).write(to: URL(fileURLWithPath: rejectsTemporary))
        // The list's format: per output its temporary and final path (a bare name in the list's
        // folder), then `T` and the temporary file's device, inode, size, modification seconds and
        // nanoseconds, ` F` and the same of the final file before (or `-`); each field NUL-ended.
        let list = [".valid.ndjson.tmp-\(dead)-8", "valid.ndjson", "T\(identity(validTemporary)) F\(identity(out + "/valid.ndjson"))",
                    ".rejects.ndjson.tmp-\(dead)-9", "rejects.ndjson", "T\(identity(rejectsTemporary)) F\(identity(out + "/rejects.ndjson"))"]
            .map { $0 + "\0" }.joined()
        try Data(list.utf8).write(to: URL(fileURLWithPath: out + "/.debtflow-publishing-\(dead)-1"))
        #expect(rename(validTemporary, out + "/valid.ndjson") == 0)

        // `check` says so, and changes nothing.
        let check = try TestSupport.runDebtflow(["check", folder.appendingPathComponent("p.json").path], timeout: 30)
        #expect(check.status == 0, "\(check.stderrText)")
        #expect(check.stderrText.contains("warning: \(folder.path)/out: a run killed while it published its outputs (process \(dead)) left the "
                                          + "list of its renames (.debtflow-publishing-\(dead)-1); the next run that publishes here finishes that "
                                          + "publish first, or says why it cannot"),
                "\(check.stderrText)")
        #expect(try lists(folder).count == 1)

        // A dry run publishes nothing, a killed run's publish included.
        let dry = try TestSupport.runDebtflow(["run", folder.appendingPathComponent("p.json").path, "--dry-run"], timeout: 30)
        #expect(dry.status == 1, "\(dry.stderrText)")
        #expect(text(folder, "out/rejects.ndjson") == "last night's rejects\n")
        #expect(try lists(folder).count == 1)
        #expect(!dry.stderrText.contains("publish of a run killed"), "\(dry.stderrText)")

        let result = try failingRun(folder)
        #expect(result.status == 3, "\(result.stderrText)")
        #expect(text(folder, "out/valid.ndjson") == "tonight's valid\n")
        #expect(text(folder, "out/rejects.ndjson") == "tonight's rejects\n")
        #expect(try lists(folder).isEmpty)
        #expect(result.stderrText.contains("finished the publish of a run killed while it renamed its outputs into place (process \(dead)): "
                                           + "put \(out)/rejects.ndjson in place beside the 1 output it had published"), "\(result.stderrText)")
    }

    @Test("a real SIGKILL at the second output's rename (strace injects it at the third: the list is renamed into place first): the next run puts the killed run's rejects beside its valid file",
          .enabled(if: strace != nil, "needs strace, allowed to trace, to inject the kill"), .timeLimit(.minutes(1)))
    func realKillIsFinished() throws {
        let folder = try workspace()
        // The run as it should end, for comparison.
        let reference = try workspace()
        let complete = try TestSupport.runDebtflow(["run", reference.appendingPathComponent("p.json").path], timeout: 30)
        #expect(complete.status == 1, "\(complete.stderrText)")

        let killed = try TestSupport.run(URL(fileURLWithPath: Self.strace!),
                                         ["-f", "-o", "/dev/null", "-e", "trace=rename,renameat,renameat2",
                                          "-e", "inject=rename,renameat,renameat2:signal=SIGKILL:when=3",
                                          TestSupport.debtflowBinary.path, "run", folder.appendingPathComponent("p.json").path], timeout: 30)
        #expect(killed.status != 0 && killed.status != 1, "the run was not killed: \(killed.status) \(killed.stderrText)")
        // Cut in two: tonight's valid file beside last night's rejects, and the list.
        #expect(text(folder, "out/valid.ndjson") == text(reference, "out/valid.ndjson"))
        #expect(text(folder, "out/rejects.ndjson") == "last night's rejects\n")
        #expect(try lists(folder).count == 1)

        let next = try failingRun(folder)
        #expect(next.status == 3, "\(next.stderrText)")
        #expect(text(folder, "out/valid.ndjson") == text(reference, "out/valid.ndjson"))
        #expect(text(folder, "out/rejects.ndjson") == text(reference, "out/rejects.ndjson"))
        #expect(text(reference, "out/rejects.ndjson").contains("D-2"))
        #expect(try lists(folder).isEmpty)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("out").path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        #expect(next.stderrText.contains("finished the publish of a run killed"), "\(next.stderrText)")
    }

    @Test("one input's outputs of a many-input run are renamed together too: a kill between them (the third rename, after the list's and the first output's) is finished by the next run",
          .enabled(if: strace != nil, "needs strace, allowed to trace, to inject the kill"), .timeLimit(.minutes(1)))
    func perInputOutputsAreFinished() throws {
        let folder = try workspace()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("in"), withIntermediateDirectories: false)
        for name in ["a", "b"] {
            try FileManager.default.copyItem(at: folder.appendingPathComponent("in.csv"), to: folder.appendingPathComponent("in/\(name).csv"))
        }
        let config = Self.config.replacingOccurrences(of: "out/valid.ndjson", with: "out/valid-{input}.ndjson")
            .replacingOccurrences(of: "out/rejects.ndjson", with: "out/rejects-{input}.ndjson")
        try Data(config.utf8).write(to: folder.appendingPathComponent("p.json"))
        let killed = try TestSupport.run(URL(fileURLWithPath: Self.strace!),
                                         ["-f", "-o", "/dev/null", "-e", "trace=rename,renameat,renameat2",
                                          "-e", "inject=rename,renameat,renameat2:signal=SIGKILL:when=3",
                                          TestSupport.debtflowBinary.path, "run", folder.appendingPathComponent("p.json").path],
                                         environment: ["INPUT": folder.appendingPathComponent("in/*.csv").path], timeout: 30)
        #expect(killed.status != 0 && killed.status != 1, "the run was not killed: \(killed.status) \(killed.stderrText)")
        #expect(text(folder, "out/valid-a.ndjson").contains("D-1"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/rejects-a.ndjson").path))
        #expect(try lists(folder).count == 1)

        let next = try failingRun(folder)
        #expect(next.status == 3, "\(next.stderrText)")
        #expect(text(folder, "out/rejects-a.ndjson").contains("D-2"))
        #expect(try lists(folder).isEmpty)
        #expect(next.stderrText.contains("rejects-a.ndjson in place beside the 1 output it had published"), "\(next.stderrText)")
    }
}
