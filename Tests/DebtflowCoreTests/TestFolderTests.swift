import DebtflowTestSupport
import Foundation
import Testing

/// The test suite's own temporary files: one folder per test process, removed at its exit (some
/// suites write files of 190 MB; left in `/tmp`, a few hundred runs filled a 250 GB disk).
@Suite("Test temporary folders")
struct TestFolderTests {
    @Test("every temporary directory a test makes lies in the process's own folder, $TMPDIR/debtflow-tests/<pid>")
    func insideTheProcessFolder() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-probe")
        #expect(folder.deletingLastPathComponent().standardizedFileURL == TestSupport.processFolder.standardizedFileURL)
        #expect(TestSupport.processFolder.lastPathComponent == String(ProcessInfo.processInfo.processIdentifier))
        #expect(TestSupport.processFolder.deletingLastPathComponent().lastPathComponent == "debtflow-tests")
        #expect(FileManager.default.fileExists(atPath: folder.path))
    }
}
