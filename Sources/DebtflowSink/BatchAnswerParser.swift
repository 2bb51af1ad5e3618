import DebtflowCore
import DebtflowHTTP
import DebtflowJSON

/// Reads GetBill's answers to a batch (CONTRACT.md §5) into one result per debt.
enum BatchAnswerParser {
    /// What an answer says about a batch.
    enum Reading: Equatable {
        /// One result per debt of the batch, in body order, and what in the answer contradicts
        /// itself or the batch (a debt named twice, a temp_id never sent), said on stderr.
        case perDebt([DebtPushResult], contradictions: [String])
        /// The whole request was refused (`{"error":true,…}`): the message and its details.
        case wholeRequestFailed(BatchRefusal)
        /// A 2xx answer we cannot read: the debts may or may not have been created.
        case unreadable(String)
    }

    /// A refusal of a whole batch: what the server said of the batch (its headline first), and
    /// what it addressed to single debts (`details` keyed `debts.N.field`, as Laravel-style
    /// validators write them), by the debt's position in the batch.
    struct BatchRefusal: Equatable {
        var messages: [DebtPushResult.ServerMessage]
        var byDebt: [Int: [DebtPushResult.ServerMessage]] = [:]

        init(messages: [DebtPushResult.ServerMessage]) {
            self.messages = messages
        }

        /// The refusal a whole-request failure object (`message`, `code`, `details`, `errors`)
        /// makes of a batch of `debts` debts.
        init(failure object: RecordObject, debts: Int) {
            self.init(messages: BatchAnswerParser.messages(ofFailure: object))
            assignToDebts(count: debts)
        }

        /// The messages about the batch and to single debts, for one line on stderr.
        var summary: String {
            let text = messages.map { ($0.field.map { "\($0): " } ?? "") + $0.message }.joined(separator: "; ")
            let addressed = byDebt.values.reduce(0) { $0 + $1.count }
            return text + (addressed == 0 ? "" : " (and \(addressed) message(s) about \(byDebt.count) single debt(s), in the results)")
        }

        /// `details` keyed `debts.N.field` (or `debts.N`) moved to debt N of `count`; other keys stay the batch's.
        private mutating func assignToDebts(count: Int) {
            var kept: [DebtPushResult.ServerMessage] = []
            for message in messages {
                guard let field = message.field, field.hasPrefix("debts.") else { kept.append(message); continue }
                let rest = field.dropFirst("debts.".count)
                let digits = rest.prefix { $0.isASCII && $0.isNumber }
                guard !digits.isEmpty, let position = Int(digits), position < count,
                      rest.count == digits.count || rest[rest.index(rest.startIndex, offsetBy: digits.count)] == "." else {
                    kept.append(message); continue
                }
                let subfield = rest.dropFirst(digits.count).drop { $0 == "." }
                byDebt[position, default: []].append(.init(field: subfield.isEmpty ? nil : String(subfield), message: message.message))
            }
            messages = kept
        }
    }

    /// The most messages read from one list of a server's answer (`errors`, `details`), and the
    /// most members of any object in it.
    static let messagesKept = 100

    /// The parts of an answer that say why a request failed (and a 429's `retry_after`): the rest
    /// is read through, never built. `details` keeps one more message per debt of the batch
    /// (`debts.N.field`, one for each debt of a refused batch of 1,000).
    static func failureSelection(debts: Int = 0) -> [String: JSONSelection] {
        [
            "error": .bounded(messagesKept), "message": .bounded(messagesKept), "errorMessage": .bounded(messagesKept),
            "code": .bounded(messagesKept), "errorCode": .bounded(messagesKept), "details": .bounded(messagesKept + debts),
            "errors": .bounded(messagesKept), "retry_after": .bounded(messagesKept),
        ]
    }

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
        var top = failureSelection(debts: items)
        top["data"] = .members(["created": item, "failed": item, "skipped": item])
        return .members(top)
    }

    /// Reads a 2xx answer.
    static func readSuccess(_ body: [UInt8], batch: PushBatch) -> Reading {
        // Items past the batch's size name no debt of it (a few more are read, so that repeats
        // are seen for what they are).
        let itemsRead = batch.count + 100
        guard let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: answerSelection(items: itemsRead)),
              let object = root.objectValue else {
            return .unreadable("the answer is not a JSON object")
        }
        if object["error"] == .bool(true) { return .wholeRequestFailed(BatchRefusal(failure: object, debts: batch.count)) }
        guard let data = object["data"]?.objectValue else { return .unreadable("the answer has no `data` object") }
        // An answer that lists no fate at all, or lists one as something else than a list, says
        // nothing about any debt: it is unreadable (ambiguous), not an answer naming none.
        // (`null` reads as an empty list, as some servers write one.)
        let lists = ["created", "failed", "skipped"]
        if let wrong = lists.first(where: { data[$0] != nil && data[$0] != .null && data[$0]?.arrayValue == nil }) {
            return .unreadable("the answer's `data.\(wrong)` is not a list")
        }
        guard lists.contains(where: { data[$0]?.arrayValue != nil }) else {
            return .unreadable("the answer's `data` has no `created`, `failed` or `skipped` list")
        }

        var results: [DebtPushResult?] = Array(repeating: nil, count: batch.count)
        var positionsByTempID: [String: [Int]] = [:]
        for (position, tempID) in batch.tempIDs.enumerated() {
            if let tempID { positionsByTempID[tempID, default: []].append(position) }
        }
        // By temp_id; else by index, but only for an item that names no temp_id, or whose index is
        // a debt sent without one: an item naming a temp_id the batch did not send contradicts
        // it, and its index is not believed. A debt named again (by either) keeps its first fate.
        var contradictions = AnswerContradictions(
            listsCut: lists.contains { (data[$0]?.arrayValue?.count ?? 0) >= itemsRead })
        func place(_ item: RecordObject, as list: String, _ make: (String?) -> DebtPushResult) {
            let position: Int
            let tempID = item["temp_id"]?.scalarText.flatMap { $0.isEmpty ? nil : $0 }
            if let tempID, let positions = positionsByTempID[tempID] {
                position = positions.first { results[$0] == nil } ?? positions[0]
            } else if let index = item["index"]?.scalarText.flatMap(Self.position), batch.tempIDs.indices.contains(index),
                      tempID == nil || batch.tempIDs[index] == nil {
                position = index
            } else {
                if let tempID { contradictions.neverSent(tempID) }
                return
            }
            let result = make(batch.tempIDs[position])
            if let first = results[position] {
                contradictions.namedAgain(batch.tempIDs[position] ?? "the debt at index \(position)", first: first, again: result, list: list)
                return
            }
            results[position] = result
        }
        for item in (data["created"]?.arrayValue ?? []).prefix(itemsRead) {
            guard let item = item.objectValue else { continue }
            place(item, as: "created") { DebtPushResult(tempID: $0, status: .created, debtID: item["debt_id"]?.scalarText) }
        }
        for item in (data["failed"]?.arrayValue ?? []).prefix(itemsRead) {
            guard let item = item.objectValue else { continue }
            var errors = messages(item["errors"])
            if errors.isEmpty, let message = item["message"]?.scalarText { errors = [.init(field: nil, message: message)] }
            place(item, as: "failed") { DebtPushResult(tempID: $0, status: .failed, errors: errors) }
        }
        for item in (data["skipped"]?.arrayValue ?? []).prefix(itemsRead) {
            guard let item = item.objectValue else { continue }
            let reason = item["reason"]?.scalarText ?? item["message"]?.scalarText ?? item["status"]?.scalarText
            place(item, as: "skipped") { DebtPushResult(tempID: $0, status: .skipped, reason: reason) }
        }
        return .perDebt(results.enumerated().map { position, result in
            result ?? DebtPushResult(tempID: batch.tempIDs[position], status: .unknown, reason: notNamedReason)
        }, contradictions: contradictions.lines)
    }

    /// The `reason` of a debt a 2xx answer did not name.
    static let notNamedReason = "not named in the server's answer"

    /// An item's `index` as a position: an integer, also written as a number with a zero
    /// fraction (`0.0`, `1e0`); `nil` for anything else.
    static func position(_ text: String) -> Int? {
        if let integer = Int(text) { return integer }
        guard let number = Double(text), number.isFinite, number >= 0, number < 1e9, number.rounded() == number else { return nil }
        return Int(number)
    }

    /// What a 2xx answer says that cannot all be true: a debt named twice (two `debt_id`s mean
    /// the server may hold it twice; `created` and `failed` both), temp_ids the batch never
    /// sent. Each kind is one line, naming the first few temp_ids and how many there were.
    struct AnswerContradictions {
        /// Some list held more items than are read (the batch's size plus 100): there may be
        /// more temp_ids never sent than were counted.
        let listsCut: Bool
        private var twice: [String] = []
        private var namedTwice: Set<String> = []
        private var unsent: [String] = []
        private var neverSentIDs: Set<String> = []
        static let named = 5

        init(listsCut: Bool) { self.listsCut = listsCut }

        mutating func namedAgain(_ debt: String, first: DebtPushResult, again: DebtPushResult, list: String) {
            guard namedTwice.insert(debt).inserted, twice.count < Self.named else { return }
            var text = "\(debt) (\(first.status.rawValue), then \(list)"
            if first.status == .created, again.status == .created, let one = first.debtID, let other = again.debtID, one != other {
                text += ": debt_ids \(one) and \(other), so the server may hold it twice"
            }
            twice.append(text + ")")
        }

        mutating func neverSent(_ tempID: String) {
            if neverSentIDs.insert(tempID).inserted, unsent.count < Self.named { unsent.append(tempID) }
        }

        var lines: [String] {
            var lines: [String] = []
            if !namedTwice.isEmpty {
                lines.append("the answer names \(namedTwice.count) debt(s) more than once (the first fate is kept): "
                             + twice.joined(separator: "; ") + (namedTwice.count > twice.count ? "; …" : ""))
            }
            if !neverSentIDs.isEmpty {
                lines.append("the answer names \(neverSentIDs.count)\(listsCut ? " or more" : "") temp_id(s) this batch did not send: "
                             + unsent.joined(separator: ", ") + (neverSentIDs.count > unsent.count ? ", …" : ""))
            }
            return lines
        }
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
        guard let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: .members(failureSelection())),
              let object = root.objectValue else { return false }
        let said = ["code", "errorCode", "message", "errorMessage", "error"].compactMap { object[$0]?.scalarText }
        return said.contains { $0.lowercased().contains("idempotency") }
    }

    /// The messages of a non-2xx answer whose body may or may not be JSON. A body that is not
    /// JSON is quoted (its first 300 characters), with `secrets` masked before the cut. With
    /// `debts`, details keyed `debts.N.field` go to debt N (``BatchRefusal/byDebt``).
    static func refusal(ofStatus status: Int, body: [UInt8], secrets: [String] = [], debts: Int = 0) -> BatchRefusal {
        if let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: .members(failureSelection(debts: debts))),
           let object = root.objectValue {
            var refusal = BatchRefusal(failure: object, debts: debts)
            refusal.messages[0].message = "HTTP \(status): " + refusal.messages[0].message
            return refusal
        }
        let text = HTTPResponse(status: status, body: body).bodyText(limit: 300, scrubbing: secrets)
        return BatchRefusal(messages: [.init(field: nil, message: "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)"))])
    }

    /// Reads `errors` / `details` in any of the shapes seen: a list of strings, a list of
    /// `{field, message|code}` objects, a `{field: [message]}` or `{field: message}` map.
    /// A message that is not a string (`42`, `{"en":"…"}`, `[…]`) is kept as its JSON text, cut
    /// at ``messageCharactersKept``: whatever its shape, what the server said is not dropped.
    static func messages(_ value: RecordValue?) -> [DebtPushResult.ServerMessage] {
        guard let value else { return [] }
        switch value {
        case .null: return []
        case .string, .number, .bool: return [.init(field: nil, message: text(of: value))]
        case .array(let elements):
            return elements.flatMap { element -> [DebtPushResult.ServerMessage] in
                guard let object = element.objectValue else { return element == .null ? [] : [.init(field: nil, message: text(of: element))] }
                let field = object["field"]?.scalarText
                guard let message = object["message"] ?? object["code"] ?? object["error"] else {
                    return [.init(field: field, message: text(of: element))]
                }
                return [.init(field: field, message: text(of: message))]
            }
        case .object(let object):
            return object.entries.flatMap { entry -> [DebtPushResult.ServerMessage] in
                if case .array(let elements) = entry.value {
                    return elements.map { .init(field: entry.key, message: text(of: $0)) }
                }
                return entry.value == .null ? [] : [.init(field: entry.key, message: text(of: entry.value))]
            }
        }
    }

    /// The most characters of one server message read from an answer; a longer one is cut. It is
    /// far more than is written (``BatchSender/messageCharactersWritten``), so that a secret the
    /// server echoes is whole where it is masked, before that cut.
    static let messageCharactersKept = 65_536

    /// A value as message text: a scalar's text, anything else as compact JSON; cut at
    /// ``messageCharactersKept``.
    static func text(of value: RecordValue) -> String {
        let text: String
        if let scalar = value.scalarText {
            text = scalar
        } else {
            var writer = JSONByteWriter()
            writer.value(value)
            text = String(decoding: writer.bytes.prefix(4 * messageCharactersKept), as: UTF8.self)
        }
        return text.count > messageCharactersKept ? String(text.prefix(messageCharactersKept)) : text
    }

    /// `details.retry_after` of a 429 body, in seconds.
    static func retryAfter(inBody body: [UInt8]) -> Double? {
        guard let root = try? JSONDocument.parse(body, name: "the batch answer", selecting: .members(failureSelection())),
              let object = root.objectValue else { return nil }
        let details = object["details"]?.objectValue
        let value = details?["retry_after"] ?? object["retry_after"]
        if let text = value?.scalarText { return ServerRequestedWait.askedSeconds(text) }
        if let first = value?.arrayValue?.first?.scalarText { return ServerRequestedWait.askedSeconds(first) }
        return nil
    }
}
