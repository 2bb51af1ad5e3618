import DebtflowCore
import Foundation

extension PipelineConfigurationDecoder {
    /// The config's `name` (or the default `pipeline` when it has none) read on its own, for a
    /// config that the full decoding rejects: the metrics of an exit 2 still carry the pipeline's
    /// label. `nil` when the file is unreadable, not a JSON object, or the name itself is invalid.
    public func pipelineName(fileAt path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        guard let value = root["name"] else { return "pipeline" }
        guard let text = value as? String,
              let name = try? EnvironmentInterpolation(environment: environment).expand(text, at: "name") else { return nil }
        return name.isEmpty ? "pipeline" : name
    }
}
