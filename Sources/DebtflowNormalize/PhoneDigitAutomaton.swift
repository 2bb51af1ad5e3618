import DebtflowCore

/// A deterministic automaton over the digits 0–9, compiled from one of libphonenumber's regular
/// expressions by `Scripts/generate_phone_metadata.py`. State 0 is the start state.
struct PhoneDigitAutomaton: Sendable {
    /// `next[state * 10 + digit]`: the next state, or -1 when no number can match any more.
    private let next: PermanentTable<Int32>
    private let accepting: PermanentTable<Bool>

    /// An automaton that matches nothing.
    static let empty = PhoneDigitAutomaton(next: [], accepting: [])

    private init(next: [Int32], accepting: [Bool]) {
        self.next = PermanentTable(next)
        self.accepting = PermanentTable(accepting)
    }

    /// Decodes the generator's text form: a width character (base 62), then per state `A` or `.`
    /// (accepting or not) followed by runs of `<run length><target in width base-62 chars>`
    /// covering the digits 0 to 9 (target 0 = no transition, k = state k-1).
    init(encoded: Substring) {
        guard let first = encoded.utf8.first else {
            self.init(next: [], accepting: [])
            return
        }
        let bytes = Array(encoded.utf8)
        let width = Self.base62(first)
        var next: [Int32] = []
        var accepting: [Bool] = []
        var index = 1
        while index < bytes.count {
            accepting.append(bytes[index] == UInt8(ascii: "A"))
            index += 1
            var filled = 0
            while filled < 10 {
                let run = Self.base62(bytes[index])
                index += 1
                var target = 0
                for _ in 0..<width {
                    target = target * 62 + Self.base62(bytes[index])
                    index += 1
                }
                for _ in 0..<run { next.append(Int32(target - 1)) }
                filled += run
            }
        }
        self.init(next: next, accepting: accepting)
    }

    private static func base62(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return Int(byte - UInt8(ascii: "a")) + 36
        }
    }

    /// Whether the whole digit sequence (values 0–9) is accepted.
    func matchesWhole(_ digits: Slice<PhoneDigits>) -> Bool {
        guard !accepting.isEmpty else { return false }
        var state = 0
        let walked = digits.withDigits { digits in
            for digit in digits {
                let target = next[state &* 10 &+ Int(digit)]
                if target < 0 { return false }
                state = Int(target)
            }
            return true
        }
        return walked && accepting[state]
    }

    /// Whether some prefix of the digit sequence (possibly empty) is accepted (`re.match`).
    func matchesPrefix(_ digits: Slice<PhoneDigits>) -> Bool {
        guard !accepting.isEmpty else { return false }
        var state = 0
        if accepting[state] { return true }
        return digits.withDigits { digits in
            for digit in digits {
                let target = next[state &* 10 &+ Int(digit)]
                if target < 0 { return false }
                state = Int(target)
                if accepting[state] { return true }
            }
            return false
        }
    }
}
