import DebtflowCore

extension DestinationClassifier {
    /// The destination of a normalized phone number.
    public func classify(_ phone: PhoneNumber) -> Destination {
        classify(callingCode: phone.callingCode, region: phone.region)
    }
}
