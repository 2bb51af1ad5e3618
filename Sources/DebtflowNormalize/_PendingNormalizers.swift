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
