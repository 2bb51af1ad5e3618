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

/// `normalize` settles an amount's currency from the scanner's mark (``AmountParser/currency(mark:recordCurrency:defaultCurrency:)``),
/// not from its text hint: the same currency and the same problem for every sign and code, with
/// and without a record currency and a configured one, for amounts read and refused.
@Suite("amounts: the currency from the scanned mark is the one from the text hint")
struct AmountMarkAgreementTests {
    @Test("same agreement from the mark as from the hint", arguments: [
        "48", "€48", "48 €", "£48", "$48", "48 USD", "EUR 766.84", "98,00 €", "12.50 chf", "48 euros", "-12,50 €",
        "0 $", "(12.50) GBP", "1 234,56 EUR",
    ])
    func sameAgreement(text: String) throws {
        let currencies: [Currency?] = [nil] + ["EUR", "USD", "GBP", "JPY", "CHF", "CAD"].map { CurrencyTable.currency(forCode: $0) }
        let scan = Array(text.utf8).withUnsafeBufferPointer { AmountParser.scanKeepingMark(utf8: $0, decimal: .auto) }
        let mark: AmountCurrencyMark
        switch scan {
        case .amount(let amount): mark = amount.mark
        case .refused(_, let refusedMark): mark = refusedMark
        case .nonPositiveBesideUnknownCode: mark = .none
        }
        for record in currencies {
            for configured in currencies {
                let fromMark = AmountParser.currency(mark: mark, recordCurrency: record, defaultCurrency: configured)
                let fromHint = AmountParser.currency(hint: mark.hint, recordCurrency: record, defaultCurrency: configured)
                #expect(fromMark == fromHint, "\(text), record \(record?.code ?? "-"), configured \(configured?.code ?? "-")")
            }
        }
    }
}
