import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A tiny scripted HTTP/1.1 server on 127.0.0.1 for tests of HTTP clients: each request gets the
/// answer the test's handler picks (a response, a dropped connection, or a hang), one connection
/// per request (`Connection: close`). Requests are recorded in arrival order.
///
/// `@unchecked Sendable`: `requestLog` and `stopped` are guarded by `lock`; the socket descriptor
/// is set once in `init` and closed only by the accept thread.
public final class HTTPStubServer: @unchecked Sendable {
    /// One received request.
    public struct Request: Sendable {
        public var method: String
        /// The request target: path and query (`/v1/x?offset=0`).
        public var target: String
        /// Header fields, names lowercased.
        public var headers: [String: String]
        public var body: [UInt8]
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
        /// The path without the query.
        public var path: String { String(target.split(separator: "?", maxSplits: 1).first ?? "") }
        /// The value of query parameter `name`.
        public func query(_ name: String) -> String? {
            guard let query = target.split(separator: "?", maxSplits: 1).dropFirst().first else { return nil }
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.first.map(String.init) == name {
                    return parts.count > 1 ? String(parts[1]).removingPercentEncoding : ""
                }
            }
            return nil
        }
    }

    /// What the server does with a request.
    public enum Answer: Sendable {
        case respond(status: Int, headers: [String: String], body: [UInt8])
        /// Reads the request, then closes the connection without answering.
        case drop
        /// Reads the request, waits, then closes without answering (a client time-out).
        case hang(seconds: Double)
        /// Reads the request, writes these bytes as they are (not HTTP, say), then closes.
        case raw([UInt8])
        /// Reads the whole request, then resets the connection (RST) without answering.
        case reset
        /// Answers `status` with a `Content-Length` of `body.count`, then sends the body one byte
        /// every `interval` seconds (a server that trickles).
        case trickle(status: Int, body: [UInt8], interval: Double)
        /// Answers 200 and streams `bytes` bytes of JSON-ish filler (`Content-Length` given when
        /// `declareLength`, else until close), stopping when the client goes away.
        case flood(bytes: Int, declareLength: Bool)

        /// A JSON answer.
        public static func json(_ status: Int, _ text: String, headers: [String: String] = [:]) -> Answer {
            var headers = headers
            headers["Content-Type"] = "application/json"
            return .respond(status: status, headers: headers, body: Array(text.utf8))
        }
    }

    /// Picks the answer for a request; the second argument is its 1-based arrival number.
    public typealias Handler = @Sendable (Request, Int) -> Answer

    private let handler: Handler
    private let listener: Int32
    public let port: Int
    private let lock = NSLock()
    private var requestLog: [Request] = []
    private var stopped = false

    /// Starts listening on a free port of 127.0.0.1 that no earlier stub server of this process
    /// listened on (``PortsHandedOut``).
    public init(handler: @escaping Handler) throws {
        self.handler = handler
        let (fd, port) = try PortsHandedOut.listenOnFreshPort()
        listener = fd
        self.port = port
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// The ports stub servers of this process have listened on. A port is never handed out twice:
    /// a client that outlives its test (still backing off towards a server that has stopped)
    /// would otherwise reach a later test's server when the kernel gave that test the same port,
    /// and be counted among its requests (a test expecting 2 requests saw 3, once, in a CI run
    /// of the whole suite in parallel).
    enum PortsHandedOut {
        private static let lock = NSLock()
        nonisolated(unsafe) private static var used: Set<Int> = []

        /// A listening socket on 127.0.0.1 and its port, new to this process.
        static func listenOnFreshPort() throws -> (descriptor: Int32, port: Int) {
            var refused: [Int32] = []   // kept bound until a fresh port is found, so bind(0) moves on
            defer { refused.forEach { close($0) } }
            for _ in 0..<64 {
                let (fd, port) = try listenOnAnyPort()
                let fresh = lock.withLock { used.insert(port).inserted }
                if fresh { return (fd, port) }
                refused.append(fd)
            }
            throw POSIXError(.EADDRINUSE)
        }

        private static func listenOnAnyPort() throws -> (Int32, Int) {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            var yes: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = 0
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(fd, 64) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
            var actual = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &actual) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            return (fd, Int(UInt16(bigEndian: actual.sin_port)))
        }
    }

    deinit { stop() }

    /// `http://127.0.0.1:PORT`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Every request received so far, in arrival order.
    public var requests: [Request] { lock.withLock { requestLog } }
    public var requestCount: Int { lock.withLock { requestLog.count } }

    /// Stops accepting connections.
    public func stop() {
        let wasStopped = lock.withLock { () -> Bool in
            defer { stopped = true }
            return stopped
        }
        guard !wasStopped else { return }
        // Only shut the socket down: the accept thread closes it once it has left `accept`, so
        // the descriptor cannot be reused by another server while this thread still waits on it.
        shutdown(listener, Int32(SHUT_RDWR))
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    private func acceptLoop() {
        defer { close(listener) }
        while true {
            let connection = accept(listener, nil, nil)
            if connection < 0 {
                if errno == EINTR && !isStopped { continue }
                return
            }
            if isStopped {
                close(connection)
                return
            }
            let thread = Thread { [self] in serve(connection) }
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        let number = lock.withLock { () -> Int in
            requestLog.append(request)
            return requestLog.count
        }
        switch handler(request, number) {
        case .drop:
            return
        case .hang(let seconds):
            Thread.sleep(forTimeInterval: seconds)
        case .raw(let bytes):
            writeAll(connection, bytes)
            shutdown(connection, Int32(SHUT_WR))
        case .reset:
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            setsockopt(connection, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        case .trickle(let status, let body, let interval):
            let head = "HTTP/1.1 \(status) Status\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            guard writeAll(connection, Array(head.utf8)) else { return }
            for byte in body {
                Thread.sleep(forTimeInterval: interval)
                guard writeAll(connection, [byte]) else { return }
            }
        case .flood(let bytes, let declareLength):
            var head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            if declareLength { head += "Content-Length: \(bytes)\r\n" }
            guard writeAll(connection, Array((head + "\r\n").utf8)) else { return }
            let block = [UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024)
            var sent = 0
            while sent < bytes {
                let part = min(block.count, bytes - sent)
                guard writeAll(connection, Array(block[0..<part])) else { return }
                sent += part
            }
            shutdown(connection, Int32(SHUT_WR))
        case .respond(let status, let headers, let body):
            var head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Status")\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
            writeAll(connection, Array(head.utf8) + body)
            shutdown(connection, Int32(SHUT_WR))
        }
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            let count = read(connection, &chunk, chunk.count)
            guard count > 0 else { return nil }
            buffer.append(contentsOf: chunk[0..<count])
            if buffer.count >= 4 {
                for index in 0...(buffer.count - 4) where Array(buffer[index..<index + 4]) == separator {
                    headEnd = index
                    break
                }
            }
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        var lines = headText.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        if headers["expect"]?.lowercased() == "100-continue" {
            writeAll(connection, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        var body = Array(buffer[(headEnd! + 4)...])
        while body.count < length {
            let count = read(connection, &chunk, chunk.count)
            guard count > 0 else { return nil }
            body.append(contentsOf: chunk[0..<count])
        }
        return Request(method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body)
    }

    /// Writes every byte; false when the client went away.
    @discardableResult
    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }
}
