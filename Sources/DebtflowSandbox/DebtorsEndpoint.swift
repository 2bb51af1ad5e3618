import DebtflowCore
import Synchronization

/// `GET /v1/debt-collection/{run_id}/debtors?offset=&sliceSize=`: Sportalliance's paged debtors.
///
/// `X-API-KEY` must equal `--token` when one is set (401 otherwise). `run_id` must be a positive
/// integer, `offset` an offset this server handed out (empty or absent: the start), `sliceSize`
/// 1…the configured maximum (absent: the default); anything else is 400. Every run id serves the
/// same `--debtors`. The answer is `{"result":[…],"hasNext":bool,"offset":"…"}`; `offset` is
/// the opaque string to send back for the next slice. Errors carry
/// `{"errorMessage","errorCode","traceId"}`. The fail and throttle faults apply (503, 429 with
/// `Retry-After: 1`); the error and drop faults are for the batch route only.
final class DebtorsEndpoint: Sendable {
    static let pathPrefix = "/v1/debt-collection/"
    static let pathSuffix = "/debtors"

    private let configuration: SandboxConfiguration
    private let faults: FaultInjector
    private let catalog: DebtorCatalog
    private let traceCounter = Atomic<Int>(0)

    init(configuration: SandboxConfiguration, faults: FaultInjector, catalog: DebtorCatalog) {
        self.configuration = configuration
        self.faults = faults
        self.catalog = catalog
    }

    /// The run id part of a debtors path, or `nil` when the path is not the debtors route.
    static func runIDText(inPath path: String) -> String? {
        guard path.hasPrefix(pathPrefix), path.hasSuffix(pathSuffix),
              path.count > pathPrefix.count + pathSuffix.count else { return nil }
        let runID = path.dropFirst(pathPrefix.count).dropLast(pathSuffix.count)
        return runID.contains("/") ? nil : String(runID)
    }

    func handle(_ request: HTTPRequest, runIDText: String) -> SandboxReply {
        if let token = configuration.token {
            guard let key = request.header("x-api-key"), key == token else {
                return .respond(error(401, "UNAUTHORIZED", "Authentication failed. No api-key, wrong api-key or wrong header name."))
            }
        }
        switch faults.draw() {
        case .fail:
            return .respond(error(503, "SERVICE_UNAVAILABLE", "Service unavailable (injected fault)"))
        case .throttle:
            return .respond(error(429, "TOO_MANY_REQUESTS", "Too many requests (injected fault)", headers: [("Retry-After", "1")]))
        case .none, .error, .drop:
            break
        }
        guard !runIDText.isEmpty, runIDText.utf8.count <= 18, runIDText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let runID = Int64(runIDText), runID > 0 else {
            return .respond(error(400, "VALIDATION_ERROR", "debtCollectionRunId must be a positive integer"))
        }
        var start = 0
        if let offsetText = request.query["offset"], !offsetText.isEmpty {
            guard offsetText.utf8.count <= 18, offsetText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let offset = Int(offsetText), offset <= catalog.count else {
                return .respond(error(400, "VALIDATION_ERROR", "offset is not an offset this API handed out"))
            }
            start = offset
        }
        var sliceSize = configuration.defaultSliceSize
        if let sliceText = request.query["sliceSize"], !sliceText.isEmpty {
            guard let size = Int(sliceText), (1...configuration.maxSliceSize).contains(size) else {
                return .respond(error(400, "VALIDATION_ERROR", "sliceSize must be between 1 and \(configuration.maxSliceSize)"))
            }
            sliceSize = size
        }
        let slice = catalog.slice(from: start, count: sliceSize)
        let next = slice.upperBound
        var body: [UInt8] = Array(#"{"result":["#.utf8)
        catalog.appendJoinedTexts(slice, to: &body)
        body.append(contentsOf: Array(#"],"hasNext":\#(next < catalog.count),"offset":"\#(next)"}"#.utf8))
        return .respond(.json(200, body))
    }

    private func error(_ status: Int, _ code: String, _ message: String,
                       headers: [(name: String, value: String)] = []) -> HTTPResponse {
        let trace = traceCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let traceID = "sandbox-" + String(trace, radix: 16)
        return SandboxErrors.sportalliance(status, code: code, message: message, traceID: traceID, headers: headers)
    }
}
