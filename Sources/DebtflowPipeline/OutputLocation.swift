import DebtflowCore
import DebtflowSink

/// Checks, before anything is read, that an output can be written where the operator asked
/// (the rules are ``OutputTarget``'s: a new name or a regular file in a writable folder, a device,
/// a FIFO, or stdout; never a folder or a socket).
public enum OutputLocation {
    /// What is wrong with writing an output at `path`, or `nil` when it can be written.
    /// `-` (stdout) is always fine.
    /// - Parameters:
    ///   - folderLabel: how messages name the folder (`output folder`, or just `folder` after an
    ///     option name such as `--summary:`).
    ///   - fileOnlyBecause: why the output must be a regular file (an http sink's `results` and
    ///     `journal`, read back; a shared output under `on_input_error: continue`, cut back): a
    ///     device, a FIFO or an open descriptor is then refused (a FIFO without a reader would
    ///     also hold the run in `open`, where no signal stops it). `nil`: a stream will do.
    public static func problem(writingFileAt path: String, folderLabel: String = "output folder",
                               fileOnlyBecause: String? = nil) -> String? {
        let target: OutputTarget
        do {
            target = try OutputTarget.resolve(path, folderLabel: folderLabel)
        } catch {
            return error.message
        }
        guard let reason = fileOnlyBecause else { return nil }
        switch target {
        case .file:
            return nil
        case .stream(_, let kind):
            return "\(MessageExcerpt.path(path)) is a \(kind.rawValue); expected the path of a regular file (\(reason))"
        case .descriptor:
            return "\(MessageExcerpt.path(path)) is an open descriptor; expected the path of a regular file (\(reason))"
        }
    }
}
