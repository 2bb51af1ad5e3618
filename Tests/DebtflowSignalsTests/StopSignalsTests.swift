import DebtflowSignals
import Foundation
import Synchronization
import Testing

/// The one signal mechanism (issue 9 item 6): the CLI's run and check and the sandbox all stop on
/// ``StopSignals``. SIGUSR1/SIGUSR2 stand in for the stop signals, so the test runner keeps its own.
@Suite("StopSignals", .serialized)
struct StopSignalsTests {
    /// The counts `onSignal` was called with, in order.
    final class Calls: Sendable {
        private let counts = Mutex<[Int]>([])
        func record(_ count: Int) { counts.withLock { $0.append(count) } }
        var values: [Int] { counts.withLock { $0 } }
    }

    /// Waits (up to 10 s, a guard against a hang, not a speed bound) until `condition` holds.
    private func eventually(_ condition: () -> Bool) -> Bool {
        for _ in 0..<1000 {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }

    @Test("each signal is reported on the watcher's thread with how many have arrived (1, then 2)")
    func counts() {
        let calls = Calls()
        let signals = StopSignals([SIGUSR1]) { calls.record($0) }
        defer { signals.cancel() }
        raise(SIGUSR1)
        #expect(eventually { calls.values == [1] })
        raise(SIGUSR1)
        #expect(eventually { calls.values == [1, 2] })
    }

    @Test("an inherited SIG_IGN (a background job's SIGINT) is replaced while watching, and put back by cancel")
    func replacesAndRestoresIgnore() {
        signal(SIGUSR2, SIG_IGN)
        defer { signal(SIGUSR2, SIG_DFL) }
        let calls = Calls()
        let signals = StopSignals([SIGUSR2]) { calls.record($0) }
        raise(SIGUSR2)
        #expect(eventually { calls.values == [1] })
        signals.cancel()
        var current = sigaction()
        sigaction(SIGUSR2, nil, &current)
        #expect(unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self))
        // Ignored again: nothing is reported, and the process goes on.
        raise(SIGUSR2)
        usleep(50_000)
        #expect(calls.values == [1])
        signals.cancel()   // a second cancel does nothing
    }
}
