import DebtflowClassify
import DebtflowCore
import DebtflowNormalize
import Testing

@Suite("classify: zones, credits and the expensive gate")
struct DestinationClassifierTests {
    static let euCodes = [30, 31, 32, 34, 351, 352, 353, 356, 357, 358, 359, 36, 370, 371, 372, 385, 386, 39, 40,
                          420, 421, 43, 45, 46, 48, 49]

    let classifier = DestinationClassifier()

    @Test("+33 is fr_mainland: 25 credits, multiplier 1.0, not expensive")
    func mainland() {
        #expect(classifier.classify(callingCode: 33, region: "FR")
            == Destination(zone: .frMainland, country: "FR", credits: 25, multiplier: "1.0", expensive: false))
    }

    @Test("the other 26 EU member states are eu: 30 credits, multiplier 1.2", arguments: euCodes)
    func eu(code: Int) {
        let destination = classifier.classify(callingCode: code, region: "XX")
        #expect(destination.zone == .eu)
        #expect(destination.credits == 30)
        #expect(destination.multiplier == "1.2")
        #expect(destination.expensive == false)
    }

    @Test("there are exactly 26 other EU calling codes")
    func euCount() {
        #expect(Set(Self.euCodes).count == 26)
    }

    @Test("the overseas departments and territories are dom_tom: 100 credits, 4.0, expensive",
          arguments: [590, 594, 596, 262, 508, 681, 687, 689])
    func domTom(code: Int) {
        let destination = classifier.classify(callingCode: code, region: "GP")
        #expect(destination == Destination(zone: .domTom, country: "GP", credits: 100, multiplier: "4.0", expensive: true))
    }

    @Test("Morocco, Algeria and Tunisia are maghreb: 125 credits, 5.0, expensive", arguments: [212, 213, 216])
    func maghreb(code: Int) {
        let destination = classifier.classify(callingCode: code, region: "MA")
        #expect(destination == Destination(zone: .maghreb, country: "MA", credits: 125, multiplier: "5.0", expensive: true))
    }

    @Test("everything else is other, with no credits and no multiplier (UK, Switzerland, Monaco, US, Norway)",
          arguments: [44, 41, 377, 1, 47, 7, 90, 61])
    func other(code: Int) {
        let destination = classifier.classify(callingCode: code, region: "GB")
        #expect(destination == Destination(zone: .other, country: "GB", credits: nil, multiplier: nil, expensive: false))
    }

    @Test("rates override a zone's credits or multiplier; the rest of the table stays")
    func rateOverrides() {
        let classifier = DestinationClassifier(rates: [.domTom: ZoneRate(credits: 90),
                                                       .eu: ZoneRate(credits: 35, multiplier: "1.4")])
        #expect(classifier.classify(callingCode: 590, region: "GP").credits == 90)
        #expect(classifier.classify(callingCode: 590, region: "GP").multiplier == "4.0")
        #expect(classifier.classify(callingCode: 49, region: "DE").credits == 35)
        #expect(classifier.classify(callingCode: 49, region: "DE").multiplier == "1.4")
        #expect(classifier.classify(callingCode: 33, region: "FR").credits == 25)
    }

    @Test("an override of other does not make other supported")
    func otherStaysUnsupported() {
        let classifier = DestinationClassifier(rates: [.other: ZoneRate(credits: 500, multiplier: "20.0")])
        #expect(classifier.classify(callingCode: 44, region: "GB").credits == nil)
    }

    @Test("the expensive list decides which zones are expensive")
    func expensiveList() {
        let classifier = DestinationClassifier(options: ClassifyOptions(expensive: [.maghreb, .eu]))
        #expect(classifier.classify(callingCode: 590, region: "GP").expensive == false)
        #expect(classifier.classify(callingCode: 212, region: "MA").expensive == true)
        #expect(classifier.classify(callingCode: 49, region: "DE").expensive == true)
        #expect(classifier.classify(callingCode: 33, region: "FR").expensive == false)
    }

    @Test("a normalized phone number is classified by its calling code and region")
    func phoneNumber() {
        let number = PhoneNumber(e164: "+590690123456", callingCode: 590, region: "GP")
        #expect(classifier.classify(number).zone == .domTom)
        #expect(classifier.classify(number).country == "GP")
    }
}

@Suite("classify: the stage")
struct ClassifyStageTests {
    private func candidate(phone: String?, callingCode: Int?, region: String?, skip: SkipReason? = nil) -> DebtCandidate {
        var candidate = DebtCandidate(provenance: Provenance(source: "t", record: 1), data: RecordObject())
        candidate.debt.phone = phone
        if let phone, let callingCode, let region {
            candidate.phoneNumber = PhoneNumber(e164: phone, callingCode: callingCode, region: region)
        }
        candidate.skipReason = skip
        return candidate
    }

    @Test("a candidate with a valid phone gets its destination; others pass unchanged")
    func stage() throws {
        let input = [
            candidate(phone: "+33612345678", callingCode: 33, region: "FR"),
            candidate(phone: nil, callingCode: nil, region: nil),
            candidate(phone: "+212612345678", callingCode: 212, region: "MA", skip: .blocked),
        ]
        let output = try ClassifyStage(options: ClassifyOptions(rates: [.frMainland: ZoneRate(credits: 20)]))
            .process(Chunk(input)).elements
        #expect(output[0].destination == Destination(zone: .frMainland, country: "FR", credits: 20, multiplier: "1.0",
                                                     expensive: false))
        #expect(output[1].destination == nil)
        #expect(output[2].destination == nil)
    }
}
