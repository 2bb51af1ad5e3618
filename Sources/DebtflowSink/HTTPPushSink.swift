import DebtflowCore
import DebtflowHTTP
import Foundation

/// Pushes valid debts to the GetBill bulk-import API in batches (CONTRACT.md §5).
///
/// Behaviour:
/// - Debts are cut into batches of `batch_size` in input order, so every run over the same input
///   (and the same journal) forms the same batches with the same `Idempotency-Key` (SHA-256 of
///   the exact body).
/// - Up to `concurrency` batches are in flight; results are written in batch order.
/// - Each batch's fate is journaled (fsync) when a `journal` is configured, with its temp_ids.
///   With `--resume` the journal is read per debt: a debt the server answered about is not
///   resent (its result is written again from the journal); only debts never acknowledged are
///   batched, however the batches fall this time (a `--limit` trial before, rows appended
///   since). A debt of a batch that may have reached the server without an answer is resent
///   only in its original batch, under its original key: under `on_ambiguous: retry` when the
///   process died while waiting, or with `--retry-unknown`; otherwise it stays `unknown`.
/// - The `results` file gets one line per debt whose fate is known.
/// - Only outcomes that carry a debt are pushed; others the sink accepts are ignored.
///
/// Errors: ``write(_:)`` and ``finish()`` throw ``DebtflowError`` `.sink` (exit 4) when the run
/// must stop (credentials refused, server unreachable after `max_retries`, a batch `unknown`).
/// Server-rejected debts are not errors of the run: see ``rejectedCount``.
///
/// Owned by one task (the runner's); batches are sent from child tasks.
public final class HTTPPushSink: OutcomeSink {
    public let accepts: Set<OutcomeStatus>
    /// The figures for the summary's `pushed`.
    public private(set) var totals = RunSummary.PushTotals()
    /// Debts the server refused (`failed` results): they count as failed records (exit 1).
    public var rejectedCount: Int { totals.failed }

    private let configuration: HTTPSinkConfiguration
    private let options: HTTPSinkRunOptions
    private let sender: BatchSender
    private let stop: BatchStop
    /// The journal, when the sink keeps one (internal: tests inject its faults).
    let journal: JournalFile?
    private let earlierRun: JournalState?
    private let results: ResultsFile?
    /// `--dry-run`'s batches (personal data): a temporary file published as the other data
    /// outputs are, only when the run finishes (exit 0 or 1).
    private let dryRunOutput: AtomicFile?
    /// A dry run's last batches are written and flushed (``prepareToPublish()``): it is published next.
    private var preparedToPublish = false
    private let diagnostics: @Sendable (String) -> Void

    private var pending: [Debt] = []
    /// In a many-input run: how many debts at the end of `pending` came from the input being
    /// read (not yet sent: dropped if that input fails).
    private var pendingOfCurrentInput = 0
    private var nextBatchIndex = 0
    /// `--resume`: the debts of earlier unresolved batches, gathered by key until the batch can
    /// be formed again whole (in its original order) or reported.
    private var unresolvedGroups: [String: [String: Debt]] = [:]
    /// The batches counted in `pushed.batches` (a batch an earlier run answered in part is
    /// replayed, then reported for its unnamed debts: one batch).
    private var countedBatches: Set<Int> = []
    private var inFlight: [(batch: PushBatch, task: Task<BatchReport, Never>)] = []
    private var fatalError: DebtflowError?
    private var unknownBatches: [PushBatch] = []
    /// Batches the server answered without naming some of their debts: those are `unknown` and
    /// no later run resends them (``BatchFate/leftOut(reason:)``).
    private var leftOutBatches: [PushBatch] = []
    /// How many remarks of each kind the batches' answers made (``say(_:)``).
    private var remarksMade: [BatchRemark.Kind: Int] = [:]
    private var closed = false
    /// The `temp_id`s of the debts this run has taken (queued, or found acknowledged by an earlier
    /// run). A later debt with a `temp_id` already taken is not sent: it is recorded `failed`,
    /// saying so. (Sent, two debts under one id made `--resume` take the second for the first,
    /// already created, and never send it.)
    private var tempIDsTaken = TempIDRegistry()
    /// Debts not sent because their `temp_id` repeated an earlier debt's.
    private var repeatedTempIDs = 0
    /// `--resume`: debts with an id of their own that the journal shows answered, whose fields
    /// differ tonight (not sent again: said once at the end), and the first of them.
    private var changedSinceAnswered = 0
    /// A `--resume` refused when it met a debt: the earlier run's results file is left as it was
    /// (``ResultsFile/close(keepingEarlier:)``).
    private var keepEarlierResults = false
    /// How many debts this run handed to the server (batches given to the sender).
    private var sentThisRun = 0
    private var firstChangedSinceAnswered: String?

    /// Opens the journal and results files and, with `--resume`, reads the journal.
    /// - Parameters:
    ///   - configuration: the sink's options (validated here too).
    ///   - options: this run's flags.
    ///   - diagnostics: receives one line per notable event (retries, unknown batches); defaults
    ///     to stderr. Lines never hold secrets.
    /// - Throws: ``DebtflowError`` `.configuration` for invalid options, `.sink` when the journal
    ///   or results file cannot be opened or the journal is damaged.
    public init(configuration: HTTPSinkConfiguration, options: HTTPSinkRunOptions = HTTPSinkRunOptions(),
                diagnostics: @escaping @Sendable (String) -> Void = HTTPPushSink.standardError) throws(DebtflowError) {
        try configuration.validate()
        self.configuration = configuration
        self.options = options
        self.accepts = configuration.accepts
        self.diagnostics = diagnostics
        let url = try HTTPURLPolicy.validate(configuration.url)
        let client = HTTPClient(timeoutSeconds: configuration.timeoutSeconds)
        let stop = BatchStop()
        self.stop = stop

        var earlierRun: JournalState?
        if options.resume, let path = configuration.journalPath {
            earlierRun = try JournalState.load(path: path, foreignIDPrefixes: options.foreignIDPrefixes)
            if let id = earlierRun?.foreignID { throw Self.inputsChangedSinceJournal(path: path, tempID: id) }
            if let earlier = earlierRun?.target, earlier != JournalFile.target(of: url) {
                throw Self.otherTarget(path: path, journaled: earlier, tonight: JournalFile.target(of: url))
            }
        }
        self.earlierRun = earlierRun
        nextBatchIndex = earlierRun?.nextBatchIndex ?? 0

        if options.dryRun {
            journal = nil
            results = nil
            do {
                dryRunOutput = try options.dryRunOutputPath.map { try AtomicFile(path: $0) }
            } catch {
                throw .sink("cannot create the dry-run output \(options.dryRunOutputPath ?? ""): \((error as? DebtflowError)?.message ?? "\(error)")")
            }
        } else {
            journal = try configuration.journalPath.map { path throws(DebtflowError) in
                let journal = try JournalFile(path: path, truncate: earlierRun == nil)
                // A journal begun afresh (or by a version that did not name it) names its server.
                if earlierRun?.target == nil { try journal.append(JournalFile.target(JournalFile.target(of: url))) }
                return journal
            }
            results = try configuration.resultsPath.map { path throws(DebtflowError) in
                try ResultsFile(path: path, emptyingLater: earlierRun != nil)
            }
            dryRunOutput = nil
        }
        sender = BatchSender(
            configuration: configuration, url: url, client: client,
            tokens: OAuthTokenProvider(authentication: configuration.authentication, client: client,
                                       backoff: configuration.backoff, maxRetries: configuration.maxRetries),
            gate: HTTPRateLimitGate(concurrency: configuration.concurrency), journal: journal, stop: stop,
            diagnostics: diagnostics)
    }

    /// Writes `warning: …` lines to stderr.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("debtflow: http sink: \(line)\n".utf8))
    }

    /// Cancels the batches in flight and sends nothing more; safe to call from any thread (a
    /// signal handler's queue). A batch waiting for its answer is recorded `unknown` (`not_sent`
    /// when nothing of it had left) once the runner aborts the sink.
    public var interruptHandler: (@Sendable () -> Void)? {
        let stop = stop
        return { stop.interrupt() }
    }

    /// A dry run sends nothing: its batch file is published with the file sinks, after the
    /// runner's last look for a signal.
    public var sends: Bool { !options.dryRun }

    /// Queues the outcomes' debts and sends every full batch. With `--resume`, debts the journal
    /// shows acknowledged are not queued (their results are written again), and debts of
    /// unresolved batches are gathered to be resent or reported whole.
    /// - Throws: ``DebtflowError`` `.sink` as soon as a batch stopped the run.
    public func write(_ outcomes: [Outcome]) async throws {
        for outcome in outcomes {
            // Kept until its batch is answered: detached from the chunk's tape, so it does not hold it.
            guard var debt = outcome.debt?.detached() else { continue }
            if debt.tempID == nil { debt.tempID = outcome.tempID }
            if let tempID = debt.tempID, !tempIDsTaken.take(tempID) {
                refuseRepeated(tempID)
                continue
            }
            if let earlierRun, let tempID = debt.tempID, let fate = try earlierRun.fate(ofDebt: tempID) {
                switch fate {
                case .acknowledged(let result, let batch):
                    if let journaled = result.debtDigest, journaled != PushBatch.debtDigest(debt) {
                        // A debt known by its position is another record tonight: the journal
                        // is another input's, and this one's debts there were never sent.
                        if tempID == outcome.provenance.positionalID {
                            // The earlier run's results stay as they were, unless this run
                            // already wrote some (then it sent, or replayed, before this).
                            keepEarlierResults = true
                            throw Self.otherInputAtPosition(path: earlierRun.path, tempID: tempID, sentBefore: sentThisRun)
                        }
                        changedSinceAnswered += 1
                        if firstChangedSinceAnswered == nil { firstChangedSinceAnswered = tempID }
                    }
                    replay(result, batch: batch)
                case .unresolved(let key, _):
                    unresolvedGroups[key, default: [:]][tempID] = debt
                    if let ids = earlierRun.tempIDs(ofBatch: key), ids.allSatisfy({ unresolvedGroups[key]?[$0] != nil }) {
                        await settleUnresolved(key)
                        try throwIfStopped()
                    }
                }
                continue
            }
            pending.append(debt)
            pendingOfCurrentInput += 1
            if pending.count >= configuration.batchSize {
                let debts = Array(pending.prefix(configuration.batchSize))
                pending.removeFirst(configuration.batchSize)
                pendingOfCurrentInput = min(pendingOfCurrentInput, pending.count)
                await dispatch(debts)
                try throwIfStopped()
            }
        }
    }

    /// A many-input run starts input `mark`: its debts are counted from here.
    public func inputStarted(_ mark: InputMark) async throws {
        pendingOfCurrentInput = 0
    }

    /// Input `mark` failed (`on_input_error: continue`): its debts not yet sent are dropped, so
    /// that no later batch carries them (its outputs are not published; what was sent before the
    /// failure was found stays sent, and in the results).
    public func inputFailed(_ mark: InputMark) async throws {
        let dropped = min(pendingOfCurrentInput, pending.count)
        pendingOfCurrentInput = 0
        guard dropped > 0 else { return }
        pending.removeLast(dropped)
        diagnostics("\(mark.path): its input failed; its \(dropped) debt(s) not yet sent are left out of the push")
    }

    /// Sends (or, in a dry run, writes) the last partial batch and waits for every batch in flight.
    private func completeBatches() async {
        if !pending.isEmpty && fatalError == nil {
            let debts = pending
            pending = []
            await dispatch(debts)
        }
        for key in unresolvedGroups.keys.sorted() where fatalError == nil { await settleUnresolved(key) }
        await drain(upTo: 0)
    }

    /// In a dry run (the sink is then published with the files): the last batches written and the
    /// dry-run file flushed to disk, before any file is renamed into place.
    /// - Throws: ``DebtflowError`` `.sink` when writing or flushing failed.
    public func prepareToPublish() async throws {
        guard let dryRunOutput else { return }
        await completeBatches()
        if fatalError == nil {
            do { try dryRunOutput.flushToDisk() } catch { fatalError = (error as? DebtflowError) ?? .sink("\(error)") }
        }
        if let fatalError { throw fatalError }
        // A signal that came while the last batches were written: nothing is published.
        if stop.isInterrupted { throw DebtflowError.interrupted }
        preparedToPublish = true
    }

    /// Sends the last partial batch, waits for every batch in flight, and closes the files.
    /// - Throws: ``DebtflowError`` `.sink` when a batch stopped the run or is `unknown`.
    public func finish() async throws {
        await completeBatches()
        if fatalError == nil, let dryRunOutput {
            do { try dryRunOutput.publish() } catch { fatalError = (error as? DebtflowError) ?? .sink("\(error)") }
        }
        closeFiles()
        sayRemarksLeftUnsaid()
        if repeatedTempIDs > 3 {
            diagnostics("\(repeatedTempIDs) debts in all were not sent because their temp_id repeated an earlier debt's")
        }
        if let first = firstChangedSinceAnswered, let path = earlierRun?.path {
            diagnostics("--resume: \(changedSinceAnswered) debt(s) the journal \(path) shows answered differ tonight "
                        + "(the first: temp_id \(MessageExcerpt.quoted(first))); they were not sent again: under one "
                        + "journal a temp_id is pushed once, and its earlier answer is in the results")
        }
        if let fatalError { throw fatalError }
        // A signal that came while the batches were being sent (a retry's wait, the rate limit's)
        // stopped them: the run was cut short, whatever the batches' answers were. (A dry run
        // that was prepared is being published: a signal now no longer stops it.)
        if stop.isInterrupted && !preparedToPublish { throw DebtflowError.interrupted }
        var problems: [String] = []
        if !unknownBatches.isEmpty {
            let names = unknownBatches.map { "batch \($0.index + 1) (Idempotency-Key \($0.idempotencyKey), \($0.count) debts)" }
            problems.append(
                "\(unknownBatches.count) batch(es) may or may not have reached the server: \(names.joined(separator: "; ")); "
                + "their debts are `unknown` in the results. Check the server, then run again with --resume "
                + "(add --retry-unknown to resend them with the same Idempotency-Key)")
        }
        if !leftOutBatches.isEmpty {
            let names = leftOutBatches.map { "batch \($0.index + 1) (Idempotency-Key \($0.idempotencyKey))" }
            problems.append(
                "the server's answer to \(names.joined(separator: ", ")) left some of its debts `unknown` (not named, or refused "
                + "after an earlier send may have created them): they are `unknown` in the results and are never resent, with or without --retry-unknown (the key would replay the same answer, "
                + "a new key could create them twice). Check those temp_ids in GetBill")
        }
        if !problems.isEmpty { throw DebtflowError.sink(problems.joined(separator: ". ")) }
    }

    /// Waits for the batches in flight (their answers matter), sends nothing more, and closes
    /// the journal and results files, which are kept.
    public func abort() async {
        stop.raise()
        pending = []
        unresolvedGroups = [:]
        await drain(upTo: 0)
        closeFiles()
    }

    /// For `debtflow check`: with OAuth2 settings, fetches a token to prove the credentials work;
    /// with a static token there is nothing to check without sending a batch. Sends no debt.
    /// - Throws: ``DebtflowError`` `.sink` when the token endpoint refuses or is unreachable.
    public func checkCredentials() async throws {
        _ = try await sender.tokens.token()
    }

    public func contribute(to summary: inout RunSummary) {
        var pushed = summary.pushed ?? RunSummary.PushTotals()
        pushed.batches += totals.batches
        pushed.created += totals.created
        pushed.failed += totals.failed
        pushed.skipped += totals.skipped
        pushed.unknown += totals.unknown
        pushed.retries += totals.retries
        summary.pushed = pushed
    }

    // MARK: - Batches

    private func dispatch(_ debts: [Debt], index: Int? = nil, idempotencyKey: String? = nil) async {
        let batchIndex = index ?? nextBatchIndex
        if index == nil { nextBatchIndex += 1 }
        if stop.isRaised && earlierRun == nil && !options.dryRun { return }
        let batch = PushBatch(index: batchIndex, debts: debts, batchName: configuration.batchName,
                              acceptExpensiveDestination: configuration.acceptExpensiveDestination,
                              idempotencyKey: idempotencyKey)

        if options.dryRun {
            writeDryRun(batch)
            totals.batches += 1
            return
        }
        if let fate = earlierFate(of: batch) {
            await drain(upTo: 0)
            absorb(BatchReport(batch: batch, fate: fate, retries: 0))
            return
        }
        guard !stop.isRaised else { return }
        await drain(upTo: configuration.concurrency - 1)
        let sender = sender
        let sentBefore: Bool
        // An earlier run sent this batch and got no answer (it is resent under its key).
        switch earlierRun?.fate(of: batch.idempotencyKey) {
        case .unknown?, .startedOnly?: sentBefore = true
        default: sentBefore = false
        }
        sentThisRun += batch.count
        let task = Task { await sender.push(batch, sentBefore: sentBefore) }
        stop.track(task, index: batch.index)
        inFlight.append((batch, task))
    }

    /// `--resume`: what to do with the debts of an earlier batch that may have reached the
    /// server. Resent whole, in its original order and under its original key, when allowed
    /// (`--retry-unknown`, or `on_ambiguous: retry` for a batch the process died waiting for)
    /// and when this run holds all of its debts; otherwise its debts are reported `unknown`.
    private func settleUnresolved(_ key: String) async {
        guard let group = unresolvedGroups.removeValue(forKey: key), let earlierRun else { return }
        let index = earlierRun.index(ofBatch: key) ?? nextBatchIndex
        let ids = earlierRun.tempIDs(ofBatch: key) ?? []
        let startedOnly = earlierRun.fate(of: key) == .startedOnly
        let whole = !ids.isEmpty && ids.allSatisfy { group[$0] != nil }
        // A batch the server answered is never resent, even when its answer named none of its
        // debts (below: they are left out).
        let answered: Bool
        if case .acknowledged? = earlierRun.fate(of: key) { answered = true } else { answered = false }
        let mayResend = !answered && (options.retryUnknown || (startedOnly && configuration.onAmbiguous == .retry))
        if whole && mayResend {
            await dispatch(ids.compactMap { group[$0] }, index: index, idempotencyKey: key)
            return
        }
        let debts = whole ? ids.compactMap { group[$0] } : group.keys.sorted().compactMap { group[$0] }
        let batch = PushBatch(index: index, debts: debts, batchName: configuration.batchName,
                              acceptExpensiveDestination: configuration.acceptExpensiveDestination, idempotencyKey: key)
        if options.dryRun { return }
        await drain(upTo: 0)
        if answered {
            // The server answered that batch without naming these debts: resending it under its
            // key would only replay that answer, and under a new key could create them twice.
            absorb(BatchReport(batch: batch, fate: .leftOut(
                reason: "an earlier run's answer did not name this debt; never resent: check it in GetBill"), retries: 0))
        } else if startedOnly && !options.retryUnknown {
            let reason = "sent by an earlier run that ended before the answer"
            try? journal?.append(JournalFile.unknown(batch, reason: reason))
            stop.raise()
            absorb(BatchReport(batch: batch, fate: .unknown(reason: reason), retries: 0))
        } else if !whole && mayResend {
            let why = ids.isEmpty
                ? "its batch was journaled without its temp_ids (an older journal)"
                : "\(ids.count - group.count) of the \(ids.count) debts of its batch are not in this run's input"
            absorb(BatchReport(batch: batch, fate: .unknown(
                reason: "not resent: \(why), so the batch cannot be formed again under its Idempotency-Key"), retries: 0))
        } else {
            absorb(BatchReport(batch: batch, fate: .carriedUnknown, retries: 0))
        }
    }

    /// Records a debt whose `temp_id` an earlier debt of the run has: `failed`, not sent. The
    /// first few are said on stderr, and ``finish()`` says how many there were.
    private func refuseRepeated(_ tempID: String) {
        repeatedTempIDs += 1
        if repeatedTempIDs <= 3 {
            diagnostics("debt \(tempID): not sent, its temp_id repeats an earlier debt's (a temp_id is unique within a run); "
                        + "recorded failed in the results")
        }
        if options.dryRun { return }
        totals.failed += 1
        appendResults([DebtPushResult(tempID: tempID, status: .failed, errors: [
            .init(field: "temp_id", message: "not sent: this temp_id repeats an earlier debt's in the same run; give each record its own id"),
        ])], batch: nil)
    }

    /// Counts batch number `index` in `pushed.batches`, once however many parts of it are reported.
    private func countBatch(_ index: Int) {
        if countedBatches.insert(index).inserted { totals.batches += 1 }
    }

    /// Writes again the result an earlier run got for a debt it sent (`--resume`).
    private func replay(_ result: DebtPushResult, batch: Int) {
        if options.dryRun { return }
        countBatch(batch)
        switch result.status {
        case .created: totals.created += 1
        case .failed: totals.failed += 1
        case .skipped: totals.skipped += 1
        case .unknown: totals.unknown += 1
        }
        appendResults([result], batch: batch)
    }

    /// What an earlier run decided for this batch, for journals that do not tie batches to their
    /// debts (written before `started` lines carried `ids`): the batch is matched by its key.
    private func earlierFate(of batch: PushBatch) -> BatchFate? {
        guard let earlierRun, let fate = earlierRun.batchFate(of: batch.idempotencyKey) else { return nil }
        switch fate {
        case .acknowledged:
            return nil
        case .unknown:
            return options.retryUnknown ? nil : .carriedUnknown
        case .startedOnly:
            guard configuration.onAmbiguous == .stop, !options.retryUnknown else { return nil }
            try? journal?.append(JournalFile.unknown(batch, reason: "sent by an earlier run that ended before the answer"))
            stop.raise()
            return .unknown(reason: "sent by an earlier run that ended before the answer")
        case .notSent:
            return nil
        }
    }

    /// Waits for the oldest batches until at most `limit` are in flight.
    private func drain(upTo limit: Int) async {
        while inFlight.count > limit {
            let (batch, task) = inFlight.removeFirst()
            let report = await task.value
            stop.forget(batch.index)
            absorb(report)
        }
    }

    /// Accounts for one finished batch, in batch order: results, totals, and the first error
    /// that stops the run.
    private func absorb(_ report: BatchReport) {
        totals.retries += report.retries
        let batch = report.batch
        for remark in report.remarks { say(remark) }
        switch report.fate {
        case .answered(let results), .replayed(let results):
            countBatch(batch.index)
            for result in results {
                switch result.status {
                case .created: totals.created += 1
                case .failed: totals.failed += 1
                case .skipped: totals.skipped += 1
                case .unknown: totals.unknown += 1
                }
            }
            // Debts the answer left out: not resent by any later run (see `leftOutBatches`).
            if results.contains(where: { $0.status == .unknown }) { leftOutBatches.append(batch.withoutBody) }
            if case .answered = report.fate { sayWhatTheAnswerDidNotDo(results, batch: batch) }
            appendResults(results, batch: batch.index)
        case .unknown(let reason), .leftOut(let reason):
            countBatch(batch.index)
            totals.unknown += batch.count
            if case .leftOut = report.fate { leftOutBatches.append(batch.withoutBody) } else { unknownBatches.append(batch.withoutBody) }
            diagnostics("batch \(batch.index + 1) is unknown (\(reason)): Idempotency-Key \(batch.idempotencyKey); temp_ids: \(batch.tempIDList)")
            appendResults(batch.tempIDs.map { DebtPushResult(tempID: $0, status: .unknown, reason: reason) },
                               batch: batch.index)
        case .carriedUnknown:
            countBatch(batch.index)
            totals.unknown += batch.count
            unknownBatches.append(batch.withoutBody)
            let reason = "recorded unknown by an earlier run; not resent without --retry-unknown"
            diagnostics("batch \(batch.index + 1) is still unknown: Idempotency-Key \(batch.idempotencyKey); temp_ids: \(batch.tempIDList)")
            appendResults(batch.tempIDs.map { DebtPushResult(tempID: $0, status: .unknown, reason: reason) },
                               batch: batch.index)
        case .stopped(let error):
            if fatalError == nil { fatalError = error }
        case .notAttempted, .abandoned:
            break
        }
        // After the batch's own stop (a 401 or 403 says more than the journal line it could not
        // write about it).
        if let journalError = report.journalError, fatalError == nil { fatalError = journalError }
    }

    /// One stderr line for the debts an answer left out (they are `unknown`, never resent), and
    /// one for valid debts the server skipped (not imported, though the run's rules found them
    /// valid): each names the first temp_ids and how many.
    private func sayWhatTheAnswerDidNotDo(_ results: [DebtPushResult], batch: PushBatch) {
        func names(_ matching: (DebtPushResult) -> Bool) -> (count: Int, text: String) {
            let ids = results.lazy.filter(matching).map { $0.tempID ?? "(no temp_id)" }
            let count = ids.count
            let shown = Array(ids.prefix(10))
            return (count, shown.joined(separator: ", ") + (count > shown.count ? ", …" : ""))
        }
        // Debts the answer did not name (those it doubted after an earlier send have their own remark).
        let leftOut = names { $0.status == .unknown && $0.reason == BatchAnswerParser.notNamedReason }
        if leftOut.count > 0 {
            say(BatchRemark(kind: .leftOut, text: "batch \(batch.index + 1): the server's answer did not name \(leftOut.count) of its "
                            + "\(batch.count) debt(s): \(leftOut.text); they are `unknown` and never resent: check them in GetBill"))
        }
        let skipped = names { $0.status == .skipped }
        if skipped.count > 0 {
            say(BatchRemark(kind: .skipped, text: "batch \(batch.index + 1): the server skipped \(skipped.count) debt(s) the run found valid, "
                            + "so they were not imported: \(skipped.text) (the results say why)"))
        }
    }

    /// How many remarks of each kind stderr gets in one run; the next one says how many more
    /// there were at the end (``finish()``).
    static let remarksSaidPerKind = 10

    /// Says a remark on stderr, unless ``remarksSaidPerKind`` of its kind were said already.
    private func say(_ remark: BatchRemark) {
        remarksMade[remark.kind, default: 0] += 1
        if remarksMade[remark.kind, default: 0] <= Self.remarksSaidPerKind { diagnostics(remark.text) }
    }

    /// One line per kind of remark that was said only in part.
    private func sayRemarksLeftUnsaid() {
        for kind in BatchRemark.Kind.allCases {
            let made = remarksMade[kind, default: 0]
            if made > Self.remarksSaidPerKind {
                diagnostics("\(made - Self.remarksSaidPerKind) more \(kind.rawValue) were not said on stderr; the results hold every debt's fate")
            }
        }
    }

    private func throwIfStopped() throws {
        if let fatalError { throw fatalError }
    }

    private func appendResults(_ list: [DebtPushResult], batch: Int?) {
        do {
            try results?.append(list, batch: batch)
        } catch {
            stop.raise()
            if fatalError == nil { fatalError = error }
        }
    }

    private func writeDryRun(_ batch: PushBatch) {
        guard let dryRunOutput else { return }
        var writer = JSONByteWriter(capacity: batch.body.count + 128)
        writer.beginObject()
        writer.field("batch", batch.index + 1)
        writer.field("idempotency_key", batch.idempotencyKey)
        writer.field("count", batch.count)
        writer.key("body")
        writer.rawJSON(batch.body)
        writer.endObject()
        writer.newline()
        do {
            try dryRunOutput.write(writer.bytes)
        } catch {
            stop.raise()
            if fatalError == nil { fatalError = (error as? DebtflowError) ?? .sink("\(error)") }
        }
    }

    private func closeFiles() {
        guard !closed else { return }
        closed = true
        results?.close(keepingEarlier: keepEarlierResults)
        journal?.close()
        dryRunOutput?.discard()   // unless published by finish(): nothing half-written stays
    }
}

extension HTTPPushSink {
    /// `--resume` refused: the journal's answers came from another server than the one this run
    /// pushes to (a trial against the sandbox, then production with the same journal).
    static func otherTarget(path: String, journaled: String, tonight: String) -> DebtflowError {
        .usage("--resume: the journal \(path) holds the answers of the server \(journaled), and this config pushes to "
               + "\(tonight): resuming would count as pushed the debts \(journaled) answered, and send them nowhere. Resume "
               + "with the url the journal was written with, or give \(tonight) a journal of its own (or run without "
               + "--resume). If it is the same server under a new name, put that name in the journal's first line "
               + "(\"host\") to resume")
    }

    /// `--resume` refused: the journal answered the positional temp_id `tempID` for a debt other
    /// than tonight's record at that position (a new export under last night's name, resumed
    /// with last night's journal).
    /// - Parameter sentBefore: how many debts this run gave to the server (batches handed to the
    ///   sender) before it met that one: the journal says which reached it.
    static func otherInputAtPosition(path: String, tempID: String, sentBefore: Int) -> DebtflowError {
        let id = MessageExcerpt.quoted(tempID)
        let sent = sentBefore == 0
            ? "Nothing was sent. "
            : "\(sentBefore) debt(s) of tonight's other records were given to the server before this was found: the "
                + "journal and the results say which reached it; a --resume does not send those again, a run "
                + "without --resume would. "
        return .usage("--resume: the journal \(path) holds an answer for temp_id \(id) about another debt than "
                      + "tonight's record there: a record without an id of its own is known by its position, so "
                      + "tonight's input is another one under the name of one the journal's run read (a new export?), "
                      + "and resuming would count its debts as pushed without sending them. \(sent)"
                      + "If that export holds new debts only, give it a new file name (its records then get new ids) "
                      + "and run again with --resume; if it repeats debts pushed before, they cannot be told apart by "
                      + "position: give the records an id of their own (a reference column, or map.fields.temp_id). "
                      + "Keep one journal per collection run (docs/deploying.md)")
    }

    /// `--resume` refused: the journal holds a positional temp_id that tonight's inputs give
    /// another way (``HTTPSinkRunOptions/foreignIDPrefixes``).
    static func inputsChangedSinceJournal(path: String, tempID: String) -> DebtflowError {
        let id = MessageExcerpt.quoted(tempID)
        let why = "a record known by its position in inputs other than tonight's (two inputs share a file name now, "
            + "or no longer: their records without an id are known by their paths when they do; or the journal was "
            + "written by a version before 2026-11-30, which gave such inputs their file name)"
        let what = "resuming would send acknowledged debts again under new temp_ids: resume with the inputs of the "
            + "interrupted run, or with the version that wrote the journal; a run without --resume sends every debt again"
        return .usage("--resume: the journal \(path) holds the temp_id \(id), \(why); \(what)")
    }
}
