import DebtflowCore

/// The error answers of both emulated services, in their own shapes.
enum SandboxErrors {
    /// GetBill's whole-request failure: `{"error":true,"message","code","details"?}`.
    static func getBill(_ status: Int, code: String, message: String, details: [(field: String, messages: [String])] = [],
                        headers: [(name: String, value: String)] = [], retryAfter: Int? = nil) -> HTTPResponse {
        var writer = JSONByteWriter(capacity: 256)
        writer.beginObject()
        writer.field("error", true)
        writer.field("message", message)
        writer.field("code", code)
        if !details.isEmpty || retryAfter != nil {
            writer.key("details")
            writer.beginObject()
            for detail in details {
                writer.key(detail.field)
                writer.beginArray()
                for text in detail.messages { writer.string(text) }
                writer.endArray()
            }
            if let retryAfter { writer.field("retry_after", retryAfter) }
            writer.endObject()
        }
        writer.endObject()
        return .json(status, writer.bytes, headers: headers)
    }

    /// Sportalliance's error body: `{"errorMessage","errorCode","traceId"}`.
    static func sportalliance(_ status: Int, code: String, message: String, traceID: String,
                              headers: [(name: String, value: String)] = []) -> HTTPResponse {
        var writer = JSONByteWriter(capacity: 192)
        writer.beginObject()
        writer.field("errorMessage", message)
        writer.field("errorCode", code)
        writer.field("traceId", traceID)
        writer.endObject()
        return .json(status, writer.bytes, headers: headers)
    }

    /// A protocol-level refusal (malformed request, limits), in GetBill's shape.
    static func plain(_ status: Int, _ message: String) -> HTTPResponse {
        getBill(status, code: protocolCode(status), message: message)
    }

    private static func protocolCode(_ status: Int) -> String {
        switch status {
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 411: return "length_required"
        case 413: return "payload_too_large"
        case 431: return "headers_too_large"
        case 505: return "http_version_not_supported"
        default: return "bad_request"
        }
    }
}
