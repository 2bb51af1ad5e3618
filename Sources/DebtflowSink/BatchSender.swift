import DebtflowCore
import DebtflowHTTP
import Foundation

/// How one batch ended, as the sink accounts for it.
enum BatchFate: Sendable {
    /// The server answered: one result per debt (created, failed, skipped; `unknown` for a debt
    /// the answer did not name). Journaled `done`.
    case answered([DebtPushResult])
    /// No answer, and it may have reached the server. Journaled `unknown`.
    case unknown(reason: String)
    /// The run must stop (credentials refused, server unreachable, disk error); the batch was
    /// certainly not applied. Journaled `not_sent`.
    case stopped(DebtflowError)
    /// Never sent: the run was already stopping.
    case notAttempted
    /// Given up between retries because another batch stopped the run; it was certainly not
    /// applied. Journaled `not_sent`.
    case abandoned(reason: String)
    /// An earlier run's answer, read from the journal (`--resume`).
    case replayed([DebtPushResult])
    /// Recorded `unknown` by an earlier run and not resent (`--resume` without `--retry-unknown`).
    case carriedUnknown
    /// Debts an earlier run's answer left out (`--resume`): `unknown`, and never resent, with or
    /// without `--retry-unknown` (under the batch's key the server replays that answer; under a
    /// new key it could create them twice).
    case leftOut(reason: String)
}

/// One batch's fate and what it took.
struct BatchReport: Sendable {
    var batch: PushBatch
    var fate: BatchFate
    var retries: Int
    /// The journal could not record the batch's fate (a full disk): the run stops with this
    /// error, but what the server answered is still written to the results.
    var journalError: DebtflowError? = nil
    /// What the answer said that stderr should tell (the sink says them in batch order, a few
    /// of each kind per run).
    var remarks: [BatchRemark] = []
}

/// A line for stderr about one batch's answer. The sink says at most a few of each kind per run
/// (``HTTPPushSink/remarksSaidPerKind``), then once how many more there were: a run of 3,000
/// refused batches of one debt says 10 lines, not 3,000.
struct BatchRemark: Sendable {
    enum Kind: String, Sendable, CaseIterable {
        case refused = "refused batches"
        case contradictions = "answers that contradict themselves"
        case leftOut = "answers that left debts out"
        case skipped = "batches with debts the server skipped"
        case refusedAfterDelivery = "debts refused after an earlier send may have created them"
    }
    var kind: Kind
    var text: String
}

/// Sends one batch until it has an answer or the sink's rules say to give up (CONTRACT.md §5):
/// 429 waits and resends; 502/503/504 and unsent requests back off and resend up to
/// `max_retries`; 400/422 fail every debt; 401 gets one fresh OAuth token; 403 stops; an
/// ambiguous failure (time-out, dropped connection, other 5xx) is `unknown` under
/// `on_ambiguous: stop`, or resent with the same `Idempotency-Key` under `retry`.
struct BatchSender: Sendable {
    let configuration: HTTPSinkConfiguration
    let url: URL
    let client: HTTPClient
    let tokens: OAuthTokenProvider
    let gate: HTTPRateLimitGate
    let journal: JournalFile?
    let stop: BatchStop
    let diagnostics: @Sendable (String) -> Void

    /// - Parameter sentBefore: an earlier run sent this batch and got no answer (`--resume`
    ///   resending an `unknown` batch): a refusal of this send leaves its debts `unknown`.
    func push(_ batch: PushBatch, sentBefore: Bool = false) async -> BatchReport {
        var state = Attempts()
        if sentBefore {
            state.mayHaveReachedServer = true
            state.lastAmbiguity = "an earlier run sent it and got no answer"
            state.earlierDelivery = state.lastAmbiguity
        }
        guard !stop.isRaised else { return BatchReport(batch: batch, fate: .notAttempted, retries: 0) }
        do {
            try journal?.append(JournalFile.started(batch))
        } catch {
            stop.raise()
            return BatchReport(batch: batch, fate: .stopped(error), retries: 0)
        }
        let fate = await attempt(batch, &state)
        return BatchReport(batch: batch, fate: fate, retries: state.retries, journalError: record(fate, batch), remarks: state.remarks)
    }

    private struct Attempts {
        var retries = 0
        var transientFailures = 0
        var ambiguousFailures = 0
        var rateLimited = 0
        var refreshedToken = false
        /// An attempt got no answer after its bytes may have left (or an earlier run's did): the
        /// batch is `unknown` if the run gives up on it.
        var mayHaveReachedServer = false
        var lastAmbiguity = ""
        /// Why an earlier attempt may have created the batch's debts (no answer, or a gateway's
        /// 502/504 whose server behind it may have done the work); `nil` when none could have.
        /// A refusal of a later attempt then leaves them `unknown`, never `failed`.
        var earlierDelivery: String?
        var remarks: [BatchRemark] = []
    }

    /// Writes the fate's journal line; a batch that may have reached the server is never
    /// recorded as certainly not sent.
    /// - Returns: the journal's error when the line could not be written: the run stops (nothing
    ///   more is sent), and the fate stands (an answered batch's debts were created: its results
    ///   are still written). On `--resume` such a batch reads as sent and never answered.
    private func record(_ fate: BatchFate, _ batch: PushBatch) -> DebtflowError? {
        do {
            switch fate {
            case .answered(let results):
                try journal?.append(JournalFile.done(batch, results: results))
            case .unknown(let reason):
                try journal?.append(JournalFile.unknown(batch, reason: reason))
            case .stopped(let error):
                try journal?.append(JournalFile.notSent(batch, reason: error.message))
            case .abandoned(let reason):
                try journal?.append(JournalFile.notSent(batch, reason: reason))
            case .notAttempted, .replayed, .carriedUnknown, .leftOut:
                break
            }
        } catch {
            stop.raise()
            return error
        }
        return nil
    }

    private func scrub(_ text: String) -> String { Redaction.scrub(text, secrets: configuration.secrets) }

    /// The most characters of one server message written for a debt (results, journal), after
    /// its secrets are masked; a field name is cut at ``fieldCharactersWritten``.
    static let messageCharactersWritten = 500
    static let fieldCharactersWritten = 100
    /// The most messages written for one debt of its own (a `failed` item's `errors`, a
    /// refusal's `debts.N` details).
    static let messagesWrittenPerDebt = 20
    /// The most of a whole-batch refusal's own messages written for each of its debts (its
    /// headline first), each cut at ``refusalCharactersWritten``: they are written once per debt,
    /// so their size is multiplied by the batch's (a 2 MB refusal of 500 debts was 1 GB).
    static let refusalMessagesWrittenPerDebt = 5
    static let refusalCharactersWritten = 300

    /// Every text of a server's answer that is written anywhere (results, journal, messages)
    /// goes through this: the configured secrets and the bearer token just sent are masked,
    /// whatever part of the answer echoes them, and then cut to what is written.
    private func scrub(_ results: [DebtPushResult], token: String) -> [DebtPushResult] {
        let secrets = configuration.secrets + [token]
        func clean(_ text: String) -> String { Redaction.scrub(text, secrets: secrets) }
        return results.map { result in
            var result = result
            result.debtID = result.debtID.map(clean)
            result.reason = result.reason.map { Redaction.serverText($0, secrets: secrets, limit: Self.messageCharactersWritten) }
            result.errors = scrub(result.errors, secrets: secrets)
            return result
        }
    }

    /// Server messages as written: secrets masked, each cut at `characters`, at most `count`
    /// (then one saying how many more there were).
    private func scrub(_ messages: [DebtPushResult.ServerMessage], secrets: [String], count: Int = messagesWrittenPerDebt,
                       characters: Int = messageCharactersWritten) -> [DebtPushResult.ServerMessage] {
        var written = messages.prefix(count).map {
            DebtPushResult.ServerMessage(field: $0.field.map { Redaction.serverText($0, secrets: secrets, limit: Self.fieldCharactersWritten) },
                                         message: Redaction.serverText($0.message, secrets: secrets, limit: characters))
        }
        if messages.count > written.count {
            written.append(.init(field: nil, message: "(\(messages.count - written.count) more message(s) from the server not kept)"))
        }
        return written
    }

    /// The results of a batch the server refused whole: every debt `failed` with the refusal's
    /// headline, its own messages (`debts.N`), then a few more of the batch's. The batch's
    /// messages are masked and cut once, not once per debt. One remark says so on stderr.
    private func refused(_ batch: PushBatch, _ refusal: BatchAnswerParser.BatchRefusal, token: String, label: String,
                         _ state: inout Attempts) -> BatchFate {
        let secrets = configuration.secrets + [token]
        let common = scrub(refusal.messages, secrets: secrets, count: Self.refusalMessagesWrittenPerDebt,
                           characters: Self.refusalCharactersWritten)
        state.remarks.append(BatchRemark(kind: .refused, text: "\(label): the server refused the whole batch: "
            + "\(Redaction.serverText(refusal.summary, secrets: secrets, limit: 1_000)); its \(batch.count) debt(s) are recorded failed"))
        return .answered(batch.tempIDs.enumerated().map { position, tempID in
            guard let own = refusal.byDebt[position] else { return DebtPushResult(tempID: tempID, status: .failed, errors: common) }
            let errors = common.prefix(1) + scrub(own, secrets: secrets) + common.dropFirst()
            return DebtPushResult(tempID: tempID, status: .failed, errors: Array(errors))
        })
    }

    /// A refusal of a batch that an earlier attempt (this run's, or an earlier run's) may have
    /// delivered: its debts may exist, so they are `unknown`, never `failed` (which would invite a
    /// second import), and nothing more is sent.
    private func refusedAfterDelivery(_ refusal: BatchAnswerParser.BatchRefusal, because delivery: String, token: String) -> BatchFate {
        stop.raise()
        let secrets = configuration.secrets + [token]
        return .unknown(reason: "an earlier send may have created its debts (\(delivery)), and the server then refused "
                        + "the resend: \(Redaction.serverText(refusal.summary, secrets: secrets, limit: 300))")
    }

    /// An answer to a resend after an earlier send may have created the batch's debts: a debt it
    /// says `failed` or `skipped` ("already taken") may exist, so it is `unknown` (the server's
    /// errors kept), never `failed`; `created` stands.
    private func answeredAfterDelivery(_ results: [DebtPushResult], because delivery: String, label: String,
                                       _ state: inout Attempts) -> [DebtPushResult] {
        var doubted = 0
        let results = results.map { result -> DebtPushResult in
            guard result.status == .failed || result.status == .skipped else { return result }
            doubted += 1
            var result = result
            result.reason = "the server answered the resend \(result.status.rawValue)" + (result.reason.map { " (\($0))" } ?? "")
                + ", but an earlier send may have created it (\(delivery)): check it in GetBill"
            result.status = .unknown
            return result
        }
        if doubted > 0 {
            state.remarks.append(BatchRemark(kind: .refusedAfterDelivery, text: "\(label): the answer to the resend refuses \(doubted) debt(s) "
                + "an earlier send may have created (\(delivery)); they are `unknown`, not failed: check them in GetBill"))
        }
        return results
    }

    private func attempt(_ batch: PushBatch, _ state: inout Attempts) async -> BatchFate {
        let label = "batch \(batch.index + 1)"
        while true {
            let wait = await gate.nextWait()
            if wait.seconds >= ServerRequestedWait.announcedSeconds, let reason = wait.reason {
                diagnostics("\(label): waiting \(ServerRequestedWait.describe(wait.seconds)) before sending: \(reason)")
            }
            await stop.sleep(seconds: wait.seconds)
            if stop.isRaised {
                return state.mayHaveReachedServer
                    ? .unknown(reason: "the run stopped while retrying after: \(state.lastAmbiguity)")
                    : .abandoned(reason: "the run stopped before it was sent")
            }
            let token: String
            do {
                token = try await tokens.token()
            } catch {
                return giveUp(error, state)
            }
            let request = HTTPRequest(method: "POST", url: url, headers: [
                ("Authorization", "Bearer \(token)"), ("Content-Type", "application/json"),
                ("Accept", "application/json"), ("Idempotency-Key", batch.idempotencyKey),
            ], body: batch.body)

            let response: HTTPResponse
            do {
                response = try await client.send(request)
            } catch {
                if case .cancelled(let mayHaveBeenSent) = error {
                    stop.raise()
                    if mayHaveBeenSent || state.mayHaveReachedServer {
                        return .unknown(reason: "the run was interrupted while waiting for the answer")
                    }
                    return .abandoned(reason: "the run was interrupted before it was sent")
                }
                if error.isNotSent {
                    if let fate = await retryTransient(label, "not sent: \(error.message)", &state) { return fate }
                    continue
                }
                if let fate = await ambiguous(label, error.message, &state) { return fate }
                continue
            }
            await gate.observe(response)

            switch response.status {
            case 200..<300:
                switch BatchAnswerParser.readSuccess(response.body, batch: batch) {
                case .perDebt(let results, let contradictions):
                    for line in contradictions {
                        state.remarks.append(BatchRemark(kind: .contradictions, text:
                            "\(label): \(Redaction.serverText(line, secrets: configuration.secrets + [token], limit: 1_000))"))
                    }
                    let scrubbed = scrub(results, token: token)
                    guard let delivery = state.earlierDelivery else { return .answered(scrubbed) }
                    return .answered(answeredAfterDelivery(scrubbed, because: delivery, label: label, &state))
                case .wholeRequestFailed(let refusal):
                    if BatchAnswerParser.refusesReusedIdempotencyKey(response.body) { return reusedKey(response, token: token) }
                    if let delivery = state.earlierDelivery { return refusedAfterDelivery(refusal, because: delivery, token: token) }
                    return refused(batch, refusal, token: token, label: label, &state)
                case .unreadable(let why):
                    if let fate = await ambiguous(label, "HTTP \(response.status), but \(why)", &state) { return fate }
                }
            case _ where [400, 409, 422].contains(response.status) && BatchAnswerParser.refusesReusedIdempotencyKey(response.body):
                return reusedKey(response, token: token)
            case 400, 422:
                let refusal = BatchAnswerParser.refusal(ofStatus: response.status, body: response.body,
                                                        secrets: configuration.secrets + [token], debts: batch.count)
                if let delivery = state.earlierDelivery { return refusedAfterDelivery(refusal, because: delivery, token: token) }
                return refused(batch, refusal, token: token, label: label, &state)
            case 300..<400:
                return giveUp(.sink("POST \(shownURL): \(response.redirectDescription); stopped. Set `url` to the "
                                    + "address the API really answers on"), state, token: token)
            case 401:
                if await tokens.canRefresh && !state.refreshedToken {
                    state.refreshedToken = true
                    state.retries += 1
                    diagnostics("\(label): HTTP 401; fetching a fresh token and sending again")
                    do {
                        _ = try await tokens.refresh(rejected: token)
                    } catch {
                        return giveUp(error, state)
                    }
                    continue
                }
                return giveUp(.sink("POST \(shownURL): HTTP 401: the server refused the credentials"
                                    + (state.refreshedToken ? " even with a fresh token" : "") + "; stopped",
                                    cause: failureDetail(response, token: token)), state, token: token)
            case 403:
                return giveUp(.sink("POST \(shownURL): HTTP 403: access forbidden; stopped",
                                    cause: failureDetail(response, token: token)), state, token: token)
            case 429:
                state.rateLimited += 1
                guard state.rateLimited <= configuration.maxRateLimitedAttempts else {
                    return giveUp(.sink("POST \(shownURL): still rate-limited (HTTP 429) after \(state.rateLimited - 1) waits; stopped"), state)
                }
                let asked = HTTPRateLimitGate.waitAfterTooManyRequests(response) ?? configuration.defaultRateLimitWaitSeconds
                // A server that asks for no wait (0, a negative number, a date already past: its
                // clock behind ours) is not resent at once: it is backed off from, as a 503.
                let asksForNoWait = asked < Self.shortestRateLimitWaitSeconds
                let wait = asksForNoWait ? max(asked, configuration.backoff.delay(forRetry: state.rateLimited)) : ServerRequestedWait.clamped(asked)
                state.retries += 1
                diagnostics("\(label): rate-limited (HTTP 429); waiting \(ServerRequestedWait.describe(wait)) before sending again"
                            + (asked > wait ? " (the server asked for \(ServerRequestedWait.describe(asked)); an hour is the longest wait)" : "")
                            + (asksForNoWait ? " (the server asked for \(asked <= 0 ? "no wait" : "less than a second"); backing off instead)" : ""))
                await gate.pause(seconds: wait)
            case 502, 503, 504:
                // A gateway's 502 or 504 may come after the server behind it took the batch: resent
                // as the contract asks, but a refusal of the resend is then not believed.
                if response.status != 503 { state.earlierDelivery = state.earlierDelivery ?? "HTTP \(response.status) from a gateway" }
                if let fate = await retryTransient(label, "HTTP \(response.status)", &state) { return fate }
            case 500...599:
                if let fate = await ambiguous(label, "HTTP \(response.status)", &state) { return fate }
            default:
                return giveUp(.sink("POST \(shownURL): unexpected HTTP \(response.status); stopped",
                                    cause: failureDetail(response, token: token)), state, token: token)
            }
        }
    }

    /// A failure that certainly did not apply the batch: back off and resend, or stop after
    /// `max_retries`. Returns the fate when giving up.
    private func retryTransient(_ label: String, _ problem: String, _ state: inout Attempts) async -> BatchFate? {
        state.transientFailures += 1
        guard state.transientFailures + state.ambiguousFailures <= configuration.maxRetries else {
            return giveUp(.sink("POST \(shownURL): the server stayed unavailable after \(configuration.maxRetries) retries; stopped",
                                cause: scrub(problem)), state)
        }
        state.retries += 1
        let delay = configuration.backoff.delay(forRetry: state.transientFailures + state.ambiguousFailures)
        diagnostics("\(label): \(scrub(problem)); retry \(state.transientFailures + state.ambiguousFailures) of \(configuration.maxRetries) in \(ServerRequestedWait.describe(delay))")
        await stop.sleep(seconds: delay)
        return nil
    }

    /// A failure after which the batch may have reached the server.
    private func ambiguous(_ label: String, _ problem: String, _ state: inout Attempts) async -> BatchFate? {
        state.mayHaveReachedServer = true
        state.lastAmbiguity = scrub(problem)
        state.earlierDelivery = state.earlierDelivery ?? state.lastAmbiguity
        switch configuration.onAmbiguous {
        case .stop:
            stop.raise()
            return .unknown(reason: "no answer: \(state.lastAmbiguity)")
        case .retry:
            state.ambiguousFailures += 1
            guard state.transientFailures + state.ambiguousFailures <= configuration.maxRetries else {
                stop.raise()
                return .unknown(reason: "no answer after \(configuration.maxRetries) retries: \(state.lastAmbiguity)")
            }
            state.retries += 1
            let delay = configuration.backoff.delay(forRetry: state.transientFailures + state.ambiguousFailures)
            diagnostics("\(label): \(state.lastAmbiguity); resending with the same Idempotency-Key in \(ServerRequestedWait.describe(delay))")
            await stop.sleep(seconds: delay)
            return nil
        }
    }

    /// A 429 asking for less than this many seconds (`0`, negative, a date already past, `0.001`)
    /// is backed off from as a 503, not resent at once.
    static let shortestRateLimitWaitSeconds = 1.0

    /// The key was used before with another body: a batch resent under its first key
    /// (`--resume --retry-unknown`, `on_ambiguous: retry`) whose debts changed since (a row fixed,
    /// a `batch_name` with the date). The first send reached the server, so its debts may exist:
    /// never `failed`, which would invite a second import. Nothing more is sent, as after any
    /// batch left `unknown` (resending this body under this key would be refused again).
    private func reusedKey(_ response: HTTPResponse, token: String) -> BatchFate {
        let detail = failureDetail(response, token: token) ?? "HTTP \(response.status)"
        stop.raise()
        return .unknown(reason: "the server refused the batch's Idempotency-Key as used before for another body "
                        + "(\(detail)): the first send reached it, so its debts may have been created; was the input "
                        + "or batch_name changed since that run?")
    }

    /// The URL for messages, its password (if any) masked.
    private var shownURL: String { Redaction.url(configuration.url) }

    /// Stops the run; the batch is `unknown` if an earlier attempt may have reached the server.
    private func giveUp(_ error: DebtflowError, _ state: Attempts, token: String? = nil) -> BatchFate {
        stop.raise()
        var error = error
        let secrets = configuration.secrets + (token.map { [$0] } ?? [])
        error.message = Redaction.scrub(error.message, secrets: secrets)
        error.cause = error.cause.map { Redaction.scrub($0, secrets: secrets) }
        if state.mayHaveReachedServer {
            return .unknown(reason: "an earlier attempt got no answer (\(state.lastAmbiguity)), then: \(error.message)")
        }
        return .stopped(error)
    }

    private func failureDetail(_ response: HTTPResponse, token: String) -> String? {
        let secrets = configuration.secrets + [token]
        let text = BatchAnswerParser.refusal(ofStatus: response.status, body: response.body, secrets: secrets).summary
        return text.isEmpty ? nil : Redaction.serverText(text, secrets: secrets)
    }

}
