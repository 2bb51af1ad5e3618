/// A small quote-aware CSV splitter for tests (the oracle is independent of the generator's
/// own encoder): records separated by `\n` outside quotes, fields by `delimiter`, `""` inside
/// quotes is one quote.
enum CSVTestSplitter {
    static func records(_ text: String, delimiter: Character = ";") -> [[String]] {
        var records: [[String]] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                inQuotes = true
            } else if character == delimiter {
                fields.append(field); field = ""
            } else if character == "\n" {
                fields.append(field); field = ""
                records.append(fields); fields = []
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); records.append(fields) }
        return records
    }
}
