import DebtflowCore
import DebtflowPipeline
import DebtflowRead
import Testing

@Suite("Input shards")
struct InputShardTests {
    @Test("I/N parses when 0 ≤ I < N", arguments: [("0/1", 0, 1), ("2/8", 2, 8), ("7/8", 7, 8)])
    func parses(_ text: String, _ index: Int, _ count: Int) throws {
        let shard = try InputShard(parsing: text)
        #expect(shard.index == index && shard.count == count)
    }

    @Test("anything else is a usage error naming --shard", arguments: ["8/8", "1", "-1/2", "a/b", "1/0", "1/2/3", " 1/2", "+1/2", ""])
    func rejects(_ text: String) {
        #expect(throws: DebtflowError.self) { try InputShard(parsing: text) }
        do { _ = try InputShard(parsing: text) } catch let error as DebtflowError {
            #expect(error.kind == .usage && error.message.contains("--shard"))
        } catch {}
    }

    @Test("the shard is the IEEE CRC-32 of the matched path, mod N (cksum -a crc32b agrees)")
    func crc() throws {
        // CRC-32("in/a.csv") = 0x4C4A2B61 per zlib; check with a known vector and the modulus.
        #expect(InputShard.shard(of: "123456789", count: 1 << 16) == Int(0xCBF43926 % (1 << 16)))
        // A count past 2³² is allowed (if useless): the checksum itself, never a trap.
        #expect(InputShard.shard(of: "123456789", count: 1 << 32) == 0xCBF43926)
        #expect(try InputShard(parsing: "0/4294967296").count == 1 << 32)
        let inputs = (0..<50).map { MatchedInput(path: "exports/\($0).csv", absolutePath: "/x/exports/\($0).csv") }
        let shards = try (0..<4).map { try InputShard(index: $0, count: 4) }
        for input in inputs {
            #expect(shards.filter { $0.contains(input) }.count == 1)
        }
    }
}
