import DebtflowCore

extension ConfigObject {
    /// A time-out in seconds (`timeout_s`): a number above zero, at most a day.
    func positiveSeconds(_ key: String) throws -> Double? {
        guard let seconds = try nonNegativeNumber(key) else { return nil }
        guard seconds > 0, seconds <= 86_400 else {
            throw DebtflowError.configuration("expected a number of seconds above 0 and at most 86400, found \(seconds)", path: child(key))
        }
        return seconds
    }
}
