import DebtflowCore
import DebtflowRead
import Testing

@Suite("CSV record reader")
struct CSVRecordReaderTests {
    @Test("header names become keys and every value is a string", arguments: readSizes)
    func headerNamesBecomeKeys(readSize: Int) async throws {
        let records = try await readCSV("name,amount\nDupont,12.50\nMartin,3\n", readSize: readSize)
        #expect(records.count == 2)
        #expect(pairs(records[0]) == [["name", "Dupont"], ["amount", "12.50"]])
        #expect(records[1].fields["amount"] == .string("3"))
        #expect(records.allSatisfy { $0.problem == nil })
    }

    @Test("a quoted field may hold the delimiter and doubled quotes", arguments: readSizes)
    func quotedDelimiterAndDoubledQuotes(readSize: Int) async throws {
        let records = try await readCSV("a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\n", readSize: readSize)
        #expect(values(records) == [["x,y", "say \"hi\"", ""]])
    }

    @Test("a line break inside quotes is kept as stored and the next row's line counts it", arguments: readSizes)
    func quotedLineBreaksKept(readSize: Int) async throws {
        let text = "id,note\r\n1,\"first\r\nsecond\"\r\n2,\"a\nb\rc\"\r\n3,plain\r\n"
        let records = try await readCSV(text, readSize: readSize)
        #expect(values(records) == [["1", "first\r\nsecond"], ["2", "a\nb\rc"], ["3", "plain"]])
        #expect(records.map(\.provenance.line) == [2, 4, 7])
        #expect(records.map(\.provenance.record) == [1, 2, 3])
    }

    @Test("LF, CRLF and CR-only line ends give the same records", arguments: readSizes)
    func lineEnds(readSize: Int) async throws {
        for lineEnd in ["\n", "\r\n", "\r"] {
            let text = ["h1,h2", "a,b", "c,d"].joined(separator: lineEnd) + lineEnd
            let records = try await readCSV(text, readSize: readSize)
            #expect(values(records) == [["a", "b"], ["c", "d"]], "line end \(Array(lineEnd.utf8))")
            #expect(records.map(\.provenance.line) == [2, 3])
        }
    }

    @Test("a final line break is optional", arguments: readSizes)
    func trailingNewlineOrNot(readSize: Int) async throws {
        let with = try await readCSV("a,b\n1,2\n3,4\n", readSize: readSize)
        let without = try await readCSV("a,b\n1,2\n3,4", readSize: readSize)
        #expect(values(with) == [["1", "2"], ["3", "4"]])
        #expect(values(without) == values(with))
        let quotedLast = try await readCSV("a,b\n1,\"2\"", readSize: readSize)
        #expect(values(quotedLast) == [["1", "2"]])
        let emptyLast = try await readCSV("a,b\n1,", readSize: readSize)
        #expect(values(emptyLast) == [["1", ""]])
    }

    @Test("a UTF-8 byte order mark is not part of the first header name", arguments: readSizes)
    func byteOrderMarkStripped(readSize: Int) async throws {
        let records = try await readCSV([0xEF, 0xBB, 0xBF] + Array("nom;montant\nDupont;5\n".utf8), readSize: readSize)
        #expect(pairs(records[0]) == [["nom", "Dupont"], ["montant", "5"]])
    }

    @Test("the delimiter is detected from the header line", arguments: [
        ("a;b;c\n1;2,5;3\n", ["1", "2,5", "3"]),
        ("a\tb\tc\n1\t2;x\t3\n", ["1", "2;x", "3"]),
        ("a|b|c\n1|2|3\n", ["1", "2", "3"]),
        ("a,b,c\n1,2;3,4\n", ["1", "2;3", "4"]),
        ("\"x;y;z\",b,c\n1,2,3\n", ["1", "2", "3"]),
    ])
    func delimiterDetection(text: String, expected: [String]) async throws {
        for readSize in readSizes {
            let records = try await readCSV(text, readSize: readSize)
            #expect(values(records) == [expected], "read size \(readSize)")
        }
    }

    @Test("blank lines before the header are skipped for detection as for the header: the delimiter and the lines are right",
          arguments: [("", 0), ("\n", 1), ("\r\n", 1), ("\n\n", 2), ("  \r\n\n", 2)])
    func blankLinesBeforeTheHeader(blank: String, breaks: Int) async throws {
        for (text, expected) in [("nom;montant\nDupont;5\n", ["Dupont", "5"]), ("nom\tmontant\nDupont\t5,50\n", ["Dupont", "5,50"]),
                                 // A first column with no name (a spreadsheet's index): the header starts with a tab.
                                 ("\tnom\n1\tDupont\n", ["1", "Dupont"])] {
            for readSize in readSizes {
                let records = try await readCSV(blank + text, readSize: readSize)
                #expect(values(records) == [expected], "\(blank.debugDescription) before \(text.debugDescription), reads of \(readSize)")
                #expect(records.first?.provenance.line == 2 + breaks)
            }
        }
    }

    @Test("a configured delimiter overrides detection")
    func configuredDelimiter() async throws {
        let records = try await readCSV("a;b,c\n1;2,3\n", options: CSVReaderOptions(delimiter: .byte(UInt8(ascii: ","))))
        #expect(pairs(records[0]) == [["a;b", "1;2"], ["c", "3"]])
    }

    @Test("Windows-1252 bytes are decoded: € é ü œ", arguments: readSizes)
    func windows1252Fields(readSize: Int) async throws {
        // "nom;prix\nRené Müller;5€ cœur\n" as a Windows-1252 export.
        let bytes: [UInt8] = Array("nom;prix\nRen".utf8) + [0xE9] + Array(" M".utf8) + [0xFC] + Array("ller;5".utf8)
            + [0x80] + Array(" c".utf8) + [0x9C] + Array("ur\n".utf8)
        let records = try await readCSV(bytes, readSize: readSize)
        #expect(values(records) == [["René Müller", "5€ cœur"]])
    }

    @Test("UTF-8 and Windows-1252 fields mix in one file under encoding auto", arguments: readSizes)
    func mixedEncodingsPerField(readSize: Int) async throws {
        let bytes: [UInt8] = Array("a,b\nRené,".utf8) + [0x52, 0x65, 0x6E, 0xE9] + Array("\n".utf8)
        let records = try await readCSV(bytes, readSize: readSize)
        #expect(values(records) == [["René", "René"]])
    }

    @Test("a forced encoding applies to every field")
    func forcedEncodings() async throws {
        let bytes: [UInt8] = Array("a\n".utf8) + [0xC3, 0xA9] + Array("\n".utf8)
        let asWindows = try await readCSV(bytes, options: CSVReaderOptions(encoding: .windows1252))
        #expect(values(asWindows) == [["Ã©"]])
        let invalid: [UInt8] = Array("a\n".utf8) + [0xE9] + Array("\n".utf8)
        let asUTF8 = try await readCSV(invalid, options: CSVReaderOptions(encoding: .utf8))
        #expect(values(asUTF8) == [["\u{FFFD}"]])
    }

    @Test("a row with the wrong number of fields is a malformed record and the run goes on", arguments: readSizes)
    func malformedRowsCounted(readSize: Int) async throws {
        let records = try await readCSV("a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n", readSize: readSize)
        #expect(records.count == 4)
        #expect(records.map(\.provenance.record) == [1, 2, 3, 4])
        #expect(records.map(\.provenance.line) == [2, 3, 4, 5])
        #expect(records[0].problem == nil && records[3].problem == nil)
        #expect(records[1].problem == RecordError(field: nil, code: .malformedRow, message: "expected 3 fields, found 2"))
        #expect(records[2].problem?.message == "expected 3 fields, found 4")
        #expect(pairs(records[1]) == [["a", "4"], ["b", "5"]])
        #expect(pairs(records[2]) == [["a", "6"], ["b", "7"], ["c", "8"], ["column_4", "9"]])
    }

    @Test("a blank line is a record with every key empty, counted and numbered", arguments: readSizes)
    func emptyLines(readSize: Int) async throws {
        let records = try await readCSV("a,b\n1,2\n\n  \n3,4\n\n", readSize: readSize)
        #expect(values(records) == [["1", "2"], ["", ""], ["", ""], ["3", "4"], ["", ""]])
        #expect(records.map(\.provenance.line) == [2, 3, 4, 5, 6])
        #expect(records.allSatisfy { $0.problem == nil })
        #expect(pairs(records[1]) == [["a", ""], ["b", ""]])
    }

    @Test("an unclosed quote at the end of the input names the line where the field started", arguments: readSizes)
    func unterminatedQuote(readSize: Int) async throws {
        let error = await inputError {
            _ = try await readCSV("a,b\n1,2\n3,\"never\nclosed\n", readSize: readSize)
        }
        #expect(error?.message.contains("unterminated quoted field") == true)
        #expect(error?.location?.line == 3)
        #expect(error?.location?.file == "test.csv")
    }

    @Test("a field longer than the limit stops the run naming its line", arguments: readSizes)
    func oversizeField(readSize: Int) async throws {
        let options = CSVReaderOptions(maxFieldBytes: 64)
        let fits = String(repeating: "x", count: 64)
        let records = try await readCSV("a,b\n1,\(fits)\n", readSize: readSize, options: options)
        #expect(values(records) == [["1", fits]])
        for tooLong in [String(repeating: "y", count: 65), "\"" + String(repeating: "z", count: 70) + "\""] {
            let error = await inputError {
                _ = try await readCSV("a,b\n1,2\n3,\(tooLong)\n", readSize: readSize, options: options)
            }
            #expect(error?.message.contains("field longer than 64 bytes") == true)
            #expect(error?.location?.line == 3)
        }
    }

    @Test("a chunk is cut at 65,536 fields as well as at its rows and bytes, and counts its node table with its text")
    func chunkCutByFields() async throws {
        let row = String(repeating: "x,", count: 29_999) + "x\n"
        let text = String(repeating: row, count: 5)
        let reader = CSVRecordReader(source: MemoryByteSource(Array(text.utf8), name: "wide.csv"),
                                     options: CSVReaderOptions(header: false), chunkSize: 1024)
        var sizes: [Int] = []
        while let chunk = try await reader.nextChunk() {
            sizes.append(chunk.count)
            // 30,000 nodes of 24 bytes a row (and a root each) outweigh the rows' 60,000 bytes.
            #expect(chunk.textByteCount >= chunk.count * 30_001 * MemoryLayout<RecordNode>.stride)
        }
        #expect(sizes == [3, 2], "rows of 30,000 fields: the third crosses 65,536 fields")
        #expect(CSVReaderOptions.fieldsPerChunk == 65_536)
    }

    @Test("an oversize field is caught before the whole input is buffered")
    func oversizeFieldWithoutEnd() async throws {
        let options = CSVReaderOptions(maxFieldBytes: 1 << 20)
        let bytes = Array("a\n\"".utf8) + [UInt8](repeating: UInt8(ascii: "q"), count: 3 << 20)
        let error = await inputError { _ = try await readCSV(bytes, options: options) }
        #expect(error?.message.contains("field longer than 1048576 bytes") == true)
        #expect(error?.location?.line == 2)
    }

    @Test("an Excel `sep=X` first line names the delimiter and is neither header nor record; lines still count it", arguments: readSizes)
    func excelSeparatorLine(readSize: Int) async throws {
        let records = try await readCSV("sep=;\r\nnom;prenom;montant\r\nDupont;Jean;12,50\r\n", readSize: readSize)
        #expect(records.map(pairs) == [[["nom", "Dupont"], ["prenom", "Jean"], ["montant", "12,50"]]])
        #expect(records.map(\.provenance.line) == [3] && records.map(\.provenance.record) == [1])
        // Any case; without a header the next line is the first record.
        let numbered = try await readCSV("\nSEP=|\nx|y\n", readSize: readSize, options: CSVReaderOptions(header: false))
        #expect(numbered.map(pairs) == [[["1", "x"], ["2", "y"]]])
        #expect(numbered.map(\.provenance.line) == [3])
        // A configured delimiter wins, and the line is still dropped.
        let configured = try await readCSV("sep=;\na,b\n1,2\n", readSize: readSize, options: CSVReaderOptions(delimiter: .byte(UInt8(ascii: ","))))
        #expect(configured.map(pairs) == [[["a", "1"], ["b", "2"]]])
        // A tab is a separator too.
        let tabbed = try await readCSV("sep=\t\nnom\tprenom\nA\tB\n", readSize: readSize)
        #expect(tabbed.map(pairs) == [[["nom", "A"], ["prenom", "B"]]])
        // Only the exact form is a directive: `sep=;x` is a header, and so is `Sep=1` (a letter
        // or digit is no separator).
        let header = try await readCSV("sep=;x\n1\n", readSize: readSize)
        #expect(header.map(pairs) == [[["sep=", "1"]]])
        let oneColumn = try await readCSV("Sep=1\nx\n", readSize: readSize)
        #expect(oneColumn.map(pairs) == [[["Sep=1", "x"]]])
    }

    @Test("a title line above the header (no delimiter in it, one in every row after) is exit 3 naming it, not a file of one column", arguments: readSizes)
    func titleLineAboveTheHeader(readSize: Int) async throws {
        let text = "Export des débiteurs du 01/02/2026\r\nnom;prenom;montant\r\nDupont;Jean;\"12;50\"\r\n\r\nMartin;Paul;3\r\n"
        let error = await inputError { _ = try await readCSV(text, readSize: readSize) }
        #expect(error?.message == "the first line has no delimiter, but the lines after it are separated by \";\" (2 in each): "
                    + "is line 1 a title above the header? Remove the lines up to it (for example with tail -n +2), "
                    + "or set \"delimiter\" to read the file as it is",
                "\(String(describing: error))")
        #expect(error?.location?.line == 1 && error?.location?.file == "test.csv")
        // A delimiter set in the config reads the file as it is.
        let configured = try await readCSV(text, readSize: readSize, options: CSVReaderOptions(delimiter: .byte(UInt8(ascii: ";"))))
        #expect(configured.first?.problem?.code == .malformedRow)
        // Tabs say "tab".
        let tabbed = await inputError { _ = try await readCSV("Relevé\na\tb\tc\n1\t2\t3\n", readSize: readSize) }
        #expect(tabbed?.message.contains("separated by tab (2 in each)") == true)
        // Blank lines first: the title's own line is named, and the advice removes up to it.
        let late = await inputError { _ = try await readCSV("\n\r\n\rExport du 01/02\nnom;prenom;x\nA;B;C\nC;D;E\n", readSize: readSize) }
        #expect(late?.location?.line == 4, "\(String(describing: late))")
        #expect(late?.message.contains("is line 4 a title above the header? Remove the lines up to it (for example with tail -n +5)") == true,
                "\(String(describing: late))")
    }

    @Test("a file of one column is not a title line: rows without a delimiter, rows that differ, or a single row after the first line")
    func oneColumnIsNoTitleLine() async throws {
        for text in ["email\na@b.fr\nc@d.fr\n",          // no delimiter anywhere
                     "adresse\n1, rue A\n2; rue B; bis\n",  // the rows differ (one `,`, then two `;`)
                     "adresse\n1, rue A\n2, rue B, bis\n",  // the rows differ (one `,`, then two)
                     "adresse\n1, rue A\n2 rue B\n",        // the second row has none
                     "titre\na;b\n",                         // only one row after the first line
                     "nom\n\"a;b\"\n\"c;d\"\n",                 // the `;` are inside quotes
                     "adresse\n12 rue X; Bat B\n3 rue Y; Apt 2\n",   // one `;` per value: one column, not three
                     "montant\n12,50\n13,20\n4,00\n"] {               // decimal commas
            // Read as before (split at `,`, the default when the header has no delimiter).
            let records = try await readCSV(text)
            #expect(records.count == text.split(separator: "\n").count - 1, "\(text.debugDescription)")
        }
        // Rows after the fifth are not looked at.
        let sixth = "titre\n" + String(repeating: "a;b;c\n", count: 5) + "a;b;c;d\n"
        #expect(await inputError { _ = try await readCSV(sixth) } != nil)
    }

    @Test("UTF-16 text without a byte-order mark is refused by name (it read as garbage keys full of \\u0000)", arguments: ["LE", "BE"])
    func utf16WithoutByteOrderMark(order: String) async throws {
        let text = "nom,montant\nDupont,12\n"
        let bytes = text.utf16.flatMap { unit -> [UInt8] in
            order == "LE" ? [UInt8(unit & 0xFF), UInt8(unit >> 8)] : [UInt8(unit >> 8), UInt8(unit & 0xFF)]
        }
        let error = await inputError { _ = try await readCSV(bytes) }
        #expect(error?.message.contains("the input looks like UTF-16 text without a byte-order mark") == true, "\(String(describing: error))")
        #expect(error?.message.contains("iconv -f UTF-16\(order) -t UTF-8") == true)
        #expect(error?.location?.line == 1)
    }

    @Test("without a header the keys are column numbers and the first line is data", arguments: readSizes)
    func noHeader(readSize: Int) async throws {
        let records = try await readCSV("x;y\n1;2\n", readSize: readSize, options: CSVReaderOptions(header: false))
        #expect(records.map(pairs) == [[["1", "x"], ["2", "y"]], [["1", "1"], ["2", "2"]]])
        #expect(records.map(\.provenance.line) == [1, 2])
    }

    @Test("empty and repeated header names get unique keys")
    func headerKeysUnique() async throws {
        let records = try await readCSV("name,,name,name\n1,2,3,4\n")
        #expect(records[0].fields.entries.map(\.key) == ["name", "column_2", "name_2", "name_3"])
    }

    @Test("text after a closing quote is kept and a quote inside an unquoted field is literal", arguments: readSizes)
    func lenientQuotes(readSize: Int) async throws {
        let records = try await readCSV("a,b\n\"12\" inch,5\" tall\n", readSize: readSize)
        #expect(values(records) == [["12 inch", "5\" tall"]])
    }

    @Test("an empty input or a header alone yields no records")
    func noRecords() async throws {
        #expect(try await readCSV("").isEmpty)
        #expect(try await readCSV("a,b\n").isEmpty)
        #expect(try await readCSV([0xEF, 0xBB, 0xBF]).isEmpty)
    }

    @Test("chunks hold at most chunkSize records and report the bytes consumed")
    func chunking() async throws {
        let text = "a\n" + (1...10).map(String.init).joined(separator: "\n") + "\n"
        let reader = CSVRecordReader(source: MemoryByteSource(text, name: "n.csv", maxReadSize: 4), chunkSize: 4)
        var sizes: [Int] = []
        var consumed: [Int64] = []
        while let chunk = try await reader.nextChunk() {
            sizes.append(chunk.count)
            consumed.append(chunk.inputBytesConsumed ?? -1)
        }
        #expect(sizes == [4, 4, 2])
        #expect(consumed == consumed.sorted() && consumed.last == Int64(text.utf8.count))
        #expect(try await reader.nextChunk() == nil)
    }

    @Test("every read size gives the same records for a mixed file")
    func sameRecordsWhateverTheReadSize() async throws {
        var text = "id;name;note\r\n"
        for row in 1...300 {
            text += "\(row);Nom \(row);\"line one\r\nline \"\"two\"\"; end\"\r\n"
            if row % 50 == 0 { text += "\r\n" }
            if row % 70 == 0 { text += "bad;row\r\n" }
        }
        let reference = try await readCSV(text, readSize: 65536, chunkSize: 1024)
        #expect(reference.count == 300 + 6 + 4)
        for readSize in [1, 7, 4096] {
            let records = try await readCSV(text, readSize: readSize, chunkSize: 100)
            #expect(records == reference, "read size \(readSize)")
        }
    }
}
