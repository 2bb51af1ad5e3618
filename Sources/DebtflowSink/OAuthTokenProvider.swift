import DebtflowCore
import DebtflowHTTP
import DebtflowJSON
import Foundation

/// Bearer tokens for the push: a static token, or OAuth2 client credentials fetched from
/// `token_url` and cached until shortly before they expire (CONTRACT.md §5).
///
/// Concurrent callers share one fetch. ``refresh(rejected:)`` fetches a new token only when the
/// rejected one is still the current one, so two batches refused at once cause one fetch.
actor OAuthTokenProvider {
    private let authentication: HTTPSinkConfiguration.Authentication
    private let client: HTTPClient
    private let backoff: RetryBackoff
    private let maxRetries: Int
    private var cached: (token: String, validUntil: Date)?
    private var fetching: Task<Result<(String, Date), DebtflowError>, Never>?
    /// How many tokens were fetched (for tests and the log).
    private(set) var fetchCount = 0

    init(authentication: HTTPSinkConfiguration.Authentication, client: HTTPClient, backoff: RetryBackoff, maxRetries: Int) {
        self.authentication = authentication
        self.client = client
        self.backoff = backoff
        self.maxRetries = maxRetries
    }

    /// True when a refused token can be replaced by a fresh one.
    var canRefresh: Bool {
        if case .clientCredentials = authentication { return true }
        return false
    }

    /// The token to send now.
    /// - Throws: ``DebtflowError`` `.sink` when the token endpoint refuses or stays unreachable.
    func token() async throws(DebtflowError) -> String {
        if case .bearer(let token) = authentication { return token }
        if let cached, cached.validUntil > Date() { return cached.token }
        return try await fetch()
    }

    /// A new token after `rejected` was refused with a 401.
    func refresh(rejected: String) async throws(DebtflowError) -> String {
        if case .bearer(let token) = authentication { return token }
        if let cached, cached.token != rejected, cached.validUntil > Date() { return cached.token }
        cached = nil
        return try await fetch()
    }

    private func fetch() async throws(DebtflowError) -> String {
        let task: Task<Result<(String, Date), DebtflowError>, Never>
        if let fetching {
            task = fetching
        } else {
            fetchCount += 1
            let (client, authentication, backoff, maxRetries) = (client, authentication, backoff, maxRetries)
            task = Task {
                do throws(DebtflowError) {
                    return .success(try await Self.requestToken(authentication, client: client, backoff: backoff,
                                                                maxRetries: maxRetries))
                } catch {
                    return .failure(error)
                }
            }
            fetching = task
        }
        // A cancelled waiter (the run is interrupted) cancels the fetch: its request ends at once.
        let result = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        fetching = nil
        let (token, validUntil) = try result.get()
        cached = (token, validUntil)
        return token
    }

    /// POSTs `grant_type=client_credentials&client_id=…&client_secret=…&scope=…` and reads
    /// `{access_token, token_type, expires_in}`. Retries unsent requests and 5xx with backoff.
    private static func requestToken(_ authentication: HTTPSinkConfiguration.Authentication, client: HTTPClient,
                                     backoff: RetryBackoff, maxRetries: Int) async throws(DebtflowError) -> (String, Date) {
        guard case .clientCredentials(let tokenURLText, let clientID, let clientSecret, let scope) = authentication else {
            throw .sink("no OAuth2 settings")
        }
        let tokenURL = try HTTPURLPolicy.validate(tokenURLText)
        let shownURL = Redaction.url(tokenURLText)
        var form = "grant_type=client_credentials&client_id=\(formEncode(clientID))&client_secret=\(formEncode(clientSecret))"
        if let scope, !scope.isEmpty { form += "&scope=\(formEncode(scope))" }
        let request = HTTPRequest(method: "POST", url: tokenURL, headers: [
            ("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json"),
        ], body: Array(form.utf8))
        let secrets = [clientSecret] + Redaction.urlPasswords(tokenURLText)
        var attempt = 0
        while true {
            let problem: String
            do {
                let response = try await client.send(request)
                if response.isRedirect {
                    throw DebtflowError.sink("the token endpoint \(shownURL) answered with an \(response.redirectDescription); "
                                             + "the client secret was not sent there. Set `token_url` to the endpoint itself")
                }
                if response.isSuccess {
                    guard let root = try? JSONDocument.parse(response.body, name: "the token answer",
                                                            selecting: .members(["access_token": .bounded(1), "expires_in": .bounded(1)])),
                          let object = root.objectValue,
                          let token = object["access_token"]?.scalarText, !token.isEmpty else {
                        throw DebtflowError.sink("the token endpoint \(shownURL) answered without an access_token")
                    }
                    let lifetime = object["expires_in"]?.scalarText.flatMap(Double.init) ?? 3600
                    let margin = min(60, lifetime / 10)
                    return (token, Date().addingTimeInterval(max(0, lifetime - margin)))
                }
                if response.status < 500 && response.status != 429 {
                    let detail = response.bodyText(limit: 300, scrubbing: secrets)
                    throw DebtflowError.sink(
                        "the token endpoint \(shownURL) refused the client credentials (HTTP \(response.status)); check client_id, client_secret and scope",
                        cause: detail.isEmpty ? nil : detail)
                }
                problem = "HTTP \(response.status)"
            } catch let error as HTTPClientError {
                if error.isCancelled { throw DebtflowError.interrupted }
                problem = error.message
            } catch let error as DebtflowError {
                throw error
            } catch {
                problem = "\(error)"
            }
            attempt += 1
            if attempt > maxRetries {
                throw .sink("the token endpoint \(shownURL) stayed unreachable after \(maxRetries) retries",
                            cause: Redaction.scrub(problem, secrets: secrets))
            }
            await RetryBackoff.sleep(seconds: backoff.delay(forRetry: attempt))
            if Task.isCancelled { throw DebtflowError.interrupted }
        }
    }

    /// `application/x-www-form-urlencoded` escaping.
    static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
