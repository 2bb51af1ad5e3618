import DebtflowCore
import DebtflowSignals
import Dispatch
import Foundation

/// `debtflow sandbox`: parses the command line, starts a ``SandboxServer``, prints
/// `listening on http://127.0.0.1:PORT` (flushed at once) as the first stdout line, serves until
/// SIGINT or SIGTERM, then stops cleanly.
public enum SandboxCommand {
    /// The `--help` text.
    public static let usage = """
        USAGE: debtflow sandbox [--port N] [--debtors PATH] [--ledger PATH] [--token T] [fault options]

        Serves GetBill's bulk import (POST /external-api/v1/debts/batch, POST /token) and
        Sportalliance's debtors (GET /v1/debt-collection/{run_id}/debtors) on 127.0.0.1.
        The first stdout line is `listening on http://127.0.0.1:PORT`. Stops on SIGINT/SIGTERM.

        OPTIONS:
          --port N              port on 127.0.0.1 (default 0: pick a free one)
          --debtors PATH        debtors to serve: {"result":[…]}, a JSON array or NDJSON; gzip or plain
                                (held in memory: about the size of the debtors' JSON)
          --ledger PATH         append every created debt here (NDJSON, fsynced before answering)
          --token T             require T as `Authorization: Bearer T` and `X-API-KEY: T`;
                                POST /token issues T
          --slice-size N        debtors per slice when the request names no sliceSize (default 10)
          --max-slice-size N    the largest sliceSize accepted (default 1000)
          --rate-limit N        allow N batch writes per hour, with X-RateLimit-* headers (default: off)
          --token-expires-in S  expires_in of issued tokens, in seconds (default 3600)

        FAULTS (one seeded draw per request; rates are probabilities 0…1 adding up to at most 1):
          --fail-rate R         answer 503, create nothing
          --throttle-rate R     answer 429 with Retry-After: 1, create nothing
          --error-rate R        create the batch's debts, then answer 500 (batch route only)
          --drop-rate R         create the batch's debts, then close the connection unanswered
                                (batch route only)
          --latency-ms N        wait N ms before every answer
          --seed S              seed of the fault draws (an integer, or any text); default: the clock

          -h, --help            show this help
        """

    /// Runs the command and returns its exit code: 0 after a clean stop or `--help`, 2 for a
    /// usage error or a server that cannot start (the message goes to stderr as `error: …`).
    ///
    /// Blocks the calling thread until SIGINT or SIGTERM; while it serves, its own `sigaction`
    /// handlers for both signals are installed, and the previous ones are put back before it returns.
    /// - Parameters:
    ///   - arguments: the arguments after `sandbox`.
    ///   - onListening: called with the port once the server listens and the signal handlers are
    ///     in place (after the `listening on …` line is flushed).
    public static func run(arguments: [String], onListening: (@Sendable (Int) -> Void)? = nil) -> Int32 {
        let configuration: SandboxConfiguration
        do {
            guard let parsed = try parse(arguments) else {
                print(usage)
                fflush(nil)  // nil flushes every stream, stdout included (Swift 6 cannot touch the `stdout` global)
                return 0
            }
            configuration = parsed
        } catch {
            reportUsageError(error)
            return ExitCode.usage.rawValue
        }

        let server = SandboxServer(configuration: configuration)
        let port: Int
        do {
            port = try server.start()
        } catch {
            reportUsageError(error)
            return ExitCode.usage.rawValue
        }
        // SIGINT or SIGTERM stops the sandbox (the one signal mechanism, ``StopSignals``).
        let stopped = DispatchSemaphore(value: 0)
        let signals = StopSignals([SIGINT, SIGTERM]) { _ in stopped.signal() }
        print("listening on http://127.0.0.1:\(port)")
        fflush(nil)  // nil flushes every stream, stdout included (Swift 6 cannot touch the `stdout` global)
        onListening?(port)

        stopped.wait()
        server.stop()
        server.waitUntilStopped()
        signals.cancel()
        FileHandle.standardError.write(Data("sandbox: stopped\n".utf8))
        return ExitCode.success.rawValue
    }

    private static func reportUsageError(_ error: any Error) {
        let message = (error as? DebtflowError)?.message ?? String(describing: error)
        FileHandle.standardError.write(Data("error: \(message)\nhint: see `debtflow sandbox --help`\n".utf8))
    }

    /// Parses the options into a configuration; `nil` when `--help` was asked for.
    /// Accepts `--name value` and `--name=value`.
    /// - Throws: ``DebtflowError`` of kind `.usage` naming the option at fault.
    public static func parse(_ arguments: [String]) throws -> SandboxConfiguration? {
        var configuration = SandboxConfiguration()
        var index = 0
        while index < arguments.count {
            var name = arguments[index]
            var inlineValue: String?
            if name.hasPrefix("--"), let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            index += 1
            func value() throws -> String {
                if let inlineValue { return inlineValue }
                guard index < arguments.count else { throw DebtflowError.usage("\(name) needs a value") }
                defer { index += 1 }
                return arguments[index]
            }
            func integer() throws -> Int {
                let text = try value()
                guard let number = Int(text), number >= 0 else {
                    throw DebtflowError.usage("\(name) expects a non-negative integer, got '\(text)'")
                }
                return number
            }
            func rate() throws -> Double {
                let text = try value()
                guard let number = Double(text), number >= 0, number <= 1 else {
                    throw DebtflowError.usage("\(name) expects a probability between 0 and 1, got '\(text)'")
                }
                return number
            }
            switch name {
            case "-h", "--help": return nil
            case "--port": configuration.port = try integer()
            case "--debtors": configuration.debtorsPath = try value()
            case "--ledger": configuration.ledgerPath = try value()
            case "--token": configuration.token = try value()
            case "--fail-rate": configuration.failRate = try rate()
            case "--error-rate": configuration.errorRate = try rate()
            case "--throttle-rate": configuration.throttleRate = try rate()
            case "--drop-rate": configuration.dropRate = try rate()
            case "--latency-ms": configuration.latencyMilliseconds = try integer()
            case "--seed":
                let text = try value()
                configuration.seed = UInt64(text) ?? IdempotencyStore.fingerprint(Array(text.utf8))
            case "--slice-size": configuration.defaultSliceSize = try integer()
            case "--max-slice-size": configuration.maxSliceSize = try integer()
            case "--rate-limit": configuration.rateLimitPerHour = try integer()
            case "--token-expires-in": configuration.tokenLifetimeSeconds = try integer()
            default:
                throw DebtflowError.usage("unknown option '\(name)' for debtflow sandbox")
            }
        }
        try configuration.validate()
        return configuration
    }
}
