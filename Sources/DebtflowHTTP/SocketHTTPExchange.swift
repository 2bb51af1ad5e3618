import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 request and its answer over a new plain TCP connection: the transport for
/// `http://` URLs, which the URL policy allows only to loopback (the sandbox, tests).
///
/// Written on sockets rather than URLSession because, on Linux, URLSession's libcurl glue keeps
/// a write-readiness source on the socket once the request is sent and so spins a core for as
/// long as the server takes to answer; here waiting is `poll(2)` on the socket and a wake-up
/// pipe, which costs nothing. It also knows exactly whether any byte of the request left:
/// failing to connect is "not sent", anything after the first byte written is ambiguous.
///
/// Behaviour: `Connection: close`, no redirect following, no resend, the whole exchange
/// (connect, send, answer) bounded by one deadline, the answer's body bounded by the given
/// limit. ``cancel()`` (from any thread) ends a blocked exchange at once.
///
/// `@unchecked Sendable`: `cancelled` is guarded by `lock`; the pipe's descriptors are set in
/// `init` and closed in `deinit`; ``run(_:timeoutSeconds:maxBodyBytes:)`` is called once, from
/// one thread.
final class SocketHTTPExchange: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private let wakeRead: Int32
    private let wakeWrite: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            }
        } else {
            fds = [-1, -1]
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        if wakeRead >= 0 { close(wakeRead) }
        if wakeWrite >= 0 { close(wakeWrite) }
    }

    /// Ends the exchange: a blocked wait returns at once with ``HTTPClientError/cancelled(mayHaveBeenSent:)``.
    func cancel() {
        lock.withLock { cancelled = true }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private var isCancelled: Bool { lock.withLock { cancelled } }

    /// Connects, sends `request` and reads the answer, all within `timeoutSeconds`.
    func run(_ request: HTTPRequest, timeoutSeconds: Double, maxBodyBytes: Int) -> Result<HTTPResponse, HTTPClientError> {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0.001, timeoutSeconds) * 1e9)
        guard let host = request.url.host, !host.isEmpty else { return .failure(.notSent("the URL has no host")) }
        let port = request.url.port ?? 80
        let socket: Int32
        switch connect(host: host, port: port, deadline: deadline, timeoutSeconds: timeoutSeconds) {
        case .success(let descriptor): socket = descriptor
        case .failure(let error): return .failure(error)
        }
        defer { close(socket) }

        var bytesWritten = 0
        if let failure = send(Self.requestBytes(request, host: host, port: request.url.port), on: socket,
                              deadline: deadline, timeoutSeconds: timeoutSeconds, written: &bytesWritten) {
            return .failure(failure)
        }
        return receive(on: socket, deadline: deadline, timeoutSeconds: timeoutSeconds, maxBodyBytes: maxBodyBytes)
    }

    // MARK: - Steps

    private func connect(host: String, port: Int, deadline: UInt64, timeoutSeconds: Double) -> Result<Int32, HTTPClientError> {
        var name = host
        if name.hasPrefix("[") && name.hasSuffix("]") { name = String(name.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, String(port), &hints, &list) == 0, let first = list else {
            return .failure(.notSent("unknown host \(host)"))
        }
        defer { freeaddrinfo(list) }
        var lastProblem = "could not connect to the server"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard fd >= 0 else { continue }
            var result = Glibc.connect(fd, address.pointee.ai_addr, address.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                switch wait(fd, for: Int16(POLLOUT), deadline: deadline) {
                case .ready:
                    var code: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length)
                    result = code == 0 ? 0 : -1
                    errno = code
                case .timedOut:
                    close(fd)
                    return .failure(.notSent("could not connect within \(Self.seconds(timeoutSeconds))"))
                case .cancelled:
                    close(fd)
                    return .failure(.cancelled(mayHaveBeenSent: false))
                }
            }
            if result == 0 { return .success(fd) }
            lastProblem = errno == ECONNREFUSED
                ? "could not connect to the server (connection refused)"
                : "could not connect to the server (\(String(cString: strerror(errno))))"
            close(fd)
        }
        return .failure(.notSent(lastProblem))
    }

    private func send(_ bytes: [UInt8], on socket: Int32, deadline: UInt64, timeoutSeconds: Double,
                      written: inout Int) -> HTTPClientError? {
        while written < bytes.count {
            if isCancelled { return .cancelled(mayHaveBeenSent: written > 0) }
            let count = bytes[written...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                written += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                switch wait(socket, for: Int16(POLLOUT), deadline: deadline) {
                case .ready: continue
                case .timedOut:
                    return written > 0
                        ? .ambiguous("timed out after \(Self.seconds(timeoutSeconds)) while sending the request")
                        : .notSent("timed out after \(Self.seconds(timeoutSeconds)) before sending the request")
                case .cancelled: return .cancelled(mayHaveBeenSent: written > 0)
                }
            }
            let reason = String(cString: strerror(errno))
            return written > 0
                ? .ambiguous("the connection broke while the request was being sent (\(reason))")
                : .notSent("the server closed the connection before the request was sent (\(reason))")
        }
        return nil
    }

    private func receive(on socket: Int32, deadline: UInt64, timeoutSeconds: Double,
                         maxBodyBytes: Int) -> Result<HTTPResponse, HTTPClientError> {
        var parser = HTTPResponseParser(maxBodyBytes: maxBodyBytes)
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            switch wait(socket, for: Int16(POLLIN), deadline: deadline) {
            case .ready: break
            case .timedOut:
                return .failure(.ambiguous(parser.receivedAnything
                    ? "the answer did not arrive whole within timeout_s (\(Self.seconds(timeoutSeconds)))"
                    : "no answer within timeout_s (\(Self.seconds(timeoutSeconds)))"))
            case .cancelled:
                return .failure(.cancelled(mayHaveBeenSent: true))
            }
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK { continue }
                let reason = errno == ECONNRESET ? "the connection was reset" : String(cString: strerror(errno))
                return .failure(.ambiguous("\(reason) after the request was sent, before a complete answer"))
            }
            if count == 0 {
                if let response = parser.finishAtEndOfStream() { return .success(response) }
                return .failure(.ambiguous(parser.receivedAnything
                    ? "the connection was closed in the middle of the answer"
                    : "the connection was closed after the request was sent, without an answer"))
            }
            do {
                if let response = try parser.feed(buffer[0..<count]) { return .success(response) }
            } catch {
                switch error {
                case .tooLarge: return .failure(.answerTooLarge(limit: maxBodyBytes))
                case .notHTTP(let why): return .failure(.ambiguous(why))
                }
            }
        }
    }

    private enum Wait {
        case ready, timedOut, cancelled
    }

    /// Sleeps in `poll(2)` until `socket` is ready for `events`, the deadline passes, or
    /// ``cancel()`` is called. An error or hang-up on the socket counts as ready (the next
    /// read or write reports it).
    private func wait(_ socket: Int32, for events: Int16, deadline: UInt64) -> Wait {
        while true {
            if isCancelled { return .cancelled }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return .timedOut }
            let milliseconds = Int32(min(UInt64(Int32.max), (deadline - now + 999_999) / 1_000_000))
            var fds = [pollfd(fd: socket, events: events, revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let count = poll(&fds, nfds_t(wakeRead >= 0 ? 2 : 1), milliseconds)
            if count < 0 {
                if errno == EINTR { continue }
                return .ready
            }
            if isCancelled { return .cancelled }
            if count > 0 && fds[0].revents != 0 { return .ready }
        }
    }

    // MARK: - Request bytes

    /// `METHOD /path?query HTTP/1.1`, `Host`, the request's headers, `Accept-Encoding: identity`,
    /// `Content-Length`, `Connection: close`, then the body.
    static func requestBytes(_ request: HTTPRequest, host: String, port: Int?) -> [UInt8] {
        var target = request.url.path.isEmpty ? "/" : request.url.path
        if let components = URLComponents(url: request.url, resolvingAgainstBaseURL: false) {
            target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
            if let query = components.percentEncodedQuery { target += "?" + query }
        }
        var hostField = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port { hostField += ":\(port)" }
        var head = "\(request.method) \(target) HTTP/1.1\r\nHost: \(hostField)\r\n"
        for header in request.headers where !Self.managedHeaders.contains(header.name.lowercased()) {
            // A line break in a value (a token read with its trailing newline) must not end the
            // field early and inject another.
            head += "\(header.name.filter { !$0.isNewline }): \(header.value.filter { !$0.isNewline })\r\n"
        }
        head += "Accept-Encoding: identity\r\n"
        if let body = request.body {
            head += "Content-Length: \(body.count)\r\n"
        } else if request.method == "POST" || request.method == "PUT" {
            head += "Content-Length: 0\r\n"
        }
        head += "Connection: close\r\n\r\n"
        return Array(head.utf8) + (request.body ?? [])
    }

    private static let managedHeaders: Set<String> = ["host", "content-length", "connection", "transfer-encoding", "accept-encoding"]

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
