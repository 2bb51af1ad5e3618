import DebtflowCore
import DebtflowJSON
import Foundation

/// `POST /token`: OAuth2 client credentials, as GetBill's token endpoint.
///
/// Takes a form (`grant_type=client_credentials&client_id=…&client_secret=…&scope=…`; a JSON
/// object or HTTP Basic credentials work too) and answers
/// `{"access_token","token_type":"Bearer","expires_in","scope"?}`. Any client id and secret are
/// accepted; the token issued is `--token` when one is set (so the batch route accepts it), else
/// a fresh random one (the batch route then requires none). A `grant_type` other than
/// `client_credentials` gets OAuth2's 400 `unsupported_grant_type`.
struct TokenEndpoint: Sendable {
    let configuration: SandboxConfiguration

    func handle(_ request: HTTPRequest) -> SandboxReply {
        var form: [String: String] = [:]
        let text = String(decoding: request.body, as: UTF8.self)
        if text.trimmingSpaces().hasPrefix("{") {
            if case .object(let object)? = try? JSONDocument.parse(request.body, name: "the token request", limits: SandboxJSON.limits) {
                for entry in object.entries { if let value = entry.value.scalarText { form[entry.key] = value } }
            }
        } else {
            form = HTTPRequest.parseForm(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            return .respond(oauthError("invalid_request", "grant_type is required"))
        }
        guard grantType == "client_credentials" else {
            return .respond(oauthError("unsupported_grant_type", "only client_credentials is supported"))
        }
        let hasBasic = request.header("authorization")?.lowercased().hasPrefix("basic ") ?? false
        guard hasBasic || !(form["client_id"] ?? "").isEmpty else {
            return .respond(oauthError("invalid_client", "client_id is required"))
        }
        let token = configuration.token ?? "sandbox-" + UUID().uuidString.lowercased()
        var writer = JSONByteWriter(capacity: 256)
        writer.beginObject()
        writer.field("access_token", token)
        writer.field("token_type", "Bearer")
        writer.field("expires_in", configuration.tokenLifetimeSeconds)
        if let scope = form["scope"], !scope.isEmpty { writer.field("scope", scope) }
        writer.endObject()
        return .respond(.json(200, writer.bytes, headers: [("Cache-Control", "no-store")]))
    }

    private func oauthError(_ code: String, _ description: String) -> HTTPResponse {
        var writer = JSONByteWriter(capacity: 128)
        writer.beginObject()
        writer.field("error", code)
        writer.field("error_description", description)
        writer.endObject()
        return .json(code == "invalid_client" ? 401 : 400, writer.bytes, headers: [("Cache-Control", "no-store")])
    }
}
