import Foundation

extension Process {
    /// Waits up to `seconds` for the process to exit by itself; if it has not, kills it
    /// (SIGKILL). Either way the process is reaped before this returns.
    /// - Returns: `true` when it exited by itself within the time, `false` when it had to be killed.
    @discardableResult
    public func waitForExit(within seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning && Date() < deadline { usleep(10_000) }
        let exitedByItself = !isRunning
        if !exitedByItself { kill(processIdentifier, SIGKILL) }
        waitUntilExit()
        return exitedByItself
    }
}
