@testable import DebtflowNormalize
import DebtflowCore
import Testing

/// `normalize` reads an amount as a ``ScannedAmount`` and counts it in minor units from its
/// value, without writing its digits out as text and reading them back: both paths must give
/// the same amount or the same error, in currencies of 0, 2 and 3 decimals.
@Suite("amounts: minor units from the scanned value and from the written-out digits agree")
struct AmountScannedMinorUnitsTests {
    @Test("same minor units or the same error", arguments: [
        "12.5", "12.340", "12.345", "0.05", "1250", "207,46", "999999999999999999", "99999999999999999.9",
        "123456789012345678", "0.001", "€12,50", "1 234,56",
    ])
    func bothPathsAgree(text: String) throws {
        for code in ["EUR", "JPY", "TND"] {
            let currency = try #require(CurrencyTable.currency(forCode: code))
            let scanned = text.utf8CString.withUnsafeBufferPointer { chars in
                chars.withMemoryRebound(to: UInt8.self) { bytes in
                    AmountParser.scan(utf8: UnsafeBufferPointer(rebasing: bytes.dropLast()), decimal: .auto)
                }
            }
            let parsed = AmountParser.parse(text, decimal: .auto)
            switch (scanned, parsed) {
            case (.success(let scanned), .success(let parsed)):
                #expect(AmountParser.minorUnits(scanned, currency: currency) == AmountParser.minorUnits(parsed, currency: currency),
                        "\(text) in \(code)")
                #expect(scanned.currencyHint == parsed.currencyHint)
            case (.failure(let scanned), .failure(let parsed)):
                #expect(scanned == parsed, "\(text)")
            default:
                Issue.record("\(text): scan and parse disagree on success")
            }
        }
    }
}
