import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

/// One input file a `read.path` pattern matched.
public struct MatchedInput: Sendable, Equatable, Hashable {
    /// The path as matched, in the pattern's own terms: relative to the config's folder when the
    /// pattern is relative, absolute when it is absolute. Messages, envelopes' `"source"`, the
    /// summary and `--shard`'s CRC-32 use this form.
    public var path: String
    /// Where the file is (absolute), for opening it.
    public var absolutePath: String

    public init(path: String, absolutePath: String) {
        self.path = path
        self.absolutePath = absolutePath
    }

    /// The `{input}` of a sink path: the file name without `.gz` and then without its last
    /// extension (`exports/2026-11-28.xml.gz` → `2026-11-28`).
    public var stem: String { Self.stem(of: path) }

    /// ``stem`` of any path.
    public static func stem(of path: String) -> String {
        var name = path.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? path
        if name.count > 3, name.lowercased().hasSuffix(".gz") { name.removeLast(3) }
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { name = String(name[..<dot]) }
        return name
    }
}

/// The files a `read.path` names (CONTRACT.md §2 "Many inputs"): each entry is a literal path or a
/// glob (`*`, `?`, `[…]`, matched by Glibc's `glob(3)`); the matches of all entries, each file
/// once (the same device and inode counts once, whatever spelling reached it), in byte-wise
/// sorted order of their matched paths.
///
/// A literal path is kept even when it does not exist (opening it then fails with the usual
/// input error), unless missing inputs are allowed. Folders matched by a glob are left out, and
/// `*` and `?` do not match a leading `.` (so a sink's temporary files are never inputs).
public struct InputPatternExpander: Sendable {
    /// The result: the files to read and the patterns that matched nothing.
    public struct Expansion: Sendable, Equatable {
        public var inputs: [MatchedInput]
        /// Patterns (as written) that matched no file.
        public var unmatched: [String]
    }

    public let patterns: [String]
    public let baseDirectory: String

    /// - Parameters:
    ///   - patterns: `read.path`'s entries after `${ENV}` expansion, as written.
    ///   - baseDirectory: the config's folder, against which relative patterns are matched.
    public init(patterns: [String], baseDirectory: String) {
        self.patterns = patterns
        self.baseDirectory = baseDirectory
    }

    /// True when `text` holds a glob metacharacter (`*`, `?` or `[`).
    public static func isPattern(_ text: String) -> Bool {
        text.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
    }

    /// Matches every pattern.
    /// - Parameter keepMissingLiterals: keep a literal path that does not exist (its open fails
    ///   later, as a single input always has); when false it counts as unmatched.
    /// - Throws: `.input` when a folder on a pattern's way cannot be read, or a matched name is not UTF-8.
    public func expand(keepMissingLiterals: Bool = true) throws -> Expansion {
        var found: [MatchedInput] = []
        var unmatched: [String] = []
        for pattern in patterns {
            let matches = Self.isPattern(pattern) && !namesExistingFile(pattern) ? try glob(pattern)
                : literal(pattern, keepMissing: keepMissingLiterals)
            if matches.isEmpty { unmatched.append(pattern) }
            found.append(contentsOf: matches)
        }
        found.sort { Self.bytewiseLess($0.path, $1.path) }
        var seenFiles: Set<FileInode> = []
        // Byte arrays, not `String`s: Swift's `==` equates `é` and `e\u{301}`, two files on disk.
        var seenPaths: Set<[UInt8]> = []
        var inputs: [MatchedInput] = []
        for input in found {
            guard seenPaths.insert(Array(input.absolutePath.utf8)).inserted else { continue }
            if let inode = FileInode(path: input.absolutePath), !seenFiles.insert(inode).inserted { continue }
            inputs.append(input)
        }
        return Expansion(inputs: inputs, unmatched: unmatched)
    }

    /// Byte-wise (UTF-8) order, as `LC_ALL=C ls` sorts; Swift's `<` on `String` is not that.
    public static func bytewiseLess(_ left: String, _ right: String) -> Bool {
        left.utf8.lexicographicallyPrecedes(right.utf8)
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory.hasSuffix("/") ? baseDirectory + path : baseDirectory + "/" + path)
    }

    /// A path with `[` but no `*` or `?` that names an existing file (`export[1].csv`, as some
    /// tools name a second download) is that file, not a pattern that matches nothing.
    private func namesExistingFile(_ pattern: String) -> Bool {
        guard !pattern.utf8.contains(where: { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") }) else { return false }
        var info = stat()
        return stat(absolute(pattern), &info) == 0 && info.st_mode & S_IFMT != S_IFDIR
    }

    private func literal(_ path: String, keepMissing: Bool) -> [MatchedInput] {
        let absolutePath = absolute(path)
        if !keepMissing, access(absolutePath, F_OK) != 0 { return [] }
        return [MatchedInput(path: Self.normalized(path), absolutePath: Self.normalized(absolutePath))]
    }

    private func glob(_ pattern: String) throws -> [MatchedInput] {
        let isRelative = !pattern.hasPrefix("/")
        // The config's folder is taken literally: its own `*`, `?`, `[` or `\` are escaped.
        let prefix = isRelative ? Self.escaped(baseDirectory.hasSuffix("/") ? baseDirectory : baseDirectory + "/") : ""
        let strip = isRelative ? (baseDirectory.hasSuffix("/") ? baseDirectory : baseDirectory + "/") : ""
        var result = glob_t()
        defer { globfree(&result) }
        // A folder that does not exist matches nothing; one that cannot be read stops the match.
        let status = Glibc.glob(prefix + pattern, GLOB_MARK | GLOB_NOSORT, { _, code in
            code == ENOENT || code == ENOTDIR ? 0 : 1
        }, &result)
        switch status {
        case 0: break
        case GLOB_NOMATCH: return []
        case GLOB_ABORTED:
            throw DebtflowError.input("cannot list a folder of this input pattern (permission denied?)", location: .init(file: pattern))
        default:
            throw DebtflowError.input("cannot match input pattern \(pattern)", location: .init(file: pattern), cause: "glob status \(status)")
        }
        var matches: [MatchedInput] = []
        for index in 0..<Int(result.gl_pathc) {
            guard let pointer = result.gl_pathv[index] else { continue }
            guard let match = String(validatingCString: pointer) else {
                throw DebtflowError.input("a file matched by \(pattern) has a name that is not UTF-8; rename it",
                                          location: .init(file: String(cString: pointer)))
            }
            if match.hasSuffix("/") { continue }  // a folder (GLOB_MARK)
            let shown = isRelative && match.hasPrefix(strip) ? String(match.dropFirst(strip.count)) : match
            matches.append(MatchedInput(path: Self.normalized(shown), absolutePath: Self.normalized(match)))
        }
        return matches
    }

    /// `path` without `.` components and repeated slashes (`./in//a.csv` → `in/a.csv`), so one
    /// file has one spelling in envelopes and one shard. `..` is kept as written.
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        let joined = parts.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? path : joined
    }

    /// `text` with glob metacharacters backslash-escaped, so `glob(3)` takes it literally.
    static func escaped(_ text: String) -> String {
        var output = ""
        for character in text {
            if character == "*" || character == "?" || character == "[" || character == "\\" { output.append("\\") }
            output.append(character)
        }
        return output
    }
}
