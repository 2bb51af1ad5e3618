import DebtflowCore
@testable import DebtflowRead
import Foundation
import Testing

/// ``ReadAheadByteSource`` reads its source on a thread of its own; what the reader sees must be
/// what the source gives: the same bytes, the end, the error after the bytes before it.
@Suite("Read-ahead byte source")
struct ReadAheadByteSourceTests {
    /// Gives `bytes` at most `maxReadSize` at a time, then fails with an input error (or ends).
    final class ScriptedSource: ByteSource {
        let name = "scripted.xml"
        var totalBytes: Int64? { Int64(bytes.count) }
        private(set) var bytesConsumed: Int64 = 0
        private let bytes: [UInt8]
        private let maxReadSize: Int
        private let failsAtEnd: Bool

        init(_ bytes: [UInt8], maxReadSize: Int, failsAtEnd: Bool) {
            self.bytes = bytes
            self.maxReadSize = maxReadSize
            self.failsAtEnd = failsAtEnd
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
            let position = Int(bytesConsumed)
            let count = min(buffer.count, maxReadSize, bytes.count - position)
            if count == 0 && failsAtEnd {
                throw DebtflowError.input("truncated gzip data", location: .init(file: name))
            }
            for index in 0..<count { buffer[index] = bytes[position + index] }
            bytesConsumed += Int64(count)
            return count
        }
    }

    /// What an inspector saw, written on the read-ahead thread and read by the test.
    final class InspectionLog: @unchecked Sendable {
        private let lock = NSLock()
        private var reads: [[UInt8]] = []

        /// Adds a read; returns its 0-based index.
        func append(_ read: [UInt8]) -> Int {
            lock.withLock {
                reads.append(read)
                return reads.count - 1
            }
        }

        var inspected: [[UInt8]] { lock.withLock { reads } }
    }

    /// Waits (bounded: ten seconds) until `isHeld` says the read-ahead thread let go of its
    /// source, which it does when it ends: polled, rather than a fixed sleep.
    static func waitUntilReleased(_ isHeld: () -> Bool) async throws {
        var spins = 0
        while isHeld() && spins < 2_000 {
            spins += 1
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Logs every read it is shown, and refuses the one at index `refusedRead` (if any).
    struct RecordingInspector: ByteBlockInspector {
        let log: InspectionLog
        var refusedRead: Int?

        mutating func inspect(_ block: UnsafeRawBufferPointer) throws {
            let index = log.append(Array(block))
            if index == refusedRead {
                throw DebtflowError.input("read \(index) refused", location: .init(file: "scripted.xml"))
            }
        }
    }

    /// Everything `source` gives, and after each read: the bytes handed out so far and the
    /// source's `bytesConsumed`.
    static func drain(_ source: ReadAheadByteSource, chunk: Int) throws -> (bytes: [UInt8], counts: [(handed: Int, consumed: Int64)]) {
        var out: [UInt8] = []
        var counts: [(handed: Int, consumed: Int64)] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 1)
        defer { buffer.deallocate() }
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { break }
            out += buffer[0..<count]
            counts.append((out.count, source.bytesConsumed))
        }
        return (out, counts)
    }

    @Test("the reader gets the source's bytes in order and then its end, whatever both read sizes",
          arguments: [(1, 1), (3, 7), (4096, 1000), (65536, 65536), (5, 100_000)])
    func sameBytes(readerSize: Int, sourceSize: Int) throws {
        let bytes = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let source = ReadAheadByteSource(ScriptedSource(bytes, maxReadSize: sourceSize, failsAtEnd: false), depth: 3, readSize: 8192)
        let (read, counts) = try Self.drain(source, chunk: readerSize)
        #expect(read == bytes)
        #expect(counts.last?.consumed == Int64(bytes.count))
        // The count is the source's as of the read being handed out: never behind the bytes the
        // reader has, never ahead by more than that one read of the source, never going back.
        for (index, count) in counts.enumerated() {
            #expect(count.consumed >= Int64(count.handed))
            #expect(count.consumed <= Int64(count.handed + min(8192, sourceSize)))
            if index > 0 { #expect(count.consumed >= counts[index - 1].consumed) }
        }
        let after = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 1)
        defer { after.deallocate() }
        #expect(try source.read(into: after) == 0)
    }

    @Test("an inspector sees every read once, whole and in order, and the reader gets the same bytes as without it",
          arguments: [(1, 1), (4096, 1000), (65536, 65536), (5, 100_000)])
    func inspectorChangesNothing(readerSize: Int, sourceSize: Int) throws {
        let bytes = (0..<150_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        let log = InspectionLog()
        let source = ReadAheadByteSource(ScriptedSource(bytes, maxReadSize: sourceSize, failsAtEnd: false), depth: 3,
                                         readSize: 8192, inspector: RecordingInspector(log: log))
        let (read, counts) = try Self.drain(source, chunk: readerSize)
        #expect(read.count == bytes.count && read.elementsEqual(bytes))
        #expect(counts.last?.consumed == Int64(bytes.count))
        let inspected = log.inspected
        #expect(inspected.joined().elementsEqual(bytes))
        #expect(inspected.allSatisfy { !$0.isEmpty && $0.count <= min(8192, sourceSize) })
    }

    @Test("an inspector's error takes its read's place: every read before it is handed out first, then the error, again on the next read; the source is not read further",
          arguments: [7, 1000, 3000, 8192])
    func inspectorErrorInOrder(readerSize: Int) throws {
        let bytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let log = InspectionLog()
        let source = ReadAheadByteSource(ScriptedSource(bytes, maxReadSize: 3_000, failsAtEnd: false), depth: 2,
                                         readSize: 4096, inspector: RecordingInspector(log: log, refusedRead: 5))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: readerSize, alignment: 1)
        defer { buffer.deallocate() }
        var handed: [UInt8] = []
        var thrown: DebtflowError?
        do {
            while true {
                let count = try source.read(into: buffer)
                if count == 0 { break }
                handed += buffer[0..<count]
            }
        } catch let error as DebtflowError {
            thrown = error
        }
        #expect(handed.count == 15_000)
        #expect(handed.elementsEqual(bytes[0..<15_000]))
        #expect(thrown?.message == "read 5 refused")
        #expect(throws: DebtflowError.self) { _ = try source.read(into: buffer) }
        #expect(log.inspected.count == 6)
    }

    @Test("an inspector's error is not lost when the reader is slow: it comes after the reads queued before it")
    func inspectorErrorWaitsForSlowReader() async throws {
        let bytes = (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }
        let log = InspectionLog()
        weak var weakSource: ScriptedSource?
        let source: ReadAheadByteSource
        do {
            let scripted = ScriptedSource(bytes, maxReadSize: 1_000, failsAtEnd: false)
            weakSource = scripted
            source = ReadAheadByteSource(scripted, depth: 8, readSize: 1_000,
                                         inspector: RecordingInspector(log: log, refusedRead: 4))
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 100, alignment: 1)
        defer { buffer.deallocate() }
        // The first read starts the thread; then the reader waits until the thread has refused
        // read 4 and ended (it lets go of the source then), with reads 0 to 3 still queued.
        #expect(try source.read(into: buffer) == 100)
        try await ReadAheadByteSourceTests.waitUntilReleased { weakSource != nil }
        #expect(weakSource == nil)
        #expect(log.inspected.count == 5)
        var handed = Array(buffer[0..<100])
        let error = #expect(throws: DebtflowError.self) {
            while true {
                let count = try source.read(into: buffer)
                if count == 0 { break }
                handed += buffer[0..<count]
            }
        }
        #expect(error?.message == "read 4 refused")
        #expect(handed.count == 4_000)
        #expect(handed.elementsEqual(bytes[0..<4_000]))
    }

    @Test("the source's error comes after every byte read before it, and again on the next read")
    func errorAfterBytes() throws {
        let bytes = Array(repeating: UInt8(ascii: "x"), count: 50_000)
        let source = ReadAheadByteSource(ScriptedSource(bytes, maxReadSize: 3_000, failsAtEnd: true), depth: 2, readSize: 4096)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1000, alignment: 1)
        defer { buffer.deallocate() }
        var total = 0
        var thrown: DebtflowError?
        do {
            while true { total += try source.read(into: buffer) }
        } catch let error as DebtflowError {
            thrown = error
        }
        #expect(total == bytes.count)
        #expect(thrown?.message == "truncated gzip data")
        #expect(throws: DebtflowError.self) { _ = try source.read(into: buffer) }
    }

    @Test("a reader released half-way lets go of its source without waiting for it")
    func releasedHalfWay() async throws {
        let bytes = Array(repeating: UInt8(ascii: "y"), count: 1 << 20)
        weak var weakSource: ScriptedSource?
        do {
            let scripted = ScriptedSource(bytes, maxReadSize: 1024, failsAtEnd: false)
            weakSource = scripted
            let source = ReadAheadByteSource(scripted, depth: 2, readSize: 1024)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
            defer { buffer.deallocate() }
            #expect(try source.read(into: buffer) == 10)
        }
        // The thread ends at its next read; wait for it (bounded) rather than for a time.
        try await ReadAheadByteSourceTests.waitUntilReleased { weakSource != nil }
        #expect(weakSource == nil)
    }
}
