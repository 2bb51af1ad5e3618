import DebtflowCore
import DebtflowSink
import Foundation

/// Every path a run reads or writes, each with the name messages give it, so that no output lands
/// on an input, on the config, or on another output (CONTRACT.md §2: outputs never clobber what
/// they should not).
///
/// Two paths are the same file when they resolve to the same canonical path (relative parts,
/// `..` and symbolic links resolved), or, for existing files, when they have the same device and
/// inode (a hard link). `-` (stdin/stdout), the process's own descriptors (`/dev/stdout`,
/// `/dev/fd/N`) and existing devices or FIFOs (`/dev/null`, a named pipe) are streams, not
/// files, and never conflict.
///
/// Adding a new output is one line: `claims.output(.option("--metrics"), path)`.
public struct OutputPathClaims: Sendable {
    /// Who claims a path: a config key (`stages[2].sink.results`), a command-line option
    /// (`--summary`), or the config file itself.
    public enum Role: Sendable, Equatable, CustomStringConvertible {
        case config(jsonPath: String)
        case option(String)
        case configFile

        public var description: String {
            switch self {
            case .config(let jsonPath): jsonPath
            case .option(let name): name
            case .configFile: "the pipeline config"
            }
        }
    }

    /// One claimed path.
    public struct Claim: Sendable, Equatable {
        public var role: Role
        public var path: String
        /// Why the output must be a regular file, never a device, a FIFO or an open descriptor
        /// (an http sink's `results` and `journal` are read back; a shared output under
        /// `on_input_error: continue` is cut back); `nil` when a stream will do.
        public var fileOnlyBecause: String?

        public init(role: Role, path: String, fileOnlyBecause: String? = nil) {
            self.role = role
            self.path = path
            self.fileOnlyBecause = fileOnlyBecause
        }
    }

    /// What the run reads: the config file, the inputs.
    public private(set) var inputs: [Claim] = []
    /// What the run writes: sink paths, results, journals, the summary, …
    public private(set) var outputs: [Claim] = []

    public init() {}

    /// Adds a path the run reads.
    public mutating func input(_ role: Role, _ path: String) { inputs.append(Claim(role: role, path: path)) }

    /// Adds a path the run writes.
    public mutating func output(_ role: Role, _ path: String, fileOnlyBecause: String? = nil) {
        outputs.append(Claim(role: role, path: path, fileOnlyBecause: fileOnlyBecause))
    }

    /// Fails on the first output that is the same file as an input, the config or an earlier output.
    /// - Throws: ``DebtflowError`` of kind `.configuration` (exit 2) naming both claims, with the
    ///   JSON path of the later one (or `.usage` when it is a command-line option).
    public func verify() throws {
        // Looked up by canonical path and by inode, not compared pair by pair: a run with 30,000
        // inputs and an `{input}` output each has 60,000 claims.
        var read = FileIndex()
        for input in inputs { read.add(input, FileIdentity(path: input.path, isInput: true)) }
        // Outputs by file, and outputs through a descriptor (stdout, /dev/fd/N) by where it leads:
        // two sinks may share stdout, whatever it leads to, but stdout appending to a file
        // another sink publishes would be lost under it.
        var written = FileIndex()
        var writtenThroughDescriptors = FileIndex()
        for output in outputs {
            let identity = FileIdentity(path: output.path)
            guard identity.isFile else { continue }
            if let (input, link) = read.match(identity) {
                let what = input.role == .configFile ? "the pipeline config \(MessageExcerpt.path(input.path))" : "the input of \(input.role) (\(MessageExcerpt.path(input.path)))"
                throw Self.error(for: output, "\(MessageExcerpt.path(output.path)) is \(what)\(link); an output must not overwrite what the run reads")
            }
            let earlier = identity.isDescriptor ? written.match(identity)
                                                : written.match(identity) ?? writtenThroughDescriptors.match(identity)
            if let (earlier, link) = earlier {
                throw Self.error(for: output, "\(MessageExcerpt.path(output.path)) is also the output of \(earlier.role) (\(MessageExcerpt.path(earlier.path)))\(link); "
                                 + "each output needs a file of its own")
            }
            if identity.isDescriptor {
                writtenThroughDescriptors.add(output, identity)
            } else {
                written.add(output, identity)
            }
        }
    }

    /// Claims by where they lead on disk: two paths are one file when their canonical paths are
    /// equal, or their inodes (a hard link).
    private struct FileIndex {
        private var byPath: [String: Claim] = [:]
        private var byInode: [FileInode: Claim] = [:]

        /// Keeps the first claim of each file.
        mutating func add(_ claim: Claim, _ identity: FileIdentity) {
            guard identity.isFile else { return }
            if !identity.isDescriptor, byPath[identity.canonicalPath] == nil { byPath[identity.canonicalPath] = claim }
            if let inode = identity.inode, byInode[inode] == nil { byInode[inode] = claim }
        }

        /// The claim of the same file, and `""` or the note of how they are one.
        func match(_ identity: FileIdentity) -> (Claim, String)? {
            if !identity.isDescriptor, let claim = byPath[identity.canonicalPath] { return (claim, "") }
            if let inode = identity.inode, let claim = byInode[inode] {
                return (claim, identity.isDescriptor || claim.path == "-" ? " (the same file, through a redirection)"
                                                                          : " (the same file through a hard link)")
            }
            return nil
        }
    }

    private static func error(for claim: Claim, _ message: String) -> DebtflowError {
        switch claim.role {
        case .config(let jsonPath): DebtflowError.configuration(message, path: jsonPath)
        case .option(let name): DebtflowError.usage("\(name): \(message)")
        case .configFile: DebtflowError.configuration(message)
        }
    }
}

/// Where a path leads on disk, for telling whether two paths are one file.
struct FileIdentity {
    /// The canonical path: the file's own when it exists, else its folder's canonical path plus
    /// its name.
    var canonicalPath: String
    /// Device and inode of an existing file.
    var inode: FileInode?
    /// False for existing devices, FIFOs and sockets, and for `-`, `/dev/stdout` and the like
    /// unless they lead to a regular file: streams, not files.
    var isFile: Bool
    /// The path names a descriptor the run was started with (`-`, `/dev/stdout`, `/dev/fd/N`):
    /// only its inode tells what it is (stdin redirected from the input, stdout appending to it).
    var isDescriptor = false

    /// - Parameter isInput: `-` is standard input (else standard output).
    init(path: String, isInput: Bool = false) {
        if let descriptor = path == "-" ? (isInput ? STDIN_FILENO : STDOUT_FILENO) : OutputTarget.ownDescriptor(named: path) {
            var info = stat()
            let isRegular = fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
            canonicalPath = "-"
            inode = isRegular ? FileInode(info) : nil
            isFile = isRegular
            isDescriptor = true
            return
        }
        var info = stat()
        if stat(path, &info) == 0 {
            canonicalPath = Self.realPath(path) ?? path
            inode = FileInode(info)
            let type = info.st_mode & S_IFMT
            isFile = type == S_IFREG || type == S_IFDIR
        } else {
            let url = URL(fileURLWithPath: path)
            let folder = url.deletingLastPathComponent().path
            canonicalPath = (Self.realPath(folder) ?? folder) + "/" + url.lastPathComponent
            inode = nil
            isFile = true
        }
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
