/// Sends each request to the route that serves it: the three emulated endpoints, 404 for
/// unknown paths, 405 (with `Allow`) for a known path with the wrong method.
struct SandboxRouter: Sendable {
    static let batchPath = "/external-api/v1/debts/batch"
    static let tokenPath = "/token"

    let batch: BatchImportEndpoint
    let token: TokenEndpoint
    let debtors: DebtorsEndpoint

    func route(_ request: HTTPRequest) -> SandboxReply {
        let path = request.path
        if path == Self.batchPath {
            guard request.method == "POST" else { return methodNotAllowed("POST") }
            return batch.handle(request)
        }
        if path == Self.tokenPath {
            guard request.method == "POST" else { return methodNotAllowed("POST") }
            return token.handle(request)
        }
        if let runID = DebtorsEndpoint.runIDText(inPath: path) {
            guard request.method == "GET" else { return methodNotAllowed("GET") }
            return debtors.handle(request, runIDText: runID)
        }
        return .respond(SandboxErrors.plain(404, "no route for \(request.method) \(path)"))
    }

    private func methodNotAllowed(_ allowed: String) -> SandboxReply {
        var response = SandboxErrors.plain(405, "use \(allowed) on this path")
        response.headers.append(("Allow", allowed))
        return .respond(response)
    }
}
