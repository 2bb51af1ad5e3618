import Foundation

/// Checks, before anything is read, that an output file can be created where the operator asked.
public enum OutputLocation {
    /// What is wrong with writing a file at `path`, or `nil` when its folder exists, is writable,
    /// and `path` is not itself a folder. `-` (stdout) is always fine.
    /// - Parameter folderLabel: how messages name the folder (`output folder`, or just `folder`
    ///   after an option name such as `--summary:`).
    public static func problem(writingFileAt path: String, folderLabel: String = "output folder") -> String? {
        guard path != "-" else { return nil }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "\(folderLabel) \(folder) does not exist"
        }
        guard access(folder, W_OK) == 0 else { return "\(folderLabel) \(folder) is not writable" }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "\(path) is a folder; expected the path of a file"
        }
        return nil
    }
}
