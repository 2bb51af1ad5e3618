import DebtflowCore

/// Builds GetBill's batch answer:
/// `{"error":false,"message","data":{"import_id","batch_name"?,"created":[…],"failed":[…],"skipped":[…],"summary":{…}}}`.
///
/// `index` is the debt's 0-based position in the request's `debts` array; `temp_id` is the
/// debt's own (`null` when it has none). Failed items carry `errors` as a list of
/// `{"field","code","message"}`; skipped items a `reason` (`empty_row`, `instruction_row`).
struct BatchAnswerWriter {
    private let importID: String
    private let batchName: String?
    private var created = JSONByteWriter(capacity: 4096)
    private var failed = JSONByteWriter(capacity: 4096)
    private var skipped = JSONByteWriter(capacity: 1024)
    private var counts = (created: 0, failed: 0, skipped: 0)

    init(importID: String, batchName: String?) {
        self.importID = importID
        self.batchName = batchName
        created.beginArray()
        failed.beginArray()
        skipped.beginArray()
    }

    mutating func created(index: Int, tempID: String?, debtID: String, stored: RecordObject) {
        counts.created += 1
        created.beginObject()
        created.field("index", index)
        Self.tempID(tempID, into: &created)
        created.field("debt_id", debtID)
        created.field("status", "created")
        created.key("data")
        created.object(stored)
        created.endObject()
    }

    mutating func failed(index: Int, tempID: String?, data: RecordValue, errors: [RecordError]) {
        counts.failed += 1
        failed.beginObject()
        failed.field("index", index)
        Self.tempID(tempID, into: &failed)
        failed.key("data")
        failed.value(data)
        failed.key("errors")
        failed.beginArray()
        for error in errors {
            failed.beginObject()
            if let field = error.field { failed.field("field", field) } else { failed.key("field"); failed.null() }
            failed.field("code", error.code.rawValue)
            failed.field("message", error.message)
            failed.endObject()
        }
        failed.endArray()
        failed.endObject()
    }

    mutating func skipped(index: Int, tempID: String?, data: RecordValue, reason: SkipReason) {
        counts.skipped += 1
        skipped.beginObject()
        skipped.field("index", index)
        Self.tempID(tempID, into: &skipped)
        skipped.key("data")
        skipped.value(data)
        skipped.field("reason", reason.rawValue)
        skipped.endObject()
    }

    private static func tempID(_ tempID: String?, into writer: inout JSONByteWriter) {
        writer.key("temp_id")
        if let tempID { writer.string(tempID) } else { writer.null() }
    }

    /// The whole answer's bytes.
    mutating func finish() -> [UInt8] {
        created.endArray()
        failed.endArray()
        skipped.endArray()
        let total = counts.created + counts.failed + counts.skipped
        var writer = JSONByteWriter(capacity: created.bytes.count + failed.bytes.count + skipped.bytes.count + 512)
        writer.beginObject()
        writer.field("error", false)
        writer.field("message", "Batch processed: \(counts.created) created, \(counts.failed) failed, \(counts.skipped) skipped")
        writer.key("data")
        writer.beginObject()
        writer.field("import_id", importID)
        writer.optionalField("batch_name", batchName)
        writer.key("created"); writer.rawJSON(created.bytes)
        writer.key("failed"); writer.rawJSON(failed.bytes)
        writer.key("skipped"); writer.rawJSON(skipped.bytes)
        writer.key("summary")
        writer.beginObject()
        writer.field("total", total)
        writer.field("created", counts.created)
        writer.field("failed", counts.failed)
        writer.field("skipped", counts.skipped)
        writer.endObject()
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}
