import DebtflowCore

/// What an XML input's declaration says of its encoding, looked at in its first bytes before
/// libxml2 reads them (``XMLRecordReader``):
/// - an export that declares ISO-8859-1 (Latin-1) is read as Windows-1252, as the CSV reader
///   reads one: such exports carry `€`, `œ`, `’` as bytes 0x80–0x9F, which strict ISO-8859-1
///   makes invisible control characters in the debts;
/// - a UTF-8 byte-order mark with a declaration of another encoding is an input error (XML 1.0
///   §4.3.3: a fatal error), not text decoded twice (`Café` read as `CafÃ©`).
enum XMLDeclaredEncoding {
    /// The most bytes looked at for the declaration (`<?xml version="1.0" encoding="…"?>`).
    static let headLimit = 1024

    /// Whether `head` may still be growing into a whole declaration: it begins (after a UTF-8
    /// byte-order mark) as one does, has no `?>` yet, and is under ``headLimit``.
    static func wantsMore(_ head: [UInt8]) -> Bool {
        let seen = head.dropFirst(declarationStart(head)).prefix(opening.count)
        guard opening.starts(with: seen) else { return false }
        return head.count < headLimit && declarationEnd(head) == nil
    }

    /// Rewrites `head`'s declared encoding in place, byte for byte the same length (offsets and
    /// columns stay as they were): ISO-8859-1 and its aliases become `CP1252` and spaces after
    /// the closing quote.
    /// - Throws: `.input` naming `sourceName` when a UTF-8 byte-order mark comes with a
    ///   declaration of another encoding.
    static func adjust(_ head: inout [UInt8], sourceName: String) throws(DebtflowError) {
        guard let value = declaredEncoding(head) else { return }
        let name = String(decoding: head[value], as: UTF8.self)
        let folded = name.lowercased()
        if head.starts(with: byteOrderMark), folded != "utf-8", folded != "utf8" {
            throw .input("the file begins with a UTF-8 byte-order mark but its declaration says encoding=\"\(MessageExcerpt.value(name, limit: 40))\": "
                         + "save it as UTF-8 with encoding=\"UTF-8\" (or none), or without the byte-order mark",
                         location: .init(file: sourceName, line: 1))
        }
        guard latin1Names.contains(folded) else { return }
        let replacement = Array("CP1252".utf8)
        guard value.count >= replacement.count else { return }
        let quote = head[value.upperBound]
        var rewritten = replacement + [quote]
        rewritten += [UInt8](repeating: 0x20, count: value.count - replacement.count)
        head.replaceSubrange(value.lowerBound..<(value.upperBound + 1), with: rewritten)
    }

    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let opening = Array("<?xml".utf8)

    /// Where a declaration would begin in `head`: after a UTF-8 byte-order mark, if any.
    private static func declarationStart(_ head: [UInt8]) -> Int {
        head.starts(with: byteOrderMark) ? byteOrderMark.count : 0
    }
    /// The names of ISO-8859-1 that libxml2 and iconv know, lowercased.
    private static let latin1Names: Set<String> = ["iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1",
                                                   "iso-ir-100", "csisolatin1", "cp819", "ibm819", "l1"]

    /// Where the declaration ends (the index of its `?>`), if it is whole in `head`.
    private static func declarationEnd(_ head: [UInt8]) -> Int? {
        guard head.count >= 2 else { return nil }
        for index in 0..<(head.count - 1) where head[index] == UInt8(ascii: "?") && head[index + 1] == UInt8(ascii: ">") {
            return index
        }
        return nil
    }

    /// The range of the encoding's name between its quotes, in a whole declaration at the start.
    private static func declaredEncoding(_ head: [UInt8]) -> Range<Int>? {
        let start = declarationStart(head)
        guard head.dropFirst(start).starts(with: opening), let end = declarationEnd(head) else { return nil }
        let keyword = Array("encoding".utf8)
        var index = start + opening.count
        while index + keyword.count <= end {
            if head[index..<(index + keyword.count)].elementsEqual(keyword) { break }
            index += 1
        }
        guard index + keyword.count <= end else { return nil }
        index += keyword.count
        func skipSpaces() { while index < end, [0x20, 0x09, 0x0A, 0x0D].contains(head[index]) { index += 1 } }
        skipSpaces()
        guard index < end, head[index] == UInt8(ascii: "=") else { return nil }
        index += 1
        skipSpaces()
        guard index < end, head[index] == UInt8(ascii: "\"") || head[index] == UInt8(ascii: "'") else { return nil }
        let quote = head[index]
        let valueStart = index + 1
        guard let valueEnd = head[valueStart..<end].firstIndex(of: quote) else { return nil }
        return valueStart..<valueEnd
    }
}
