import DebtflowCore
import Foundation
import Synchronization

/// Counts what the reader has done, for the live progress line (`--progress`).
///
/// The reader task updates the counters; a timer on its own queue draws one line on stderr:
/// records read, records/s, % of input bytes consumed, elapsed.
public final class RunProgress: Sendable {
    public let recordsRead = Atomic<Int>(0)
    public let bytesConsumed = Atomic<Int64>(0)
    public let totalBytes = Atomic<Int64>(-1)
    private let start = ContinuousClock.now
    /// The drawing task; guarded by the `Mutex`.
    private let drawing = Mutex<Task<Void, Never>?>(nil)

    public init() {}

    public var elapsedSeconds: Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// Starts drawing every `interval` seconds through `log`.
    public func startDrawing(to log: OperatorLog, interval: Double = 0.25) {
        let task = Task.detached { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                if Task.isCancelled { break }
                log.drawProgress(line())
            }
        }
        drawing.withLock { $0 = task }
    }

    public func stopDrawing(log: OperatorLog) {
        drawing.withLock { task in
            task?.cancel()
            task = nil
        }
        log.clearProgress()
    }

    /// `read 120,000 records · 95,000 rec/s · 43% · 1.3 s`.
    public func line() -> String {
        let records = recordsRead.load(ordering: .relaxed)
        let seconds = max(elapsedSeconds, 0.001)
        var parts = ["read \(records) records", "\(Int(Double(records) / seconds)) rec/s"]
        let total = totalBytes.load(ordering: .relaxed)
        if total > 0 {
            let percent = min(100, Int(Double(bytesConsumed.load(ordering: .relaxed)) * 100 / Double(total)))
            parts.append("\(percent)%")
        }
        parts.append(String(format: "%.1f s", seconds))
        return parts.joined(separator: " · ")
    }
}
