import DebtflowCore
#if canImport(Glibc)
import Glibc
#endif

extension FileByteSource {
    /// Standard input as a byte source named `-`; the descriptor is left open when the source goes.
    public static func standardInput() -> FileByteSource {
        FileByteSource(borrowing: STDIN_FILENO, name: "-")
    }
}
