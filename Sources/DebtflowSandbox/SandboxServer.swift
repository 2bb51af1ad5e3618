import DebtflowCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The sandbox: an HTTP/1.1 server on 127.0.0.1 that emulates GetBill's bulk import and token
/// endpoints and Sportalliance's paged debtors, with fault injection (CONTRACT.md §5).
///
/// One thread accepts connections; each connection is served by a thread of its own, so
/// connections are concurrent; requests on one connection are answered in order (keep-alive,
/// pipelining tolerated). ``stop()`` closes the listener and every connection; ``waitUntilStopped()``
/// returns once every thread has finished.
///
/// `@unchecked Sendable`: every mutable property is read and written only while holding `lock`.
public final class SandboxServer: @unchecked Sendable {
    public let configuration: SandboxConfiguration

    private let lock = NSCondition()
    private var listener: Int32 = -1
    private var openConnections: Set<Int32> = []
    private var activeConnectionThreads = 0
    private var acceptLoopRunning = false
    private var isStopped = false
    private var hasStarted = false
    private var boundPort: Int?
    private var router: SandboxRouter?

    /// - Parameter configuration: what to serve and which faults to inject; checked by ``start()``.
    public init(configuration: SandboxConfiguration) {
        self.configuration = configuration
    }

    /// The port listened on, once started.
    public var port: Int? {
        lock.lock(); defer { lock.unlock() }
        return boundPort
    }

    /// Loads the debtors, opens the ledger, binds 127.0.0.1 and starts accepting connections.
    /// - Returns: the port listened on (the one picked when the configuration says 0).
    /// - Throws: ``DebtflowError`` of kind `.usage` for a bad configuration, an unreadable
    ///   debtors file, a ledger that cannot be opened, or a port that cannot be bound.
    public func start() throws -> Int {
        try configuration.validate()
        lock.lock()
        let already = hasStarted
        hasStarted = true
        lock.unlock()
        guard !already else { throw DebtflowError.usage("the sandbox server was already started") }

        let catalog = try configuration.debtorsPath.map(DebtorCatalog.load(path:)) ?? DebtorCatalog()
        let ledger = try configuration.ledgerPath.map(DebtLedger.init(path:))
        let seed = configuration.seed ?? UInt64(truncatingIfNeeded: DispatchTime.now().uptimeNanoseconds)
        let faults = FaultInjector(configuration: configuration, seed: seed)
        let rateLimiter = configuration.rateLimitPerHour.map { RateLimiter(limitPerHour: $0) }
        let router = SandboxRouter(
            batch: BatchImportEndpoint(configuration: configuration, faults: faults, ledger: ledger, rateLimiter: rateLimiter),
            token: TokenEndpoint(configuration: configuration),
            debtors: DebtorsEndpoint(configuration: configuration, faults: faults, catalog: catalog))

        let (descriptor, port) = try Self.listen(port: configuration.port)
        lock.lock()
        self.router = router
        listener = descriptor
        boundPort = port
        acceptLoopRunning = true
        let stoppedEarly = isStopped
        lock.unlock()
        if stoppedEarly {
            finishAcceptLoop()
            return port
        }
        let thread = Thread { [self] in acceptLoop(descriptor) }
        thread.name = "sandbox-accept"
        thread.start()
        return port
    }

    /// Stops serving: closes the listener, shuts every open connection down, and wakes requests
    /// waiting out `--latency-ms`. Safe to call more than once and from any thread (a signal
    /// handler's queue included).
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !isStopped else { return }
        isStopped = true
        if listener >= 0 { shutdown(listener, Int32(SHUT_RDWR)) }
        for connection in openConnections { shutdown(connection, Int32(SHUT_RDWR)) }
        lock.broadcast()
    }

    /// Blocks until ``stop()`` was called and every connection thread has finished.
    public func waitUntilStopped() {
        lock.lock()
        defer { lock.unlock() }
        while !(isStopped && !acceptLoopRunning && activeConnectionThreads == 0) {
            lock.wait()
        }
    }

    // MARK: - Listening

    private static func listen(port: Int) throws -> (Int32, Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw systemError("cannot create a socket") }
        var yes: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let error = systemError("cannot listen on 127.0.0.1:\(port)")
            close(descriptor)
            throw error
        }
        guard Glibc.listen(descriptor, 128) == 0 else {
            let error = systemError("cannot listen on 127.0.0.1:\(port)")
            close(descriptor)
            throw error
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: actual.sin_port)))
    }

    private static func systemError(_ message: String) -> DebtflowError {
        DebtflowError.usage("\(message): \(String(cString: strerror(errno)))")
    }

    // MARK: - Accepting

    private func acceptLoop(_ descriptor: Int32) {
        while true {
            let connection = accept(descriptor, nil, nil)
            if connection < 0 {
                let code = errno
                lock.lock()
                let stopping = isStopped
                lock.unlock()
                if stopping { break }
                if code == EINTR || code == ECONNABORTED || code == EPROTO { continue }
                if code == EMFILE || code == ENFILE || code == ENOBUFS || code == ENOMEM {
                    usleep(10_000)
                    continue
                }
                break
            }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            lock.lock()
            if isStopped {
                lock.unlock()
                close(connection)
                break
            }
            openConnections.insert(connection)
            activeConnectionThreads += 1
            lock.unlock()
            let thread = Thread { [self] in serve(connection) }
            thread.name = "sandbox-connection"
            thread.start()
        }
        finishAcceptLoop()
    }

    private func finishAcceptLoop() {
        lock.lock()
        if listener >= 0 {
            close(listener)
            listener = -1
        }
        acceptLoopRunning = false
        lock.broadcast()
        lock.unlock()
    }

    // MARK: - Serving one connection

    private func serve(_ descriptor: Int32) {
        var timeout = timeval(tv_sec: configuration.idleTimeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var yes: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))

        lock.lock()
        let router = self.router
        lock.unlock()
        let connection = HTTPConnection(descriptor: descriptor, maxHeaderBytes: configuration.maxHeaderBytes,
                                        maxBodyBytes: configuration.maxBodyBytes)
        serving: while let router {
            switch connection.nextRequest() {
            case .closed:
                break serving
            case .reject(let response):
                connection.write(response.serialized(keepAlive: false))
                break serving
            case .request(let request):
                let reply = router.route(request)
                if !waitOutLatency() { break serving }
                switch reply {
                case .drop:
                    break serving
                case .respond(let response):
                    let keepAlive = request.wantsKeepAlive && !stopping
                    guard connection.write(response.serialized(keepAlive: keepAlive)), keepAlive else { break serving }
                }
            }
        }

        lock.lock()
        openConnections.remove(descriptor)
        lock.unlock()
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
        lock.lock()
        activeConnectionThreads -= 1
        lock.broadcast()
        lock.unlock()
    }

    private var stopping: Bool {
        lock.lock(); defer { lock.unlock() }
        return isStopped
    }

    /// Sleeps `--latency-ms`; false when the server stopped meanwhile.
    private func waitOutLatency() -> Bool {
        let milliseconds = configuration.latencyMilliseconds
        lock.lock()
        defer { lock.unlock() }
        guard milliseconds > 0 else { return !isStopped }
        let deadline = Date(timeIntervalSinceNow: Double(milliseconds) / 1000)
        while !isStopped && Date() < deadline {
            _ = lock.wait(until: deadline)
        }
        return !isStopped
    }
}
