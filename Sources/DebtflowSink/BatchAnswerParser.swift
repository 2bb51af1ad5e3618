import DebtflowCore
import DebtflowHTTP
import DebtflowJSON

/// Reads GetBill's answers to a batch (CONTRACT.md §5) into one result per debt.
enum BatchAnswerParser {
    /// What an answer says about a batch.
    enum Reading: Equatable {
        /// One result per debt of the batch, in body order.
        case perDebt([DebtPushResult])
        /// The whole request was refused (`{"error":true,…}`): the message and its details.
        case wholeRequestFailed([DebtPushResult.ServerMessage])
        /// A 2xx answer we cannot read: the debts may or may not have been created.
        case unreadable(String)
    }

    /// The most messages read from one list of a server's answer (`errors`, `details`), and the
    /// most members of any object in it.
    static let messagesKept = 100

    /// The parts of an answer that say why a request failed (and a 429's `retry_after`): the rest
    /// is read through, never built.
    static let failureSelection: [String: JSONSelection] = [
        "error": .bounded(messagesKept), "message": .bounded(messagesKept), "errorMessage": .bounded(messagesKept),
        "code": .bounded(messagesKept), "errorCode": .bounded(messagesKept), "details": .bounded(messagesKept),
        "errors": .bounded(messagesKept), "retry_after": .bounded(messagesKept),
    ]

    /// The parts of a 2xx answer that are read: the failure's parts, and per item of
    /// `data.created`, `failed` and `skipped` (at most `items` of each) the keys that place it and
    /// say its fate. An answer of 60 MB built whole took 14 times its size in memory; built so, it
    /// takes what the batch's results take.
    static func answerSelection(items: Int) -> JSONSelection {
        let item = JSONSelection.first(items, each: .members([
            "temp_id": .bounded(messagesKept), "index": .bounded(messagesKept), "debt_id": .bounded(messagesKept),
            "status": .bounded(messagesKept), "reason": .bounded(messagesKept), "message": .bounded(messagesKept),
            "errors": .bounded(messagesKept),
        ]))
        var top = failureSelection
        top["data"] = .members(["created": item, "failed": item, "skipped": item])
        return .members(top)
    }

    /// Reads a 2xx answer.
    static func readSuccess(_ body: [UInt8], batch: PushBatch) -> Reading {
        // Items past the batch's size name no debt of it (a few more are read, so that repeats
        // are seen for what they are).
        guard let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: answerSelection(items: batch.count + 100)),
              let object = root.objectValue else {
            return .unreadable("the answer is not a JSON object")
        }
        if object["error"] == .bool(true) { return .wholeRequestFailed(messages(ofFailure: object)) }
        guard let data = object["data"]?.objectValue else { return .unreadable("the answer has no `data` object") }

        var results: [DebtPushResult?] = Array(repeating: nil, count: batch.count)
        var positionsByTempID: [String: [Int]] = [:]
        for (position, tempID) in batch.tempIDs.enumerated() {
            if let tempID { positionsByTempID[tempID, default: []].append(position) }
        }
        // By temp_id; else by index, but only for an item that names no temp_id, or whose index is
        // a debt sent without one: an item naming a temp_id the batch did not send (or named
        // already) contradicts it, and its index is not believed. Its debt stays unknown.
        func place(_ item: RecordObject, _ make: (String?) -> DebtPushResult) {
            var position: Int?
            let tempID = item["temp_id"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
            if let tempID, var positions = positionsByTempID[tempID], !positions.isEmpty {
                position = positions.removeFirst()
                positionsByTempID[tempID] = positions
            } else if let indexText = item["index"]?.scalarText, let index = Int(indexText),
                      batch.tempIDs.indices.contains(index), results[index] == nil,
                      tempID == nil || batch.tempIDs[index] == nil {
                position = index
            }
            guard let position else { return }
            results[position] = make(batch.tempIDs[position])
        }
        for item in data["created"]?.arrayValue ?? [] {
            guard let item = item.objectValue else { continue }
            place(item) { DebtPushResult(tempID: $0, status: .created, debtID: item["debt_id"]?.scalarText) }
        }
        for item in data["failed"]?.arrayValue ?? [] {
            guard let item = item.objectValue else { continue }
            var errors = messages(item["errors"])
            if errors.isEmpty, let message = item["message"]?.scalarText { errors = [.init(field: nil, message: message)] }
            place(item) { DebtPushResult(tempID: $0, status: .failed, errors: errors) }
        }
        for item in data["skipped"]?.arrayValue ?? [] {
            guard let item = item.objectValue else { continue }
            let reason = item["reason"]?.scalarText ?? item["message"]?.scalarText ?? item["status"]?.scalarText
            place(item) { DebtPushResult(tempID: $0, status: .skipped, reason: reason) }
        }
        return .perDebt(results.enumerated().map { position, result in
            result ?? DebtPushResult(tempID: batch.tempIDs[position], status: .unknown,
                                     reason: "not named in the server's answer")
        })
    }

    /// The messages of a whole-request failure (`message`, `code`, `details`), or of a non-2xx body.
    static func messages(ofFailure object: RecordObject) -> [DebtPushResult.ServerMessage] {
        var result: [DebtPushResult.ServerMessage] = []
        var headline = object["message"]?.scalarText ?? object["errorMessage"]?.scalarText ?? "the server refused the batch"
        if let code = object["code"]?.scalarText ?? object["errorCode"]?.scalarText { headline += " (\(code))" }
        result.append(.init(field: nil, message: headline))
        result.append(contentsOf: messages(object["details"]).filter { $0.field != "retry_after" })
        result.append(contentsOf: messages(object["errors"]))
        return result
    }

    /// Whether a refusal is about the `Idempotency-Key` having been used before (for another body):
    /// the whole-request error's `code` or `message` speaks of idempotency (the sandbox's
    /// `idempotency_key_reused`; Stripe-like APIs' `idempotency_key_in_use`).
    static func refusesReusedIdempotencyKey(_ body: [UInt8]) -> Bool {
        guard let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: .members(failureSelection)),
              let object = root.objectValue else { return false }
        let said = ["code", "errorCode", "message", "errorMessage", "error"].compactMap { object[$0]?.scalarText }
        return said.contains { $0.lowercased().contains("idempotency") }
    }

    /// The messages of a non-2xx answer whose body may or may not be JSON. A body that is not
    /// JSON is quoted (its first 300 characters), with `secrets` masked before the cut.
    static func messages(ofStatus status: Int, body: [UInt8], secrets: [String] = []) -> [DebtPushResult.ServerMessage] {
        if let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: .members(failureSelection)),
           let object = root.objectValue {
            var messages = messages(ofFailure: object)
            messages[0].message = "HTTP \(status): " + messages[0].message
            return messages
        }
        let text = HTTPResponse(status: status, body: body).bodyText(limit: 300, scrubbing: secrets)
        return [.init(field: nil, message: "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"))]
    }

    /// Reads `errors` / `details` in any of the shapes seen: a list of strings, a list of
    /// `{field, message|code}` objects, a `{field: [message]}` or `{field: message}` map.
    static func messages(_ value: RecordValue?) -> [DebtPushResult.ServerMessage] {
        guard let value else { return [] }
        switch value {
        case .string(let text): return [.init(field: nil, message: text)]
        case .array(let elements):
            return elements.flatMap { element -> [DebtPushResult.ServerMessage] in
                if let text = element.scalarText { return [.init(field: nil, message: text)] }
                guard let object = element.objectValue else { return [] }
                let message = object["message"]?.scalarText ?? object["code"]?.scalarText ?? object["error"]?.scalarText
                return message.map { [.init(field: object["field"]?.scalarText, message: $0)] } ?? []
            }
        case .object(let object):
            return object.entries.flatMap { entry -> [DebtPushResult.ServerMessage] in
                if let text = entry.value.scalarText { return [.init(field: entry.key, message: text)] }
                return (entry.value.arrayValue ?? []).compactMap { $0.scalarText }
                    .map { .init(field: entry.key, message: $0) }
            }
        default:
            return []
        }
    }

    /// `details.retry_after` of a 429 body, in seconds.
    static func retryAfter(inBody body: [UInt8]) -> Double? {
        guard let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: .members(failureSelection)),
              let object = root.objectValue else { return nil }
        let details = object["details"]?.objectValue
        let value = details?["retry_after"] ?? object["retry_after"]
        if let text = value?.scalarText { return ServerRequestedWait.askedSeconds(text) }
        if let first = value?.arrayValue?.first?.scalarText { return ServerRequestedWait.askedSeconds(first) }
        return nil
    }
}
