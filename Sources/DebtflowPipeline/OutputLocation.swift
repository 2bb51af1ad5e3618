import DebtflowSink

/// Checks, before anything is read, that an output can be written where the operator asked
/// (the rules are ``OutputTarget``'s: a new name or a regular file in a writable folder, a device,
/// a FIFO, or stdout; never a folder or a socket).
public enum OutputLocation {
    /// What is wrong with writing an output at `path`, or `nil` when it can be written.
    /// `-` (stdout) is always fine.
    /// - Parameter folderLabel: how messages name the folder (`output folder`, or just `folder`
    ///   after an option name such as `--summary:`).
    public static func problem(writingFileAt path: String, folderLabel: String = "output folder") -> String? {
        do {
            _ = try OutputTarget.resolve(path, folderLabel: folderLabel)
            return nil
        } catch {
            return error.message
        }
    }
}
