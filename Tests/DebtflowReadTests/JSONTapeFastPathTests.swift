import DebtflowCore
import DebtflowJSON
import DebtflowRead
import Testing

/// The JSON tape path's fast paths at their bounds: the key table that checks a member name
/// once per chunk, the eight-bytes-at-a-time scan of plain strings, and numbers read in place.
/// Each must give exactly what the tree parser gives (the reference): same values, same errors.
@Suite("JSON tape fast paths")
struct JSONTapeFastPathTests {
    private static func key(_ text: [UInt8], _ table: inout JSONKeyTable, _ tape: inout RecordTapeBuilder) -> JSONKeyTable.Key? {
        text.withUnsafeBufferPointer { table.key($0, on: &tape) }
    }

    /// The tree parser's outcome for a document, and the tape path's: the JSON written, or the
    /// error's message and location.
    private static func outcomes(_ document: [UInt8], limits: JSONLimits = JSONLimits()) -> (tree: String, tape: String) {
        func describe(_ body: () throws -> JSONByteWriter) -> String {
            do {
                return "ok " + String(decoding: try body().bytes, as: UTF8.self)
            } catch let error as DebtflowError {
                return "error \(error.message) at \(String(describing: error.location))"
            } catch {
                return "other \(error)"
            }
        }
        let tree = describe {
            var writer = JSONByteWriter()
            writer.value(try JSONDocument.parse(document, name: "doc", limits: limits))
            return writer
        }
        let tape = describe {
            var writer = JSONByteWriter()
            writer.value(try JSONDocument.parseTape(document, name: "doc", limits: limits))
            return writer
        }
        return (tree, tape)
    }

    // MARK: - Key table

    @Test("a member name is checked and stored once per chunk; later records get its span and flags from the table")
    func keyCheckedOnce() throws {
        var table = JSONKeyTable()
        var tape = RecordTapeBuilder()
        let first = try #require(Self.key(Array("firstName".utf8), &table, &tape))
        for _ in 0..<10 {
            #expect(Self.key(Array("firstName".utf8), &table, &tape) == first)
        }
        #expect(table.misses == 1 && table.hits == 10)
        #expect(tape.byteCount == 9)
        #expect(first.flags == [])
        // A name JSON output must escape keeps that flag when it comes from the table.
        let quoted = try #require(Self.key(Array("k\"ey".utf8), &table, &tape))
        #expect(quoted.flags == .keyNeedsEscaping)
        #expect(Self.key(Array("k\"ey".utf8), &table, &tape) == quoted)
        let control = try #require(Self.key([UInt8(ascii: "a"), 0x0A], &table, &tape))
        #expect(control.flags == .keyNeedsEscaping)
        #expect(Self.key(Array("é".utf8), &table, &tape)?.flags == [])
        #expect(Self.key([], &table, &tape) == .empty)
    }

    @Test("a name that is not UTF-8 is refused every time it comes, never cached")
    func invalidKeyNeverCached() {
        var table = JSONKeyTable()
        var tape = RecordTapeBuilder()
        for _ in 0..<3 {
            #expect(Self.key([UInt8(ascii: "a"), 0xFF], &table, &tape) == nil)
        }
        #expect(table.misses == 3 && table.hits == 0)
        // The valid name with the same first byte still reads.
        #expect(Self.key([UInt8(ascii: "a")], &table, &tape) != nil)
    }

    @Test("names differing in one byte, at every position up to the longest shared, get their own spans",
          arguments: [1, 7, 8, 9, 15, 16, 17, 63, 64])
    func namesDifferingInOneByte(length: Int) throws {
        var table = JSONKeyTable()
        var tape = RecordTapeBuilder()
        let base = Array(repeating: UInt8(ascii: "k"), count: length)
        var spans: [ByteSpan] = []
        for position in 0..<length {
            var name = base
            name[position] = UInt8(ascii: "z")
            spans.append(try #require(Self.key(name, &table, &tape)).span)
        }
        let baseSpan = try #require(Self.key(base, &table, &tape)).span
        #expect(Set(spans + [baseSpan]).count == length + 1)
        // Asked again, each is found (not stored again).
        let stored = tape.byteCount
        for position in 0..<length {
            var name = base
            name[position] = UInt8(ascii: "z")
            #expect(Self.key(name, &table, &tape)?.span == spans[position])
        }
        #expect(tape.byteCount == stored)
        #expect(table.hits == length)
    }

    @Test("a name longer than the table shares, and names past its capacity, are checked and stored again each time")
    func keyTableBounds() throws {
        var table = JSONKeyTable()
        var tape = RecordTapeBuilder()
        let longest = Array(repeating: UInt8(ascii: "x"), count: JSONKeyTable.maxKeyBytes)
        let tooLong = longest + [UInt8(ascii: "x")]
        #expect(Self.key(longest, &table, &tape) == Self.key(longest, &table, &tape))
        let once = try #require(Self.key(tooLong, &table, &tape))
        let twice = try #require(Self.key(tooLong, &table, &tape))
        #expect(once.span != twice.span && once.span.length == twice.span.length)
        for index in 1..<JSONKeyTable.maxKeys { _ = Self.key(Array("name\(index)".utf8), &table, &tape) }
        // The table is full: a new name is still read right, but stored again on each use.
        let extraA = try #require(Self.key(Array("extra".utf8), &table, &tape))
        let extraB = try #require(Self.key(Array("extra".utf8), &table, &tape))
        #expect(extraA.span != extraB.span)
        #expect(Self.key(Array("name1".utf8), &table, &tape) == Self.key(Array("name1".utf8), &table, &tape))
        // A new chunk starts with an empty table.
        table.removeAll()
        var next = RecordTapeBuilder()
        #expect(Self.key(Array("name1".utf8), &table, &next)?.span == ByteSpan(offset: 0, length: 5))
    }

    @Test("records whose keys need escaping write the same through the table as through the tree parser")
    func escapedKeysThroughTheReader() throws {
        let record = #"{"k\"ey": 1, "a\nb": {"k\"ey": [true]}, "plain": "x"}"#
        let text = Array(repeating: record, count: 5).joined(separator: "\n")
        let records = try JSONXMLFixtures.jsonRecords(text)
        let tree = try JSONDocument.parse(Array(record.utf8), name: "doc")
        for record in records {
            var tapeWriter = JSONByteWriter()
            tapeWriter.value(record.view)
            var treeWriter = JSONByteWriter()
            treeWriter.value(tree)
            #expect(tapeWriter.bytes == treeWriter.bytes)
        }
    }

    // MARK: - Guessing the next name

    @Test("the table guesses the name that followed the previous one last time, per container, and none after an unshared name")
    func guesses() throws {
        var table = JSONKeyTable()
        var tape = RecordTapeBuilder()
        let first = try #require(Self.key(Array("firstName".utf8), &table, &tape))
        let last = try #require(Self.key(Array("lastName".utf8), &table, &tape))
        let contacts = try #require(Self.key(Array("contacts".utf8), &table, &tape))
        let type = try #require(Self.key(Array("type".utf8), &table, &tape))
        #expect(table.predicted(after: JSONKeyTable.noSlot, in: JSONKeyTable.noSlot) == nil)
        table.note(first, after: JSONKeyTable.noSlot, in: JSONKeyTable.noSlot, wasPredicted: false)
        table.note(last, after: first.slot, in: JSONKeyTable.noSlot, wasPredicted: false)
        table.note(type, after: JSONKeyTable.noSlot, in: contacts.slot, wasPredicted: false)
        #expect(table.predicted(after: JSONKeyTable.noSlot, in: JSONKeyTable.noSlot) == first)
        #expect(table.predicted(after: first.slot, in: JSONKeyTable.noSlot) == last)
        #expect(table.predicted(after: JSONKeyTable.noSlot, in: contacts.slot) == type)
        #expect(table.predicted(after: last.slot, in: JSONKeyTable.noSlot) == nil)
        #expect(table.predicted(after: JSONKeyTable.afterUnsharedName, in: JSONKeyTable.noSlot) == nil)
        // The reader's look: the same guesses as slots, with their patterns.
        #expect(table.firstGuess(in: JSONKeyTable.noSlot) == first.slot)
        #expect(table.firstGuess(in: contacts.slot) == type.slot)
        #expect(table.firstGuess(in: type.slot) == JSONKeyTable.noSlot)
        #expect(table.guess(after: first.slot) == last.slot)
        #expect(table.guess(after: last.slot) == JSONKeyTable.noSlot)
        #expect(table.guess(after: JSONKeyTable.afterUnsharedName) == JSONKeyTable.noSlot)
        #expect(table.guessed(last.slot).key == last)
        #expect(table.guessed(last.slot).pattern.count == "lastName\":".utf8.count)
        // A name JSON escapes is never guessed: its input bytes differ from its stored bytes (and
        // it has no pattern, which nothing matches).
        let quoted = try #require(Self.key(Array("k\"ey".utf8), &table, &tape))
        table.note(quoted, after: last.slot, in: JSONKeyTable.noSlot, wasPredicted: false)
        #expect(table.predicted(after: last.slot, in: JSONKeyTable.noSlot) == nil)
        #expect(table.guessed(quoted.slot).pattern.count == 0)
        table.note(last, after: first.slot, in: JSONKeyTable.noSlot, wasPredicted: true)
        #expect(table.predictedHits == 1)
        table.removeAll()
        #expect(table.predicted(after: JSONKeyTable.noSlot, in: JSONKeyTable.noSlot) == nil)
    }

    @Test("after a wrong guess the table keeps the name it had guessed as its second guess, and swaps the two when the second was right")
    func secondGuess() throws {
        var table = JSONKeyTable()
        var tape = RecordTapeBuilder()
        let type = try #require(Self.key(Array("type".utf8), &table, &tape))
        let value = try #require(Self.key(Array("value".utf8), &table, &tape))
        let designation = try #require(Self.key(Array("designation".utf8), &table, &tape))
        #expect(table.alternative(after: type.slot) == nil)
        #expect(table.alternative(after: JSONKeyTable.noSlot) == nil)
        #expect(table.alternative(after: JSONKeyTable.afterUnsharedName) == nil)
        table.note(value, after: type.slot, in: JSONKeyTable.noSlot, wasPredicted: false)
        #expect(table.predicted(after: type.slot, in: JSONKeyTable.noSlot) == value)
        #expect(table.alternative(after: type.slot) == nil)
        table.note(designation, after: type.slot, in: JSONKeyTable.noSlot, wasPredicted: false)
        #expect(table.predicted(after: type.slot, in: JSONKeyTable.noSlot) == designation)
        #expect(table.alternative(after: type.slot) == value)
        #expect(table.alternativeGuess(after: type.slot) == value.slot)
        #expect(table.alternativeGuess(after: JSONKeyTable.noSlot) == JSONKeyTable.noSlot)
        #expect(table.alternativeGuess(after: JSONKeyTable.afterUnsharedName) == JSONKeyTable.noSlot)
        table.noteAlternative(after: type.slot)
        #expect(table.predicted(after: type.slot, in: JSONKeyTable.noSlot) == value)
        #expect(table.alternative(after: type.slot) == designation)
        #expect(table.predictedHits == 1)
        // The same name again is no change.
        table.note(value, after: type.slot, in: JSONKeyTable.noSlot, wasPredicted: false)
        #expect(table.alternative(after: type.slot) == designation)
        // Records whose "type" is followed by either name read as the tree parser reads them.
        let records = [
            #"{"c": [{"type": 1, "value": 2}], "d": [{"type": 3, "designation": 4}]}"#,
            #"{"c": [{"type": 5, "value": 6}, {"type": 7, "value": 8}], "d": [{"type": 9, "designation": 10}, {"type": 11, "value": 12}]}"#,
            #"{"c": [{"type": 13, "values": 14}], "d": [{"type": 15, "designatio": 16}, {"type": 17}]}"#,
            #"{"c":[{"type":5,"value":6},{"type":7,"value":8}],"d":[{"type":9,"designation":10},{"type":11,"value":12}]}"#,
            #"{"c":[{"type":5,"value" :6},{"type":7,"value":8}],"d":[{"type":9,"designation" :10},{"type":11,"value":12}]}"#,
        ]
        let read = try JSONXMLFixtures.jsonRecords(Array(records.joined(separator: "\n").utf8), maxReadSize: 4096)
        #expect(read.count == records.count)
        for (record, text) in zip(read, records) {
            #expect(record.view.value == (try JSONDocument.parse(Array(text.utf8), name: "doc")), "\(text)")
        }
    }

    @Test("every separator between members — compact, one space, more spaces, a line break, a tab, a space before the comma — reads as the tree parser reads it, at every read size",
          arguments: [1, 2, 3, 5, 8, 4096])
    func separatorsBetweenMembers(readSize: Int) throws {
        let separators = [",", ", ", ",  ", ",\n", ",\t", " ,", " , ", ",\r\n  ", ", \n"]
        let records = separators.map { separator in
            ["\"a\": \"x\"", "\"b\": 1", "\"c\": {\"d\": [1, 2]}", "\"e\": true", "\"f\": \"y\""].joined(separator: separator)
        }.map { "{" + $0 + "}" }
        let text = "[" + records.joined(separator: ",\n") + "]"
        let read = try JSONXMLFixtures.jsonRecords(Array(text.utf8), maxReadSize: readSize)
        #expect(read.count == records.count)
        var line = 1
        for (record, text) in zip(read, records) {
            #expect(record.view.value == (try JSONDocument.parse(Array(text.utf8), name: "doc")), "\(text)")
            #expect(record.provenance.line == line, "\(text)")
            line += text.filter { $0 == "\n" || $0 == "\r\n" }.count + 1
        }
        // A comma then something other than a name is the same error, at the same place.
        for bad in [#"{"a": 1,}"#, #"{"a": 1, }"#, #"{"a": 1,  ]"#, #"{"a": 1,1}"#] {
            let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(Array(bad.utf8), maxReadSize: readSize) }
            let column = bad.utf8.count - (bad.hasSuffix("1}") ? 1 : 0)
            #expect(error?.message.hasPrefix("unexpected") == true && error?.message.contains("expected a string key in an object") == true,
                    "\(bad): \(String(describing: error))")
            #expect(error?.location?.column == column, "\(bad): \(String(describing: error?.location))")
        }
    }

    @Test("whatever lies between a colon and its value — nothing, one space, two, a tab, a line break — reads as the tree parser reads it, for a string, a number and an object",
          arguments: [1, 2, 3, 4096])
    func spacesAfterTheColon(readSize: Int) throws {
        let gaps = ["", " ", "  ", "\t", "\n", " \n "]
        let records = gaps.map { gap in
            "{\"s\":\(gap)\"x\",\"n\":\(gap)12,\"o\":\(gap){\"t\":\(gap)\"y\"},\"e\":\(gap)\"\"}"
        }
        let read = try JSONXMLFixtures.jsonRecords(Array(records.joined(separator: "\n").utf8), maxReadSize: readSize)
        #expect(read.count == records.count)
        for (record, text) in zip(read, records) {
            #expect(record.view.value == (try JSONDocument.parse(Array(text.utf8), name: "doc")), "\(text)")
        }
    }

    @Test("names that differ from the guess — another order, a longer name, an escape, a name that must be escaped — read as the tree parser reads them",
          arguments: [1, 3, 4096])
    func wrongGuesses(readSize: Int) throws {
        let records = [
            #"{"name": "a", "names": [{"type": 1, "value": 2}, {"type": 3, "value": 4}], "x": {"type": 5}}"#,
            #"{"name": "a", "names": [{"value": 2, "type": 1}, {"types": 3}], "x": {"typ": 5}}"#,
            #"{"names": 1, "name": 2}"#,
            #"{"nam": 1, "n\u0061me": 2, "name": 3}"#,
            #"{"a\\b": 1, "c": 2}"#,
            #"{"a\b": 1, "c": 2}"#,
            #"{"a\\b": 1, "": 2, "c": 3}"#,
            #"{"name": "a", "names": [{"type": 1, "value": 2}, {"type": 3, "value": 4}], "x": {"type": 5}}"#,
        ]
        let read = try JSONXMLFixtures.jsonRecords(Array(records.joined(separator: "\n").utf8), maxReadSize: readSize)
        #expect(read.count == records.count)
        for (record, text) in zip(read, records) {
            let tree = try JSONDocument.parse(Array(text.utf8), name: "doc")
            #expect(record.view.value == tree, "\(text)")
            var tapeWriter = JSONByteWriter()
            tapeWriter.value(record.view)
            var treeWriter = JSONByteWriter()
            treeWriter.value(tree)
            #expect(tapeWriter.bytes == treeWriter.bytes, "\(text)")
        }
        #expect(read[5].view.children.map(\.key) == ["a\u{8}", "c"])
    }

    @Test("a guessed name is matched as `name\":` (its pattern) at every length up to the longest pattern and past it, compact or spaced, whole or cut by the buffer's end",
          arguments: [1, 7, 23, 4096])
    func guessedNamePatterns(readSize: Int) throws {
        // Names of 1 to 25 bytes (a pattern holds at most 22, then the name is compared as before).
        let names = (1...25).map { length in String((0..<length).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) }) }
        let compact = "{" + names.enumerated().map { "\"\($1)\":\($0)" }.joined(separator: ",") + "}"
        let spaced = "{" + names.enumerated().map { "\"\($1)\" : \"v\($0)\"" }.joined(separator: ",") + "}"
        // The guess's name followed by more bytes, or cut short: not the guess.
        let longer = "{" + names.enumerated().map { "\"\($1)x\":\($0)" }.joined(separator: ",") + "}"
        let shorter = "{" + names.enumerated().map { "\"\($1.dropLast())\":\($0)" }.joined(separator: ",") + "}"
        let records = [compact, compact, spaced, compact, longer, compact, shorter, compact, compact]
        let read = try JSONXMLFixtures.jsonRecords(Array(records.joined(separator: "\n").utf8), maxReadSize: readSize)
        #expect(read.count == records.count)
        for (record, text) in zip(read, records) {
            #expect(record.view.value == (try JSONDocument.parse(Array(text.utf8), name: "doc")), "\(text)")
        }
        // A guessed name whose closing quote is followed by something other than a colon (or
        // white space and a colon) is the same error, at the same place.
        for bad in [#"{"ab":1}"# + "\n" + #"{"ab"1}"#, #"{"ab":1}"# + "\n" + #"{"ab",1}"#, #"{"ab":1}"# + "\n" + #"{"ab" 1}"#] {
            let error = JSONXMLFixtures.inputError { _ = try JSONXMLFixtures.jsonRecords(Array(bad.utf8), maxReadSize: readSize) }
            let reference = JSONXMLFixtures.inputError {
                _ = try JSONDocument.parse(Array(bad.split(separator: "\n")[1].utf8), name: "doc")
            }
            #expect(error?.message == reference?.message, "\(bad)")
            #expect(error?.location?.line == 2 && error?.location?.column == reference?.location?.column, "\(bad): \(String(describing: error?.location))")
        }
    }

    @Test("a name pattern covers exactly the name, its closing quote and the colon")
    func namePatternBytes() {
        for length in [1, 5, 6, 7, 14, 15, 22] {
            let name = Array(repeating: UInt8(ascii: "n"), count: length)
            let pattern = name.withUnsafeBufferPointer { JSONKeyTable.NamePattern(name: $0) }
            #expect(pattern.count == length + 2)
            for (input, matches) in [(name + Array("\":".utf8), true), (name + Array("\" :".utf8), false),
                                     (name + Array("n\":".utf8), false), (Array(name.dropLast()) + Array("\":".utf8), false)] {
                let padded = input + Array(repeating: UInt8(ascii: "z"), count: 24)
                #expect(padded.withUnsafeBytes { pattern.matches($0.baseAddress!, at: 0) } == matches, "\(length) \(input)")
            }
        }
        let long = Array(repeating: UInt8(ascii: "n"), count: 23)
        let none = long.withUnsafeBufferPointer { JSONKeyTable.NamePattern(name: $0) }
        #expect(none.count == 0)
        let padded = long + Array("\":".utf8) + Array(repeating: UInt8(ascii: "z"), count: 24)
        #expect(!padded.withUnsafeBytes { none.matches($0.baseAddress!, at: 0) })
    }

    // MARK: - Plain strings

    @Test("a string with a quote, backslash, control byte, non-ASCII or invalid byte at any position reads as the tree parser reads it",
          arguments: [0, 1, 6, 7, 8, 9, 15, 16, 17, 23, 24, 31, 32, 33, 40])
    func stringsAtWordBounds(position: Int) {
        let specials: [[UInt8]] = [
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), [0x01], [0x1F], [0x7F],
            Array("é".utf8), Array("€".utf8), Array("𝄞".utf8), [0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80],
        ]
        for length in [position, position + 1, position + 9] {
            for special in specials {
                var text = Array(repeating: UInt8(ascii: "a"), count: length)
                text.insert(contentsOf: special, at: position)
                let document = Array(#"{"k": ""#.utf8) + text + Array(#"", "n": 1}"#.utf8)
                let result = Self.outcomes(document)
                #expect(result.tape == result.tree, "\(special) at \(position) of \(length)")
            }
        }
    }

    @Test("a plain string is flagged non-ASCII exactly when one of its bytes is, wherever that byte lies in the sixteen-byte blocks and eight-byte words",
          arguments: [(#"{"k":""#, #"","n":1}"#), (#"{"k":""#, #""}"#), (#"[""#, #""]"#)])
    func nonASCIIFlagAtEveryPosition(opening: String, closing: String) throws {
        for length in 0...40 {
            for position in -1..<length {
                // ASCII letters with one byte of 0xC3 0xA9 ("é") at `position` (-1: none). The
                // closing quote lies in the same word as the last letters, and with the short
                // closings in the buffer's last seven bytes (read one by one).
                for high: [UInt8] in [Array("é".utf8), [0x7F]] {
                    var text = Array(repeating: UInt8(ascii: "a"), count: length)
                    if position >= 0 { text.replaceSubrange(position...position, with: high) }
                    let document = Array(opening.utf8) + text + Array(closing.utf8)
                    let view = try JSONDocument.parseTape(document, name: "doc")
                    let value = opening.hasPrefix("[") ? Array(view.children).first : view["k"]
                    let node = try #require(value).node
                    let expected: RecordNode.Flags = position >= 0 && high[0] >= 0x80 ? [.valueIsNonASCII] : []
                    #expect(node.flags == expected, "\(high) at \(position) of \(length), \(opening)…\(closing)")
                }
            }
        }
    }

    @Test("a lone byte of 0x80 or more in a plain string is refused as not UTF-8 at every position, the last bytes of the buffer included",
          arguments: [(#"{"k":""#, #"","n":1}"#), (#"[""#, #""]"#)])
    func loneHighByteRefused(opening: String, closing: String) {
        for length in 1...20 {
            for position in 0..<length {
                for lone: UInt8 in [0x80, 0xC3, 0xFF] {
                    var text = Array(repeating: UInt8(ascii: "a"), count: length)
                    text[position] = lone
                    let document = Array(opening.utf8) + text + Array(closing.utf8)
                    do {
                        _ = try JSONDocument.parseTape(document, name: "doc")
                        Issue.record("\(lone) at \(position) of \(length) was read")
                    } catch let error as DebtflowError {
                        #expect(error.message.contains("not valid UTF-8"), "\(lone) at \(position) of \(length): \(error.message)")
                    } catch {
                        Issue.record("\(error)")
                    }
                    // And the tree parser agrees.
                    let result = Self.outcomes(document)
                    #expect(result.tape == result.tree)
                }
            }
        }
    }

    @Test("plain strings that end at every point of tiny reads read as the tree parser reads them",
          arguments: [1, 2, 3, 7, 8, 9, 31])
    func stringsAcrossReads(readSize: Int) throws {
        let values = ["", "a", "abcdefgh", "abcdefghi", "Cécile Lévêque", "tab\there", "€uro", String(repeating: "z", count: 40)]
        var members: [String] = []
        for (index, value) in values.enumerated() {
            var escaped = JSONByteWriter()
            escaped.value(RecordValue.string(value))
            members.append(#""key\#(index)": \#(String(decoding: escaped.bytes, as: UTF8.self))"#)
        }
        let record = "{" + members.joined(separator: ", ") + "}"
        let text = #"{"result": ["# + Array(repeating: record, count: 3).joined(separator: ", ") + "]}"
        let records = try JSONXMLFixtures.jsonRecords(Array(text.utf8), options: JSONReaderOptions(recordsPath: "result"),
                                                      maxReadSize: readSize)
        let tree = try JSONDocument.parse(Array(record.utf8), name: "doc")
        #expect(records.count == 3)
        for record in records {
            #expect(record.view.value == tree)
        }
    }

    @Test("a string or number longer than the token limit is refused the same way on both paths")
    func tokenLimit() {
        let limits = JSONLimits(maxTokenBytes: 8)
        for value in [#""abcdefgh""#, #""abcdefghi""#, "12345678", "123456789", "1.234567", "1.2345678", "-1234567", "-12345678"] {
            let result = Self.outcomes(Array(#"{"k": \#(value)}"#.utf8), limits: limits)
            #expect(result.tape == result.tree, "\(value)")
        }
    }

    // MARK: - Numbers

    static let numberTexts = [
        "0", "-0", "7", "12", "-12.50", "0.5", "1e5", "1E+5", "1.5e-3", "0e0", "123456789012345678901234567890",
        "01", "-", "1.", ".5", "1e", "1e+", "--1", "-a", "1.e3", "+1", "0x1", "1ee2", "1.5.2",
    ]

    @Test("numbers, well formed or not, read or fail as the tree parser says, as a member and as the last element",
          arguments: numberTexts)
    func numbersMatchTheTreeParser(number: String) {
        for document in [#"{"n": \#(number), "m": 1}"#, #"{"n": \#(number)}"#, "[\(number)]", "[1, \(number) ]", number] {
            let result = Self.outcomes(Array(document.utf8))
            #expect(result.tape == result.tree, "\(document)")
        }
    }

    @Test("numbers that end at every point of tiny reads are read whole", arguments: [1, 2, 3, 4, 5, 8])
    func numbersAcrossReads(readSize: Int) throws {
        let record = #"{"a": 0, "b": -12.50, "c": 1.5e-3, "d": 123456789, "e": [1,22,333]}"#
        let text = Array(repeating: record, count: 4).joined(separator: "\n")
        let records = try JSONXMLFixtures.jsonRecords(Array(text.utf8), maxReadSize: readSize)
        let tree = try JSONDocument.parse(Array(record.utf8), name: "doc")
        #expect(records.count == 4)
        for record in records { #expect(record.view.value == tree) }
    }
}
