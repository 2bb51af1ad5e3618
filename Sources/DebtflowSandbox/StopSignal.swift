#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write end of the self-pipe the SIGINT/SIGTERM handler writes to (-1 when none).
/// `nonisolated(unsafe)`: set once before the handlers are installed and only read afterwards;
/// the handler may only make async-signal-safe calls (`write`).
nonisolated(unsafe) private var stopSignalPipeWriteEnd: Int32 = -1

/// Waits for SIGINT or SIGTERM with a real `sigaction` handler and a self-pipe.
///
/// A handler (not a dispatch signal source) because the signal may be delivered to any thread:
/// libdispatch's `signalfd` only sees it when every thread blocks it, and a shell starts a
/// background job with SIGINT ignored, so an inherited `SIG_IGN` must be replaced too.
final class StopSignal {
    private var pipeEnds: [Int32] = [-1, -1]
    private var previous: [Int32: sigaction] = [:]
    private static let signals = [SIGINT, SIGTERM]

    /// Installs the handlers.
    init() {
        guard pipe(&pipeEnds) == 0 else { return }
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        stopSignalPipeWriteEnd = pipeEnds[1]
        for number in Self.signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                var byte: UInt8 = 1
                _ = write(stopSignalPipeWriteEnd, &byte, 1)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = SA_RESTART
            var old = sigaction()
            sigaction(number, &action, &old)
            previous[number] = old
        }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for number in Self.signals { sigaddset(&unblock, number) }
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Blocks until SIGINT or SIGTERM arrives.
    func wait() {
        guard pipeEnds[0] >= 0 else {
            while true { pause() }
        }
        var byte: UInt8 = 0
        while true {
            let count = read(pipeEnds[0], &byte, 1)
            if count > 0 { return }
            if count < 0 && errno == EINTR { continue }
            return
        }
    }

    /// Puts the previous handlers back and closes the pipe.
    func restore() {
        for (number, old) in previous {
            var old = old
            sigaction(number, &old, nil)
        }
        previous = [:]
        stopSignalPipeWriteEnd = -1
        for end in pipeEnds where end >= 0 { close(end) }
        pipeEnds = [-1, -1]
    }
}
