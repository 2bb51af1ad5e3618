import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The file descriptors the process was started with (by the shell, cron or systemd), recorded
/// before the runtime opens its own (libdispatch's epoll and event descriptors, the signal
/// self-pipe): a sink `/dev/fd/N` may name only those. Without the record, `/dev/fd/7` could name
/// the signal self-pipe and write the data into it.
public enum InheritedDescriptors {
    private static let recorded = Mutex<Set<Int32>?>(nil)

    /// Lists the open descriptors (`/proc/self/fd`); call it first thing in `main`. Where the
    /// list cannot be read, nothing is recorded and every open descriptor counts as inherited.
    public static func record() {
        guard let folder = opendir("/proc/self/fd") else { return }
        defer { closedir(folder) }
        let own = dirfd(folder)
        var found: Set<Int32> = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let descriptor = Int32(name), descriptor != own { found.insert(descriptor) }
        }
        recorded.withLock { $0 = found }
    }

    /// Whether `descriptor` was open when the process started (or, when nothing was recorded,
    /// whether it is open now).
    public static func contains(_ descriptor: Int32) -> Bool {
        if let set = recorded.withLock({ $0 }) { return set.contains(descriptor) && fcntl(descriptor, F_GETFD) != -1 }
        return fcntl(descriptor, F_GETFD) != -1
    }
}
