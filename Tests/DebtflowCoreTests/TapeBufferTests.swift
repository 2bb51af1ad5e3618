import DebtflowCore
import Testing

/// The bounds of ``TapeBuffer`` (a tape builder's storage, with no uniqueness check per append)
/// and of the sealed ``TapeElements`` a tape reads.
@Suite("TapeBuffer bounds")
struct TapeBufferTests {
    @Test("appends past the capacity grow the storage and keep every element, in order")
    func growsPastCapacity() {
        var buffer = TapeBuffer<UInt32>(capacity: 3)
        #expect(buffer.capacity == 3)
        for value in 0..<1000 { buffer.append(UInt32(value)) }
        #expect(buffer.count == 1000)
        #expect(buffer.capacity >= 1000)
        buffer.withUnsafeBufferPointer { #expect(Array($0) == (0..<1000).map(UInt32.init)) }
        // From no capacity at all, too.
        var empty = TapeBuffer<UInt8>()
        empty.append(7)
        #expect(empty.count == 1 && empty[0] == 7)
    }

    @Test("append(upTo:) keeps only what was written, grows first when the room is short, and keeps nothing on a throw")
    func appendUpTo() {
        struct Stop: Error {}
        var buffer = TapeBuffer<UInt8>(capacity: 4)
        buffer.append(1)
        buffer.append(upTo: 10) { spare in
            #expect(spare.count == 10)
            spare[0] = 2
            spare[1] = 3
            return 2
        }
        #expect(buffer.count == 3)
        #expect(buffer.capacity >= 11)
        #expect(throws: Stop.self) {
            try buffer.append(upTo: 5) { spare in
                spare[0] = 9
                throw Stop()
            }
        }
        #expect(buffer.count == 3)
        buffer.append(contentsOf: UnsafeBufferPointer(start: nil, count: 0))
        [4, 5].withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
        buffer.withUnsafeBufferPointer { #expect(Array($0) == [1, 2, 3, 4, 5]) }
    }

    @Test("an element is changed in place and the last ones are removed")
    func changeAndRemove() {
        var buffer = TapeBuffer<UInt16>()
        for value in 0..<5 { buffer.append(UInt16(value)) }
        buffer[1] = 42
        #expect(buffer[1] == 42)
        buffer.removeLast(2)
        #expect(buffer.count == 3)
        buffer.append(9)
        buffer.withUnsafeBufferPointer { #expect(Array($0) == [0, 42, 2, 9]) }
    }

    @Test("a full storage is followed by 32 zero bytes (its slack), which a 16-byte run read from its last element may reach",
          arguments: [1, 15, 16, 17, 1000])
    func slackAfterTheCapacity(count: Int) {
        var buffer = TapeBuffer<UInt8>(capacity: count)
        for _ in 0..<count { buffer.append(0xFF) }
        #expect(buffer.capacity == count)
        let sealed = buffer.seal()
        sealed.withUnsafeBufferPointer { bytes in
            let past = UnsafeRawPointer(bytes.baseAddress!) + bytes.count
            #expect((0..<32).allSatisfy { past.load(fromByteOffset: $0, as: UInt8.self) == 0 })
            // The last element's run: its own byte, then the slack.
            let run = (UnsafeRawPointer(bytes.baseAddress!) + bytes.count - 1).loadUnaligned(as: SIMD16<UInt8>.self)
            #expect(run[0] == 0xFF && (1..<16).allSatisfy { run[$0] == 0 })
        }
    }

    @Test("sealing hands the elements on unchanged and starts the buffer again empty")
    func sealHandsOn() {
        var buffer = TapeBuffer<UInt8>(capacity: 2)
        for value in 0..<5 { buffer.append(UInt8(value)) }
        let sealed = buffer.seal(keepingRoomFor: 8)
        #expect(buffer.count == 0)
        #expect(buffer.capacity == 8)
        buffer.append(99)
        #expect(Array(sealed) == [0, 1, 2, 3, 4])
        #expect(sealed.count == 5 && sealed[4] == 4)
        sealed.withUnsafeBufferPointer { #expect($0.count == 5) }
        #expect(buffer[0] == 99)
    }

    @Test("append(paddedRun:) appends texts of 0 to 40 bytes exactly, at a storage's end and past it (growing), as two runs up to 32 bytes and whole past them",
          arguments: [0, 5, 33, 4096])
    func paddedRuns(capacity: Int) {
        // The texts' source: each text read from its start with at least 32 readable bytes after it.
        let source = (0..<80).map { UInt8(truncatingIfNeeded: 0x41 &+ $0) }
        var buffer = TapeBuffer<UInt8>(capacity: capacity)
        var expected: [UInt8] = []
        source.withUnsafeBufferPointer { source in
            for length in 0...40 {
                let start = length % 7
                buffer.append(paddedRun: UnsafeBufferPointer(rebasing: source[start..<start + length]))
                expected += source[start..<start + length]
                #expect(buffer.count == expected.count)
            }
        }
        buffer.withUnsafeBufferPointer { #expect(Array($0) == expected) }
    }

    @Test("a tape builder closes its innermost container in place; closing another, or none when none is open, stops the program")
    func containerClosing() async {
        var builder = RecordTapeBuilder()
        let outer = builder.beginObject()
        let inner = builder.beginArray()
        builder.end(inner)
        builder.end(outer)
        let tape = builder.finish()
        #expect(tape.nodes[outer].end == 2 && tape.nodes[outer].childCount == 1)
        #expect(tape.nodes[inner].end == 2 && tape.nodes[inner].childCount == 0)
        await #expect(processExitsWith: .failure) {
            var builder = RecordTapeBuilder()
            let outer = builder.beginObject()
            _ = builder.beginArray()
            builder.end(outer)
        }
        await #expect(processExitsWith: .failure) {
            var builder = RecordTapeBuilder()
            builder.end(0)
        }
    }

    @Test("an index outside the elements, or a change to sealed elements, stops the program")
    func boundsTrap() async {
        await #expect(processExitsWith: .failure) {
            var buffer = TapeBuffer<UInt8>(capacity: 8)
            buffer.append(1)
            _ = buffer[1]
        }
        await #expect(processExitsWith: .failure) {
            var buffer = TapeBuffer<UInt8>()
            buffer.append(1)
            buffer.removeLast(2)
        }
        await #expect(processExitsWith: .failure) {
            var buffer = TapeBuffer<UInt8>()
            buffer.append(1)
            _ = buffer.seal()[1]
        }
        await #expect(processExitsWith: .failure) {
            var buffer = TapeBuffer<UInt8>()
            buffer.append(upTo: 2) { _ in 3 }
        }
        // A copy of the buffer kept past the seal cannot change the sealed elements.
        await #expect(processExitsWith: .failure) {
            var buffer = TapeBuffer<UInt8>(capacity: 8)
            buffer.append(1)
            var stale = buffer
            _ = buffer.seal()
            stale.append(2)
        }
        await #expect(processExitsWith: .failure) {
            var buffer = TapeBuffer<UInt8>(capacity: 8)
            buffer.append(1)
            var stale = buffer
            _ = buffer.seal()
            stale[0] = 2
        }
    }
}
