// TEMPORARY stubs matching docs/INTERFACES.md, so the rules stages compile before the real
// normalizers are merged. DELETE when merging main.
import DebtflowCore
import Foundation

public struct PhoneNumber: Sendable, Equatable {
    public var e164: String
    public var callingCode: Int
    public var region: String
    public init(e164: String, callingCode: Int, region: String) {
        self.e164 = e164; self.callingCode = callingCode; self.region = region
    }
}
public struct PhoneNormalizationError: Error, Sendable, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
}
public struct PhoneNormalizer: Sendable {
    public init() {}
    public func normalize(_ input: String, defaultRegion: String = "FR") -> Result<PhoneNumber, PhoneNormalizationError> {
        let digits = input.filter(\.isNumber)
        if input.hasPrefix("+33"), digits.count == 11 { return .success(PhoneNumber(e164: "+" + digits, callingCode: 33, region: "FR")) }
        if input.hasPrefix("+590"), digits.count == 12 { return .success(PhoneNumber(e164: "+" + digits, callingCode: 590, region: "GP")) }
        if input.hasPrefix("+49"), digits.count >= 11 { return .success(PhoneNumber(e164: "+" + digits, callingCode: 49, region: "DE")) }
        if input.hasPrefix("+44"), digits.count == 12 { return .success(PhoneNumber(e164: "+" + digits, callingCode: 44, region: "GB")) }
        if input.hasPrefix("+212"), digits.count == 12 { return .success(PhoneNumber(e164: "+" + digits, callingCode: 212, region: "MA")) }
        if input.hasPrefix("0690"), digits.count == 10 {
            return .success(PhoneNumber(e164: "+590" + digits.dropFirst(), callingCode: 590, region: "GP"))
        }
        if input.hasPrefix("06"), digits.count == 10 {
            return .success(PhoneNumber(e164: "+33" + digits.dropFirst(), callingCode: 33, region: "FR"))
        }
        return .failure(PhoneNormalizationError(message: "not a valid phone number"))
    }
}
public struct Currency: Sendable, Equatable {
    public var code: String
    public var minorUnitDigits: Int
    public init(code: String, minorUnitDigits: Int) { self.code = code; self.minorUnitDigits = minorUnitDigits }
}
public enum CurrencyTable {
    public static func currency(forCode code: String) -> Currency? {
        switch code {
        case "EUR", "USD", "GBP", "CHF": return Currency(code: code, minorUnitDigits: 2)
        case "JPY": return Currency(code: code, minorUnitDigits: 0)
        case "TND": return Currency(code: code, minorUnitDigits: 3)
        default: return nil
        }
    }
    public static func normalize(_ raw: String) -> Currency? {
        let t = raw.trimmingCharacters(in: .whitespaces).uppercased()
        if t == "€" || t == "EURO" || t == "EUROS" { return currency(forCode: "EUR") }
        return currency(forCode: t)
    }
}
public enum DecimalSeparatorPolicy: String, Sendable {
    case auto, comma = ",", dot = "."
}
public struct ParsedAmount: Sendable, Equatable {
    public var isNegative: Bool
    public var digits: String
    public var fractionDigits: Int
    public var currencyHint: String?
    public init(isNegative: Bool, digits: String, fractionDigits: Int, currencyHint: String?) {
        self.isNegative = isNegative; self.digits = digits; self.fractionDigits = fractionDigits; self.currencyHint = currencyHint
    }
}
public enum AmountParser {
    public static func parse(_ raw: String, decimal: DecimalSeparatorPolicy) -> Result<ParsedAmount, RecordError> {
        var text = raw.trimmingCharacters(in: .whitespaces)
        var hint: String?
        if text.contains("€") { hint = "EUR"; text = text.replacingOccurrences(of: "€", with: "") }
        if text.contains("$") { hint = "USD-sign"; text = text.replacingOccurrences(of: "$", with: "") }
        text = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
            .replacingOccurrences(of: " ", with: "")
        var negative = false
        if text.hasPrefix("("), text.hasSuffix(")") { negative = true; text = String(text.dropFirst().dropLast()) }
        if text.hasPrefix("-") { negative = true; text.removeFirst() }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !text.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return .failure(RecordError(field: "amount", code: .invalidAmount, message: "not an amount"))
        }
        let fraction = parts.count == 2 ? parts[1].count : 0
        return .success(ParsedAmount(isNegative: negative, digits: parts.joined(), fractionDigits: fraction, currencyHint: hint))
    }
    public static func minorUnits(_ amount: ParsedAmount, currency: Currency) -> Result<MinorUnitAmount, RecordError> {
        guard amount.fractionDigits <= currency.minorUnitDigits else {
            return .failure(RecordError(field: "amount", code: .invalidAmount, message: "too many decimals"))
        }
        var value = Int64(amount.digits) ?? 0
        for _ in amount.fractionDigits..<currency.minorUnitDigits { value *= 10 }
        if amount.isNegative { value = -value }
        if value <= 0 { return .failure(RecordError(field: "amount", code: .nonPositiveAmount, message: "not positive")) }
        return .success(MinorUnitAmount(minorUnits: value, digits: currency.minorUnitDigits))
    }
}
public enum DateNormalizer {
    public static func normalize(_ raw: String) -> String? {
        let t = raw.trimmingCharacters(in: .whitespaces)
        var parts: [Int] = []
        if t.count == 10, t.dropFirst(4).first == "-" { parts = t.split(separator: "-").compactMap { Int($0) } }
        else { parts = t.split(separator: "/").reversed().compactMap { Int($0) } }
        guard parts.count == 3, (1...12).contains(parts[1]) else { return nil }
        let days = [31, parts[0] % 4 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][parts[1] - 1]
        guard (1...days).contains(parts[2]) else { return nil }
        func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
        return pad(parts[0], 4) + "-" + pad(parts[1], 2) + "-" + pad(parts[2], 2)
    }
}
public enum IBANValidator {
    public static func normalize(_ raw: String) -> String? {
        let t = raw.replacingOccurrences(of: " ", with: "").uppercased()
        return t == "FR7630006000011234567890189" ? t : nil
    }
}
public enum EmailValidator {
    public static func normalize(_ raw: String) -> String? {
        let t = raw.trimmingCharacters(in: .whitespaces)
        let parts = t.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else { return nil }
        return parts[0] + "@" + parts[1].lowercased()
    }
}
