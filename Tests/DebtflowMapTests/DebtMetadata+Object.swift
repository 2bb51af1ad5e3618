import DebtflowCore
import DebtflowJSON

extension DebtMetadata {
    /// The object the metadata's JSON holds, read back by the JSON reader (`nil` when it is not
    /// one JSON object): what the preset's tests compare.
    var object: RecordObject? {
        (try? JSONDocument.parse(json, name: "metadata"))?.objectValue
    }
}
