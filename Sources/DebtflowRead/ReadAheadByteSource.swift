import DebtflowCore
import Foundation

/// A ``ByteSource`` that reads its source ahead on a thread of its own, so that producing the
/// bytes (inflating a gzip file, reading the disk) overlaps with parsing them: the XML reader's
/// one thread otherwise inflates, then parses, one after the other. A conversion pipeline reads
/// its CSV or JSON input through one too (its reader, not its light transform, bounds it).
///
/// Up to ``depth`` reads of the source wait in a queue (each as the source returned it, so read
/// sizes are the source's); ``read(into:)`` copies from the oldest. The source is used by the
/// read-ahead thread only, from the first ``read(into:)`` on. An error of the source is thrown
/// by ``read(into:)`` once the bytes read before it were handed out, exactly as the source would
/// have thrown it; the end of the input (a read of 0) likewise. ``bytesConsumed`` is the source's
/// count as of the read being handed out, not of the reads waiting.
///
/// An optional ``ByteBlockInspector`` runs on the read-ahead thread over each read before it
/// joins the queue; an error it throws is handed out in that read's place, after the reads before
/// it, like an error of the source (and the source is not read further).
///
/// Memory is bounded: ``depth`` buffers of ``readSize`` bytes. When the reader is released, the
/// thread stops at its next read (it is never waited for: a read from a pipe may block).
public final class ReadAheadByteSource: ByteSource {
    public let name: String
    public let totalBytes: Int64?
    /// How many reads may wait ahead of the reader.
    let depth: Int
    /// The size of each read of the source.
    let readSize: Int

    private let pipe: Pipe
    private var started = false
    /// The read being handed out, and where in it the next byte is.
    private var current: Pipe.Read?
    private var offset = 0
    public private(set) var bytesConsumed: Int64 = 0

    /// - Parameters:
    ///   - inspector: looks at each read on the read-ahead thread before it is handed out, and
    ///     may refuse it (see ``ByteBlockInspector``).
    init(_ source: any ByteSource, depth: Int = 4, readSize: Int = 64 << 10, inspector: (any ByteBlockInspector)? = nil) {
        name = source.name
        totalBytes = source.totalBytes
        self.depth = max(1, depth)
        self.readSize = max(1, readSize)
        pipe = Pipe(source: source, inspector: inspector)
    }

    deinit {
        pipe.stop()
    }

    /// `source` read ahead on a thread of its own, in reads of 64 KiB, at most four waiting.
    public convenience init(_ source: any ByteSource) {
        self.init(source, depth: 4, readSize: 64 << 10, inspector: nil)
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if current == nil || offset == current!.bytes.count {
            if let current, current.bytes.isEmpty { return 0 }
            if !started {
                started = true
                pipe.start(depth: depth, readSize: readSize)
            }
            let next = try pipe.take()
            current = next
            offset = 0
            bytesConsumed = next.bytesConsumed
            if next.bytes.isEmpty { return 0 }
        }
        let read = current!
        let count = min(buffer.count, read.bytes.count - offset)
        read.bytes.withUnsafeBytes { bytes in
            buffer.baseAddress!.copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// The queue between the read-ahead thread and the reader, guarded by one condition.
    private final class Pipe: @unchecked Sendable {
        /// One read of the source: its bytes (empty at the end) and the source's count after it.
        struct Read {
            var bytes: [UInt8]
            var bytesConsumed: Int64
        }

        private let condition = NSCondition()
        // All below guarded by `condition`.
        private var source: (any ByteSource)?
        /// Handed to the read-ahead thread when it starts.
        private var inspector: (any ByteBlockInspector)?
        private var queue: [Read] = []
        private var failure: (any Error)?
        private var finished = false
        private var stopped = false

        init(source: any ByteSource, inspector: (any ByteBlockInspector)?) {
            self.source = source
            self.inspector = inspector
        }

        func start(depth: Int, readSize: Int) {
            let thread = Thread { [self] in self.produce(depth: depth, readSize: readSize) }
            thread.name = "debtflow read-ahead"
            thread.start()
        }

        /// The read-ahead thread: reads (and inspects) until the end, an error, or ``stop()``.
        private func produce(depth: Int, readSize: Int) {
            condition.lock()
            let source = self.source
            var inspector = self.inspector
            self.inspector = nil
            condition.unlock()
            guard let source else { return }
            while true {
                condition.lock()
                while queue.count >= depth && !stopped { condition.wait() }
                if stopped {
                    self.source = nil
                    condition.unlock()
                    break
                }
                condition.unlock()
                // The read's buffer is not zero-filled first (64 KiB per read, about 90 instructions a
                // W1 record): the source writes the bytes it returns, and only those are kept.
                var result: Result<Int, any Error> = .success(0)
                let bytes = [UInt8](unsafeUninitializedCapacity: readSize) { buffer, initialized in
                    result = Result { try source.read(into: UnsafeMutableRawBufferPointer(buffer)) }
                    if case .success(let count) = result { initialized = count }
                }
                // The inspector sees the read before the reader can (outside the lock: the reader
                // keeps taking the reads before it meanwhile); its error takes the read's place.
                if case .success(let count) = result, count > 0 {
                    do {
                        try bytes.withUnsafeBytes { try inspector?.inspect(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                    } catch {
                        result = .failure(error)
                    }
                }
                condition.lock()
                switch result {
                case .success(let count):
                    queue.append(Read(bytes: bytes, bytesConsumed: source.bytesConsumed))
                    if count == 0 { finished = true }
                case .failure(let error):
                    failure = error
                    finished = true
                }
                let done = finished
                if done { self.source = nil }
                condition.broadcast()
                condition.unlock()
                if done { break }
            }
        }

        /// The next read, waiting for it if need be; after the last, the error of the source or
        /// the inspector that ended the reads.
        ///
        /// Waits in short slices and throws `interrupted` once the calling task is cancelled: a run
        /// interrupted while its input (stdin, a pipe) stays open and silent must stop, though the
        /// read-ahead thread itself may stay blocked in that read until the process exits.
        func take() throws -> Read {
            condition.lock()
            defer { condition.unlock() }
            while queue.isEmpty && !finished {
                if Task.isCancelled { throw DebtflowError.interrupted }
                _ = condition.wait(until: Date(timeIntervalSinceNow: 0.2))
            }
            if !queue.isEmpty {
                let read = queue.removeFirst()
                condition.broadcast()
                return read
            }
            if let failure { throw failure }
            return Read(bytes: [], bytesConsumed: 0)
        }

        /// Lets the thread end (at its next read) and drops the source once it has.
        func stop() {
            condition.lock()
            stopped = true
            condition.broadcast()
            condition.unlock()
        }
    }
}
