import Foundation

/// Reads a Prometheus text-format file with a real parser — `prometheus_client`'s
/// (`text_string_to_metric_families`, Debian's `python3-prometheus-client`, installed by
/// `Scripts/ensure-system-packages.sh`) — so tests check what a scraper would see, not what
/// debtflow meant to write. Where `promtool` (Debian's `prometheus`) is installed, its stricter
/// `promtool check metrics` (syntax and naming lint) must pass too.
public struct PrometheusMetricsFile: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// Family name → (`type`, `help`).
    public var families: [String: (type: String, help: String)]
    public var samples: [Sample]

    /// The value of the one sample `name` with exactly `labels`, or nil.
    public func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Parses `url`.
    /// - Throws: when Python or `prometheus_client` is missing, or when the parser rejects the file
    ///   (the error holds the parser's message).
    public static func parse(_ url: URL) throws -> PrometheusMetricsFile {
        let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        text = open(sys.argv[1], encoding="utf-8").read()
        families = {}
        samples = []
        for family in text_string_to_metric_families(text):
            families[family.name] = {"type": family.type, "help": family.documentation}
            for sample in family.samples:
                samples.append({"name": sample.name, "labels": sample.labels, "value": sample.value})
        print(json.dumps({"families": families, "samples": samples}))
        """
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "/usr/local/bin/python3"
        let result = try TestSupport.run(URL(fileURLWithPath: python), ["-c", script, url.path], timeout: 30)
        guard result.status == 0,
              let object = try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any],
              let families = object["families"] as? [String: [String: String]],
              let samples = object["samples"] as? [[String: Any]] else {
            throw PrometheusParseError(message: "prometheus_client could not parse \(url.path) (run Scripts/ensure-system-packages.sh "
                                       + "for python3-prometheus-client): \(result.stderrText)")
        }
        let promtool = URL(fileURLWithPath: "/usr/bin/promtool")
        if FileManager.default.isExecutableFile(atPath: promtool.path) {
            let lint = try TestSupport.run(promtool, ["check", "metrics"], stdin: try Data(contentsOf: url), timeout: 30)
            guard lint.status == 0 else {
                throw PrometheusParseError(message: "promtool check metrics rejects \(url.path): \(lint.stdoutText)\(lint.stderrText)")
            }
        }
        return PrometheusMetricsFile(
            families: families.mapValues { (type: $0["type"] ?? "", help: $0["help"] ?? "") },
            samples: samples.map { sample in
                Sample(name: sample["name"] as? String ?? "", labels: sample["labels"] as? [String: String] ?? [:],
                       value: (sample["value"] as? NSNumber)?.doubleValue ?? .nan)
            })
    }
}

/// The parser rejected a metrics file, or could not run.
public struct PrometheusParseError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
