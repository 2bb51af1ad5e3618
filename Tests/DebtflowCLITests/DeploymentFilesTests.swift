import DebtflowTestSupport
import Foundation
import Testing

/// Issue 11 item 5: the files under deploy/ are tried as far as this machine allows — the systemd
/// units pass `systemd-analyze verify` (where systemd is installed), the Kubernetes manifests parse
/// as YAML with the fields an operator relies on, the pipelines they embed parse as JSON, and the
/// crontab line takes its lock with `flock -n`.
@Suite("Deployment files")
struct DeploymentFilesTests {
    private let deploy = TestSupport.packageRoot.appendingPathComponent("deploy")
    private let python = URL(fileURLWithPath: "/usr/bin/python3")

    /// Every YAML document of `file`, as JSON objects (parsed by PyYAML's safe loader).
    private func yamlDocuments(_ file: URL) throws -> [[String: Any]] {
        let script = "import json, sys, yaml; print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))"
        let result = try TestSupport.run(python, ["-c", script, file.path], timeout: 30)
        #expect(result.status == 0, "\(file.lastPathComponent) does not parse as YAML: \(result.stderrText)")
        return try JSONSerialization.jsonObject(with: result.stdout) as? [[String: Any]] ?? []
    }

    /// The value at a dotted path (`spec.template.spec`) of nested dictionaries.
    private func value(_ object: Any?, _ path: String) -> Any? {
        path.split(separator: ".").reduce(object) { ($0 as? [String: Any])?[String($1)] }
    }

    /// The pod spec of a Job or CronJob.
    private func podSpec(_ document: [String: Any]) -> [String: Any]? {
        let kind = document["kind"] as? String
        return value(document, kind == "CronJob" ? "spec.jobTemplate.spec.template.spec" : "spec.template.spec") as? [String: Any]
    }

    private func mebibytes(_ quantity: String) -> Int? {
        if quantity.hasSuffix("Mi") { return Int(quantity.dropLast(2)) }
        if quantity.hasSuffix("Gi") { return Int(quantity.dropLast(2)).map { $0 * 1024 } }
        return nil
    }

    @Test("the Kubernetes manifests parse, request memory above the benchmarked peak, run non-root, and embed configs that parse",
          arguments: ["cronjob.yaml", "backfill-indexed-job.yaml"])
    func kubernetesManifest(name: String) throws {
        let documents = try yamlDocuments(deploy.appendingPathComponent("kubernetes/\(name)"))
        #expect(documents.count == 2)
        let workload = try #require(documents.first { ["CronJob", "Job"].contains($0["kind"] as? String) })
        #expect(workload["apiVersion"] as? String == "batch/v1")
        let pod = try #require(podSpec(workload))
        #expect(pod["restartPolicy"] as? String == "Never")
        #expect(value(pod, "securityContext.runAsNonRoot") as? Bool == true)
        let containers = try #require(pod["containers"] as? [[String: Any]])
        for container in containers {
            let request = try #require(value(container, "resources.requests.memory") as? String)
            let limit = try #require(value(container, "resources.limits.memory") as? String)
            // BENCHMARKS.md: peak RSS 39-60 MB on every workload, flat with the input size.
            #expect((mebibytes(request) ?? 0) >= 60 && (mebibytes(request) ?? 0) <= 128, "request \(request)")
            #expect((mebibytes(limit) ?? 0) >= (mebibytes(request) ?? .max))
            #expect(value(container, "securityContext.readOnlyRootFilesystem") as? Bool == true)
            let arguments = container["args"] as? [String] ?? []
            #expect(arguments.first == "run")
            #expect(arguments.contains { $0.hasPrefix("--metrics") })
        }
        let configMap = try #require(documents.first { $0["kind"] as? String == "ConfigMap" })
        for (key, text) in try #require(configMap["data"] as? [String: String]) {
            let config = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            #expect(config?["version"] as? Int == 1, "\(key)")
        }
    }

    @Test("the CronJob never runs two nights at once")
    func cronJobConcurrency() throws {
        let documents = try yamlDocuments(deploy.appendingPathComponent("kubernetes/cronjob.yaml"))
        let cronJob = try #require(documents.first { $0["kind"] as? String == "CronJob" })
        #expect(value(cronJob, "spec.concurrencyPolicy") as? String == "Forbid")
        #expect((value(cronJob, "spec.schedule") as? String)?.split(separator: " ").count == 5)
    }

    @Test("the backfill is an Indexed Job whose --shard divisor is its number of completions")
    func indexedJob() throws {
        let documents = try yamlDocuments(deploy.appendingPathComponent("kubernetes/backfill-indexed-job.yaml"))
        let job = try #require(documents.first { $0["kind"] as? String == "Job" })
        #expect(value(job, "spec.completionMode") as? String == "Indexed")
        let completions = try #require(value(job, "spec.completions") as? Int)
        let container = try #require((podSpec(job)?["containers"] as? [[String: Any]])?.first)
        let arguments = container["args"] as? [String] ?? []
        #expect(arguments.contains("--shard=$(JOB_COMPLETION_INDEX)/\(completions)"), "\(arguments)")
        let perShard = arguments.filter { $0.hasPrefix("--summary") || $0.hasPrefix("--metrics") }
        #expect(perShard.count == 2 && perShard.allSatisfy { $0.contains("$(JOB_COMPLETION_INDEX)") }, "each shard writes its own files")
        let configMap = try #require(documents.first { $0["kind"] as? String == "ConfigMap" })
        let config = try #require((configMap["data"] as? [String: String])?.values.first)
        #expect(config.contains("journal-${JOB_COMPLETION_INDEX}") && config.contains("results-${JOB_COMPLETION_INDEX}"),
                "each shard needs its own journal and results")
    }

    @Test("the systemd unit never kills debtflow for a filtered system call, and starts on a host without the optional folders")
    func systemdUnitStarts() throws {
        let unit = try String(contentsOf: deploy.appendingPathComponent("systemd/debtflow.service"), encoding: .utf8)
        let lines = unit.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        // Swift's thread pool calls setpriority (in @resources) on start: a killing filter ended
        // every run with status=31/SYS; refused with an error number, it carries on.
        if lines.contains(where: { $0.hasPrefix("SystemCallFilter=") }) {
            #expect(lines.contains("SystemCallErrorNumber=EPERM"), "a filtered call must fail, not kill")
        }
        for paths in lines where paths.hasPrefix("ReadOnlyPaths=") {
            for path in paths.dropFirst("ReadOnlyPaths=".count).split(separator: " ") {
                #expect(path.hasPrefix("-"), "\(path): a missing folder must not stop the unit")
            }
        }
    }

    @Test("the backfill does not retry an index that finished with rejects (exit 1) or a config error (exit 2)")
    func backfillFailurePolicy() throws {
        let documents = try yamlDocuments(deploy.appendingPathComponent("kubernetes/backfill-indexed-job.yaml"))
        let job = try #require(documents.first { $0["kind"] as? String == "Job" })
        let rules = value(job, "spec.podFailurePolicy.rules") as? [[String: Any]] ?? []
        let failIndex = rules.first { $0["action"] as? String == "FailIndex" }
        let codes = value(failIndex, "onExitCodes.values") as? [Int] ?? []
        #expect(codes.contains(1) && codes.contains(2), "\(rules)")
        #expect(value(job, "spec.template.spec.restartPolicy") as? String == "Never")
    }

    @Test("the crontab line runs as a user, under flock -n, with the metrics file, and is valid sh")
    func crontab() throws {
        let text = try String(contentsOf: deploy.appendingPathComponent("cron/debtflow.cron"), encoding: .utf8)
        // Entries start with the minute field (or @daily and the like); the rest are comments and variables.
        let entries = text.split(separator: "\n").filter { $0.first.map { $0.isNumber || $0 == "*" || $0 == "@" } ?? false }
        #expect(entries.count == 1, "\(entries)")
        let fields = try #require(entries.first).split(separator: " ", maxSplits: 6).map(String.init)
        #expect(fields.count == 7)
        #expect(fields[5] == "debtflow", "the user field of /etc/cron.d")
        let command = fields[6]
        #expect(command.hasPrefix("flock -n "))
        #expect(command.contains("--metrics ") && command.contains("--resume"))
        #expect(!command.contains("%"), "cron turns % into a line break")
        let syntax = try TestSupport.run(URL(fileURLWithPath: "/bin/sh"), ["-n", "-c", command], timeout: 10)
        #expect(syntax.status == 0, "\(syntax.stderrText)")
    }

    @Test("the systemd service and timer pass systemd-analyze verify without a warning",
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze")))
    func systemdUnits() throws {
        let folder = try TestSupport.makeTemporaryDirectory("debtflow-units")
        var service = try String(contentsOf: deploy.appendingPathComponent("systemd/debtflow.service"), encoding: .utf8)
        let timer = try String(contentsOf: deploy.appendingPathComponent("systemd/debtflow.timer"), encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/local/bin/debtflow run "))
        // verify checks that ExecStart's program exists: point it at the binary under test.
        service = service.replacingOccurrences(of: "/usr/local/bin/debtflow", with: TestSupport.debtflowBinary.path)
        try Data(service.utf8).write(to: folder.appendingPathComponent("debtflow.service"))
        try Data(timer.utf8).write(to: folder.appendingPathComponent("debtflow.timer"))
        let result = try TestSupport.run(URL(fileURLWithPath: "/usr/bin/systemd-analyze"),
                                         ["verify", "--man=no", folder.appendingPathComponent("debtflow.service").path,
                                          folder.appendingPathComponent("debtflow.timer").path], timeout: 60)
        let complaints = (result.stdoutText + result.stderrText).split(separator: "\n").filter { $0.contains("debtflow") }
        #expect(result.status == 0 && complaints.isEmpty, "\(result.stdoutText)\(result.stderrText)")
        for setting in ["ProtectSystem=strict", "ReadWritePaths=", "EnvironmentFile=", "--metrics "] {
            #expect(service.contains(setting), "\(setting)")
        }
        #expect(timer.contains("Persistent=true"))
    }
}
