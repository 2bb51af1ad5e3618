#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a file is on disk: its device and inode. Two spellings of one file (a symlink, a hard
/// link, `./a` and `a`) have the same; used to read an input once however it is named, and to
/// keep an output off an input or another output.
public struct FileInode: Hashable, Sendable {
    public var device: UInt64
    public var number: UInt64

    public init(device: UInt64, number: UInt64) {
        self.device = device
        self.number = number
    }

    /// The device and inode of what `path` leads to (links followed), or `nil` when it cannot be
    /// inspected (it does not exist, or a folder on the way cannot be searched).
    public init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        self.init(status)
    }

    /// The device and inode `status` gives.
    public init(_ status: stat) {
        self.init(device: UInt64(status.st_dev), number: UInt64(status.st_ino))
    }
}
