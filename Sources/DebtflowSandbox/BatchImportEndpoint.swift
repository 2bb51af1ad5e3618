import DebtflowCore
import DebtflowJSON
import Foundation
import Synchronization

/// `POST /external-api/v1/debts/batch`: GetBill's bulk import, with idempotency and a ledger.
///
/// Order of work for one request: bearer token (401) → fault draw (503 / 429 answer at once,
/// creating nothing) → `Idempotency-Key` replay (the stored answer, byte for byte) → body
/// (400 malformed JSON, 422 shape or more than the batch limit) → each debt through the
/// validator → created debts appended to the ledger and fsynced → answer stored under the key →
/// the error fault answers 500 and the drop fault closes the connection instead of answering.
/// Steps from the replay check to storing the answer run under one lock, so concurrent batches
/// with the same key create their debts once.
final class BatchImportEndpoint: Sendable {
    private let configuration: SandboxConfiguration
    private let faults: FaultInjector
    private let ledger: DebtLedgerBox
    private let rateLimiter: RateLimiter?
    /// Guards the idempotency store, the id counters and the ledger order.
    private let state: Mutex<State>

    private struct State {
        var store: IdempotencyStore
        var nextDebtNumber: Int
        var nextImportNumber = 1
    }

    init(configuration: SandboxConfiguration, faults: FaultInjector, ledger: DebtLedger?, rateLimiter: RateLimiter?) {
        self.configuration = configuration
        self.faults = faults
        self.ledger = DebtLedgerBox(ledger)
        self.rateLimiter = rateLimiter
        state = Mutex(State(store: IdempotencyStore(budgetBytes: configuration.idempotencyMemoryBytes),
                                 nextDebtNumber: (ledger?.existingCount ?? 0) + 1,
                                 nextImportNumber: (ledger?.lastImportNumber ?? 0) + 1))
    }

    func handle(_ request: HTTPRequest) -> SandboxReply {
        if let token = configuration.token {
            guard let authorization = request.header("authorization"),
                  authorization.count > 7, authorization.prefix(7).lowercased() == "bearer ",
                  constantTimeEquals(String(authorization.dropFirst(7)).trimmingSpaces(), token) else {
                return .respond(SandboxErrors.getBill(401, code: "unauthorized", message: "Unauthorized",
                                                      headers: [("WWW-Authenticate", "Bearer")]))
            }
        }
        var limitHeaders: [(name: String, value: String)] = []
        if let rateLimiter {
            let decision = rateLimiter.take()
            limitHeaders = decision.headers
            if !decision.allowed {
                return .respond(SandboxErrors.getBill(429, code: "rate_limited", message: "Too Many Requests: rate limit reached",
                                                      headers: limitHeaders + [("Retry-After", String(decision.secondsToReset))],
                                                      retryAfter: decision.secondsToReset))
            }
        }
        let fault = faults.draw()
        switch fault {
        case .fail:
            return .respond(SandboxErrors.getBill(503, code: "service_unavailable",
                                                  message: "Service Unavailable (injected fault)", headers: limitHeaders))
        case .throttle:
            return .respond(SandboxErrors.getBill(429, code: "rate_limited", message: "Too Many Requests (injected fault)",
                                                  headers: limitHeaders + [("Retry-After", "1")], retryAfter: 1))
        case .none, .error, .drop:
            break
        }

        let key = request.header("idempotency-key").flatMap { $0.isEmpty ? nil : $0 }
        let processed: BatchResult = state.withLock { state in
            if let key, let entry = state.store.entry(for: key) {
                guard IdempotencyStore.matches(entry, body: request.body) else {
                    return .refused(SandboxErrors.getBill(422, code: "idempotency_key_reused",
                                                          message: "This Idempotency-Key was used with a different request body"))
                }
                return .answered(entry.response, created: false)
            }
            let result = process(body: request.body, state: &state)
            if case .answered(let response, created: true) = result, let key {
                state.store.store(response, for: key, body: request.body)
            }
            return result
        }
        switch processed {
        case .refused(let refusal):
            return .respond(withHeaders(refusal, limitHeaders))
        case .answered(let response, let created):
            if created {
                if fault == .error {
                    return .respond(SandboxErrors.getBill(500, code: "server_error",
                                                          message: "Internal Server Error (injected fault)", headers: limitHeaders))
                }
                if fault == .drop { return .drop }
            }
            return .respond(withHeaders(response, limitHeaders))
        }
    }

    /// How a batch ended: refused as a whole (nothing created), or answered; `created` is true
    /// when this request created its debts (not a replay), so the error and drop faults apply.
    private enum BatchResult {
        case refused(HTTPResponse)
        case answered(HTTPResponse, created: Bool)
    }

    private func withHeaders(_ response: HTTPResponse, _ headers: [(name: String, value: String)]) -> HTTPResponse {
        var response = response
        response.headers += headers
        return response
    }

    /// Validates a batch and creates its valid debts. `created` is true when the batch was
    /// accepted (even with no debt created): faults after creation then apply.
    private func process(body: [UInt8], state: inout State) -> BatchResult {
        let document: RecordValue
        do {
            document = try JSONDocument.parse(body, name: "the request body", limits: SandboxJSON.limits)
        } catch {
            return .refused(SandboxErrors.getBill(400, code: "invalid_json", message: "Malformed JSON body: \(error)"))
        }
        guard case .object(let batch) = document else {
            return .refused(SandboxErrors.getBill(422, code: "validation_error", message: "The body must be a JSON object",
                                                  details: [("debts", ["The debts field is required."])]))
        }
        guard case .array(let debts)? = batch["debts"] else {
            return .refused(SandboxErrors.getBill(422, code: "validation_error", message: "The debts field is required and must be an array",
                                                  details: [("debts", ["The debts field is required and must be an array."])]))
        }
        guard !debts.isEmpty else {
            return .refused(SandboxErrors.getBill(422, code: "validation_error", message: "The debts array is empty",
                                                  details: [("debts", ["At least one debt is required."])]))
        }
        guard debts.count <= configuration.maxDebtsPerBatch else {
            let text = "At most \(configuration.maxDebtsPerBatch) debts per request (got \(debts.count))."
            return .refused(SandboxErrors.getBill(422, code: "validation_error", message: text, details: [("debts", [text])]))
        }
        var acceptExpensive = false
        switch batch["accept_expensive_destination"] {
        case nil, .null?: break
        case .bool(let flag)?: acceptExpensive = flag
        default:
            return .refused(SandboxErrors.getBill(422, code: "validation_error", message: "accept_expensive_destination must be a boolean",
                                                  details: [("accept_expensive_destination", ["Must be a boolean."])]))
        }
        var batchName: String?
        switch batch["batch_name"] {
        case nil, .null?: break
        case .string(let name)?: batchName = name
        default:
            return .refused(SandboxErrors.getBill(422, code: "validation_error", message: "batch_name must be a string",
                                                  details: [("batch_name", ["Must be a string."])]))
        }

        let importID = String(format: "imp_%06d", state.nextImportNumber)
        var answer = BatchAnswerWriter(importID: importID, batchName: batchName)
        var ledgerWriter = JSONByteWriter(capacity: 256 * debts.count)
        var debtNumber = state.nextDebtNumber
        for (index, element) in debts.enumerated() {
            guard case .object(let debt) = element else {
                answer.failed(index: index, tempID: nil, data: element,
                              errors: [RecordError(field: nil, code: .malformedRow, message: "a debt must be a JSON object")])
                continue
            }
            let tempID = debt["temp_id"]?.scalarText
            switch configuration.validator(debt, acceptExpensive) {
            case .created(let stored):
                let debtID = String(format: "debt_%08d", debtNumber)
                debtNumber += 1
                DebtLedger.line(debt: debt, debtID: debtID, importID: importID, into: &ledgerWriter)
                answer.created(index: index, tempID: tempID, debtID: debtID, stored: stored)
            case .failed(let errors):
                answer.failed(index: index, tempID: tempID, data: element, errors: errors)
            case .skipped(let reason):
                answer.skipped(index: index, tempID: tempID, data: element, reason: reason)
            }
        }
        do {
            try ledger.ledger?.append(ledgerWriter.bytes)
        } catch {
            return .refused(SandboxErrors.getBill(500, code: "ledger_error", message: "The sandbox could not write its ledger: \(error)"))
        }
        state.nextDebtNumber = debtNumber
        state.nextImportNumber += 1
        return .answered(.json(200, answer.finish()), created: true)
    }

    private func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Holds the ledger for a `Sendable` endpoint.
/// `@unchecked Sendable`: the ledger is only written under `BatchImportEndpoint.state`'s lock.
final class DebtLedgerBox: @unchecked Sendable {
    let ledger: DebtLedger?
    init(_ ledger: DebtLedger?) { self.ledger = ledger }
}
