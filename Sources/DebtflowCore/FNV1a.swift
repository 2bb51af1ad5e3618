/// FNV-1a, 64 bits: a fast, stable fingerprint of bytes (the same on every run and machine,
/// unlike `Hasher`), for telling contents apart where an attacker gains nothing by a collision:
/// a push journal's per-debt digest, the sandbox's idempotency bodies and seeds.
public enum FNV1a {
    /// The fingerprint of `bytes`.
    public static func hash64<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash
    }
}
