import DebtflowTestSupport
import Foundation
import Testing

/// Issue 11 item 6: README.md and every page under docs/ link only to files and headings that
/// exist, so an operator following a link never lands on a 404 or the top of the wrong page.
@Suite("Documentation links")
struct DocumentationLinkTests {
    /// README.md and every `.md` under docs/.
    private func documentationFiles(root: URL) -> [URL] {
        var files = [root.appendingPathComponent("README.md")]
        let docs = root.appendingPathComponent("docs")
        if let walker = FileManager.default.enumerator(at: docs, includingPropertiesForKeys: nil) {
            for case let url as URL in walker where url.pathExtension == "md" { files.append(url) }
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test("README.md and docs/*.md have no broken relative link (file or #anchor)")
    func repositoryLinks() throws {
        let root = TestSupport.packageRoot
        let files = documentationFiles(root: root)
        #expect(FileManager.default.fileExists(atPath: files[0].path))
        let problems = try MarkdownLinkChecker(root: root).brokenLinks(in: files)
        #expect(problems.isEmpty, "broken links:\n\(problems.joined(separator: "\n"))")
    }

    @Test("the checker finds a missing file, a missing anchor, a link out of the repository; it passes good ones")
    func checkerOnFixtures() throws {
        let root = try TestSupport.makeTemporaryDirectory("debtflow-links")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("docs"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: root.appendingPathComponent("p.json"))
        try Data("""
        # Config reference
        ## `read.path`: globs & arrays
        ## Exit codes
        ## Exit codes
        Setext title
        ------------
        <a id="custom-anchor"></a>
        ```
        ## Not a heading
        ```
        """.utf8).write(to: root.appendingPathComponent("docs/config.md"))
        try Data("""
        # Front door
        See [config](docs/config.md), [globs](docs/config.md#readpath-globs--arrays), [again](docs/config.md#exit-codes-1),
        [setext](docs/config.md#setext-title), [custom](docs/config.md#custom-anchor), [self](#front-door),
        [the folder](docs/), [a sample](p.json "title"), [web](https://example.com/x.md#nope), [mail](mailto:a@b.c),
        [line](p.json#L3), [spaces](<docs/config.md>).
        Broken: [gone](docs/missing.md), [anchor](docs/config.md#no-such-heading), [fenced](docs/config.md#not-a-heading),
        [up](../outside.md), [self anchor](#nowhere)
        `[in code](nope.md)` is not a link.
        ```
        [in a block](nope.md)
        ```
        [ref]: docs/also-missing.md
        """.utf8).write(to: root.appendingPathComponent("README.md"))
        let problems = try MarkdownLinkChecker(root: root).brokenLinks(in: [root.appendingPathComponent("README.md")])
        #expect(problems == [
            "README.md:6: docs/missing.md: no such file",
            "README.md:6: docs/config.md#no-such-heading: no heading with the anchor #no-such-heading in docs/config.md",
            "README.md:6: docs/config.md#not-a-heading: no heading with the anchor #not-a-heading in docs/config.md",
            "README.md:7: ../outside.md: leaves the repository",
            "README.md:7: #nowhere: no heading with the anchor #nowhere in README.md",
            "README.md:12: docs/also-missing.md: no such file",
        ], "\(problems.joined(separator: "\n"))")
    }

    @Test("anchors are GitHub's", arguments: [
        ("Exit codes", "exit-codes"),
        ("`--metrics PATH`", "--metrics-path"),
        ("Push & pull", "push--pull"),
        ("Qu'est-ce que c'est ?", "quest-ce-que-cest-"),
        ("Téléphones (E.164)", "téléphones-e164"),
        ("`on_input_error`: stop or continue", "on_input_error-stop-or-continue"),
        ("[Deploying](deploying.md) with *systemd*", "deploying-with-systemd"),
        ("1. Many inputs", "1-many-inputs"),
    ])
    func slugs(heading: String, anchor: String) {
        #expect(MarkdownLinkChecker.slug(heading) == anchor)
    }
}
