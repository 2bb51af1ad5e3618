import DebtflowCore

/// One path through a prefix pattern of libphonenumber's metadata (national prefix for parsing,
/// international prefix), as the generator enumerated it: a sequence of digit classes with
/// capture groups and an optional end anchor, plus the transform template when the metadata's
/// national prefix transform rule applies to this path. Rules are tried in order; the first that
/// matches is the one Python's `re.match` would have found.
struct PhonePrefixRule: Sendable {
    enum Element: Sendable {
        /// One digit whose bit is set in the mask.
        case digit(mask: UInt16)
        case groupStart(Int)
        case groupEnd(Int)
        /// `$`: the end of the number.
        case end
    }

    enum TemplatePart: Sendable {
        case literal(UInt8)
        case group(Int)
    }

    let elements: PermanentTable<Element>
    /// Present when the transform rule applies: the replacement for the matched prefix.
    let template: PermanentTable<TemplatePart>?

    /// The most capture groups a rule may have (group numbers start at 1); the metadata's rules
    /// have at most 2.
    static let maximumGroups = 3

    /// What a match found: where it ended and the spans of the groups that took part, held
    /// inline (group `n` at index `n`).
    struct Match {
        var end: Int
        var groups = InlineArray<4, Range<Int>?>(repeating: nil)
    }

    /// Decodes `([457]dddddd)$>268{1}`: digits, `d` (any digit), `[…]` classes, `(` `)`, `$`,
    /// and after `>` the template (digits and `{n}` group references).
    init(encoded: Substring) {
        var elements: [Element] = []
        var template: [TemplatePart]? = nil
        var groupCount = 0
        var openGroups: [Int] = []
        var bytes = encoded.utf8.makeIterator()
        var inTemplate = false
        while let byte = bytes.next() {
            if inTemplate {
                if byte == UInt8(ascii: "{") {
                    var number = 0
                    while let digit = bytes.next(), digit != UInt8(ascii: "}") {
                        number = number * 10 + Int(digit - UInt8(ascii: "0"))
                    }
                    template?.append(.group(number))
                } else {
                    template?.append(.literal(byte - UInt8(ascii: "0")))
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                elements.append(.digit(mask: 1 << UInt16(byte - UInt8(ascii: "0"))))
            case UInt8(ascii: "d"):
                elements.append(.digit(mask: 0x3FF))
            case UInt8(ascii: "["):
                var mask: UInt16 = 0
                while let digit = bytes.next(), digit != UInt8(ascii: "]") {
                    mask |= 1 << UInt16(digit - UInt8(ascii: "0"))
                }
                elements.append(.digit(mask: mask))
            case UInt8(ascii: "("):
                groupCount += 1
                precondition(groupCount <= Self.maximumGroups, "PhonePrefixRule: more than \(Self.maximumGroups) groups")
                openGroups.append(groupCount)
                elements.append(.groupStart(groupCount))
            case UInt8(ascii: ")"):
                elements.append(.groupEnd(openGroups.removeLast()))
            case UInt8(ascii: "$"):
                elements.append(.end)
            case UInt8(ascii: ">"):
                inTemplate = true
                template = []
            default:
                break
            }
        }
        self.elements = PermanentTable(elements)
        self.template = template.map(PermanentTable.init)
    }

    /// Decodes a `;`-separated list of rules.
    static func list(_ encoded: Substring) -> PermanentTable<PhonePrefixRule> {
        guard !encoded.isEmpty else { return PermanentTable([]) }
        return PermanentTable(encoded.parts(separatedBy: UInt8(ascii: ";")).map { PhonePrefixRule(encoded: $0) })
    }

    /// Matches the rule at the start of `digits` (values 0–9).
    func match(_ digits: Slice<PhoneDigits>) -> Match? {
        var position = digits.startIndex
        var match = Match(end: position)
        var starts = InlineArray<4, Int>(repeating: 0)
        for element in elements {
            switch element {
            case .digit(let mask):
                guard position < digits.endIndex, mask & (1 << UInt16(digits[position])) != 0 else { return nil }
                position += 1
            case .groupStart(let number):
                starts[number] = position
            case .groupEnd(let number):
                match.groups[number] = starts[number]..<position
            case .end:
                guard position == digits.endIndex else { return nil }
            }
        }
        match.end = position
        return match
    }

    /// The number with the matched prefix replaced by the template (libphonenumber's transform).
    func transform(_ digits: Slice<PhoneDigits>, match: Match) -> PhoneDigits {
        var out = PhoneDigits()
        for part in template ?? PermanentTable([]) {
            switch part {
            case .literal(let digit): out.append(digit)
            case .group(let number):
                if number >= 0, number <= Self.maximumGroups, let range = match.groups[number] {
                    for digit in digits[range] { out.append(digit) }
                }
            }
        }
        for digit in digits[match.end...] { out.append(digit) }
        return out
    }
}
