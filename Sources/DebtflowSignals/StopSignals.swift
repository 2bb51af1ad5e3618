#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// One more than the highest signal number (Linux: 64).
private let signalSlots = 65

/// The write end of the self-pipe of each signal being watched, by signal number (-1 when none).
/// `nonisolated(unsafe)`: an entry is set before its handler is installed and reset after the
/// previous handler is put back; the handler only reads it and makes async-signal-safe calls.
nonisolated(unsafe) private let pipeWriteEnds: UnsafeMutablePointer<Int32> = {
    let ends = UnsafeMutablePointer<Int32>.allocate(capacity: signalSlots)
    ends.initialize(repeating: -1, count: signalSlots)
    return ends
}()

/// The `sigaction` handler: one byte into the watcher's pipe (async-signal-safe: `write` only).
private func forwardSignal(_ number: Int32) {
    guard number > 0, Int(number) < signalSlots else { return }
    let end = pipeWriteEnds[Int(number)]
    guard end >= 0 else { return }
    let savedErrno = errno
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(end, &byte, 1)
    errno = savedErrno
}

/// The process's stop signals (SIGINT, SIGTERM, SIGHUP by default) as events on a thread of their
/// own: debtflow's one signal mechanism, for a run, a check and the sandbox.
///
/// Each signal calls `onSignal` with how many have arrived so far (1 for the first), so a caller
/// can stop cleanly on the first and at once on the second. A real `sigaction` handler writes one
/// byte into a self-pipe, read by a thread that calls `onSignal` (not a dispatch signal source:
/// a signal may be delivered to any thread, and libdispatch's `signalfd` only sees it when every
/// thread blocks it). A shell starts a background job with SIGINT ignored; that inherited
/// `SIG_IGN` is replaced too, so `kill -INT` stops a background run.
///
/// One watcher per signal at a time: a second one for the same signal takes it over.
public final class StopSignals: Sendable {
    /// SIGINT, SIGTERM and SIGHUP (a closed terminal or SSH session): what stops a run (CONTRACT.md §1).
    public static let stopSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    private struct State {
        var writeEnd: Int32 = -1
        var previous: [Int32: sigaction] = [:]
    }

    private let state = Mutex(State())

    /// Installs the handlers and starts the thread that reports the signals.
    /// - Parameters:
    ///   - signals: the signals to watch.
    ///   - onSignal: called on the watcher's thread for each signal, in order, with the number of
    ///     signals received so far (1, 2, …).
    public init(_ signals: [Int32] = StopSignals.stopSignals, onSignal: @escaping @Sendable (_ count: Int) -> Void) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // The handler must never block: a full pipe drops the byte (a stop is already pending).
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        let readEnd = ends[0]
        let thread = Thread {
            var byte: UInt8 = 0
            var received = 0
            while true {
                let count = read(readEnd, &byte, 1)
                if count == 1 {
                    received += 1
                    onSignal(received)
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    break   // the write end was closed by `cancel()`
                }
            }
            close(readEnd)
        }
        thread.name = "debtflow signals"
        thread.start()
        state.withLock { state in
            state.writeEnd = ends[1]
            for number in signals where number > 0 && Int(number) < signalSlots {
                pipeWriteEnds[Int(number)] = ends[1]
                var action = sigaction()
                #if canImport(Glibc)
                action.__sigaction_handler.sa_handler = forwardSignal
                #else
                action.__sigaction_u.__sa_handler = forwardSignal
                #endif
                sigemptyset(&action.sa_mask)
                action.sa_flags = SA_RESTART
                var old = sigaction()
                sigaction(number, &action, &old)
                state.previous[number] = old
            }
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in signals { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Puts the previous handlers back and ends the watcher's thread; later signals act as they
    /// did before. Calling it again does nothing.
    public func cancel() {
        state.withLock { state in
            for (number, old) in state.previous {
                var old = old
                sigaction(number, &old, nil)
                if pipeWriteEnds[Int(number)] == state.writeEnd { pipeWriteEnds[Int(number)] = -1 }
            }
            state.previous = [:]
            if state.writeEnd >= 0 { close(state.writeEnd) }
            state.writeEnd = -1
        }
    }
}
