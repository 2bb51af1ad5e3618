/// Turns a CSV header line into record keys.
enum CSVHeader {
    /// The key of a column with no usable name: `column_3` for the third column. Also used for
    /// the extra fields of a row that has more fields than the header.
    static func columnKey(_ index: Int) -> String { "column_\(index + 1)" }

    /// The header names as keys: kept as written, except that an empty name becomes
    /// ``columnKey(_:)`` and a repeated name gets a suffix (`name`, `name_2`, `name_3`), so every
    /// key of a record is unique.
    ///
    /// Linear in the number of columns, however many repeat one name (a header of a million `a`
    /// columns): each name remembers the next suffix to try.
    static func keys(fromNames names: [String]) -> [String] {
        var seen: Set<String> = []
        var nextOccurrence: [String: Int] = [:]
        var keys: [String] = []
        keys.reserveCapacity(names.count)
        for (index, name) in names.enumerated() {
            var key = name.isEmpty ? columnKey(index) : name
            if seen.contains(key) {
                var occurrence = nextOccurrence[key, default: 2]
                while seen.contains("\(key)_\(occurrence)") { occurrence += 1 }
                nextOccurrence[key] = occurrence + 1
                key = "\(key)_\(occurrence)"
            }
            seen.insert(key)
            keys.append(key)
        }
        return keys
    }

    /// Keys for a file without a header line: the 1-based column numbers `"1"`, `"2"`, ….
    static func numberedKeys(count: Int) -> [String] {
        (0..<count).map { String($0 + 1) }
    }
}
