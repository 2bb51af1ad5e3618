import DebtflowCore
import DebtflowGzip
import DebtflowRead

/// `--shard I/N`: this process reads only the inputs whose CRC-32 (IEEE, zlib's) of their matched
/// path (as ``MatchedInput/path`` spells it) is ≡ I mod N, so N processes split one folder with no
/// coordination, and a file keeps its shard when others are added.
public struct InputShard: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// - Throws: `.usage` unless 0 ≤ index < count.
    public init(index: Int, count: Int) throws {
        guard count >= 1, index >= 0, index < count else {
            throw DebtflowError.usage("--shard \(index)/\(count): expected I/N with 0 ≤ I < N")
        }
        self.index = index
        self.count = count
    }

    /// Reads `I/N` (`--shard 2/8`).
    /// - Throws: `.usage` naming the value when it is not two integers with 0 ≤ I < N.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index < count else {
            throw DebtflowError.usage("--shard: expected I/N with 0 ≤ I < N (such as 0/4), found \"\(text)\"")
        }
        try self.init(index: index, count: count)
    }

    /// Which shard a matched path falls in.
    public static func shard(of path: String, count: Int) -> Int {
        // In `Int`: a count above 2³² (allowed, if useless) does not fit the checksum's type.
        Int(CRC32.checksum(Array(path.utf8))) % count
    }

    public func contains(_ input: MatchedInput) -> Bool {
        Self.shard(of: input.path, count: count) == index
    }

    public var description: String { "\(index)/\(count)" }
}
