import DebtflowCore

/// The fate of one pushed debt, as the results file and the journal record it.
public struct DebtPushResult: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable, CaseIterable {
        case created, failed, skipped, unknown
    }

    /// One message of the server about a debt.
    public struct ServerMessage: Sendable, Equatable {
        public var field: String?
        public var message: String
        public init(field: String?, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var tempID: String?
    public var status: Status
    public var debtID: String?
    public var errors: [ServerMessage]
    public var reason: String?
    /// The journal's digest of the debt this answer was about (``PushBatch/debtDigest(_:)``);
    /// `nil` in answers and in journals written before it was kept. Never written to the results.
    public var debtDigest: String?

    public init(tempID: String?, status: Status, debtID: String? = nil, errors: [ServerMessage] = [], reason: String? = nil,
                debtDigest: String? = nil) {
        self.tempID = tempID
        self.status = status
        self.debtID = debtID
        self.errors = errors
        self.reason = reason
        self.debtDigest = debtDigest
    }
}

extension JSONByteWriter {
    /// `{"temp_id","status","debt_id"?,"errors"?,"reason"?,"batch"}`: one line of the results file.
    /// `digest`: the debt's digest, written (as `sum`) in the journal's lines only.
    mutating func pushResult(_ result: DebtPushResult, batch: Int?, digest: String? = nil) {
        beginObject()
        if let tempID = result.tempID { field("temp_id", tempID) } else { key("temp_id"); null() }
        field("status", result.status.rawValue)
        optionalField("debt_id", result.debtID)
        if !result.errors.isEmpty {
            key("errors")
            beginArray()
            for error in result.errors {
                beginObject()
                optionalField("field", error.field)
                field("message", error.message)
                endObject()
            }
            endArray()
        }
        optionalField("reason", result.reason)
        optionalField("sum", digest)
        if let batch { field("batch", batch) }
        endObject()
    }
}

extension DebtPushResult {
    /// Reads a result back from its JSON form (journal lines).
    init?(json: RecordValue) {
        guard let object = json.objectValue, let statusText = object["status"]?.scalarText,
              let status = Status(rawValue: statusText) else { return nil }
        var errors: [ServerMessage] = []
        for error in object["errors"]?.arrayValue ?? [] {
            guard let error = error.objectValue, let message = error["message"]?.scalarText else { continue }
            errors.append(ServerMessage(field: error["field"]?.scalarText, message: message))
        }
        self.init(tempID: object["temp_id"]?.scalarText, status: status, debtID: object["debt_id"]?.scalarText,
                  errors: errors, reason: object["reason"]?.scalarText, debtDigest: object["sum"]?.scalarText)
    }
}
