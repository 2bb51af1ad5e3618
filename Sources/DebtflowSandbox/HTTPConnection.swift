#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted TCP connection: reads HTTP/1.1 requests from it and writes answers to it.
///
/// Owned by the one thread that serves the connection; ``SandboxServer`` may only call
/// `shutdown(2)` on its descriptor from elsewhere (to wake that thread when stopping).
final class HTTPConnection {
    /// What reading the next request gave.
    enum ReadResult {
        case request(HTTPRequest)
        /// The peer closed the connection (or it idled out) between requests.
        case closed
        /// The request is unacceptable: send this answer, then close the connection.
        case reject(HTTPResponse)
    }

    let descriptor: Int32
    private var buffer: [UInt8] = []
    private let maxHeaderBytes: Int
    private let maxBodyBytes: Int
    private var readChunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(descriptor: Int32, maxHeaderBytes: Int, maxBodyBytes: Int) {
        self.descriptor = descriptor
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    /// Reads the next request: its head up to the blank line, then a `Content-Length` body.
    ///
    /// Chunked request bodies are refused with 411 (send `Content-Length`); a head larger than
    /// the limit gets 431, a body larger than the limit 413, malformed heads 400. A client that
    /// sent `Expect: 100-continue` gets `100 Continue` before the body is read.
    func nextRequest() -> ReadResult {
        var searchFrom = 0
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.findHeadEnd(in: buffer, from: searchFrom)
            if headEnd != nil { break }
            searchFrom = max(0, buffer.count - 3)
            if buffer.count > maxHeaderBytes {
                return .reject(SandboxErrors.plain(431, "request head larger than \(maxHeaderBytes) bytes"))
            }
            if !fill() {
                return buffer.isEmpty ? .closed : .reject(SandboxErrors.plain(400, "connection closed mid-request"))
            }
        }
        guard let headEnd, headEnd <= maxHeaderBytes + 4 else {
            return .reject(SandboxErrors.plain(431, "request head larger than \(maxHeaderBytes) bytes"))
        }
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)

        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        // Tolerate blank lines before the request line (RFC 9112 §2.2).
        while let first = lines.first, first.isEmpty { lines.removeFirst() }
        guard !lines.isEmpty else { return .reject(SandboxErrors.plain(400, "empty request")) }
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, !requestLine[0].isEmpty, requestLine[1].hasPrefix("/") else {
            return .reject(SandboxErrors.plain(400, "malformed request line"))
        }
        let version = String(requestLine[2])
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            return .reject(SandboxErrors.plain(505, "only HTTP/1.0 and HTTP/1.1 are served"))
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex,
                  !line.hasPrefix(" "), !line.hasPrefix("\t") else {
                return .reject(SandboxErrors.plain(400, "malformed header line"))
            }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers.append((name, value))
        }

        if let encoding = headers.first(where: { $0.name == "transfer-encoding" })?.value,
           encoding.lowercased() != "identity" {
            return .reject(SandboxErrors.plain(411, "chunked request bodies are not supported; send Content-Length"))
        }
        var contentLength = 0
        let lengths = Set(headers.filter { $0.name == "content-length" }.map(\.value))
        if lengths.count > 1 { return .reject(SandboxErrors.plain(400, "conflicting Content-Length headers")) }
        if let text = lengths.first {
            guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), text.utf8.count <= 18,
                  let length = Int(text) else {
                return .reject(SandboxErrors.plain(400, "invalid Content-Length"))
            }
            contentLength = length
        }
        if contentLength > maxBodyBytes {
            return .reject(SandboxErrors.plain(413, "request body larger than \(maxBodyBytes) bytes"))
        }
        let expectsContinue = headers.contains { $0.name == "expect" && $0.value.lowercased() == "100-continue" }
        if expectsContinue && contentLength > buffer.count {
            _ = write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        while buffer.count < contentLength {
            if !fill() { return .reject(SandboxErrors.plain(400, "connection closed before the whole body arrived")) }
        }
        let body = Array(buffer[0..<contentLength])
        buffer.removeFirst(contentLength)

        let target = String(requestLine[1])
        let (path, query) = HTTPRequest.splitTarget(target)
        return .request(HTTPRequest(method: String(requestLine[0]), target: target, path: path, query: query,
                                    version: version, headers: headers, body: body))
    }

    /// Writes all of `bytes`; false when the peer is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                send(descriptor, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
            }
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            sent += result
        }
        return true
    }

    /// Reads more bytes into the buffer; false at end of stream, on error, or after the idle timeout.
    private func fill() -> Bool {
        while true {
            let count = readChunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress!, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: readChunk[0..<count])
                return true
            }
            if count < 0 && errno == EINTR { continue }
            return false
        }
    }

    /// The index of the `\r\n\r\n` that ends the head, searching from `start`.
    private static func findHeadEnd(in buffer: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var index = start
        while index + 3 < buffer.count {
            if buffer[index] == 0x0D && buffer[index + 1] == 0x0A && buffer[index + 2] == 0x0D && buffer[index + 3] == 0x0A {
                return index
            }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
