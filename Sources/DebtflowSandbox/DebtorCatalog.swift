import DebtflowCore
import DebtflowJSON
import Foundation

/// The debtors the Sportalliance route serves, loaded once from `--debtors`.
///
/// Accepts a document shaped like the API's answer (`{"result":[…]}`), a JSON array of debtors,
/// or NDJSON (one debtor per line), gzip or plain (detected from the magic bytes). Each debtor
/// is kept as compact JSON text (NDJSON lines as written), so serving a slice only joins bytes.
///
/// Loading streams the file (``DebtorFileReader``): it needs memory about the size of the
/// debtors' texts, which lie one after another in one buffer (``DebtorTextStore``), not the
/// whole document parsed.
struct DebtorCatalog: Sendable {
    private let store: DebtorTextStore?

    /// No debtor (no `--debtors`, or an empty file).
    init() {
        store = nil
    }

    init(store: DebtorTextStore) {
        self.store = store
    }

    /// How many debtors there are.
    var count: Int { store?.count ?? 0 }

    /// One debtor's JSON text.
    func text(at index: Int) -> [UInt8] {
        store?.text(at: index) ?? []
    }

    /// Every debtor's JSON text, in order (for tests and small catalogs).
    var texts: [[UInt8]] {
        (0..<count).map(text(at:))
    }

    /// One slice: the positions of the debtors from `start`, at most `count` of them.
    func slice(from start: Int, count: Int) -> Range<Int> {
        let lower = min(start, self.count)
        return lower..<min(self.count, lower + count)
    }

    /// Appends the debtors of `range` joined by commas to `body`: one copy of bytes.
    func appendJoinedTexts(_ range: Range<Int>, to body: inout [UInt8]) {
        store?.withJoinedTexts(range) { texts in
            body.reserveCapacity(body.count + texts.count + 64)
            body.append(contentsOf: texts)
        }
    }

    /// Loads and splits a debtors file.
    /// - Throws: ``DebtflowError`` of kind `.usage` when the file cannot be read or is not one of
    ///   the accepted shapes (the message names the file and the line, column and byte offset).
    static func load(path: String) throws -> DebtorCatalog {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw DebtflowError.usage("cannot read the debtors file \(path) (\(String(cString: strerror(errno))))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw DebtflowError.usage("the debtors file \(path) is not a regular file (a folder, a FIFO or a device); expected a file")
        }
        let reader = DebtorFileReader(openText: { try DebtorFileSource(path: path, name: "the document") })
        do {
            return try reader.read()
        } catch DebtorFileFailure.unreadable(let reason) {
            throw DebtflowError.usage("cannot read the debtors file \(path) (\(reason))")
        } catch DebtorFileFailure.gzip(let error) {
            throw DebtflowError.usage("the debtors file \(path): \(error.message)")
        } catch {
            throw DebtflowError.usage("the debtors file \(path) is not a {\"result\":[…]} document, a JSON array or NDJSON: \(error)")
        }
    }

    /// Splits a text held in memory as ``load(path:)`` splits a file's (read `readSize` bytes at a
    /// time, to show the result does not depend on where reads end).
    /// - Throws: ``DebtflowError`` saying what is wrong and where (line, column, byte).
    static func split(_ bytes: [UInt8], readSize: Int = 65536) throws -> DebtorCatalog {
        try DebtorFileReader(openText: { MemoryByteSource(bytes, name: "the document", maxReadSize: readSize) }).read()
    }
}
